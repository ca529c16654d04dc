"""The training screen driven by real sessions: the simulated tool, or a replayed recording.

Every session here goes through the same path as the application's: the simulator speaks ITP/1
over a pyserial ``sim://`` port, the session thread records, segments and scores, and the screen
hears about it through queued signals and reads samples from a timer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from devices.replay import ReplaySource
from devices.samples import DeviceEvent, EventKind
from trainer.library.exercise import Exercise
from trainer.live.connection import DeviceChoice
from trainer.live.feedback import Reveal, Schedule
from trainer.recordings.events import read_events
from ui.strokes.stroke_table import COL_RESULT, COL_SCORE
from ui.strokes.summary_panel import HELD_BACK
from ui.training.session_controller import Phase
from ui.training.training_view import TrainingView

START_TIMEOUT_MS = 15_000
STROKES_TIMEOUT_MS = 30_000


def _replay_factory(force_n: Callable[[np.ndarray], np.ndarray], seconds: float, speed: float):
    def factory(_choice: DeviceChoice, _exercise: Exercise | None) -> ReplaySource:
        t = np.arange(0.0, seconds, 0.001)
        values = np.c_[force_n(t), np.full_like(t, 45.0)]
        return ReplaySource(t, values, ("force_n", "angle_deg"), speed=speed)

    return factory


def _start(qtbot, view: TrainingView) -> None:
    with qtbot.waitSignal(view.controller.started, timeout=START_TIMEOUT_MS):
        assert view.start_session()


def _stop(qtbot, view: TrainingView) -> object:
    with qtbot.waitSignal(view.controller.stopped, timeout=10_000) as blocker:
        assert view.stop_session()
    return blocker.args[0]


class FrameLog:
    """What the screen showed after each display frame (run after the view's own refresh)."""

    def __init__(self, view: TrainingView) -> None:
        self.view = view
        self.frames: list[dict] = []
        view.display_timer.timeout.connect(self._record)

    def _record(self) -> None:
        v = self.view
        self.frames.append(
            {
                "stroke_in_progress": v._live_stroke_start is not None,
                "force_trace_points": v.stroke_panel.force_plot.trace_points(),
                "strip_masked": v.strip.masked,
                "angle_text": v.angle_readout.value_text(),
            }
        )

    def during_strokes(self) -> list[dict]:
        return [f for f in self.frames if f["stroke_in_progress"]]


def _cell(view: TrainingView, row: int, col: int) -> str:
    model = view.table_model
    return model.data(model.index(row, col))


def test_a_simulated_session_fills_the_stroke_list_with_scored_strokes(qtbot, make_view) -> None:
    view = make_view(Schedule.CONCURRENT)
    log = FrameLog(view)
    _start(qtbot, view)
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= 4, timeout=STROKES_TIMEOUT_MS)
    rows = view.table_model.rows()
    assert [r.number for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.score is not None and 0 <= r.score <= 100 for r in rows)
    for i, r in enumerate(rows):
        assert _cell(view, i, COL_SCORE) == f"{r.score:.0f}"
        assert _cell(view, i, COL_RESULT) in ("✓ pass", "✗ fail")
    # Concurrent feedback: the stroke grows on screen while it happens, and the strip runs.
    qtbot.waitUntil(
        lambda: any(f["force_trace_points"] > 0 for f in log.during_strokes()),
        timeout=STROKES_TIMEOUT_MS,
    )
    assert not any(f["strip_masked"] for f in log.frames)
    assert view.strip.shade_counts()[0] >= 1
    assert view.angle_readout.value_text().endswith("°")
    summary = _stop(qtbot, view)
    n = view.table_model.rowCount()
    # Clicking a stroke in the list shows it against the envelope.
    first = view.table_model.index(0, 0)
    qtbot.mouseClick(
        view.table.viewport(), Qt.MouseButton.LeftButton, pos=view.table.visualRect(first).center()
    )
    assert view.stroke_panel.shown is view.table_model.rows()[0]
    assert view.stroke_panel.caption().startswith("Stroke 1 (picked from the list)")
    assert summary.strokes == n  # strokes flushed by the stop reached the list too
    assert view.summary_panel.value("strokes") == str(n)
    assert view.status.text().startswith(f"Session ended: {n} strokes")
    # The session recorded, and closed its recording properly.
    (csv,) = (view.controller.sessions_dir).glob("*.csv")
    events = read_events(csv)
    assert events[-1]["event"] == "summary"
    assert events[-1]["score_summary"]["strokes"] == n


def test_terminal_feedback_hides_the_stroke_while_it_happens_and_shows_it_after(
    qtbot, make_view
) -> None:
    view = make_view(Schedule.TERMINAL)
    log = FrameLog(view)
    _start(qtbot, view)
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= 3, timeout=STROKES_TIMEOUT_MS)
    qtbot.waitUntil(lambda: len(log.during_strokes()) >= 3, timeout=STROKES_TIMEOUT_MS)
    during = log.during_strokes()
    assert all(f["force_trace_points"] == 0 for f in during)
    assert all(f["strip_masked"] and f["angle_text"] == "–" for f in log.frames)
    # After each stroke: its result, in full.
    assert all(view.table_model.reveal_of(r.number) is Reveal.FULL for r in view.table_model.rows())
    qtbot.waitUntil(lambda: view.stroke_panel.shown is not None, timeout=STROKES_TIMEOUT_MS)
    assert view.stroke_panel.force_plot.trace_points() > 0


