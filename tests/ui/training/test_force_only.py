"""A force-only device (no angle, no centre of pressure) on the training screen: neither the angle
read-out nor the plate view, which could only ever show a dash or an empty plate."""

from __future__ import annotations

import numpy as np

from devices.replay import ReplaySource
from tests.synthetic import make_stroke
from ui.training.training_view import TrainingView


def _force_only(_choice, _exercise) -> ReplaySource:
    strokes = [make_stroke(i + 1, t0_s=3.0 + 2.0 * i, angle=False) for i in range(4)]
    t = np.arange(0.0, 12.0, 0.001)
    force = np.zeros_like(t)
    for s in strokes:
        force[(t >= s.t_s[0]) & (t <= s.t_s[-1])] = np.interp(
            t[(t >= s.t_s[0]) & (t <= s.t_s[-1])], s.t_s, s.force_n
        )
    return ReplaySource(t, force[:, None], ("force_n",), speed=4.0)


def test_a_force_only_device_shows_neither_angle_nor_plate(qtbot, make_view) -> None:
    view: TrainingView = make_view(source_factory=_force_only)
    with qtbot.waitSignal(view.controller.started, timeout=15_000):
        assert view.start_session()
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= 1, timeout=30_000)
    assert not view.angle_readout.isVisible()
    assert not view.plate_view.isVisible()
    assert not view.strip.with_angle
    assert view.table_model.rowCount() >= 1
