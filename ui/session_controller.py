"""Owns the live ``TrainingSession``: opens it off the GUI thread, stops it off the GUI thread.

Opening a serial port can take seconds (a USB adapter enumerating, a Bluetooth bridge), and
stopping a session joins its threads and closes the recording: neither may freeze the window, so
both run through ``ui.background``. Each session gets its own ``SessionBridge``; the controller
relays that bridge's signals and drops those of a session it has already finished with, so a
stroke from the last session can never land in the next one's list.

Every session records: its recording goes into the sessions folder, named by start time and
exercise, whatever the screen shows. This module draws nothing.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from devices.opening import open_source
from devices.samples import DeviceError
from devices.source import Source
from trainer.exercise import Exercise
from trainer.recording import RecordingError
from trainer.session import TrainingSession
from trainer.summary import SessionSummary
from ui.background import run_in_background
from ui.bridge import SessionBridge
from ui.settings import DeviceChoice

SourceFactory = Callable[[DeviceChoice, Exercise | None], Source]


class Phase(enum.Enum):
    IDLE = "idle"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"


def open_device(choice: DeviceChoice, exercise: Exercise | None) -> Source:
    """The source for ``choice`` (the simulator strokes the exercise's stroke type)."""
    stroke = exercise.stroke_type if exercise is not None else "sweep"
    if choice.kind == "sim":
        seed = choice.seed if choice.seed is not None else int(time.time()) % 100_000
        return open_source(choice.device_string, stroke=stroke, speed=choice.speed, seed=seed)
    protocol = "csv" if choice.kind == "csv" else "itp"
    columns = choice.columns if protocol == "csv" else None
    return open_source(choice.port, protocol=protocol, baud=choice.baud, columns=columns)


def recording_path(sessions_dir: Path, exercise: Exercise | None) -> Path:
    """A new, unused file name: start time and exercise, so a folder listing reads as a log."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = exercise.id if exercise is not None else "free"
    path = sessions_dir / f"{stamp}-{name}.csv"
    n = 2
    while path.exists():
        path = sessions_dir / f"{stamp}-{name}-{n}.csv"
        n += 1
    return path


class SessionController(QObject):
    starting = Signal()
    started = Signal(object)  # TrainingSession
    start_failed = Signal(str)
    stopped = Signal(object)  # SessionSummary | None
    stroke = Signal(object, object)  # Stroke, StrokeScore | None
    event = Signal(object)  # DeviceEvent
    tare = Signal(object, object)  # TareResult | None, error text | None
    error = Signal(str)

    def __init__(
        self,
        sessions_dir: Path,
        source_factory: SourceFactory = open_device,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.sessions_dir = Path(sessions_dir)
        self._source_factory = source_factory
        self._session: TrainingSession | None = None
        self._bridge: SessionBridge | None = None
        self.phase = Phase.IDLE
        self.last_error: str | None = None

    @property
    def session(self) -> TrainingSession | None:
        return self._session

    @property
    def running(self) -> bool:
        return self.phase is Phase.RUNNING

    # -- starting --------------------------------------------------------------------------------
    def start(
        self,
        choice: DeviceChoice,
        exercise: Exercise | None,
        metadata: dict[str, Any] | None = None,
    ) -> bool:
        """Begin opening a session; False when one is already open or on its way."""
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
        self.starting.emit()
        path = recording_path(self.sessions_dir, exercise)
        meta = {"device_choice": choice.describe(), **(metadata or {})}
        factory = self._source_factory

        def work() -> TrainingSession:
            path.parent.mkdir(parents=True, exist_ok=True)
            source = factory(choice, exercise)
            session = TrainingSession(
                source, exercise, recording_path=path, listener=bridge, metadata=meta
            )
            session.start()
            return session

        run_in_background(work, "open-session", self._on_started, self._on_start_failed)
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

    # -- stopping --------------------------------------------------------------------------------
    def stop(self) -> bool:
        """Begin a manual stop (the tool stays disconnected); False when nothing is running."""
        if self.phase is not Phase.RUNNING or self._session is None:
            return False
        self.phase = Phase.STOPPING
        session = self._session
        run_in_background(session.stop, "stop-session", self._on_stopped, self._on_stop_failed)
        return True

    def _on_stopped(self, summary: SessionSummary | None) -> None:
        # Strokes flushed by the stop were queued before this result: they have been relayed.
        self._bridge = None
        self.phase = Phase.IDLE
        self.stopped.emit(summary)

    def _on_stop_failed(self, exc: BaseException) -> None:
        self.error.emit(f"the session did not close cleanly: {exc}")
        self._on_stopped(None)

    # -- while running ---------------------------------------------------------------------------
    def request_tare(self, seconds: float = 2.0) -> bool:
        if self.phase is not Phase.RUNNING or self._session is None:
            return False
        self._session.request_tare(seconds)
        return True

    # Reports of a session already finished with (a late queued signal) are dropped.
    def _current(self) -> bool:
        return self._bridge is not None and self.sender() is self._bridge

    @Slot(object, object)
    def _relay_stroke(self, stroke: object, score: object) -> None:
        if self._current():
            self.stroke.emit(stroke, score)

    @Slot(object)
    def _relay_event(self, event: object) -> None:
        if self._current():
            self.event.emit(event)

    @Slot(object, object)
    def _relay_tare(self, result: object, error: object) -> None:
        if self._current():
            self.tare.emit(result, error)

    @Slot(str)
    def _relay_error(self, message: str) -> None:
        if self._current():
            self.error.emit(message)

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
