"""Finding recordings that a crash, a kill or a power cut left unfinished.

A session writes its samples and its event log as it goes and, when it ends properly, a final
``summary`` line in the event log. A recording whose event log has no ``summary`` as its last
event was never closed: the samples up to the crash are on disk (the writer flushes every second),
and the application offers to open it for review instead of letting it lie forgotten.

The offer is dismissed only once the recording has opened (``RecoveryOffers.opened``), so a
recording that failed to open is offered again; and every unfinished recording, dismissed or not,
stays listed for File > Recover... (``RecoveryOffers.recoverable``). A recording that another
program (or this one) is writing right now is not unfinished: it is left out while its lock is held.

Detection only: this module never changes, moves or deletes a recording. It imports no Qt.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from trainer.files.lock import holder_of
from trainer.recordings.events import events_path, last_event
from trainer.recordings.format import Recording
from trainer.recordings.reader import read_recording


@dataclass(frozen=True)
class UnfinishedRecording:
    path: Path
    size_bytes: int
    modified_s: float

    def describe(self) -> str:
        kib = self.size_bytes / 1024
        return f"{self.path.name} ({kib:.0f} KiB)"


def is_unfinished(csv_path: Path) -> bool:
    """True when the recording's event log does not end with the ``summary`` line (read from its
    end, so a log of any size answers at once)."""
    if not events_path(csv_path).exists():
        return True
    last = last_event(csv_path)
    return last is None or last.get("event") != "summary"


def find_unfinished(
    sessions_dir: Path, ignore: set[str] | frozenset[str] = frozenset()
) -> list[UnfinishedRecording]:
    """Unfinished recordings in ``sessions_dir``, newest first, leaving out the paths in ``ignore``.

    Empty CSV files (a session that crashed before its first sample) are not worth offering, and
    a recording being written right now (its lock held) is not unfinished.
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
        if st.st_size == 0 or not is_unfinished(csv_path) or holder_of(csv_path) is not None:
            continue
        found.append(UnfinishedRecording(csv_path, st.st_size, st.st_mtime))
    found.sort(key=lambda r: r.modified_s, reverse=True)
    return found


class RecoveryOffers:
    """What to offer of the unfinished recordings in a folder, and what the user dismissed.

    The dismissed paths are kept by the caller (the application's settings) and handed in;
    ``dismissed`` gives them back to store. Typical use: ``pending()`` at start-up for the offer;
    ``open(path)`` when the user accepts it, which dismisses the offer only if the recording
    opened; ``recoverable()`` for File > Recover..., dismissed recordings included.
    """

    def __init__(self, sessions_dir: Path, dismissed: Iterable[str] = ()) -> None:
        self.sessions_dir = Path(sessions_dir)
        self._dismissed = [str(d) for d in dismissed]

    @property
    def dismissed(self) -> tuple[str, ...]:
        """The dismissed paths, oldest first, to be stored by the caller."""
        return tuple(self._dismissed)

    def pending(self) -> list[UnfinishedRecording]:
        """Unfinished recordings not yet dismissed, newest first: what to offer at start-up."""
        return find_unfinished(self.sessions_dir, frozenset(self._dismissed))

    def recoverable(self) -> list[UnfinishedRecording]:
        """Every unfinished recording in the folder, dismissed or not, newest first."""
        return find_unfinished(self.sessions_dir)

    def dismiss(self, path: str | os.PathLike[str]) -> None:
        """Stop offering ``path`` at start-up (it stays in ``recoverable()``). The newest 200
        dismissals are kept; recordings older than those are long gone or long seen."""
        key = str(path)
        self._dismissed = [*[d for d in self._dismissed if d != key][-199:], key]

    def open(self, path: str | os.PathLike[str]) -> Recording:
        """Read an unfinished recording (its cut-short last row left out, see ``notes``) and only
        then dismiss its offer; a ``RecordingError`` leaves the offer standing."""
        recording = read_recording(path)
        self.dismiss(path)
        return recording
