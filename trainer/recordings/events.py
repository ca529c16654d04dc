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
