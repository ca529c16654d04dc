"""The streaming recording writer: one row per sample, written as the samples arrive.

The writer flushes at least once a second (and on every event), so a crash or a kill loses at most
the last second. Its path is checked before the first row (``claim_recording``: a plain file, a
folder it can write in, room for a minute of recording) and locked while it is written, so a second
writer is refused instead of splicing its rows in. A write error (a full disk, a device error)
raises ``RecordingWriteError`` once, naming the file and the error; what was written before it
stays, and a row cut short by it is left out by the reader. Never imports Qt.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from devices.samples import SampleBlock
from trainer.files.lock import OutputLock
from trainer.files.output import OutputError, check_output, describe_os_error
from trainer.recordings.events import events_path
from trainer.recordings.format import REQUIRED_COLUMNS, TIME_COLUMN, TITLE_LINE, RecordingError

FLUSH_INTERVAL_S = 1.0
#: The fastest rate the recording format promises to take (docs/interfaces.md: 10 Hz to 2 kHz).
MAX_RATE_HZ = 2000.0


class RecordingWriteError(RecordingError):
    """Writing a recording failed part-way (a full disk, a device error); what came before is
    kept. The message names the file, the operating system's reason and how much was kept."""


def bytes_per_minute(channels: int = 2, rate_hz: float | None = None) -> int:
    """Room a minute of recording takes: a row is about 11 bytes of time and 10 per value."""
    return int((11 + 10 * channels) * (rate_hz or MAX_RATE_HZ) * 60)


def claim_recording(
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    channels: int = 2,
    rate_hz: float | None = None,
) -> OutputLock:
    """Check ``path`` for a recording and lock it, before any sample is taken.

    ``RecordingError`` says what is wrong (a folder, a device, an existing file without
    ``overwrite``, no room for a minute of recording, another program writing it). The lock is
    handed to the ``RecordingWriter``, which lets go of it when it closes.
    """
    try:
        p = check_output(path, overwrite=overwrite, need_bytes=bytes_per_minute(channels, rate_hz))
        if events_path(p).is_dir():
            raise OutputError(f"{events_path(p)}: is a folder; the event log cannot be written")
        return OutputLock(p).acquire()
    except OutputError as exc:
        raise RecordingError(str(exc)) from None


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def _format_rows(t_rel: np.ndarray, values: np.ndarray) -> str:
    """CSV rows for a block. Values that ``%g`` prints without an exponent (the usual case:
    0, or between 1e-4 and 1e6 in size) go through one ``%`` operation for the whole block, which
    is about a hundred times faster than formatting value by value; anything else takes the
    careful per-value path. Both give the same text for the same number."""
    a = np.abs(values)
    plain = np.isfinite(values) & ((a == 0.0) | ((a >= 1e-4) & (a < 999_999.5)))
    if plain.all():
        row = "%.6f" + ",%.6g" * values.shape[1] + "\n"
        flat = np.column_stack([t_rel, values]).ravel().tolist()
        return (row * len(t_rel)) % tuple(flat)
    buf = io.StringIO()
    for t, vals in zip(t_rel.tolist(), values.tolist(), strict=True):
        buf.write(f"{t:.6f},")
        buf.write(",".join(_format_value(v) for v in vals))
        buf.write("\n")
    return buf.getvalue()


def _format_value(x: float) -> str:
    if not math.isfinite(x):
        return "nan"
    text = f"{x:.6g}"
    return text if "e" not in text else f"{x:.9f}".rstrip("0").rstrip(".")


