"""A contact the session does not take for a stroke is said on the training screen at once, and
the next stroke takes the note away; a note never covers a warning."""

from __future__ import annotations

import numpy as np

from devices.replay import ReplaySource

CHANNELS = ("force_n", "angle_deg")
TIMEOUT_MS = 30_000


def _stroke_rest_stroke() -> tuple[np.ndarray, np.ndarray]:
    """A stroke at 3 s, the tool put down and left resting from 5 to 7.5 s, a stroke at 9.5 s."""
    t = np.arange(0.0, 14.0, 0.001)
    force = 1.0 + np.random.default_rng(6).normal(0.0, 0.03, t.size)
    for t0 in (3.0, 9.5):
        m = (t >= t0) & (t < t0 + 1.0)
        force[m] += 8.0 * np.sin(np.pi * (t[m] - t0)) ** 2
    force[(t >= 5.0) & (t < 7.5)] += 5.0
    return t, np.c_[force, np.full_like(t, 45.0)]


def test_a_resting_tool_is_said_not_scored_and_the_next_stroke_clears_it(qtbot, make_view) -> None:
    t, values = _stroke_rest_stroke()
    view = make_view(source_factory=lambda _c, _e: ReplaySource(t, values, CHANNELS, speed=2.0))
    with qtbot.waitSignal(view.controller.started, timeout=TIMEOUT_MS):
        assert view.start_session()
    qtbot.waitUntil(lambda: view.banner.showing("note"), timeout=TIMEOUT_MS)
    assert view.banner.text().startswith("Not scored: that contact held still for 1 s")
    assert view.banner.kind == "info"
    assert view.table_model.rowCount() == 1  # the stroke before it, and only that
    qtbot.waitUntil(lambda: view.table_model.rowCount() == 2, timeout=TIMEOUT_MS)
    assert not view.banner.showing("note")


def test_a_note_does_not_cover_a_warning(qtbot, make_view) -> None:
    view = make_view()
    view.banner.show_message("no-data", "No data from /dev/ttyUSB0", "warning")
    view.controller.note.emit("Not scored: 1 touch(es) shorter than 150 ms")
    assert view.banner.showing("no-data")
    view.banner.clear()
    view.controller.note.emit("Not scored: 1 touch(es) shorter than 150 ms")
    assert view.banner.showing("note")
