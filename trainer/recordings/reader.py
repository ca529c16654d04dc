"""The strict recording reader: a whole CSV back into arrays, or one line naming what is wrong.

A good file is read by pandas' C parser (fast); any fault sends it to the strict path, which names
the file and line and never guesses, so pandas' leniency (quoted numbers, ``NA``, short rows) never
lets a bad file through. Both paths read the metadata and header with the one parser
(``_read_head``), so they cannot come to disagree on what a good header is. Never imports Qt.

Bounded memory on any file: the file is read in pieces, never whole; a line longer than
``MAX_LINE_BYTES`` (no recording has one) or a NUL byte (no text file has one) is refused where it
is found, and a message quotes at most ``SHOWN_CHARS`` characters of what it found. Memory then
grows with the samples read, never with the file's faults.

A row is whole only with its line end. The writer writes whole rows, so text after the last line
end is a row that a crash, a kill, a full disk or a power cut cut short (``9.793``, or
``14.175000,6,4`` that still has three fields but a wrong angle): it is left out, and
``Recording.notes`` says so with the file and line, so an unfinished recording can still be read.

A power cut can also leave zeros at the end of a file: the file system had grown the file but
not yet written its data. Up to ``MAX_ZERO_TAIL`` bytes of nothing but NUL at the very end are
left out the same way, with a note; NUL bytes anywhere else, or more of them, refuse the file.

UTF-8 with or without a byte-order mark (what Excel's "CSV UTF-8" writes); anything else is
refused naming the line and byte of the first character that is not UTF-8.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from trainer.recordings.events import read_events
from trainer.recordings.format import (
    NUMERIC_COLUMNS,
    REQUIRED_COLUMNS,
    TIME_COLUMN,
    Recording,
    RecordingError,
)

#: Highest ``# rate_hz:`` accepted: far beyond any force sensor, far below nonsense like 1e300.
MAX_STATED_RATE_HZ = 1e6
#: The longest line accepted. A row of a dozen channels is under 200 bytes.
MAX_LINE_BYTES = 1 << 20
#: The most NUL bytes at a file's end taken for a power cut's unwritten tail (far more than a file
#: system holds back: ext4 and XFS write data out within seconds).
MAX_ZERO_TAIL = 64 << 20
#: Characters of a bad value or line that a message quotes.
SHOWN_CHARS = 80
#: Bytes read at a time when the file is scanned.
_PIECE = 1 << 20
#: Rows parsed at a time by the careful reader (bounds its working memory).
_ROWS_A_PIECE = 1 << 16
_BOM = codecs.BOM_UTF8
#: A good file is parsed in at most this many parts at once, each at least this large.
_MAX_PARTS = 2
_MIN_PART_BYTES = 4 << 20


def shown(raw: bytes | str) -> str:
    """A value or line for a message: at most ``SHOWN_CHARS`` characters, quoted."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = text.strip()
    return repr(text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "...")


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
def read_recording(path: str | os.PathLike[str]) -> Recording:
    """Read and check a recording file; ``RecordingError`` names the file and line of a fault.

    A good file is parsed by pandas' C reader and checked as a whole. Anything that does not pass
    goes through the careful reader, which finds the fault and names it. A row cut short at the
    end (an unfinished recording) is left out and named in ``Recording.notes``.
    """
    return _with_file(Path(path), fast=True, careful=True)


def _read_good_file(p: Path) -> Recording | None:
    """The recording by the fast reader alone, or None if it has any doubt (tests compare the
    two readers)."""
    try:
        return _with_file(p, fast=True, careful=False)
    except RecordingError:
        return None


def _read_and_check(p: Path) -> Recording:
    """The recording by the careful reader alone."""
    return _with_file(p, fast=False, careful=True)


