"""The strict recording reader: a whole CSV back into arrays, or one line naming what is wrong.

A good file is read by pandas' C parser (fast); any fault sends it to the strict path, which names
the file and line and never guesses, so pandas' leniency (quoted numbers, ``NA``, short rows) never
lets a bad file through. Both paths read the metadata and header with the one parser
(``_parse_head``), so they cannot come to disagree on what a good header is. Never imports Qt.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import mmap
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from trainer.recordings.events import read_events
from trainer.recordings.format import REQUIRED_COLUMNS, TIME_COLUMN, Recording, RecordingError

_LOADTXT_ROW = "at row "
#: Highest ``# rate_hz:`` accepted: far beyond any force sensor, far below nonsense like 1e300.
MAX_STATED_RATE_HZ = 1e6
#: Bytes of a non-ASCII file checked to be UTF-8 at a time (bounds the memory the check takes).
_DECODE_PIECE = 1 << 20


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
                _check_utf8(mm)
                head = _parse_head(p, mm)
                if head.rows_at is None:
                    return None  # no row after the header: the careful reader says what is wrong
                f.seek(head.rows_at)
                columns = _parse_rows(f, len(head.header))
    except (OSError, ValueError, RecordingError):  # UnicodeDecodeError is a ValueError
        return None
    if columns is None or columns[0].size == 0:
        return None
    t_s, values = columns
    required = [k for k, name in enumerate(head.header[1:]) if name in REQUIRED_COLUMNS]
    if not (
        np.isfinite(t_s).all()
        and all(np.isfinite(values[:, k]).all() for k in required)
        and bool((t_s[1:] > t_s[:-1]).all())
    ):
        return None
    return Recording(p, t_s, values, tuple(head.header[1:]), head.metadata, read_events(p))


def _check_utf8(mm: mmap.mmap) -> None:
    """Raise ``UnicodeDecodeError`` unless the whole mapped file is UTF-8 (a piece at a time)."""
    if np.frombuffer(mm, dtype=np.uint8).max() >= 0x80:  # not ASCII: is it UTF-8?
        decoder = codecs.getincrementaldecoder("utf-8")()
        for at in range(0, len(mm), _DECODE_PIECE):
            decoder.decode(mm[at : at + _DECODE_PIECE])
        decoder.decode(b"", final=True)


@dataclass(frozen=True)
class _Head:
    """What comes before the rows: metadata, the header, its line and where the rows start."""

    metadata: dict[str, str]
    header: list[str]
    #: The header's line in the file, counted from 1.
    line_no: int
    #: Index (in the text or the mapped bytes) of the line after the header; None when the header
    #: is the last line.
    rows_at: int | None


def _parse_head(p: Path, text: str | mmap.mmap) -> _Head:
    """The metadata comments and the checked header of recording ``p``; ``RecordingError`` names
    the fault and the header's line.

    ``#`` lines of the form ``key: value`` are metadata, blank lines are skipped and the first
    other line is the header. ``text`` is the decoded text (the careful reader) or the mapped
    bytes, each line decoded on its own (the fast reader, once the file is known to be UTF-8).
    """
    metadata: dict[str, str] = {}
    pos = 0
    line_no = 0
    while True:
        if isinstance(text, str):
            end = text.find("\n", pos)
            line = text[pos:] if end < 0 else text[pos:end]
        else:
            end = text.find(b"\n", pos)
            line = (text[pos:] if end < 0 else text[pos:end]).decode("utf-8")
        line_no += 1
        stripped = line.strip()
        if stripped.startswith("#"):
            key, sep, value = stripped[1:].partition(":")
            if sep:
                key, value = key.strip(), value.strip()
                if key == "rate_hz":
                    _check_rate(p, line_no, value)
                metadata[key] = value
        elif stripped:
            break
        if end < 0:
            raise RecordingError(f"{p}: no header row (expected '{TIME_COLUMN},force_n,angle_deg')")
        pos = end + 1
    header = [h.strip() for h in stripped.split(",")]
    if header[0] != TIME_COLUMN:
        raise RecordingError(
            f"{p}, line {line_no}: the first column must be '{TIME_COLUMN}', found '{header[0]}'"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RecordingError(
            f"{p}, line {line_no}: missing required column(s) {', '.join(missing)}"
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes or "" in header:
        what = f"duplicate column(s) {', '.join(dupes)}" if dupes else "an empty column name"
        raise RecordingError(f"{p}, line {line_no}: {what}")
    return _Head(metadata, header, line_no, None if end < 0 else end + 1)


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
            f"{MAX_STATED_RATE_HZ:g}; found {value!r}"
        )


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

    head = _parse_head(p, text)
    header, header_line_no = head.header, head.line_no
    body = "" if head.rows_at is None else text[head.rows_at :]
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
    return Recording(p, t_s, values, tuple(header[1:]), head.metadata, read_events(p))


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
