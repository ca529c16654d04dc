"""The training screen on a force plate: the plate view where a tool's angle read-out is.

Real sessions on the simulator behind its ``sim://`` port: ``sim:plate`` sends force and the
centre of pressure and no angle; ``sim`` is the hand tool. What the screen shows is decided by
what the device sends.
"""

from __future__ import annotations

import numpy as np

from trainer.live.connection import DeviceChoice
from trainer.live.feedback import Schedule
from ui.training.training_view import TrainingView

START_TIMEOUT_MS = 15_000
STROKES_TIMEOUT_MS = 30_000
SIM_PLATE = DeviceChoice("sim", skill="expert", speed=8.0, plate=True)


def _start(qtbot, view: TrainingView) -> None:
    with qtbot.waitSignal(view.controller.started, timeout=START_TIMEOUT_MS):
        assert view.start_session()


def _drawn_points(view: TrainingView) -> int:
    path = view.plate_view.current_path()
    return 0 if path is None else int(np.isfinite(path[0]).sum())


def test_a_plate_session_shows_the_stroke_path_on_the_plate_instead_of_the_angle(
    qtbot, make_view
) -> None:
    view = make_view(Schedule.CONCURRENT, device=SIM_PLATE)
    assert view.device_panel.choice().device_string == "sim:plate:expert"
    _start(qtbot, view)
    qtbot.waitUntil(lambda: view.plate_view.isVisible(), timeout=START_TIMEOUT_MS)
    assert not view.angle_readout.isVisible()
    assert not view.stroke_panel.angle_plot.isVisible()  # no angle: the force plot has the room
    # ... and the session's figures leave out the angle rows that could only say "–".
    assert not view.summary_panel.shows("angle_in_band")
    assert not view.summary_panel.shows("cv_angle")
    assert view.summary_panel.shows("force_in_band")
    # The stroke's path grows while it happens, and finished strokes stay, faded.
    qtbot.waitUntil(lambda: _drawn_points(view) > 20, timeout=STROKES_TIMEOUT_MS)
    qtbot.waitUntil(lambda: view.plate_view.faded_count() >= 1, timeout=STROKES_TIMEOUT_MS)
    x, y = view.plate_view.current_path()
    half_w, half_h = (s / 2 for s in view.plate_view.plate_mm)
    shown = np.isfinite(x)
    assert (np.abs(x[shown]) <= half_w).all() and (np.abs(y[shown]) <= half_h).all()
    assert view.plate_view.plate_mm == (400.0, 300.0)  # from the plate's info line
    assert not view.plate_view.masked


def test_terminal_feedback_hides_the_path_on_the_plate(qtbot, make_view) -> None:
    view = make_view(Schedule.TERMINAL, device=SIM_PLATE)
    _start(qtbot, view)
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= 2, timeout=STROKES_TIMEOUT_MS)
    assert view.plate_view.isVisible() and view.plate_view.masked
    assert _drawn_points(view) == 0
    assert "terminal feedback" in view.plate_view.accessibleDescription()


def test_a_hand_tool_after_a_plate_brings_the_angle_read_out_back(qtbot, make_view) -> None:
    view = make_view(Schedule.CONCURRENT, device=SIM_PLATE)
    _start(qtbot, view)
    qtbot.waitUntil(lambda: view.plate_view.isVisible(), timeout=START_TIMEOUT_MS)
    with qtbot.waitSignal(view.controller.stopped, timeout=10_000):
        assert view.stop_session()
    view.device_panel.set_choice(DeviceChoice("sim", skill="expert", speed=8.0))
    _start(qtbot, view)
    qtbot.waitUntil(lambda: view.angle_readout.value_text().endswith("°"), timeout=10_000)
    assert view.angle_readout.isVisible() and not view.plate_view.isVisible()
    assert view.stroke_panel.angle_plot.isVisible()
    assert view.summary_panel.shows("angle_in_band") and view.summary_panel.shows("cv_angle")


def test_the_simulated_plate_is_chosen_in_the_device_panel_and_remembered(qtbot, tmp_path) -> None:
    from trainer.paths import AppPaths
    from ui.app.settings import AppSettings
    from ui.training.device_panel import DevicePanel

    panel = DevicePanel(DeviceChoice("sim", skill="novice"))
    qtbot.addWidget(panel)
    combo = panel.source_combo
    i = combo.findText("Simulated plate")
    assert i >= 0
    with qtbot.waitSignal(panel.choice_changed) as chosen:
        combo.setCurrentIndex(i)
    choice = chosen.args[0]
    assert choice.plate and choice.device_string == "sim:plate:novice"
    assert choice.describe() == "Simulated plate (novice)"
    assert panel.skill_combo.isVisibleTo(panel)  # the plate's person has a skill too
    paths = AppPaths.under(tmp_path).ensure()
    settings = AppSettings(paths)
    settings.set_device(choice)
    settings.sync()
    again = AppSettings(paths).device()
    assert again.plate and again.device_string == "sim:plate:novice"
    panel.set_choice(again)
    assert combo.currentText() == "Simulated plate"
    settings.set_device(DeviceChoice("sim", skill="novice"))
    assert not AppSettings(paths).device().plate
