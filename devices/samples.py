"""What crosses the door between a device and the rest of the program.

Every source (a serial tool, the simulator, a replayed recording) hands over the same three kinds of
item, in the order they happened: blocks of timestamped samples, device events, and (on request)
counters. Keeping them as small frozen dataclasses with numpy arrays inside means the trainer never
needs to know which kind of device it is talking to.

This module must never import Qt, ``trainer`` or ``ui``: devices sit at the bottom of the house.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: The channels a device has until it tells us otherwise (ITP/1: no info line yet).
DEFAULT_CHANNELS: tuple[str, ...] = ("force_n", "angle_deg")

#: Units of the channel names ITP/1 knows; any other name is kept and shown with no unit.
CHANNEL_UNITS: dict[str, str] = {
    "force_n": "N",
    "shear_n": "N",
    "angle_deg": "deg",
    "roll_deg": "deg",
    "cop_x_mm": "mm",
    "cop_y_mm": "mm",
    "speed_mm_s": "mm/s",
}


class DeviceError(Exception):
    """A problem a user can cause or fix (no such port, bad URL, bad column mapping).

    The message is fit to show as it is: it names the port, file or setting.
    """


@dataclass(frozen=True)
class SampleBlock:
    """Consecutive samples on the session's time axis.

    ``t_s`` is float64 seconds, strictly increasing within the block and across blocks of one
    source; ``values`` is float64 of shape ``(len(t_s), len(channels))``.
    """

    t_s: np.ndarray
    values: np.ndarray
    channels: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    def channel(self, name: str) -> np.ndarray:
        """One channel's column (a view), or a ``KeyError`` naming the channel."""
        try:
            return self.values[:, self.channels.index(name)]
        except ValueError:
            raise KeyError(f"channel {name!r} not in {self.channels}") from None

    @staticmethod
    def concat(blocks: list[SampleBlock]) -> SampleBlock:
        """Join blocks that share one channel list (the caller splits at channel changes)."""
        if not blocks:
            raise ValueError("no blocks to join")
        channels = blocks[0].channels
        if any(b.channels != channels for b in blocks):
            raise ValueError("blocks with different channels cannot be joined")
        return SampleBlock(
            np.concatenate([b.t_s for b in blocks]),
            np.concatenate([b.values for b in blocks]),
            channels,
        )


@dataclass(frozen=True)
class DeviceInfo:
    """What a device says about itself (ITP/1 info line), or what the host knows of it."""

    device: str = "unknown"
    firmware: str = ""
    serial: str = ""
    channels: tuple[str, ...] = DEFAULT_CHANNELS
    rate_hz: float | None = None
    protocol: str = "ITP/1"
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        """One line for a recording's ``# device:`` metadata and the device panel."""
        text = self.device
        if self.firmware:
            text += f" fw {self.firmware}"
        if self.serial:
            text += f" serial {self.serial}"
        return text


class EventKind(enum.Enum):
    CONNECTED = "connected"  # the port opened (first time or after a reconnect)
    DISCONNECTED = "disconnected"  # the port vanished or was closed; ``text`` says why
    INFO = "info"  # an info line; ``info`` holds it
    MESSAGE = "message"  # a ``!`` line from the device, e.g. ``OVERLOAD force_n``
    RESET = "reset"  # the device restarted: a new time base begins at ``t_s``
    LOST = "lost"  # ``count`` samples lost on the way (seq jump) just before ``t_s``
    GAP = "gap"  # no data from ``t_s`` for ``duration_s`` (disconnect, overflow)
    OVERFLOW = "overflow"  # the consumer fell behind; ``count`` samples were discarded


@dataclass(frozen=True)
class DeviceEvent:
    """Something that happened on the link, placed on the session's time axis.

    ``t_s`` is the time of the last sample before the event (``None`` before any sample),
    except for ``RESET``, where it is the start of the new time base.
    """

    kind: EventKind
    t_s: float | None = None
    text: str = ""
    info: DeviceInfo | None = None
    count: int = 0
    duration_s: float = 0.0


@dataclass
class Counters:
    """Running totals shown to the user and saved with the session. Nothing is dropped unseen."""

    samples: int = 0
    corrupt_lines: int = 0
    lost_samples: int = 0
    disconnects: int = 0
    resets: int = 0
    overflow_samples: int = 0
    messages: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


Item = SampleBlock | DeviceEvent
