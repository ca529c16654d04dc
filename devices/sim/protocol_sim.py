"""The ``sim://`` pyserial URL: the simulated tool behind a serial-port object.

``serial.serial_for_url("sim://?stroke=sweep&skill=novice&seed=3&rate=1000")`` (after
``devices.sim.simulator.register()``) gives an object that behaves like a USB CDC port with a tool
on the other end: ``read`` returns the ITP/1 bytes the tool has sent by now on the wall clock,
``write`` takes command lines and queues their answers, ``in_waiting``, ``reset_input_buffer``,
``cancel_read`` and close/open work as on a real port. Because the simulator is reached this way,
the application, the command line and the tests drive the real link and parser on it.

URL parameters (all optional; unknown or malformed ones raise ``SimUrlError``, a
``SerialException`` and a ``DeviceError``, naming the parameter):

- ``stroke``: a stroke type (sweep, scan, j_stroke, fan, brush, strum, scoop); default sweep
- ``skill``: expert, competent or novice; default competent
- ``seed``: a whole number, 0 or more; default 0
- ``rate``: samples per second, 10 to 2000; default 1000
- ``speed``: simulated seconds per wall-clock second, more than 0 and at most 1000; default 1
- ``channels``: comma-separated, from force_n, angle_deg, shear_n, speed_mm_s, roll_deg,
  cop_x_mm, cop_y_mm; ``force_n,cop_x_mm,cop_y_mm`` is a force plate (``sim:plate``)
- ``tare_n``, ``drift_n_per_s``, ``noise_n``, ``angle_noise_deg``, ``cop_noise_mm``: sensor
  imperfections (``cop_noise_mm``: a plate's centre-of-pressure noise at 5 N of load)
- ``wait``: 1 for a person who rests until the host sends ``START`` (the application connects,
  the trainee tares, and strokes begin only once the session starts); default 0

Like a native USB device, the tool keeps running while the port is closed: what it sent then is
lost (a ``seq`` jump on reopening), and it sends an info line when the port opens again. Its
output buffer is bounded: a host that stops reading loses the oldest-unsent samples, counted by
the jump in ``seq``, rather than growing memory.

This module must never import Qt, ``trainer`` or ``ui``.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from typing import Any

from serial.serialutil import PortNotOpenError, SerialBase, SerialException, to_bytes

from devices.samples import DeviceError
from devices.sim.simulator import MAX_RATE_HZ, MIN_RATE_HZ, SUPPORTED_CHANNELS, StrokeSimulator
from devices.sim.stroke_models import SKILLS, STROKE_TYPES

DEFAULT_SKILL = "competent"
MAX_SPEED = 1000.0
#: Longest command line the simulated firmware buffers; longer ones are refused whole.
_MAX_COMMAND_BYTES = 256
#: Simulated time produced per step while catching up with the clock.
_STEP_S = 0.25
#: The simulated tool sends what it has every 4 ms of its time, as a USB device sends packets:
#: computing its physics sample by sample, each time the port is asked, cost more than the
#: samples themselves.
_SEND_INTERVAL_S = 0.004


class SimUrlError(SerialException, DeviceError):
    """A ``sim://`` URL the simulator cannot honour; the message names the parameter."""


