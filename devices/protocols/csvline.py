"""Plain CSV lines from do-it-yourself devices (``12.5,41.2`` or ``t_ms,force,angle``), as samples.

Such a device sends no sequence number and no CRC, so this parser can check much less than the
ITP/1 one: the number of fields, that each is a finite decimal, that the line is short enough. The
user tells which column is what (``CsvLineParser.from_spec("t_ms,force_n,angle_deg")``); ``_``
marks a column to ignore. Fields may be separated by commas, semicolons, tabs or spaces (as the
Arduino serial plotter accepts). Like the ITP/1 parser it is a pure object: no I/O, never raises
on bad input, and never turns a damaged line into a sample it can recognise as damaged.

Time axis (seconds, strictly increasing, the first sample at 0.0 s):

- With a time column (``t_s``, ``t_ms`` or ``t_us``) the device clock sets the spacing, unwrapped
  across 32-bit wraps of ``t_ms``/``t_us`` (``millis()``/``micros()``). A clock that leaps forward
  by more than 60 s or goes back by more than 1 s is a device reset: a new time base starts just
  after the last sample. A time that does not go forward otherwise is a repeated line: corrupt.
- Without one, lines are stamped on arrival: the lines of one chunk are spread evenly between the
  previous line's time and the chunk's arrival ``host_t_s``.

The first line, if it is not numeric, is a header: skipped, not counted corrupt, and skipped again
if the device prints it again (after it resets). Note that the first line after a port opens may
be the tail of a line the device was sending: a partial line that still has the right number of
fields cannot be told from a real one here, which is what ``skip_first_line`` is for.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from devices.protocols.itp import DEFAULT_INTERVAL_S, MAX_LINE_BYTES, LineFramer
from devices.samples import Counters, DeviceError, DeviceEvent, DeviceInfo, EventKind, SampleBlock

#: Time columns and their unit in seconds.
TIME_COLUMNS: dict[str, float] = {"t_s": 1.0, "t_ms": 1e-3, "t_us": 1e-6}
#: A column name that means "ignore this column".
SKIP_COLUMN = "_"
#: Forward clock steps beyond this are device resets (as in ITP/1).
LEAP_S = 60.0
#: Backward clock steps beyond this are device resets; smaller ones are repeated lines.
BACK_RESET_S = 1.0
#: Smallest spacing given to lines that arrive with no measurable time between them.
MIN_STEP_S = 1e-6

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SPLIT = re.compile(rb"[ \t]*[,;][ \t]*|[ \t]+")
_DECIMAL = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _check_columns(columns: Sequence[str], where: str) -> None:
    """Raise DeviceError naming the first bad field of a column mapping."""
    if not columns:
        raise DeviceError(f"{where} is empty: name at least one channel, e.g. force_n,angle_deg")
    seen: dict[str, int] = {}
    time_field: tuple[int, str] | None = None
    for pos, name in enumerate(columns, start=1):
        if not name:
            raise DeviceError(f"{where}: field {pos} is empty")
        if name != SKIP_COLUMN and not _NAME.fullmatch(name):
            raise DeviceError(
                f"{where}: field {pos} {name!r} is not a column name (letters, digits and _, "
                f"starting with a letter; {SKIP_COLUMN} to ignore a column)"
            )
        if name in seen and name != SKIP_COLUMN:
            raise DeviceError(f"{where}: field {pos} {name!r} repeats field {seen[name]}")
        seen[name] = pos
        if name in TIME_COLUMNS:
            if time_field is not None:
                raise DeviceError(
                    f"{where}: field {pos} {name!r} is a second time column "
                    f"(field {time_field[0]} is {time_field[1]!r})"
                )
            time_field = (pos, name)
    if all(name in TIME_COLUMNS or name == SKIP_COLUMN for name in columns):
        raise DeviceError(f"{where} names no channel, only time or ignored columns")


class CsvLineParser:
    """Turns plain CSV lines, in chunks of any size, into sample blocks and reset events."""

    def __init__(
        self,
        columns: Sequence[str],
        counters: Counters | None = None,
        max_line_bytes: int = MAX_LINE_BYTES,
        skip_first_line: bool = False,
    ) -> None:
        columns = tuple(columns)
        _check_columns(columns, f"csv column mapping {','.join(columns)!r}")
        self.columns = columns
        self.counters = counters if counters is not None else Counters()
        self.max_line_bytes = max_line_bytes
        self.channels: tuple[str, ...] = tuple(
            c for c in columns if c not in TIME_COLUMNS and c != SKIP_COLUMN
        )
        self.info: DeviceInfo | None = None
        self.last_t_s: float | None = None
        self._channel_pos = [i for i, c in enumerate(columns) if c in self.channels]
        time_pos = [i for i, c in enumerate(columns) if c in TIME_COLUMNS]
        self._time_pos = time_pos[0] if time_pos else None
        self._time_scale = TIME_COLUMNS[columns[self._time_pos]] if time_pos else 1.0
        self._time_wrap_s = (
            2.0**32 * self._time_scale
            if self._time_pos is not None and columns[self._time_pos] != "t_s"
            else None
        )
        self._framer = LineFramer(max_line_bytes)
        self._skip_first_line = skip_first_line
        self._skip_first = skip_first_line
        self._seen_line = False
        self._header: list[bytes] | None = None
        # Host-time state.
        self._origin_s: float | None = None
        self._after_gap = False
        # Device-time state.
        self._last_dev_s: float | None = None  # unwrapped device time of the last sample
        self._wrap_offset_s = 0.0
        self._base_dev_s = 0.0
        self._base_s = 0.0
        self._recent_dt_s: list[float] = []
        self._new_base_not_before: float | None = None

    @classmethod
    def from_spec(
        cls,
        spec: str,
        counters: Counters | None = None,
        max_line_bytes: int = MAX_LINE_BYTES,
        skip_first_line: bool = False,
    ) -> CsvLineParser:
        """A parser for a user's column mapping such as ``"t_ms,force_n,angle_deg"``."""
        columns = tuple(part.strip() for part in spec.split(","))
        _check_columns(columns if spec.strip() else (), f"csv column mapping {spec!r}")
        return cls(columns, counters, max_line_bytes, skip_first_line)

    @property
    def has_device_time(self) -> bool:
        return self._time_pos is not None

    # -- public ----------------------------------------------------------------------------------
    def feed(self, data: bytes, host_t_s: float | None = None) -> list[SampleBlock | DeviceEvent]:
        """Parse a chunk; partial lines wait for their ``\\n``. ``host_t_s`` (the chunk's arrival
        time, seconds on any monotonic clock) is required when the mapping has no time column."""
        out: list[SampleBlock | DeviceEvent] = []
        if not data:
            return out
        body, dropped = self._framer.push(bytes(data))
        self.counters.corrupt_lines += dropped
        rows = self._rows(body)
        if not rows:
            return out
        if self._time_pos is None:
            if host_t_s is None:
                raise ValueError("host_t_s is required for a csv mapping without a time column")
            self._place_host(rows, float(host_t_s), out)
        else:
            self._place_device(rows, out)
        return out

    def new_time_base(self, not_before_s: float) -> None:
        """The link reconnected: forget the partial line, accept a header again, and start the
        next samples no earlier than ``not_before_s``. With ``skip_first_line``, the first line
        after the reconnect is dropped too: a port opened on a device already streaming may begin
        mid-line, and a plain number line, unlike an ITP/1 line, has no checksum to tell a cut
        "5,41.2" from a whole "12.5,41.2"."""
        self.counters.corrupt_lines += self._framer.discard()
        self._skip_first = self._skip_first_line
        self._seen_line = False
        self._new_base_not_before = float(not_before_s)
        self._after_gap = True

    # -- lines -----------------------------------------------------------------------------------
    def _rows(self, body: bytes) -> list[list[float]]:
        rows: list[list[float]] = []
        ncol = len(self.columns)
        for line in body.split(b"\n")[:-1]:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                continue
            first, self._seen_line = not self._seen_line, True
            if first and self._skip_first:
                self._skip_first = False
                continue
            if len(line) > self.max_line_bytes:
                self.counters.corrupt_lines += 1
                continue
            fields = _SPLIT.split(line.strip(b" \t"))
            if not all(_DECIMAL.fullmatch(f) for f in fields):
                if first and (self._header is None or fields == self._header):
                    self._header = fields
                elif fields != self._header:
                    self.counters.corrupt_lines += 1
                continue
            if len(fields) != ncol:
                self.counters.corrupt_lines += 1
                continue
            row = [float(f) for f in fields]
            if not all(math.isfinite(v) for v in row):
                self.counters.corrupt_lines += 1
                continue
            rows.append(row)
        return rows

    # -- time axis -------------------------------------------------------------------------------
    def _place_host(
        self, rows: list[list[float]], host_t_s: float, out: list[SampleBlock | DeviceEvent]
    ) -> None:
        m = len(rows)
        if self._origin_s is None or self.last_t_s is None:
            # Nothing tells how far apart the first lines were: assume the default interval.
            self._origin_s = host_t_s - (m - 1) * DEFAULT_INTERVAL_S
            t = np.arange(m) * DEFAULT_INTERVAL_S
        else:
            start = self.last_t_s
            stop = host_t_s - self._origin_s
            if self._after_gap:
                # After a reconnect the lines came after the gap, not spread across it.
                start = max(start, stop - m * DEFAULT_INTERVAL_S)
            stop = max(stop, start + m * MIN_STEP_S)
            t = start + (stop - start) * (np.arange(1, m + 1) / m)
        if self._new_base_not_before is not None and t[0] < self._new_base_not_before:
            shift = self._new_base_not_before - t[0]
            t = t + shift
            self._origin_s -= shift
        self._after_gap = False
        self._new_base_not_before = None
        values = np.asarray(rows, dtype=np.float64)[:, self._channel_pos]
        self._emit(t, values, out)

    def _place_device(self, rows: list[list[float]], out: list[SampleBlock | DeviceEvent]) -> None:
        assert self._time_pos is not None
        times: list[float] = []
        kept: list[list[float]] = []
        for row in rows:
            raw_s = row[self._time_pos] * self._time_scale
            dev_s = raw_s + self._wrap_offset_s
            if self._last_dev_s is None or self._new_base_not_before is not None:
                start = self._start_after_last(times)
                if self._new_base_not_before is not None:
                    start = max(start, self._new_base_not_before)
                    self._new_base_not_before = None
                self._new_base(dev_s, start)
            else:
                step = dev_s - self._last_dev_s
                if self._time_wrap_s is not None and step < -BACK_RESET_S:
                    wrapped = step + self._time_wrap_s
                    if 0.0 < wrapped <= LEAP_S:
                        self._wrap_offset_s += self._time_wrap_s
                        dev_s += self._time_wrap_s
                        step = wrapped
                if step > LEAP_S or step < -BACK_RESET_S:
                    start = self._start_after_last(times)
                    self._flush(times, kept, out)
                    self.counters.resets += 1
                    why = f"clock {'leapt' if step > 0 else 'went back'} {abs(step):.3f} s"
                    out.append(
                        DeviceEvent(
                            EventKind.RESET,
                            t_s=start,
                            text=f"device reset ({why}); new time base at {start:.6f} s",
                        )
                    )
                    self._new_base(dev_s, start)
                elif step <= 0.0:
                    self.counters.corrupt_lines += 1
                    continue
                else:
                    self._recent_dt_s = [*self._recent_dt_s[-63:], step]
            t = self._base_s + (dev_s - self._base_dev_s)
            previous = times[-1] if times else self.last_t_s
            if previous is not None and t <= previous:  # lost to rounding: a repeat in effect
                self.counters.corrupt_lines += 1
                continue
            self._last_dev_s = dev_s
            times.append(t)
            kept.append(row)
        self._flush(times, kept, out)

    def _start_after_last(self, pending: list[float] | None = None) -> float:
        last = pending[-1] if pending else self.last_t_s
        if last is None:
            return 0.0
        interval = float(np.median(self._recent_dt_s)) if self._recent_dt_s else DEFAULT_INTERVAL_S
        return last + interval

    def _new_base(self, dev_s: float, start_s: float) -> None:
        self._base_dev_s = dev_s
        self._base_s = start_s

    def _flush(
        self, times: list[float], rows: list[list[float]], out: list[SampleBlock | DeviceEvent]
    ) -> None:
        if times:
            values = np.asarray(rows, dtype=np.float64)[:, self._channel_pos]
            self._emit(np.asarray(times, dtype=np.float64), values, out)
            times.clear()
            rows.clear()

    def _emit(self, t: np.ndarray, values: np.ndarray, out: list[SampleBlock | DeviceEvent]):
        out.append(SampleBlock(t, np.ascontiguousarray(values), self.channels))
        self.last_t_s = float(t[-1])