def test_a_no_feedback_block_holds_everything_back_until_it_ends(qtbot, make_view) -> None:
    view = make_view(Schedule.NONE)
    log = FrameLog(view)
    _start(qtbot, view)
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= 3, timeout=STROKES_TIMEOUT_MS)
    n = view.table_model.rowCount()
    assert all(_cell(view, i, COL_SCORE) == "" for i in range(n))
    assert all(_cell(view, i, COL_RESULT) == "held back" for i in range(n))
    assert view.summary_panel.value("mean_score") == HELD_BACK
    status = view.status.text()
    assert status.startswith("Stroke") and "recorded" in status
    assert "pass" not in status and "fail" not in status
    assert all(f["force_trace_points"] == 0 for f in log.frames)
    _stop(qtbot, view)
    n = view.table_model.rowCount()
    assert all(_cell(view, i, COL_SCORE).isdigit() for i in range(n))
    assert view.summary_panel.value("mean_score")[:2].strip().isdigit()
    assert view.stroke_panel.shown is not None


def test_self_controlled_feedback_shows_the_last_stroke_when_asked(qtbot, make_view) -> None:
    view = make_view(Schedule.SELF_CONTROLLED)
    assert view.actions_by_key["F"].shortcut().toString() == "F"
    _start(qtbot, view)
    assert not view.show_last_button.isHidden()
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= 2, timeout=STROKES_TIMEOUT_MS)
    view._timer.stop()  # freeze the screen so the next stroke cannot replace what we check
    rows = view.table_model.rows()
    assert all(view.table_model.reveal_of(r.number) is Reveal.HIDDEN for r in rows)
    view.actions_by_key["F"].trigger()
    last = rows[-1]
    assert view.table_model.reveal_of(last.number) is Reveal.FULL
    assert view.stroke_panel.shown is last
    assert view.status.text().startswith(f"Stroke {last.number}: {last.score:.0f}")
    view._timer.start()


def test_tare_zeroes_a_still_tool_from_the_button(qtbot, make_view) -> None:
    view = make_view(source_factory=_replay_factory(lambda t: np.full_like(t, 2.5), 60.0, 2.0))
    _start(qtbot, view)
    qtbot.waitUntil(lambda: view.session is not None and view.session.display is not None)
    assert view.tare_button.isEnabled()
    with qtbot.waitSignal(view.controller.tare, timeout=10_000) as blocker:
        qtbot.mouseClick(view.tare_button, Qt.MouseButton.LeftButton)
    result, error = blocker.args
    assert error is None and result.offset_n == pytest.approx(2.5, abs=0.01)
    assert "zeroed (offset +2.50 N)" in view.device_panel.tare_text()
    session = view.session
    qtbot.waitUntil(lambda: abs(float(session.display.latest(50)[1][:, 0].mean())) < 0.01)


def test_a_failed_tare_says_why_without_a_dialog(qtbot, make_view) -> None:
    moving = _replay_factory(lambda t: 5.0 + 4.0 * np.sin(2 * np.pi * t), 60.0, 2.0)
    view = make_view(source_factory=moving)
    _start(qtbot, view)
    with qtbot.waitSignal(view.controller.tare, timeout=10_000):
        assert view.request_tare()
    assert view.banner.showing("tare")
    assert "Tare failed" in view.banner.text() and "still" in view.banner.text()
    assert QApplication.activeModalWidget() is None


def test_an_unplugged_tool_shows_a_banner_that_clears_when_data_resumes(qtbot, make_view) -> None:
    view = make_view(source_factory=_replay_factory(lambda t: np.zeros_like(t), 120.0, 1.0))
    _start(qtbot, view)
    session = view.session
    qtbot.waitUntil(lambda: session.state().last_t_s is not None)
    # As the session thread reports it: the tool vanished; data resumes 1 s of device time later.
    back_at = session.state().last_t_s + 1.0
    reporter = threading.Thread(
        target=session.listener.on_event,
        args=(DeviceEvent(EventKind.DISCONNECTED, t_s=back_at, text="unplugged"),),
    )
    reporter.start()
    reporter.join()
    qtbot.waitUntil(lambda: view.banner.showing("disconnected"))
    assert "reconnecting" in view.banner.text()
    assert QApplication.activeModalWidget() is None
    qtbot.waitUntil(lambda: not view.banner.showing("disconnected"), timeout=10_000)
    assert view.device_panel.status_label.text() == "Connected"
    # A manual stop stays stopped, with no banner.
    _stop(qtbot, view)
    assert not view.banner.showing("disconnected")
    assert view.device_panel.status_label.text().startswith("Stopped")
    assert view.controller.phase is Phase.IDLE


def test_changing_the_schedule_mid_session_ends_the_block_and_reveals_it(qtbot, make_view) -> None:
    view = make_view(Schedule.NONE)
    _start(qtbot, view)
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= 2, timeout=STROKES_TIMEOUT_MS)
    view.set_schedule(Schedule.CONCURRENT)
    held = [
        r
        for r in view.table_model.rows()
        if view.table_model.reveal_of(r.number) is not Reveal.FULL
    ]
    assert held == []
    before = view.table_model.rowCount()
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= before + 2, timeout=STROKES_TIMEOUT_MS)
    # The new block counts its strokes from one, and shows them.
    assert view.policy.schedule is Schedule.CONCURRENT
    assert view.table_model.reveal_of(view.table_model.rows()[-1].number) is Reveal.FULL


def test_start_failure_is_reported_and_the_screen_stays_usable(qtbot, make_view) -> None:
    view = make_view(device=DeviceChoice("serial", port="/dev/does-not-exist-iastm"))
    with qtbot.waitSignal(view.controller.start_failed, timeout=START_TIMEOUT_MS):
        assert view.start_session()
    assert view.banner.showing("device")
    assert "does-not-exist" in view.banner.text()
    assert view.controller.phase is Phase.IDLE
    assert view.start_button.isEnabled()
