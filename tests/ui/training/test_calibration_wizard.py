"""Calibrating the force with known masses through the wizard, on a replayed load cell."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from devices.replay import ReplaySource
from trainer.library.exercise import Exercise
from trainer.live.connection import DeviceChoice
from trainer.signals.calibration import STANDARD_GRAVITY
from ui.training.session_controller import Phase, SessionController
from ui.training.training_view import TrainingView

COUNTS_PER_KG = 500.0
ZERO_COUNTS = 100.0


def _load_cell(_choice: DeviceChoice, _exercise: Exercise | None) -> ReplaySource:
    """Raw counts: nothing on the tool for 4 s, then 1 kg for 4 s, then 2 kg."""
    t = np.arange(0.0, 16.0, 0.001)
    mass_kg = np.where(t < 4.0, 0.0, np.where(t < 8.0, 1.0, 2.0))
    rng = np.random.default_rng(1)
    counts = ZERO_COUNTS + COUNTS_PER_KG * mass_kg + rng.normal(0.0, 0.5, t.size)
    return ReplaySource(
        t, np.c_[counts, np.full_like(t, 45.0)], ("force_n", "angle_deg"), speed=2.0
    )


@pytest.fixture
def view(qtbot, tmp_path: Path, sweep_exercise: Exercise):
    controller = SessionController(tmp_path / "sessions", source_factory=_load_cell)
    view = TrainingView([sweep_exercise], controller)
    controller.setParent(view)

    def stop_properly(v: TrainingView) -> None:
        if v.controller.phase is Phase.RUNNING:
            with qtbot.waitSignal(v.controller.stopped, timeout=10_000):
                v.stop_session()

    qtbot.addWidget(view, before_close_func=stop_properly)
    view.show()
    yield view


def _wait_for_device_time(qtbot, view: TrainingView, t_s: float) -> None:
    session = view.session
    qtbot.waitUntil(lambda: (session.state().last_t_s or 0.0) >= t_s, timeout=15_000)


def test_three_masses_give_a_straight_line_that_the_session_then_applies(qtbot, view) -> None:
    assert view.open_calibration() is None  # no session: nothing to calibrate against
    assert view.banner.showing("calibration")
    with qtbot.waitSignal(view.controller.started, timeout=10_000):
        view.start_session()
    wizard = view.open_calibration()
    assert wizard is not None and not wizard.isModal()
    for mass_kg, at_s in ((0.0, 3.5), (1.0, 7.5), (2.0, 9.5)):
        _wait_for_device_time(qtbot, view, at_s)
        wizard.mass.setValue(mass_kg)
        assert wizard.capture(), wizard.result.text()
        if mass_kg == 0.0:
            assert not wizard.fit_button.isEnabled()  # one mass is not a line
    cal = wizard.fit_line()
    assert cal is not None
    assert cal.gain == pytest.approx(STANDARD_GRAVITY / COUNTS_PER_KG, rel=1e-3)
    assert cal.offset == pytest.approx(-ZERO_COUNTS * STANDARD_GRAVITY / COUNTS_PER_KG, abs=0.02)
    assert "r² = " in wizard.result.text()
    with qtbot.waitSignal(view.calibration_applied) as applied:
        wizard.apply()
    assert applied.args[0] is cal
    session = view.session
    assert session.calibration is cal
    assert "tare again" in view.device_panel.tare_text()
    # New samples arrive in newtons: 2 kg weighs 19.6 N.
    qtbot.waitUntil(
        lambda: (
            abs(float(session.display.latest(50)[1][:, 0].mean()) - 2 * STANDARD_GRAVITY) < 0.05
        ),
        timeout=10_000,
    )


def test_cancelling_puts_the_previous_calibration_back(qtbot, view) -> None:
    with qtbot.waitSignal(view.controller.started, timeout=10_000):
        view.start_session()
    session = view.session
    _wait_for_device_time(qtbot, view, 1.5)
    wizard = view.open_calibration()
    wizard.add_capture(0.0, 100.0)
    wizard.add_capture(1.0, 600.0)
    with qtbot.waitSignal(view.calibration_applied):
        wizard.fit_line()
        wizard.apply()
    applied = session.calibration
    again = view.open_calibration()
    assert session.calibration is None  # suspended while calibrating: captures are raw
    again.reject()
    assert session.calibration is applied


def test_a_reading_that_does_not_fit_a_line_is_refused(qtbot, view) -> None:
    with qtbot.waitSignal(view.controller.started, timeout=10_000):
        view.start_session()
    wizard = view.open_calibration()
    for mass, raw in ((0.0, 100.0), (1.0, 600.0), (2.0, 1300.0)):  # the 2 kg point is off
        wizard.add_capture(mass, raw)
    assert wizard.fit_line() is None
    assert "No fit" in wizard.result.text()
    assert not wizard.apply_button.isEnabled()
