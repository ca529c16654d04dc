"""This station's link to the records: who is training, and each finished session stored.

A session that ends is stored for the student chosen (Records > Who is training...), off the GUI
thread: straight into the database, or into the station's outbox when the lab's server cannot be
reached, to be sent when it is back (``trainer.records.station``). A guest's sessions are only
recorded to files, as before. What happened is told in one line ("Stored for Ann Lee: 24
strokes", "3 sessions waiting to upload") for the status bar.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from trainer.library.exercise import Exercise
from trainer.live.session import TrainingSession
from trainer.paths import AppPaths
from ui.runtime.background import run_in_background

# trainer.records (SQLAlchemy, Alembic) is imported where a session is stored, not at start-up:
# the window must not wait for a database library to show itself.


def records_target(paths: AppPaths) -> str:
    """Where this station keeps its records: ``IASTM_TRAINER_DB`` if set (a lab's server, say),
    else ``records.sqlite`` in the application's data folder."""
    from trainer.records.target import default_target

    return default_target(paths)


class RecordsStation(QObject):
    """Stores finished sessions for the chosen student; says what happened in one line."""

    #: One line for the status bar: stored, queued (and how many wait), or why not.
    said = Signal(str)
    #: A session was stored (its student id), for views that show the student's sessions.
    stored = Signal(str)
    #: No session is being stored any more (the window waits for this before it closes).
    idle = Signal()

    def __init__(self, target: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.student_id: str | None = None
        self.student_name: str | None = None
        self.outbox_path: Path | None = None
        self._storing = 0

    def set_student(self, student_id: str | None, name: str | None = None) -> None:
        """``None``: a guest, whose sessions go to files only."""
        self.student_id = student_id
        self.student_name = name if student_id else None
        who = f"{name or student_id} ({student_id})" if student_id else "a guest (not stored)"
        self.said.emit(f"Training: {who}")

    def store_session(self, session: TrainingSession, feedback: str | None = None) -> bool:
        """Store a finished session for the chosen student, off the GUI thread; False when there
        is nothing to store (a guest, no exercise, nothing recorded)."""
        student, exercise, path = self.student_id, session.exercise, session.recording_path
        if student is None or exercise is None or path is None or session.writer is None:
            return False
        scores = session.scores()
        summary = session.summary()
        if summary is None:
            return False
        target, outbox = self.target, self.outbox_path
        name = self.student_name or student

        def work() -> tuple[str, Any]:
            from trainer.recordings.reader import read_recording
            from trainer.records.capture import session_from_scores
            from trainer.records.station import store_or_queue

            recording = read_recording(path)
            new = session_from_scores(
                student_id=student,
                exercise=exercise,
                scores=scores,
                summary=summary,
                recording=recording,
                mode="practice",
                feedback=feedback,
            )
            return new.student_id, store_or_queue(new, target, outbox)

        def done(result: tuple[str, Any]) -> None:
            student_id, outcome = result
            if outcome.state == "queued":
                self.said.emit(f"Server not reachable: {outcome.line}")
            else:
                self.said.emit(f"Stored for {name}: {len(scores)} strokes. {outcome.line}")
            self.stored.emit(student_id)

        def failed(exc: BaseException) -> None:
            from trainer.recordings.format import RecordingError
            from trainer.records.errors import RecordsError

            if isinstance(exc, RecordsError | RecordingError | OSError):
                self.said.emit(f"Not stored in the records: {exc} (the recording is kept: {path})")
            else:
                self.said.emit(
                    f"Not stored in the records: {type(exc).__name__}: {exc} "
                    f"(the recording is kept: {path})"
                )

        self._storing += 1
        call = run_in_background(work, "store-session", done, failed)
        call.finished.connect(self._stored_one)
        return True

    def storing(self) -> bool:
        """A finished session is still on its way to the records. The application waits for it
        before it quits: the worker is a daemon thread, and a process that exits in the middle
        of storing leaves the session out of the records (its recording file is kept)."""
        return self._storing > 0

    def _stored_one(self) -> None:
        self._storing -= 1
        if self._storing == 0:
            self.idle.emit()

    def send_waiting(self) -> None:
        """Try the outbox again (a timer calls this): what waits goes to a server that answers."""

        def done(result: Any) -> None:
            if result.sent:
                self.said.emit(f"Sent {len(result.sent)} waiting session(s) to the records.")

        def work() -> Any:
            from trainer.records.station import send_outbox

            return send_outbox(self.target, self.outbox_path)

        run_in_background(work, "send-outbox", done, lambda e: None)


def describe_student(row: dict[str, Any]) -> str:
    return f"{row['name']} ({row['student_id']})" if row.get("name") else str(row["student_id"])


def exercise_label(exercise: Exercise) -> str:
    return f"{exercise.name} ({exercise.id})"
