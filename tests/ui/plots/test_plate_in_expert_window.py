"""An expert's strokes on a force plate in the expert window: the picked (else the newest) stroke
on the plate with the ones before it faded, against the corridor the strokes built; a tool's
strokes show no plate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEventLoop, QTimer

from trainer.library.draft import ExerciseDraft
from trainer.library.user_exercises import reserved_ids
from trainer.live.connection import DeviceChoice
from trainer.offline.analysis import segment_recording
from trainer.offline.simulation import simulate_recording
from trainer.paths import AppPaths
from trainer.recordings.reader import read_recording
from trainer.signals.plate import PLATE_CHANNELS
from trainer.strokes.detection import DetectionSettings
from trainer.strokes.stroke import Stroke
from ui.instructor.expert_recording import ExpertRecordingWindow
from ui.training.session_controller import Phase


def _strokes(folder: Path, channels: tuple[str, ...] | None) -> list[Stroke]:
    path, _ = simulate_recording(
        folder / "expert.csv", stroke_type="fan", strokes=6, seed=12, channels=channels
    )
    return segment_recording(read_recording(path), DetectionSettings())


def _stop(window: ExpertRecordingWindow) -> None:
    """Before the window closes: its demonstration stopped and its recording closed."""
    recorder = window.recorder
    if recorder.phase is not Phase.IDLE:
        loop = QEventLoop()
        recorder.stopped.connect(loop.quit)
        if recorder.phase is Phase.RUNNING:
            window.stop_recording()
        QTimer.singleShot(10_000, loop.quit)
        if recorder.phase is not Phase.IDLE:
            loop.exec()
    window.unsaved = False


@pytest.fixture
def window(qtbot, tmp_path: Path) -> ExpertRecordingWindow:
    w = ExpertRecordingWindow(
        AppPaths.under(tmp_path),
        reserved_ids([]),
        lambda: DeviceChoice("sim", skill="expert", speed=8.0, plate=True),
    )
    qtbot.addWidget(w, before_close_func=_stop)
    w.show()
    return w


def test_expert_plate_strokes_are_drawn_on_the_plate_against_their_corridor(
    qtbot, window: ExpertRecordingWindow, tmp_path: Path
) -> None:
    strokes = _strokes(tmp_path, PLATE_CHANNELS)
    assert len(strokes) >= 5
    for stroke in strokes:
        window.add_stroke(stroke)
    qtbot.waitUntil(lambda: window.plate_view.envelope is not None, timeout=15_000)
    plate = window.plate_view
    assert plate.isVisible() and plate.envelope.curved  # the fans' own corridor
    assert plate.faded_count() == 4  # the newest shown, the four before it faded
    window.stroke_table.stroke_selected.emit(strokes[1].index)
    assert plate.faded_count() == 1
    assert plate.anchor_mm() is not None


def test_a_tool_s_expert_strokes_show_no_plate(
    qtbot, window: ExpertRecordingWindow, tmp_path: Path
) -> None:
    for stroke in _strokes(tmp_path, None)[:3]:
        window.add_stroke(stroke)
    assert not window.plate_view.isVisible()


def test_an_expert_demonstrating_on_the_simulated_plate_sees_each_stroke_on_it(
    qtbot, window: ExpertRecordingWindow
) -> None:
    window.set_draft(
        ExerciseDraft(id="fan-plate-lee", name="Fan on a plate (J. Lee)", stroke_type="fan")
    )
    assert "Simulated plate (expert)" in window.device_label.text()
    window.start_recording()
    qtbot.waitUntil(lambda: window.recorder.phase is Phase.RUNNING, timeout=15_000)
    qtbot.waitUntil(lambda: len(window.strokes()) >= 3, timeout=30_000)
    assert all(s.has_cop for s in window.strokes())
    assert window.plate_view.isVisible()
    assert np.isfinite(window.plate_view.current_path()[0]).any()
    qtbot.waitUntil(lambda: window.plate_view.envelope is not None, timeout=15_000)
    assert window.plate_view.envelope.curved  # a fan's corridor, learned as it goes
