"""The recording file: the CSV format of ``interfaces.md``, a streaming writer and a strict reader.

The CSV is a contract with spreadsheets and outside scripts, so it holds only what the contract
says: ``#`` metadata lines, one header row, one row per sample. What happens *during* a recording
(gaps, resets, device messages, a tare, the final counters) cannot go into leading metadata lines
of a file that is being streamed, so it goes into a sidecar ``<name>.events.jsonl`` beside it, one
JSON object per line, flushed as it happens. A reader of the CSV alone loses nothing it needs; the
sidecar adds the story.

The writer flushes at least once a second (and on every event), so a crash or a kill loses at most
the last second. The reader rejects bad files with the file and line named; it never guesses.

Never imports Qt.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import mmap
import os
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import numpy as np

from devices.samples import SampleBlock

TITLE_LINE = "# iastm-trainer recording"
REQUIRED_COLUMNS = ("force_n", "angle_deg")
TIME_COLUMN = "time_s"
FLUSH_INTERVAL_S = 1.0
_LOADTXT_ROW = "at row "
#: Bytes of a non-ASCII file checked to be UTF-8 at a time (bounds the memory the check takes).
_DECODE_PIECE = 1 << 20


class RecordingError(Exception):
    """A recording file that cannot be read or written; the message names the file and line."""


def events_path(csv_path: str | os.PathLike[str]) -> Path:
    """Where the sidecar event log of a recording lives."""
    p = Path(csv_path)
    return p.with_name(p.stem + ".events.jsonl")


@dataclass
class Recording:
    """A recording in memory: float64 time and values, its metadata and its event log."""

    path: Path | None
    t_s: np.ndarray
    values: np.ndarray
    channels: tuple[str, ...]
    metadata: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    def channel(self, name: str) -> np.ndarray:
        return self.values[:, self.channels.index(name)]

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if self.t_s.size else 0.0

    def as_block(self) -> SampleBlock:
        return SampleBlock(self.t_s, self.values, self.channels)

    @property
    def rate_hz(self) -> float | None:
        """The stated rate, else the median sample interval's rate."""
        stated = self.metadata.get("rate_hz")
        if stated:
            try:
                return float(stated)
            except ValueError:
                pass
        if self.t_s.size < 2:
            return None
        return float(1.0 / np.median(np.diff(self.t_s)))


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
    Channels must include ``force_n`` and ``angle_deg``; other channels keep their order.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        channels: Iterable[str],
        metadata: dict[str, Any] | None = None,
        t0_s: float | None = None,
        flush_interval_s: float = FLUSH_INTERVAL_S,
    ) -> None:
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
        self._flush_interval_s = flush_interval_s
        self._last_flush = time.monotonic()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._csv: TextIO = open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            self._events: TextIO = open(events_path(self.path), "w", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise RecordingError(
                f"{self.path}: cannot write the recording: {exc.strerror}"
            ) from exc
        lines = [TITLE_LINE]
        for key, value in (metadata or {}).items():
            lines.append(f"# {key}: {_metadata_text(value)}")
        lines.append(",".join((TIME_COLUMN, *self.channels)))
        self._csv.write("\n".join(lines) + "\n")
        self._flush()

    def write(self, block: SampleBlock) -> None:
        """Append a block; its channels may come in another order or with extras (kept out)."""
        if not len(block):
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
        self._csv.write(_format_rows(t_rel, values))
        self.rows += len(block)
        self.last_t_s = float(t_rel[-1])
        if time.monotonic() - self._last_flush >= self._flush_interval_s:
            self._flush()

    def log_event(self, kind: str, t_s: float | None = None, **fields: Any) -> None:
        """Record something that happened, on the recording's time axis, and flush at once."""
        record: dict[str, Any] = {"event": kind}
        if t_s is not None and self.t0_s is not None:
            record["t_s"] = round(t_s - self.t0_s, 6)
        elif t_s is not None:
            record["t_s"] = 0.0
        record["wall_time"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        record.update(fields)
        self._events.write(json.dumps(record, default=_json_default) + "\n")
        self._flush()

    def close(self, summary: dict[str, Any] | None = None) -> None:
        """Flush and close; ``summary`` (counters and the like) goes to the event log last."""
        if self._csv.closed:
            return
        if summary is not None:
            self.log_event("summary", rows=self.rows, **summary)
        self._flush()
        self._csv.close()
        self._events.close()

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
) -> Path:
    """Write a whole recording at once (simulated data, exports)."""
    with RecordingWriter(path, channels, metadata, t0_s=float(t_s[0]) if len(t_s) else 0.0) as w:
        w.write(SampleBlock(np.asarray(t_s, float), np.asarray(values, float), tuple(channels)))
    return Path(path)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
def read_recording(path: str | os.PathLike[str]) -> Recording:
    """Read and check a recording file; ``RecordingError`` names the file and line of a fault.

    A good file is parsed straight from memory by pandas' C reader and checked as a whole.
    Anything that does not pass goes through the careful reader, which finds the fault and names
    it.
    """
    p = Path(path)
    fast = _read_good_file(p)
    return fast if fast is not None else _read_and_check(p)


def _read_good_file(p: Path) -> Recording | None:
    """The recording, if the file is good throughout; None on any doubt (without saying why).

    Doubt is anything the careful reader might reject: text that is not UTF-8 (anywhere, comment
    lines included), a field pandas cannot read as a number (its C reader is told that only
    ``nan`` means a missing value, so an empty field or a short row fails), a row with too many
    fields, non-finite time or required values, time that does not strictly increase. pandas 3.1
    and later convert numbers with ``fast_float`` (correctly rounded), so a good file gives
    exactly the numbers numpy's reader gives.
    """
    try:
        with open(p, "rb") as f:
            if os.fstat(f.fileno()).st_size == 0:
                return None
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                head = _head(mm)
                if head is None:
                    return None
                metadata, header, data_start = head
                f.seek(data_start)
                columns = _parse_rows(f, len(header))
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
        return None
    if columns is None or columns[0].size == 0:
        return None
    t_s, values = columns
    required = [k for k, name in enumerate(header[1:]) if name in REQUIRED_COLUMNS]
    if not (
        np.isfinite(t_s).all()
        and all(np.isfinite(values[:, k]).all() for k in required)
        and bool((t_s[1:] > t_s[:-1]).all())
    ):
        return None
    return Recording(p, t_s, values, tuple(header[1:]), metadata, read_events(p))


def _head(mm: mmap.mmap) -> tuple[dict[str, str], list[str], int] | None:
    """Metadata, a good header and the byte the rows start at, if the whole file is UTF-8."""
    if np.frombuffer(mm, dtype=np.uint8).max() >= 0x80:  # not ASCII: is it UTF-8?
        decoder = codecs.getincrementaldecoder("utf-8")()
        for at in range(0, len(mm), _DECODE_PIECE):
            decoder.decode(mm[at : at + _DECODE_PIECE])
        decoder.decode(b"", final=True)
    metadata: dict[str, str] = {}
    pos = 0
    while True:
        end = mm.find(b"\n", pos)
        if end < 0:
            return None  # no row after the header: the careful reader says what is wrong
        stripped = mm[pos:end].decode("utf-8").strip()
        pos = end + 1
        if stripped.startswith("#"):
            key, sep, value = stripped[1:].partition(":")
            if sep:
                metadata[key.strip()] = value.strip()
        elif stripped:
            header = [h.strip() for h in stripped.split(",")]
            return (metadata, header, pos) if _header_ok(header) else None


def _parse_rows(f: BinaryIO, ncols: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Time and values of the rows from where ``f`` stands, or None if a field is not plainly a
    number.

    Comment lines, ``#`` comments after a row and blank lines are skipped, as the careful reader
    skips them. Quotes are not special (a quoted number is a fault there too).
    """
    import pandas as pd  # here only: the live application never pays its import (0.3 s)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning from the parser is a doubt too
            frame = pd.read_csv(
                f,
                header=None,
                index_col=False,
                dtype=np.float64,
                comment="#",
                na_values=["nan"],
                keep_default_na=False,
                quoting=csv.QUOTE_NONE,
                engine="c",
            )
    except (ValueError, Warning, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    if frame.shape[1] != ncols:  # every row has more fields than the header
        return None
    # Each column of the frame is one contiguous array; stacking the values from those is twice
    # as fast as asking pandas for the block of them.
    columns = [
        np.ascontiguousarray(frame.iloc[:, k].to_numpy(dtype=np.float64)) for k in range(ncols)
    ]
    return columns[0], np.column_stack(columns[1:])


def _header_ok(header: list[str]) -> bool:
    return (
        header[0] == TIME_COLUMN
        and all(c in header for c in REQUIRED_COLUMNS)
        and "" not in header
        and len(set(header)) == len(header)
    )


def _read_and_check(p: Path) -> Recording:
    """The careful reader: the whole text, line by line where needed to name a fault."""
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordingError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise RecordingError(f"{p}: is a folder, not a recording file") from None
    except UnicodeDecodeError as exc:
        raise RecordingError(f"{p}: not a text file ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise RecordingError(f"{p}: cannot read: {exc.strerror}") from None

    metadata: dict[str, str] = {}
    pos = 0
    line_no = 0
    while True:
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        line_no += 1
        stripped = line.strip()
        if stripped.startswith("#"):
            key, sep, value = stripped[1:].partition(":")
            if sep:
                metadata[key.strip()] = value.strip()
        elif stripped:
            break
        if end < 0:
            raise RecordingError(f"{p}: no header row (expected '{TIME_COLUMN},force_n,angle_deg')")
        pos = end + 1
    header_line_no = line_no
    header = [h.strip() for h in line.strip().split(",")]
    if header[0] != TIME_COLUMN:
        raise RecordingError(
            f"{p}, line {header_line_no}: the first column must be '{TIME_COLUMN}', "
            f"found '{header[0]}'"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RecordingError(
            f"{p}, line {header_line_no}: missing required column(s) {', '.join(missing)}"
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes or "" in header:
        what = f"duplicate column(s) {', '.join(dupes)}" if dupes else "an empty column name"
        raise RecordingError(f"{p}, line {header_line_no}: {what}")
    body = "" if end < 0 else text[end + 1 :]
    data = _parse_body(p, body, len(header), header_line_no)
    t_s = np.ascontiguousarray(data[:, 0])
    values = np.ascontiguousarray(data[:, 1:])
    if t_s.size:
        bad_t = np.flatnonzero(~np.isfinite(t_s))
        if bad_t.size:
            raise RecordingError(
                f"{p}, line {_row_line(body, header_line_no, int(bad_t[0]))}: time_s is empty"
            )
        back = np.flatnonzero(np.diff(t_s) <= 0)
        if back.size:
            i = int(back[0]) + 1
            raise RecordingError(
                f"{p}, line {_row_line(body, header_line_no, i)}: time goes backwards "
                f"({t_s[i]:.6f} s after {t_s[i - 1]:.6f} s); time_s must strictly increase"
            )
        for col, name in enumerate(header[1:]):
            if name in REQUIRED_COLUMNS:
                bad = np.flatnonzero(~np.isfinite(values[:, col]))
                if bad.size:
                    raise RecordingError(
                        f"{p}, line {_row_line(body, header_line_no, int(bad[0]))}: "
                        f"{name} is empty or not a number"
                    )
    return Recording(p, t_s, values, tuple(header[1:]), metadata, read_events(p))


def _parse_body(p: Path, body: str, ncols: int, header_line_no: int) -> np.ndarray:
    """All rows as float64; the fast C path first, a line-by-line pass only to name a fault."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # no rows at all: checked below
            data = np.loadtxt(
                io.StringIO(body),
                delimiter=",",
                dtype=np.float64,
                ndmin=2,
                comments="#",
                converters=None,
            )
    except ValueError:
        _find_bad_row(p, body, ncols, header_line_no)
        raise  # _find_bad_row always raises; this keeps type checkers honest
    if data.size == 0:
        return np.empty((0, ncols))
    if data.shape[1] != ncols:
        _find_bad_row(p, body, ncols, header_line_no)
    return data


def _find_bad_row(p: Path, body: str, ncols: int, header_line_no: int) -> None:
    for offset, line in enumerate(body.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split(",")
        line_no = header_line_no + offset
        if len(fields) != ncols:
            raise RecordingError(
                f"{p}, line {line_no}: {len(fields)} fields where the header has {ncols}"
            )
        for i, f in enumerate(fields):
            if not f.strip():
                raise RecordingError(f"{p}, line {line_no}: field {i + 1} is empty")
            try:
                float(f)
            except ValueError:
                raise RecordingError(
                    f"{p}, line {line_no}: field {i + 1} is not a number: {f.strip()!r}"
                ) from None
    raise RecordingError(f"{p}: the data rows could not be read")


def _row_line(body: str, header_line_no: int, row: int) -> int:
    """The file line of data row ``row`` (0-based), skipping blank and comment lines."""
    seen = -1
    for offset, line in enumerate(body.split("\n"), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            seen += 1
            if seen == row:
                return header_line_no + offset
    return header_line_no + row + 1


def read_events(csv_path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The sidecar event log, if there is one; a torn last line (a crash mid-write) is skipped."""
    p = events_path(csv_path)
    if not p.exists():
        return []
    events = []
    for line in p.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            events.append(obj)
    return events
