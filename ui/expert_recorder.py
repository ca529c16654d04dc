"""Records an expert demonstration: one device, one recording file, the strokes as they are found.

The instructor's strokes go through the same ``TrainingSession`` a trainee's do (the same link,
parser, recorder and segmenter), with no exercise to score against: the point is to collect the
strokes an envelope will be built from, and to keep the recording so that the envelope can be
rebuilt later. Opening the device and stopping the session run off the GUI thread, as in
``ui.session_controller``; each recording gets its own bridge, and reports from a recording
already finished with are dropped.

On the simulator the simulated person is an expert stroking the chosen stroke type, so an
instructor can try the whole flow without a tool. This module draws nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from devices.opening import open_source
from devices.samples import DeviceError
from devices.source import Source
from trainer.library_build import detection_for
from trainer.recording import RecordingError
from trainer.session import TrainingSession
from trainer.strokes import Stroke
from ui.background import run_in_background
from ui.bridge import SessionBridge
from ui.session_controller import Phase, open_device
from ui.settings import DeviceChoice

#: Makes the source for a demonstration of ``stroke_type`` on ``choice``.
ExpertSourceFactory = Callable[[DeviceChoice, str], Source]


def open_expert_device(choice: DeviceChoice, stroke_type: str) -> Source:
    """The chosen tool; on the simulator, a simulated expert stroking ``stroke_type``."""
    if choice.kind == "sim":
        seed = choice.seed if choice.seed is not None else int(time.time()) % 100_000
        return open_source("sim:expert", stroke=stroke_type, speed=choice.speed, seed=seed)
    return open_device(choice, None)


def expert_recording_path(folder: Path, exercise_id: str) -> Path:
    """A new file name: start time and the exercise being recorded, so a listing reads as a log."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = exercise_id or "unnamed"
    path = folder / f"{stamp}-expert-{name}.csv"
    n = 2
    while path.exists():
        path = folder / f"{stamp}-expert-{name}-{n}.csv"
        n += 1
    return path


class ExpertRecorder(QObject):
    started = Signal(object)  # TrainingSession
    start_failed = Signal(str)
    stroke = Signal(object)  # trainer.strokes.Stroke
    event = Signal(object)  # devices.samples.DeviceEvent
    error = Signal(str)
    stopped = Signal(object)  # Path of the closed recording, or None

    def __init__(
        self,
        source_factory: ExpertSourceFactory = open_expert_device,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = source_factory
        self._session: TrainingSession | None = None
        self._bridge: SessionBridge | None = None
        self.phase = Phase.IDLE
        self.recording_path: Path | None = None

    @property
    def session(self) -> TrainingSession | None:
        return self._session if self.phase is Phase.RUNNING else None

    def start(
        self,
        choice: DeviceChoice,
        stroke_type: str,
        path: Path,
        metadata: dict[str, Any] | None = None,
    ) -> bool:
        """Begin opening the device and recording to ``path``; False if already recording."""
        if self.phase is not Phase.IDLE:
            return False
        self.phase = Phase.STARTING
        self.recording_path = path
        # No Qt parent: the session thread holds the bridge and may outlive a closed window.
        bridge = SessionBridge()
        self._bridge = bridge
        bridge.stroke.connect(self._relay_stroke)
        bridge.event.connect(self._relay_event)
        bridge.error.connect(self._relay_error)
        factory = self._factory
        meta = {"device_choice": choice.describe(), **(metadata or {})}

        def work() -> TrainingSession:
            path.parent.mkdir(parents=True, exist_ok=True)
            source = factory(choice, stroke_type)
            session = TrainingSession(
                source,
                None,
                recording_path=path,
                listener=bridge,
                metadata=meta,
                detection=detection_for(stroke_type),
            )
            session.start()
            return session

        run_in_background(work, "open-expert-session", self._on_started, self._on_start_failed)
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
        self.start_failed.emit(message)

    def stop(self) -> bool:
        """Begin stopping; the recording is closed when ``stopped`` arrives."""
        if self.phase is not Phase.RUNNING or self._session is None:
            return False
        self.phase = Phase.STOPPING
        session = self._session

        def work() -> Path | None:
            session.stop()
            return session.recording_path

        run_in_background(work, "stop-expert-session", self._on_stopped, self._on_stop_failed)
        return True

    def _on_stopped(self, path: Path | None) -> None:
        # Strokes flushed by the stop were queued before this result: they have been relayed.
        self._bridge = None
        self._session = None
        self.phase = Phase.IDLE
        self.stopped.emit(path)

    def _on_stop_failed(self, exc: BaseException) -> None:
        self.error.emit(f"the recording did not close cleanly: {exc}")
        self._on_stopped(self.recording_path)

    # Reports of a recording already finished with (a late queued signal) are dropped.
    def _current(self) -> bool:
        return self._bridge is not None and self.sender() is self._bridge

    @Slot(object, object)
    def _relay_stroke(self, stroke: Stroke, _score: object) -> None:
        if self._current():
            self.stroke.emit(stroke)

    @Slot(object)
    def _relay_event(self, event: object) -> None:
        if self._current():
            self.event.emit(event)

    @Slot(str)
    def _relay_error(self, message: str) -> None:
        if self._current():
            self.error.emit(message)