class RecordingWriter:
    """Streams samples to a recording file as they arrive.

    The time axis starts at the first sample written (``time_s`` = 0), unless ``t0_s`` is given.
    ``t0_s`` is subtracted once from every block's and every event's time, and nowhere else: a
    caller whose times are already on its own axis (a live session, which feeds the same times to
    its segmenter) passes ``t0_s=0.0`` so that the file holds exactly those times.
    Channels must include ``force_n`` and ``angle_deg``; other channels keep their order.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        channels: Iterable[str],
        metadata: dict[str, Any] | None = None,
        t0_s: float | None = None,
        flush_interval_s: float = FLUSH_INTERVAL_S,
        *,
        overwrite: bool = True,
        lock: OutputLock | None = None,
    ) -> None:
        """``lock``: the path as ``claim_recording`` checked and locked it; without one the
        writer claims the path itself (replacing an existing file only if ``overwrite``)."""
        self.path = Path(path)
        self.channels = tuple(channels)
        missing = [c for c in REQUIRED_COLUMNS if c not in self.channels]
        if missing:
            raise RecordingError(
                f"{self.path}: cannot record without the channel(s) {', '.join(missing)} "
                f"(the device sends {', '.join(self.channels)})"
            )
        self.t0_s = t0_s
        self.rows = 0
        self.last_t_s: float | None = None
        #: The one line saying why writing failed, once it has; nothing more is written then.
        self.error: str | None = None
        self._flush_interval_s = flush_interval_s
        self._last_flush = time.monotonic()
        self._lock = lock or claim_recording(
            self.path, overwrite=overwrite, channels=len(self.channels)
        )
        try:
            self._csv: TextIO = open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            self._events: TextIO = open(events_path(self.path), "w", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            self._lock.release()
            raise RecordingError(
                f"{self.path}: cannot write the recording: {describe_os_error(exc)}"
            ) from None
        lines = [TITLE_LINE]
        for key, value in (metadata or {}).items():
            lines.append(f"# {key}: {_metadata_text(value)}")
        lines.append(",".join((TIME_COLUMN, *self.channels)))
        try:
            self._guarded(lambda: (self._csv.write("\n".join(lines) + "\n"), self._flush()))
        except RecordingWriteError:
            self.close()
            raise

    def write(self, block: SampleBlock) -> None:
        """Append a block; its channels may come in another order or with extras (kept out:
        ``extra_channels`` names them, for the caller to report)."""
        if not len(block) or self.error is not None:
            return
        if block.channels != self.channels:
            try:
                idx = [block.channels.index(c) for c in self.channels]
            except ValueError:
                raise RecordingError(
                    f"{self.path}: the device changed its channels to {', '.join(block.channels)} "
                    f"mid-recording; this recording holds {', '.join(self.channels)}"
                ) from None
            values = block.values[:, idx]
        else:
            values = block.values
        if self.t0_s is None:
            self.t0_s = float(block.t_s[0])
        t_rel = block.t_s - self.t0_s
        text = _format_rows(t_rel, values)

        def append() -> None:
            self._csv.write(text)
            if time.monotonic() - self._last_flush >= self._flush_interval_s:
                self._flush()

        self._guarded(append)
        self.rows += len(block)
        self.last_t_s = float(t_rel[-1])

    def extra_channels(self, channels: tuple[str, ...]) -> tuple[str, ...]:
        """The channels of a block that this recording has no column for."""
        return tuple(c for c in channels if c not in self.channels)

    def _guarded(self, work: Any) -> None:
        """Run a piece of writing; an OS error becomes one ``RecordingWriteError``, after which
        the writer writes nothing more (the file keeps what was written before)."""
        try:
            work()
        except OSError as exc:
            kept = f"{self.last_t_s:.1f} s" if self.last_t_s is not None else "no samples"
            self.error = (
                f"{self.path}: cannot write: {describe_os_error(exc)} "
                f"(the recording is kept up to {kept})"
            )
            raise RecordingWriteError(self.error) from None

    def log_event(self, kind: str, t_s: float | None = None, **fields: Any) -> None:
        """Record something that happened, on the recording's time axis, and flush at once."""
        record: dict[str, Any] = {"event": kind}
        if t_s is not None and self.t0_s is not None:
            record["t_s"] = round(t_s - self.t0_s, 6)
        elif t_s is not None:
            record["t_s"] = 0.0
        record["wall_time"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        record.update(fields)
        if self.error is not None or self._csv.closed:
            return
        line = json.dumps(record, default=_json_default) + "\n"
        self._guarded(lambda: (self._events.write(line), self._flush()))

    def close(self, summary: dict[str, Any] | None = None) -> None:
        """Flush and close; ``summary`` (counters and the like) goes to the event log last.

        Never raises for a write error: after one (``error``) the files are closed as they are,
        and the event log without its summary marks the recording as unfinished."""
        if self._csv.closed:
            return
        try:
            if summary is not None and self.error is None:
                self.log_event("summary", rows=self.rows, **summary)
            if self.error is None:
                self._guarded(self._flush)
        except RecordingWriteError:
            pass
        finally:
            for f in (self._csv, self._events):
                with contextlib.suppress(OSError):  # a buffer's rest, on a full disk
                    f.close()
            self._lock.release()

    def _flush(self) -> None:
        for f in (self._csv, self._events):
            f.flush()
            os.fsync(f.fileno())
        self._last_flush = time.monotonic()

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _metadata_text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), default=_json_default)
    return str(value).replace("\n", " ")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def write_recording(
    path: str | os.PathLike[str],
    t_s: np.ndarray,
    values: np.ndarray,
    channels: Iterable[str],
    metadata: dict[str, Any] | None = None,
    *,
    overwrite: bool = True,
) -> Path:
    """Write a whole recording at once (simulated data, exports)."""
    t0 = float(t_s[0]) if len(t_s) else 0.0
    with RecordingWriter(path, channels, metadata, t0_s=t0, overwrite=overwrite) as w:
        w.write(SampleBlock(np.asarray(t_s, float), np.asarray(values, float), tuple(channels)))
    return Path(path)
