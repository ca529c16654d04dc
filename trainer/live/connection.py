"""The application's one door to a device: which tool the user chose, opening it, listing ports.

``ui`` never imports ``devices``: whatever the screens need of a tool (opening the chosen one,
listing the ports, and the types that cross the device door) it takes from here, so the imports
read ``ui -> trainer -> devices`` and a change of driver touches one module of ``trainer``.

A ``DeviceChoice`` is what the device panel and the settings hold; ``open_device`` turns it into a
``Source`` (the simulator strokes the exercise's stroke type, or an expert's for a demonstration).
Opening a serial port may block for seconds: callers run it off the GUI thread. Never imports Qt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devices.opening import open_source
from devices.ports import PortInfo, list_ports
from devices.samples import Counters, DeviceError, DeviceEvent, DeviceInfo, EventKind, SampleBlock
from devices.sim.stroke_models import SKILLS
from devices.source import Source

if TYPE_CHECKING:
    from trainer.library.exercise import Exercise

__all__ = [
    "DEVICE_KINDS",
    "SKILLS",
    "Counters",
    "DeviceChoice",
    "DeviceError",
    "DeviceEvent",
    "DeviceInfo",
    "EventKind",
    "PortInfo",
    "SampleBlock",
    "Source",
    "list_ports",
    "open_device",
    "open_expert_device",
    "open_source",
]

DEVICE_KINDS = ("sim", "serial", "csv")


@dataclass(frozen=True)
class DeviceChoice:
    """Which device a session should open, as the device panel and the settings hold it."""

    kind: str = "sim"  # "sim", "serial" (ITP/1) or "csv"
    skill: str = "competent"  # simulator only
    port: str = ""  # serial and csv
    baud: int = 115200
    columns: str = "force_n,angle_deg"  # csv only: the column mapping
    speed: float = 1.0  # simulator only: faster than real time for demonstrations and tests
    seed: int | None = None  # simulator only: None draws a new person each session
    #: Simulator only: a force plate (force and centre of pressure, no angle) instead of a tool.
    plate: bool = False

    def describe(self) -> str:
        if self.kind == "sim":
            return f"Simulated {'plate' if self.plate else 'tool'} ({self.skill})"
        if self.kind == "csv":
            return f"{self.port} (CSV: {self.columns})"
        return self.port or "no port"

    @property
    def device_string(self) -> str:
        """What ``devices.opening.open_source`` expects."""
        if self.kind != "sim":
            return self.port
        return f"sim:plate:{self.skill}" if self.plate else f"sim:{self.skill}"


def open_device(choice: DeviceChoice, exercise: Exercise | None, wait: bool = False) -> Source:
    """The source for ``choice`` (the simulator strokes the exercise's stroke type; with
    ``wait``, its person rests until the session begins, see ``TrainingSession.begin``)."""
    stroke = exercise.stroke_type if exercise is not None else "sweep"
    if choice.kind == "sim":
        seed = choice.seed if choice.seed is not None else int(time.time()) % 100_000
        return open_source(
            choice.device_string, stroke=stroke, speed=choice.speed, seed=seed, wait=wait
        )
    protocol = "csv" if choice.kind == "csv" else "itp"
    columns = choice.columns if protocol == "csv" else None
    return open_source(choice.port, protocol=protocol, baud=choice.baud, columns=columns)


def open_expert_device(choice: DeviceChoice, stroke_type: str) -> Source:
    """The chosen tool; on the simulator, a simulated expert stroking ``stroke_type``."""
    if choice.kind == "sim":
        seed = choice.seed if choice.seed is not None else int(time.time()) % 100_000
        device = "sim:plate:expert" if choice.plate else "sim:expert"
        return open_source(device, stroke=stroke_type, speed=choice.speed, seed=seed)
    return open_device(choice, None)
