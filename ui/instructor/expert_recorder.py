"""Records an expert demonstration: one device, one recording file, the strokes as they are found.

The instructor's strokes go through the same ``TrainingSession`` a trainee's do (the same link,
parser, recorder and segmenter), with no exercise to score against: the point is to collect the
strokes an envelope will be built from, and to keep the recording so that the envelope can be
rebuilt later. Opening the device and stopping the session run off the GUI thread
(``ui.runtime.session_runner``); each recording gets its own bridge, and reports from a recording
already finished with are dropped.

On the simulator the simulated person is an expert stroking the chosen stroke type, so an
instructor can try the whole flow without a tool. This module draws nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from trainer.library.shipped import detection_for
from trainer.live.connection import DeviceChoice, Source, open_expert_device
from trainer.live.session import TrainingSession
from ui.runtime.bridge import SessionBridge
from ui.runtime.session_runner import Phase, SessionRunner

#: Makes the source for a demonstration of ``stroke_type`` on ``choice``.
ExpertSourceFactory = Callable[[DeviceChoice, str], Source]


class ExpertRecorder(SessionRunner):
    """An expert demonstration: the chosen tool, no exercise, the stroke type's detection."""

    stroke = Signal(object)  # trainer.strokes.stroke.Stroke
    stopped = Signal(object)  # Path of the closed recording, or None

    def __init__(
        self,
        source_factory: ExpertSourceFactory = open_expert_device,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = source_factory
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
        self.recording_path = path
        factory = self._factory
        meta = {"device_choice": choice.describe(), **(metadata or {})}

        def make(bridge: SessionBridge) -> TrainingSession:
            path.parent.mkdir(parents=True, exist_ok=True)
            return TrainingSession(
                factory(choice, stroke_type),
                None,
                recording_path=path,
                listener=bridge,
                metadata=meta,
                detection=detection_for(stroke_type),
            )

        return self._open(make, "expert-session")

    def stop(self) -> bool:
        """Begin stopping; the recording is closed when ``stopped`` arrives."""

        def work(session: TrainingSession) -> Path | None:
            session.stop()
            return session.recording_path

        return self._close(work, "expert-session")

    def _stopped(self, result: object) -> None:
        self._session = None
        self.stopped.emit(result if result is not None else self.recording_path)

    def _report_stroke(self, stroke: object, score: object) -> None:
        self.stroke.emit(stroke)
