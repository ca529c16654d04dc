"""The events sidecar: what happened during a recording, one JSON object per line.

What happens *during* a recording (gaps, resets, device messages, a tare, the final counters)
cannot go into leading metadata lines of a file that is being streamed, so it goes into
``<name>.events.jsonl`` beside the CSV, flushed as it happens. A reader of the CSV alone loses
nothing it needs; the sidecar adds the story. An event's ``t_s`` is on the CSV's own time axis
(the ``time_s`` column, and the strokes' times), so it can be placed among the rows as it is.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def events_path(csv_path: str | os.PathLike[str]) -> Path:
    """Where the sidecar event log of a recording lives."""
    p = Path(csv_path)
    return p.with_name(p.stem + ".events.jsonl")


#: Longest event line read; longer ones (no event is near this) are skipped unread.
MAX_EVENT_BYTES = 1 << 16
#: Events read at most: hours of a flaky link, far fewer than a damaged file could hold.
MAX_EVENTS = 200_000


def read_events(csv_path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The sidecar event log, if there is one; a torn last line (a crash mid-write) is skipped.

    Read a line at a time, in bounded memory whatever the file holds: a line past
    ``MAX_EVENT_BYTES`` is skipped, and reading stops after ``MAX_EVENTS`` or at the first NUL
    byte (what a power cut leaves where the file system had not yet written the data: zeros to
    the end, which could be gigabytes)."""
    p = events_path(csv_path)
    events: list[dict[str, Any]] = []
    try:
        f = open(p, "rb")  # noqa: SIM115 - closed below
    except OSError:
        return events
    with f:
        skipping = False
        for raw in iter(lambda: f.readline(MAX_EVENT_BYTES), b""):
            if b"\0" in raw:
                break
            whole = raw.endswith(b"\n")
            if skipping or not whole:
                skipping = not whole  # the rest of an overlong line, or a torn last line
                continue
            try:
                obj = json.loads(raw.decode("utf-8-sig", errors="replace"))
            except (json.JSONDecodeError, RecursionError):
                continue
            if isinstance(obj, dict):
                events.append(obj)
                if len(events) >= MAX_EVENTS:
                    break
    return events


#: How far from its end ``last_event`` looks for the last whole line.
_TAIL_BYTES = 1 << 16


def last_event(csv_path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The last whole event of the sidecar log (None if there is none), read from the file's end.

    Whether a recording was finished is its log's last line: reading just the tail answers that
    at once for a log of any size (an eight-hour session, or gigabytes of a damaged file), where
    reading every event would take seconds and stop at ``MAX_EVENTS`` short of the end.
    """
    try:
        f = open(events_path(csv_path), "rb")  # noqa: SIM115 - closed below
    except OSError:
        return None
    with f:
        size = os.fstat(f.fileno()).st_size
        f.seek(max(0, size - _TAIL_BYTES))
        tail = f.read(_TAIL_BYTES)
    lines = tail.split(b"\n")
    for raw in reversed(lines[:-1]):  # the part after the last line end was never finished
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw.decode("utf-8-sig", errors="replace"))
        except (json.JSONDecodeError, RecursionError):
            return None
        return obj if isinstance(obj, dict) else None
    return None