def _number(name: str, text: str, lo: float, hi: float, lo_open: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    ok = (lo < value if lo_open else lo <= value) and value <= hi
    if not ok:
        low = f"more than {lo:g}" if lo_open else f"{lo:g}"
        raise SimUrlError(
            f"sim:// parameter '{name}': {text!r} is not a number from {low} to {hi:g}"
        )
    return value


def parse_sim_url(url: str) -> tuple[dict[str, Any], float]:
    """A ``sim://`` URL as ``StrokeSimulator`` keyword arguments and a speed factor."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != "sim":
        raise SimUrlError(f"not a sim:// URL: {url!r}")
    if parts.netloc or parts.path.strip("/") or parts.fragment:
        where = parts.netloc + parts.path + (f"#{parts.fragment}" if parts.fragment else "")
        raise SimUrlError(
            f"sim:// URL {url!r}: unexpected {where!r}; settings go after '?', "
            "as in sim://?stroke=sweep&skill=novice"
        )
    try:
        pairs = urllib.parse.parse_qsl(
            parts.query, keep_blank_values=True, strict_parsing=bool(parts.query)
        )
    except ValueError:
        raise SimUrlError(
            f"sim:// URL {url!r}: cannot read {parts.query!r} as name=value pairs"
        ) from None
    kwargs: dict[str, Any] = {"skill": DEFAULT_SKILL}
    speed = 1.0
    seen: set[str] = set()
    for name, text in pairs:
        if name in seen:
            raise SimUrlError(f"sim:// parameter '{name}' is given twice")
        seen.add(name)
        if name == "stroke":
            if text not in STROKE_TYPES:
                raise SimUrlError(
                    f"sim:// parameter 'stroke': {text!r} is not one of {', '.join(STROKE_TYPES)}"
                )
            kwargs["stroke_type"] = text
        elif name == "skill":
            if text not in SKILLS:
                raise SimUrlError(
                    f"sim:// parameter 'skill': {text!r} is not one of {', '.join(SKILLS)}"
                )
            kwargs["skill"] = text
        elif name == "seed":
            if not text.isdigit():
                raise SimUrlError(f"sim:// parameter 'seed': {text!r} is not a whole number >= 0")
            kwargs["seed"] = int(text)
        elif name == "rate":
            kwargs["rate_hz"] = _number(name, text, MIN_RATE_HZ, MAX_RATE_HZ)
        elif name == "speed":
            speed = _number(name, text, 0.0, MAX_SPEED, lo_open=True)
        elif name == "channels":
            channels = tuple(c.strip() for c in text.split(","))
            bad = [c for c in channels if c not in SUPPORTED_CHANNELS]
            if bad or len(set(channels)) != len(channels):
                raise SimUrlError(
                    f"sim:// parameter 'channels': {text!r} must list distinct names from "
                    f"{', '.join(SUPPORTED_CHANNELS)}"
                )
            kwargs["channels"] = channels
        elif name == "tare_n":
            kwargs["tare_offset_n"] = _number(name, text, -100.0, 100.0)
        elif name == "drift_n_per_s":
            kwargs["drift_n_per_s"] = _number(name, text, -1.0, 1.0)
        elif name == "noise_n":
            kwargs["noise_n"] = _number(name, text, 0.0, 10.0)
        elif name == "angle_noise_deg":
            kwargs["angle_noise_deg"] = _number(name, text, 0.0, 20.0)
        elif name == "cop_noise_mm":
            kwargs["cop_noise_mm"] = _number(name, text, 0.0, 50.0)
        elif name == "wait":
            if text not in ("0", "1"):
                raise SimUrlError(f"sim:// parameter 'wait': {text!r} is not 0 or 1")
            kwargs["wait_for_start"] = text == "1"
        else:
            known = "stroke, skill, seed, rate, speed, channels, tare_n, drift_n_per_s, noise_n, "
            raise SimUrlError(
                f"sim:// parameter '{name}' is not known "
                f"(use {known}angle_noise_deg, cop_noise_mm, wait)"
            )
    return kwargs, speed


class Serial(SerialBase):
    """A serial port with the simulated tool on the other end, paced by the wall clock."""

    #: Bytes the tool's output may hold unread before it drops samples (a bounded USB buffer).
    buffer_limit_bytes = 4 << 20

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._rx = bytearray()
        self._command = bytearray()
        self._sim: StrokeSimulator | None = None
        self._sim_url: str | None = None
        self._speed = 1.0
        self._wall0 = 0.0
        self._sim_t0 = 0.0
        self._closed_wall: float | None = None
        #: Samples the tool took but could not send (port closed, or the host not reading).
        self.lost_samples = 0
        super().__init__(*args, **kwargs)

    # -- the port's life ---------------------------------------------------------------------------
    def open(self) -> None:
        if self.is_open:
            raise SerialException("Port is already open.")
        if self._port is None:
            raise SerialException("Port must be configured before it can be used.")
        url = str(self.portstr)
        kwargs, speed = parse_sim_url(url)
        with self._lock:
            now = time.monotonic()
            if self._sim is None or self._sim_url != url:
                try:
                    self._sim = StrokeSimulator(**kwargs)
                except DeviceError as exc:
                    raise SimUrlError(f"sim:// URL {url!r}: {exc}") from None
                self._sim_url = url
                self._rx.clear()
            else:
                # the tool ran on while the port was closed; nothing it sent reached anyone
                assert self._closed_wall is not None
                self.lost_samples += self._sim.skip((now - self._closed_wall) * self._speed)
                self._rx.clear()
                self._rx += self._sim.info_line()
            self._speed = speed
            self._wall0 = now
            self._sim_t0 = self._sim.stream_time_s
            self._command.clear()
            self._wake.clear()
            self.is_open = True

    def close(self) -> None:
        if self.is_open:
            with self._lock:
                self.is_open = False
                self._closed_wall = time.monotonic()
            self._wake.set()

    def _reconfigure_port(self) -> None:
        """Line settings mean nothing to a USB device; like ``loop://``, only sanity-checked."""
        if not isinstance(self._baudrate, int) or not 0 < self._baudrate < 2**32:
            raise ValueError(f"invalid baudrate: {self._baudrate!r}")

    def from_url(self, url: str) -> None:
        """Check a URL without opening (pyserial's handlers offer this)."""
        parse_sim_url(url)

    @property
    def simulator(self) -> StrokeSimulator | None:
        """The simulated tool (for tests and diagnostics)."""
        return self._sim

    # -- pacing ------------------------------------------------------------------------------------
    def _pump(self) -> None:
        """Bring the tool up to the wall clock, queueing what it sent. Holds ``_lock``."""
        sim = self._sim
        if sim is None or not self.is_open:
            return
        target = self._sim_t0 + (time.monotonic() - self._wall0) * self._speed
        if target - sim.stream_time_s < _SEND_INTERVAL_S:
            return
        while sim.stream_time_s < target:
            if len(self._rx) >= self.buffer_limit_bytes:
                self.lost_samples += sim.skip(target - sim.stream_time_s)
                break
            self._rx += sim.next_chunk(min(target - sim.stream_time_s, _STEP_S))

    def _wait_s(self) -> float:
        """How long until the tool probably sends its next packet (wall seconds)."""
        sim = self._sim
        if sim is None:
            return 0.02
        now = self._sim_t0 + (time.monotonic() - self._wall0) * self._speed
        due_s = max(_SEND_INTERVAL_S, 1.0 / sim.stream_rate_hz) - (now - sim.stream_time_s)
        return min(max(due_s / self._speed, 0.0005), 0.02)

    # -- reading -----------------------------------------------------------------------------------
    @property
    def in_waiting(self) -> int:
        if not self.is_open:
            raise PortNotOpenError()
        with self._lock:
            self._pump()
            return len(self._rx)

    def read(self, size: int = 1) -> bytes:
        """Up to ``size`` bytes: waits for them until ``timeout`` (forever when None)."""
        if not self.is_open:
            raise PortNotOpenError()
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        self._wake.clear()
        while True:
            with self._lock:
                self._pump()
                expired = deadline is not None and time.monotonic() >= deadline
                if len(self._rx) >= size or expired or not self.is_open or self._wake.is_set():
                    data = bytes(self._rx[:size])
                    del self._rx[:size]
                    return data
                wait = self._wait_s()
            if deadline is not None:
                wait = min(wait, max(deadline - time.monotonic(), 0.0))
            self._wake.wait(wait)

    def cancel_read(self) -> None:
        self._wake.set()

    def reset_input_buffer(self) -> None:
        if not self.is_open:
            raise PortNotOpenError()
        with self._lock:
            self._pump()
            self._rx.clear()

    # -- writing -----------------------------------------------------------------------------------
    def write(self, data: bytes) -> int:
        """Command lines for the tool; each complete line is answered in the input stream."""
        if not self.is_open:
            raise PortNotOpenError()
        data = to_bytes(data)
        with self._lock:
            assert self._sim is not None
            self._pump()  # the answer comes after everything sent so far
            self._command += data
            while True:
                nl = self._command.find(b"\n")
                if nl < 0:
                    break
                line = bytes(self._command[:nl]).rstrip(b"\r")
                del self._command[: nl + 1]
                self._rx += self._sim.command(line)
            if len(self._command) > _MAX_COMMAND_BYTES:
                self._command.clear()
                self._rx += b"!ERR unknown command\n"
        return len(data)

    def reset_output_buffer(self) -> None:
        if not self.is_open:
            raise PortNotOpenError()
        with self._lock:
            self._command.clear()

    @property
    def out_waiting(self) -> int:
        return 0

    def cancel_write(self) -> None:
        """Writes never block here."""

    # -- modem lines: a USB device has none worth simulating ---------------------------------------
    def _update_break_state(self) -> None:
        pass

    def _update_rts_state(self) -> None:
        pass

    def _update_dtr_state(self) -> None:
        pass

    @property
    def cts(self) -> bool:
        return True

    @property
    def dsr(self) -> bool:
        return True

    @property
    def ri(self) -> bool:
        return False

    @property
    def cd(self) -> bool:
        return True
