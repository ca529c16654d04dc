"""Owns the training screen's live ``TrainingSession``, opened and stopped off the GUI thread.

The threading, the bridge and the dropping of a finished session's late reports are
``ui.runtime.session_runner``'s; this module chooses the device and the file.

Every session records: its recording goes into the sessions folder, named by start time and
exercise, whatever the screen shows. A tool can also be connected in standby (``connect``): shown
live and ready to tare, recording nothing until ``begin``. This module draws nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from trainer.library.exercise import Exercise
from trainer.live.connection import DeviceChoice, Source, open_device
from trainer.live.session import TrainingSession
from trainer.paths import recording_path
from ui.runtime.background import run_in_background
from ui.runtime.bridge import SessionBridge
from ui.runtime.session_runner import Phase, SessionRunner

__all__ = ["Phase", "SessionController", "SourceFactory", "open_device", "recording_path"]

SourceFactory = Callable[[DeviceChoice, Exercise | None], Source]


class SessionController(SessionRunner):
    """The training screen's session: scored against the chosen exercise, recorded into the
    sessions folder."""

    starting = Signal()
    #: A standby session began recording and scoring (see ``begin``).
    began = Signal(object)  # TrainingSession
    begin_failed = Signal(str)
    stopped = Signal(object)  # SessionSummary | None
    stroke = Signal(object, object)  # Stroke, StrokeScore | None
    tare = Signal(object, object)  # TareResult | None, error text | None

    def __init__(
        self,
        sessions_dir: Path,
        source_factory: SourceFactory = open_device,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.sessions_dir = Path(sessions_dir)
        self._source_factory = source_factory
        # In standby the simulated person waits for the session to begin; a factory of one's own
        # (a replay, a test's) is used as it is.
        self._standby_factory: SourceFactory = (
            partial(open_device, wait=True) if source_factory is open_device else source_factory
        )
        self._beginning = False

    @property
    def session(self) -> TrainingSession | None:
        """The session, also while it stops and after (its last state stays on show)."""
        return self._session

    # -- starting --------------------------------------------------------------------------------
    def start(
        self,
        choice: DeviceChoice,
        exercise: Exercise | None,
        metadata: dict[str, Any] | None = None,
    ) -> bool:
        """Begin opening a session; False when one is already open or on its way."""
        path = recording_path(self.sessions_dir, exercise.id if exercise is not None else None)
        meta = {"device_choice": choice.describe(), **(metadata or {})}
        factory = self._source_factory

        def make(bridge: SessionBridge) -> TrainingSession:
            path.parent.mkdir(parents=True, exist_ok=True)
            return TrainingSession(
                factory(choice, exercise),
                exercise,
                recording_path=path,
                listener=bridge,
                metadata=meta,
            )

        if not self._open(make, "session"):
            return False
        self.starting.emit()
        return True

    def connect(
        self,
        choice: DeviceChoice,
        exercise: Exercise | None,
        metadata: dict[str, Any] | None = None,
    ) -> bool:
        """Open the tool in standby: shown live and ready to tare, nothing recorded until
        ``begin``. False when a session is already open or on its way."""
        meta = {"device_choice": choice.describe(), **(metadata or {})}
        factory = self._standby_factory

        def make(bridge: SessionBridge) -> TrainingSession:
            return TrainingSession(
                factory(choice, exercise), exercise, listener=bridge, metadata=meta, standby=True
            )

        if not self._open(make, "standby"):
            return False
        self.starting.emit()
        return True

    @property
    def standby(self) -> bool:
        """A tool is connected in standby (not recording, not scoring)."""
        session = self._session
        return self.phase is Phase.RUNNING and session is not None and session.standby

    @property
    def beginning(self) -> bool:
        return self._beginning

    def begin(self, exercise: Exercise | None, metadata: dict[str, Any] | None = None) -> bool:
        """Start recording and scoring on the tool connected in standby, off the GUI thread (the
        recording's path is checked and locked first). ``began`` or ``begin_failed`` follows."""
        session = self._session
        if not self.standby or self._beginning or session is None:
            return False
        path = recording_path(self.sessions_dir, exercise.id if exercise is not None else None)
        self._beginning = True

        def work() -> TrainingSession:
            path.parent.mkdir(parents=True, exist_ok=True)
            session.begin(path, exercise, metadata)
            return session

        run_in_background(work, "begin-session", self._on_began, self._on_begin_failed)
        return True

    def _on_began(self, session: TrainingSession) -> None:
        self._beginning = False
        if session is self._session and self.phase is Phase.RUNNING:
            self.began.emit(session)

    def _on_begin_failed(self, exc: BaseException) -> None:
        self._beginning = False
        self.begin_failed.emit(str(exc))

    # -- stopping --------------------------------------------------------------------------------
    def stop(self) -> bool:
        """Begin a manual stop (the tool stays disconnected); False when nothing is running."""
        return self._close(lambda session: session.stop(), "session")

    def _stopped(self, result: object) -> None:
        self.stopped.emit(result)

    # -- while running ---------------------------------------------------------------------------
    def request_tare(self, seconds: float = 2.0) -> bool:
        if self.phase is not Phase.RUNNING or self._session is None:
            return False
        self._session.request_tare(seconds)
        return True

    def _report_stroke(self, stroke: object, score: object) -> None:
        self.stroke.emit(stroke, score)

    def _report_tare(self, result: object, error: object) -> None:
        self.tare.emit(result, error)

    def shutdown(self) -> None:
        """Stop at once, on this thread: the last resort when the application is quitting anyway.

        The window normally stops through ``stop`` and closes when ``stopped`` arrives; this is for
        a quit that cannot wait (the event loop is ending), so the recording still gets closed.
        """
        session = self._session
        if session is not None and self.phase is Phase.RUNNING:
            session.stop()
        self._session = None
        self._bridge = None
        self.phase = Phase.IDLE
