"""Opens a ``TrainingSession`` off the GUI thread, stops it off the GUI thread, relays its reports.

Opening a serial port can take seconds (a USB adapter enumerating, a Bluetooth bridge), and
stopping a session joins its threads and closes the recording: neither may freeze the window, so
both run through ``ui.runtime.background``. Each session gets its own ``SessionBridge``; the runner
relays that bridge's signals and drops those of a session it has already finished with, so a stroke
from the last session can never land in the next one's list.

The training screen (``ui.training.session_controller``) and the expert demonstration
(``ui.instructor.expert_recorder``) are both runners; they differ in which session they open and
what they report when it ends. This module draws nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from trainer.live.connection import DeviceError
from trainer.live.session import TrainingSession
from trainer.recordings.format import RecordingError
from ui.runtime.background import run_in_background
from ui.runtime.bridge import SessionBridge


class Phase(enum.Enum):
    IDLE = "idle"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"


class SessionRunner(QObject):
    started = Signal(object)  # TrainingSession
    start_failed = Signal(str)
    event = Signal(object)  # DeviceEvent
    error = Signal(str)
    note = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session: TrainingSession | None = None
        self._bridge: SessionBridge | None = None
        self.phase = Phase.IDLE
        self.last_error: str | None = None

    @property
    def running(self) -> bool:
        return self.phase is Phase.RUNNING

    # -- opening ---------------------------------------------------------------------------------
    def _open(self, make: Callable[[SessionBridge], TrainingSession], name: str) -> bool:
        """Make and start a session on a worker thread; False if one is open or on its way.

        ``make`` gets the new session's bridge, to pass as its listener."""
        if self.phase is not Phase.IDLE:
            return False
        self.phase = Phase.STARTING
        self.last_error = None
        # No Qt parent: the session thread holds the bridge as its listener, and it must outlive
        # a window that closes while the session is being stopped.
        bridge = SessionBridge()
        self._bridge = bridge
        bridge.stroke.connect(self._relay_stroke)
        bridge.event.connect(self._relay_event)
        bridge.tare.connect(self._relay_tare)
        bridge.error.connect(self._relay_error)
        bridge.note.connect(self._relay_note)

        def work() -> TrainingSession:
            session = make(bridge)
            session.start()
            return session

        run_in_background(work, f"open-{name}", self._on_started, self._on_start_failed)
        return True

    def _on_started(self, session: TrainingSession) -> None:
        self._session = session
        self.phase = Phase.RUNNING
        self.started.emit(session)

    def _on_start_failed(self, exc: BaseException) -> None:
        self.phase = Phase.IDLE
        self._bridge = None
        if isinstance(exc, DeviceError | RecordingError | OSError):
            message = str(exc)
        else:
            message = f"could not start: {type(exc).__name__}: {exc}"
        self.last_error = message
        self.start_failed.emit(message)

    # -- closing ---------------------------------------------------------------------------------
    def _close(self, work: Callable[[TrainingSession], Any], name: str) -> bool:
        """Stop the running session on a worker thread (``work`` does it and says how it ended);
        False when nothing is running. ``_stopped`` gets what ``work`` returned."""
        session = self._session
        if self.phase is not Phase.RUNNING or session is None:
            return False
        self.phase = Phase.STOPPING
        run_in_background(
            lambda: work(session), f"stop-{name}", self._on_stopped, self._on_stop_failed
        )
        return True

    def _on_stopped(self, result: object) -> None:
        # Strokes flushed by the stop were queued before this result: they have been relayed.
        self._bridge = None
        self.phase = Phase.IDLE
        self._stopped(result)

    def _on_stop_failed(self, exc: BaseException) -> None:
        self.error.emit(f"the recording did not close cleanly: {exc}")
        self._on_stopped(None)

    def _stopped(self, result: object) -> None:
        """The session has ended; ``result`` is what the closing work returned (None if it
        failed). Subclasses report it."""

    # -- reports of the current session ------------------------------------------------------------
    def _report_stroke(self, stroke: object, score: object) -> None:
        """A stroke of the current session was found (and scored, if there is an exercise)."""

    def _report_tare(self, result: object, error: object) -> None:
        """A tare of the current session finished."""

    # Reports of a session already finished with (a late queued signal) are dropped.
    def _current(self) -> bool:
        return self._bridge is not None and self.sender() is self._bridge

    @Slot(object, object)
    def _relay_stroke(self, stroke: object, score: object) -> None:
        if self._current():
            self._report_stroke(stroke, score)

    @Slot(object)
    def _relay_event(self, event: object) -> None:
        if self._current():
            self.event.emit(event)

    @Slot(object, object)
    def _relay_tare(self, result: object, error: object) -> None:
        if self._current():
            self._report_tare(result, error)

    @Slot(str)
    def _relay_error(self, message: str) -> None:
        if self._current():
            self.error.emit(message)

    @Slot(str)
    def _relay_note(self, message: str) -> None:
        if self._current():
            self.note.emit(message)
