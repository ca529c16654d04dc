"""Finding recordings that a crash, a kill or a power cut left unfinished.

A session writes its samples and its event log as it goes and, when it ends properly, a final
``summary`` line in the event log. A recording whose event log has no ``summary`` as its last
event was never closed: the samples up to the crash are on disk (the writer flushes every second),
and the application offers to open it for review instead of letting it lie forgotten.

Detection only: this module never changes, moves or deletes a recording. It imports no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trainer.recordings.events import events_path, read_events


@dataclass(frozen=True)
class UnfinishedRecording:
    path: Path
    size_bytes: int
    modified_s: float

    def describe(self) -> str:
        kib = self.size_bytes / 1024
        return f"{self.path.name} ({kib:.0f} KiB)"


def is_unfinished(csv_path: Path) -> bool:
    """True when the recording's event log does not end with the ``summary`` line."""
    if not events_path(csv_path).exists():
        return True
    events = read_events(csv_path)
    return not events or events[-1].get("event") != "summary"


def find_unfinished(
    sessions_dir: Path, ignore: set[str] | frozenset[str] = frozenset()
) -> list[UnfinishedRecording]:
    """Unfinished recordings in ``sessions_dir``, newest first, leaving out the paths in ``ignore``.

    Empty CSV files (a session that crashed before its first sample) are not worth offering.
    """
    if not sessions_dir.is_dir():
        return []
    found = []
    for csv_path in sessions_dir.glob("*.csv"):
        if str(csv_path) in ignore:
            continue
        try:
            st = csv_path.stat()
        except OSError:
            continue
        if st.st_size == 0 or not is_unfinished(csv_path):
            continue
        found.append(UnfinishedRecording(csv_path, st.st_size, st.st_mtime))
    found.sort(key=lambda r: r.modified_s, reverse=True)
    return found