def _with_file(p: Path, *, fast: bool, careful: bool) -> Recording:
    try:
        f = open(p, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise RecordingError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise RecordingError(f"{p}: is a folder, not a recording file") from None
    except OSError as exc:
        raise RecordingError(f"{p}: cannot read: {exc.strerror}") from None
    with f:
        try:
            return _read(p, f, fast, careful)
        except OSError as exc:
            raise RecordingError(f"{p}: cannot read: {exc.strerror}") from None


def _read(p: Path, f: BinaryIO, fast: bool, careful: bool) -> Recording:
    scan = _scan(p, f)
    head = _read_head(p, f, scan.start, scan.size)
    notes: list[str] = []
    rows_end = scan.whole_end
    if head.rows_at is None:
        rows_at = rows_end = scan.size
    else:
        rows_at = head.rows_at
        if scan.whole_end < scan.size:
            f.seek(scan.whole_end)
            tail = f.read(SHOWN_CHARS + 1)
            if tail.strip() and not tail.lstrip().startswith(b"#"):
                notes.append(
                    f"{p}, line {scan.newlines + 1}: left out {shown(tail)}, a row cut short "
                    "at the end (no line end: the recording was not finished)"
                )
    if scan.zeros:
        notes.append(
            f"{p}, line {scan.newlines + 1}: left out {scan.zeros} zero bytes at the end (what a "
            "power cut leaves where the data had not yet been written)"
        )
    events = read_events(p)
    rows = _read_good_rows(f, rows_at, rows_end, head) if fast else None
    if rows is None and not careful:
        raise RecordingError(f"{p}: the fast reader has doubts")
    t_s, values = rows if rows is not None else _careful_rows(p, f, rows_at, rows_end, head)
    return Recording(p, t_s, values, tuple(head.header[1:]), head.metadata, events, notes)


# -- one pass over the file ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Scan:
    size: int
    #: Where the text starts (after a byte-order mark).
    start: int
    #: Where the whole lines end: just after the last line end (``start`` if there is none).
    whole_end: int
    #: Line ends in the file.
    newlines: int
    #: NUL bytes at the very end, left out (a power cut's unwritten tail); 0 if none.
    zeros: int = 0


def _scan(p: Path, f: BinaryIO) -> _Scan:
    """Check the whole file a piece at a time: UTF-8, no NUL byte, no line over the limit.

    The first fault is refused with its line and byte; otherwise says where the whole lines end.
    """
    size = os.fstat(f.fileno()).st_size
    f.seek(0)
    start = len(_BOM) if f.read(len(_BOM)) == _BOM else 0
    f.seek(start)
    decoder = codecs.getincrementaldecoder("utf-8")()
    at = start
    newlines = 0
    line_start = start  # offset where the current line began
    last_newline = -1
    zeros = 0
    while not zeros:
        piece = f.read(_PIECE)
        if not piece:
            break
        nul = piece.find(b"\x00")
        if nul >= 0:
            zeros = _zero_tail(f, at + nul, size)
            if not zeros:
                line = newlines + piece.count(b"\n", 0, nul) + 1
                raise RecordingError(
                    f"{p}, line {line}: not a text file (a NUL byte at byte {at + nul})"
                )
            piece = piece[:nul]
        pending = len(decoder.getstate()[0])
        if pending or not piece.isascii():
            try:
                decoder.decode(piece)
            except UnicodeDecodeError as exc:
                bad = at - pending + exc.start
                line = _line_at(f, start, bad)
                f.seek(bad)
                byte = f.read(1)
                raise RecordingError(
                    f"{p}, line {line}: not a text file in UTF-8 (byte {bad} is "
                    f"0x{byte.hex()}); save it as UTF-8"
                ) from None
        first = piece.find(b"\n")
        if (first < 0 and at + len(piece) - line_start > MAX_LINE_BYTES) or (
            first >= 0 and at + first - line_start > MAX_LINE_BYTES
        ):
            _too_long(p, f, newlines + 1, line_start)
        if first >= 0:
            newlines += piece.count(b"\n")
            last = piece.rfind(b"\n")
            line_start = last_newline = at + last
            line_start += 1
        at += len(piece)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        bad = at - len(decoder.getstate()[0])
        raise RecordingError(
            f"{p}, line {newlines + 1}: not UTF-8 text (the file ends inside a character at byte "
            f"{bad})"
        ) from None
    whole_end = last_newline + 1 if last_newline >= 0 else start
    return _Scan(size - zeros, start, whole_end, newlines, zeros)


def _zero_tail(f: BinaryIO, offset: int, size: int) -> int:
    """How many bytes from ``offset`` to the end, if they are all NUL and at most
    ``MAX_ZERO_TAIL``; else 0. Reads at most that many bytes, then puts the file back."""
    if size - offset > MAX_ZERO_TAIL:
        return 0
    back = f.tell()
    f.seek(offset)
    try:
        while True:
            piece = f.read(_PIECE)
            if not piece:
                return size - offset
            if piece.count(0) != len(piece):
                return 0
    finally:
        f.seek(back)


def _line_at(f: BinaryIO, start: int, offset: int) -> int:
    """The line (from 1) that holds byte ``offset``, counted a piece at a time."""
    f.seek(start)
    line, at = 1, start
    while at < offset:
        piece = f.read(min(_PIECE, offset - at))
        if not piece:
            break
        line += piece.count(b"\n")
        at += len(piece)
    return line


def _too_long(p: Path, f: BinaryIO, line: int, line_start: int) -> None:
    f.seek(line_start)
    raise RecordingError(
        f"{p}, line {line}: longer than {MAX_LINE_BYTES // 1024} KiB, not a recording's line "
        f"(starts {shown(f.read(SHOWN_CHARS + 1))})"
    )


# -- metadata and header ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Head:
    """What comes before the rows: metadata, the header, its line and where the rows start."""

    metadata: dict[str, str]
    header: list[str]
    #: The header's line in the file, counted from 1.
    line_no: int
    #: Offset of the line after the header; None when the header is the last line.
    rows_at: int | None


def _read_head(p: Path, f: BinaryIO, start: int, end: int) -> _Head:
    """The metadata comments and the checked header; ``RecordingError`` names the fault and line.

    ``#`` lines of the form ``key: value`` are metadata, blank lines are skipped and the first
    other line is the header. The file is known to be UTF-8 with no overlong line (``_scan``).
    """
    metadata: dict[str, str] = {}
    f.seek(start)
    line_no = 0
    while True:
        raw = f.readline(min(MAX_LINE_BYTES + 1, max(0, end - f.tell())))
        if not raw:
            raise RecordingError(f"{p}: no header row (expected '{TIME_COLUMN},force_n,angle_deg')")
        line_no += 1
        stripped = raw.decode("utf-8").strip()
        if stripped.startswith("#"):
            key, sep, value = stripped[1:].partition(":")
            if sep:
                key, value = key.strip(), value.strip()
                if key == "rate_hz":
                    _check_rate(p, line_no, value)
                metadata[key] = value
        elif stripped:
            break
    header = [h.strip() for h in stripped.split(",")]
    if header[0] != TIME_COLUMN:
        raise RecordingError(
            f"{p}, line {line_no}: the first column must be '{TIME_COLUMN}', found "
            f"{shown(header[0])}"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RecordingError(
            f"{p}, line {line_no}: missing required column(s) {', '.join(missing)}"
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes or "" in header:
        what = f"duplicate column(s) {', '.join(dupes)}" if dupes else "an empty column name"
        raise RecordingError(f"{p}, line {line_no}: {what[: SHOWN_CHARS * 2]}")
    return _Head(metadata, header, line_no, f.tell() if raw.endswith(b"\n") else None)


def _check_rate(p: Path, line_no: int, value: str) -> None:
    """A stated sample rate must at least be one: a positive, finite number of hertz.

    It is only a hint (detection takes the rate from the time column), but a nonsensical one says
    the file was written wrongly, so it is refused rather than quietly ignored.
    """
    try:
        rate = float(value)
    except ValueError:
        rate = math.nan
    if not (0.0 < rate <= MAX_STATED_RATE_HZ):
        raise RecordingError(
            f"{p}, line {line_no}: rate_hz must be a sample rate in Hz, more than 0 and at most "
            f"{MAX_STATED_RATE_HZ:g}; found {shown(value)}"
        )


# -- the rows, the fast way ------------------------------------------------------------------------
class _Window(io.RawIOBase):
    """Bytes ``start`` to ``end`` of an open file, as a file of their own (for pandas).

    Windows on one file may be read from several threads: each read seeks and reads under
    ``lock``, so none moves the file under another.
    """

    def __init__(self, f: BinaryIO, start: int, end: int, lock: threading.Lock) -> None:
        self._f, self._at, self._end, self._lock = f, start, end, lock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self._end - self._at)
        if n <= 0:
            return 0
        with self._lock:
            self._f.seek(self._at)
            data = self._f.read(n)
        buffer[: len(data)] = data
        self._at += len(data)
        return len(data)


def _read_good_rows(
    f: BinaryIO, start: int, end: int, head: _Head
) -> tuple[np.ndarray, np.ndarray] | None:
    """Time and values, if every row is good; None on any doubt (without saying why).

    Doubt is anything the careful reader might reject: a field pandas cannot read as a number
    (its C reader is told that only ``nan`` means a missing value, so an empty field or a short
    row fails), a row with too many fields, non-finite time or required values, time that does
    not strictly increase. pandas 3.1 and later convert numbers with ``fast_float`` (correctly
    rounded), so a good file gives exactly the numbers numpy's reader gives.

    A large file is cut at line ends into one part per core (at most ``_MAX_PARTS``), parsed at
    once: pandas' C parser lets go of the interpreter while it tokenises and converts, so two
    parts take a little over half the time of one (0.11-0.15 s against 0.20-0.30 s for an hour
    at 1 kHz, 73 MB). Comment lines and blank lines are whole lines, so any part starts and ends
    where the whole file's rows do.
    """
    if end <= start:
        return None
    ncols = len(head.header)
    bounds = _part_bounds(f, start, end)
    lock = threading.Lock()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning from the parser is a doubt too
        if len(bounds) == 2:
            parts = [_parse_rows(_Window(f, start, end, lock), ncols)]
        else:
            parts = _parse_parts(f, bounds, ncols, lock)
    if any(part is None for part in parts):
        return None
    columns = _joined([part for part in parts if part is not None], ncols)
    if columns is None:
        return None
    t_s, values = columns
    required = [k for k, name in enumerate(head.header[1:]) if name in NUMERIC_COLUMNS]
    if not (
        np.isfinite(t_s).all()
        and all(np.isfinite(values[:, k]).all() for k in required)
        and bool((t_s[1:] > t_s[:-1]).all())
    ):
        return None
    return t_s, values


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _part_bounds(f: BinaryIO, start: int, end: int) -> list[int]:
    """Where the parts begin, and the end: each cut just after a line end."""
    parts = min(_MAX_PARTS, _cores(), max(1, (end - start) // _MIN_PART_BYTES))
    bounds = [start]
    for k in range(1, parts):
        f.seek(start + (end - start) * k // parts)
        f.readline(MAX_LINE_BYTES + 1)  # the rest of the line the cut fell in
        at = min(f.tell(), end)
        if at > bounds[-1]:
            bounds.append(at)
    if bounds[-1] < end:
        bounds.append(end)
    return bounds


def _parse_parts(
    f: BinaryIO, bounds: list[int], ncols: int, lock: threading.Lock
) -> list[list[np.ndarray] | None]:
    """Each part through ``_parse_rows`` in a thread of its own."""
    parts: list[list[np.ndarray] | None] = [None] * (len(bounds) - 1)

    def parse(k: int) -> None:
        parts[k] = _parse_rows(_Window(f, bounds[k], bounds[k + 1], lock), ncols)

    threads = [threading.Thread(target=parse, args=(k,)) for k in range(1, len(parts))]
    for thread in threads:
        thread.start()
    try:
        parse(0)
    finally:
        for thread in threads:
            thread.join()
    return parts


def _joined(parts: list[list[np.ndarray]], ncols: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The parts' columns as one time column and one block of values (rows of the others)."""
    rows = sum(part[0].size for part in parts)
    if rows == 0:
        return None
    t_s = np.concatenate([part[0] for part in parts]) if len(parts) > 1 else parts[0][0].copy()
    values = np.empty((rows, ncols - 1))
    at = 0
    for part in parts:
        n = part[0].size
        for k in range(1, ncols):
            values[at : at + n, k - 1] = part[k]
        at += n
    return t_s, values


def _parse_rows(raw: io.RawIOBase, ncols: int) -> list[np.ndarray] | None:
    """The columns of the rows in ``raw``, or None if a field is not plainly a number.

    Comment lines, ``#`` comments after a row and blank lines are skipped, as the careful reader
    skips them. Quotes are not special (a quoted number is a fault there too). The caller turns
    warnings into errors (``warnings.catch_warnings`` is not safe to enter from two threads).
    """
    import pandas as pd  # here only: the live application never pays its import (0.3 s)

    try:
        frame = pd.read_csv(
            io.BufferedReader(raw, _PIECE),
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
    # Each column of the frame is one contiguous array; assembling the values from those is
    # twice as fast as asking pandas for the block of them.
    return [frame.iloc[:, k].to_numpy(dtype=np.float64) for k in range(ncols)]


# -- the rows, the careful way ---------------------------------------------------------------------
def _lines(f: BinaryIO, start: int, end: int, first_line: int) -> Iterator[tuple[int, str]]:
    """The data lines (not blank, not comments) from ``start`` to ``end``, with their line
    numbers, read a line at a time."""
    f.seek(start)
    at, line_no = start, first_line
    while at < end:
        raw = f.readline(min(MAX_LINE_BYTES + 1, end - at))
        if not raw:
            break
        at += len(raw)
        stripped = raw.decode("utf-8").strip()
        if stripped and not stripped.startswith("#"):
            yield line_no, stripped
        line_no += 1


def _careful_rows(
    p: Path, f: BinaryIO, start: int, end: int, head: _Head
) -> tuple[np.ndarray, np.ndarray]:
    """The careful reader: a piece of rows at a time, naming the file and line of any fault."""
    ncols = len(head.header)
    pieces: list[np.ndarray] = []
    batch: list[tuple[int, str]] = []
    for item in _lines(f, start, end, head.line_no + 1):
        batch.append(item)
        if len(batch) >= _ROWS_A_PIECE:
            pieces.append(_parse_batch(p, batch, ncols))
            batch = []
    if batch:
        pieces.append(_parse_batch(p, batch, ncols))
    data = np.concatenate(pieces) if pieces else np.empty((0, ncols))
    t_s = np.ascontiguousarray(data[:, 0])
    values = np.ascontiguousarray(data[:, 1:])
    if t_s.size:
        bad_t = np.flatnonzero(~np.isfinite(t_s))
        if bad_t.size:
            line = _row_line(f, start, end, head, int(bad_t[0]))
            raise RecordingError(f"{p}, line {line}: time_s is empty")
        back = np.flatnonzero(np.diff(t_s) <= 0)
        if back.size:
            i = int(back[0]) + 1
            raise RecordingError(
                f"{p}, line {_row_line(f, start, end, head, i)}: time goes backwards "
                f"({t_s[i]:.6f} s after {t_s[i - 1]:.6f} s); time_s must strictly increase"
            )
        for col, name in enumerate(head.header[1:]):
            if name in NUMERIC_COLUMNS:
                bad = np.flatnonzero(~np.isfinite(values[:, col]))
                if bad.size:
                    line = _row_line(f, start, end, head, int(bad[0]))
                    raise RecordingError(f"{p}, line {line}: {name} is empty or not a number")
    return t_s, values


def _parse_batch(p: Path, batch: list[tuple[int, str]], ncols: int) -> np.ndarray:
    """Rows as float64: numpy's C reader for the batch, line by line only to name a fault."""
    try:
        data = np.loadtxt(
            [text for _, text in batch], delimiter=",", dtype=np.float64, ndmin=2, comments="#"
        )
    except ValueError:
        data = None
    if data is not None and data.shape == (len(batch), ncols):
        return data
    for line_no, text in batch:
        fields = text.split("#", 1)[0].strip().split(",")
        if len(fields) != ncols:
            raise RecordingError(
                f"{p}, line {line_no}: {len(fields)} fields where the header has {ncols}"
            )
        for i, field in enumerate(fields):
            if not field.strip():
                raise RecordingError(f"{p}, line {line_no}: field {i + 1} is empty")
            try:
                float(field)
            except ValueError:
                raise RecordingError(
                    f"{p}, line {line_no}: field {i + 1} is not a number: {shown(field)}"
                ) from None
    raise RecordingError(f"{p}: the data rows could not be read")


def _row_line(f: BinaryIO, start: int, end: int, head: _Head, row: int) -> int:
    """The file line of data row ``row`` (0-based), found by reading the rows again."""
    for seen, (line_no, _) in enumerate(_lines(f, start, end, head.line_no + 1)):
        if seen == row:
            return line_no
    return head.line_no + row + 1
