"""Reviewing a recording: the same strokes and scores as scoring it offline, one at a time.

Recordings come from the simulator through the real ITP/1 parser (``simulate_recording``); the
window reads and scores them off the GUI thread, and the tests wait for its signals.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QPushButton

import ui.app.main_window as main_window_module
from trainer.library.exercise import Exercise
from trainer.offline.analysis import score_recording
from trainer.offline.simulation import simulate_recording
from trainer.paths import AppPaths
from trainer.recordings.events import events_path
from trainer.recordings.reader import read_recording
from trainer.recordings.writer import write_recording
from ui.app.main_window import RECOVERY_KEY, MainWindow
from ui.plots.recording_strip import Gap, break_at_gaps, gaps_from_events
from ui.review.review_view import ReviewView, choose_exercise
from ui.strokes.stroke_table import COL_RESULT
from ui.training.session_controller import Phase

LOAD_TIMEOUT_MS = 15_000


@pytest.fixture
def make_review(qtbot, sweep_exercise: Exercise) -> Iterator[Callable[..., ReviewView]]:
    made: list[ReviewView] = []

    def make(exercises: list[Exercise] | None = None, current: Exercise | None = None):
        view = ReviewView(exercises or [sweep_exercise], current or sweep_exercise)
        qtbot.addWidget(view)
        view.show()
        made.append(view)
        return view

    yield make
    made.clear()


def _load(qtbot, view: ReviewView, path: Path) -> None:
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT_MS):
        view.load(path)


@pytest.fixture(scope="module")
def trainee_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path, _ = simulate_recording(
        tmp_path_factory.mktemp("review") / "trainee.csv", skill="competent", strokes=8, seed=4
    )
    return path


def test_the_list_shows_the_strokes_with_the_scores_offline_scoring_gives(
    qtbot, make_review, trainee_csv: Path, sweep_exercise: Exercise
) -> None:
    view = make_review()
    _load(qtbot, view, trainee_csv)
    expected = score_recording(read_recording(trainee_csv), sweep_exercise)
    rows = view.table_model.rows()
    assert len(rows) == len(expected.scores) == 8
    assert [r.number for r in rows] == [s.index for s in expected.scores]
    assert [r.score for r in rows] == [s.score for s in expected.scores]
    assert [r.passed for r in rows] == [s.passed for s in expected.scores]
    assert view.summary_panel.value("strokes") == "8"
    assert view.summary_panel.value("mean_score").startswith(f"{expected.summary.mean_score:.0f}")
    # The whole recording is in the strip, every stroke shaded.
    assert view.strip.shade_counts() == (8, 0)
    t0, t1 = view.strip.x_range()
    recording = read_recording(trainee_csv)
    assert t0 <= recording.t_s[0] and t1 >= recording.t_s[-1]
    assert trainee_csv.name in view.windowTitle()
    assert "Reviewing trainee.csv: 8 strokes" in view.banner.text()


def test_picking_a_row_shows_that_stroke_and_the_arrow_keys_step_through_them(
    qtbot, make_review, trainee_csv: Path, sweep_exercise: Exercise
) -> None:
    view = make_review()
    _load(qtbot, view, trainee_csv)
    expected = score_recording(read_recording(trainee_csv), sweep_exercise)
    assert view.selected_index() == 0  # the first stroke is shown on opening

    k = 5
    rect = view.table.visualRect(view.table_model.index(k, COL_RESULT))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    shown = view.stroke_panel.shown
    assert shown is not None and shown.number == expected.scores[k].index
    np.testing.assert_allclose(shown.force_curve_n, expected.scores[k].normalised.force_n)
    assert view.stroke_panel.force_plot.trace_points() == 101
    assert view.stroke_panel.caption().startswith(f"Stroke {k + 1} of 8")
    assert view.strip.selected == k
    assert expected.scores[k].explanation[0] in view.why.text()

    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.stroke_panel.shown.number == k + 2
    # Elsewhere in the window the keys step too, and stop at the ends.
    view.all_button.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.stroke_panel.shown.number == k
    qtbot.keyClick(view, Qt.Key.Key_End)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.selected_index() == 7 and view.strip.selected == 7

    # A click on the strip picks the stroke there.
    stroke = expected.strokes[2]
    box = view.strip.force_plot.getViewBox()
    y = sum(box.viewRange()[1]) / 2
    scene_pos = box.mapViewToScene(QPointF((stroke.start_s + stroke.end_s) / 2, y))
    pos = view.strip.mapFromScene(scene_pos)
    with qtbot.waitSignal(view.strip.stroke_clicked) as clicked:
        qtbot.mouseClick(view.strip.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert clicked.args == [2]
    assert view.selected_index() == 2


def test_a_broken_file_is_named_with_its_line_in_a_banner_and_the_open_review_stays(
    qtbot, make_review, trainee_csv: Path, tmp_path: Path
) -> None:
    view = make_review()
    _load(qtbot, view, trainee_csv)
    lines = trainee_csv.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("time_s"))
    bad_line = header + 40  # 1-based file line of the 39th data row
    lines[bad_line - 1] = "0.1234,not-a-number,45"
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with qtbot.waitSignal(view.load_failed, timeout=LOAD_TIMEOUT_MS) as failed:
        view.load(broken)
    assert f"line {bad_line}" in failed.args[0]
    assert view.banner.isVisible() and "broken.csv" in view.banner.text()
    assert f"line {bad_line}" in view.banner.text()
    assert QApplication.activeModalWidget() is None
    assert view.table_model.rowCount() == 8  # what was open is still there
    assert view.review is not None and view.review.path == trainee_csv

    with qtbot.waitSignal(view.load_failed, timeout=LOAD_TIMEOUT_MS) as missing:
        view.load(tmp_path / "nowhere.csv")
    assert "nowhere.csv" in missing.args[0] and "no such file" in missing.args[0]


def test_gaps_in_the_event_log_are_hatched_and_the_line_is_broken_over_them(
    qtbot, make_review, trainee_csv: Path, tmp_path: Path
) -> None:
    rec = read_recording(trainee_csv)
    keep = (rec.t_s < 6.0) | (rec.t_s >= 7.5)
    path = write_recording(tmp_path / "gappy.csv", rec.t_s[keep], rec.values[keep], rec.channels)
    last_before = float(rec.t_s[rec.t_s < 6.0][-1])
    with open(events_path(path), "a", encoding="utf-8") as f:
        f.write(json.dumps({"event": "disconnected", "t_s": last_before}) + "\n")
        f.write(json.dumps({"event": "lost", "t_s": 9.0, "count": 12}) + "\n")
    gaps = gaps_from_events(read_recording(path).events, rec.t_s[keep])
    assert gaps[0] == Gap(last_before, pytest.approx(7.5, abs=1e-6), "disconnected")
    assert gaps[1] == Gap(9.0, 9.0, "lost 12")

    view = make_review()
    _load(qtbot, view, path)
    assert view.strip.shade_counts()[1] == 2
    t, f = break_at_gaps(rec.t_s[keep], rec.values[keep][:, 0])
    assert np.count_nonzero(np.isnan(f)) == 1 and last_before < t[np.isnan(f)][0] < 7.5


def test_the_exercise_the_recording_names_is_used_and_another_can_be_chosen(
    qtbot, make_review, trainee_csv: Path, tmp_path: Path, sweep_exercise: Exercise
) -> None:
    strict = replace(sweep_exercise, id="sweep-strict", name="Sweep (strict)", pass_mark=99.0)
    rec = read_recording(trainee_csv)
    named = write_recording(
        tmp_path / "named.csv", rec.t_s, rec.values, rec.channels, {"exercise": "sweep-strict v1"}
    )
    view = make_review([sweep_exercise, strict], current=sweep_exercise)
    _load(qtbot, view, named)
    assert view.review.report.exercise.id == "sweep-strict"
    assert view.exercise_combo.currentData() == "sweep-strict"
    assert view.summary_panel.value("pass_rate") == "0 %"

    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT_MS):
        view.exercise_combo.setCurrentIndex(0)
        view.exercise_combo.activated.emit(0)
    assert view.review.report.exercise.id == sweep_exercise.id
    assert view.summary_panel.value("pass_rate") != "0 %"

    # A recording naming an exercise this machine lacks is scored against the current one, and
    # the screen says so.
    unknown = write_recording(
        tmp_path / "unknown.csv", rec.t_s, rec.values, rec.channels, {"exercise": "elsewhere v3"}
    )
    exercise, note = choose_exercise(read_recording(unknown), [strict], sweep_exercise)
    assert exercise is sweep_exercise and "elsewhere" in note


@pytest.fixture
def make_window(qtbot, tmp_path: Path, sweep_exercise: Exercise, monkeypatch):
    monkeypatch.setattr(main_window_module, "list_port_entries", lambda probe=True: [])
    made: list[MainWindow] = []

    def make() -> MainWindow:
        window = MainWindow(
            [sweep_exercise], AppPaths.under(tmp_path), autostart=False, probe_ports=False
        )
        qtbot.addWidget(window)
        made.append(window)
        window.show()
        return window

    yield make
    for window in made:
        if window.review is not None:
            window.review.close()
    made.clear()


def test_crash_recovery_and_the_file_menu_open_the_review_window(
    qtbot, make_window, tmp_path: Path, monkeypatch
) -> None:
    sessions = AppPaths.under(tmp_path).ensure().sessions_dir
    crashed, _ = simulate_recording(sessions / "20250101-100000-sweep.csv", strokes=6, seed=5)
    window = make_window()
    assert window.view.banner.showing(RECOVERY_KEY)
    (open_button,) = [
        b for b in window.view.banner.findChildren(QPushButton) if b.text() == "Open for review"
    ]
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    review = window.review
    assert review is not None and review.isVisible()
    qtbot.waitUntil(lambda: review.stroke_count() == 6, timeout=LOAD_TIMEOUT_MS)
    assert review.banner.text().startswith(f"Reviewing {crashed.name}")
    assert all(r.score is not None for r in review.table_model.rows())
    assert not window.view.banner.showing(RECOVERY_KEY)
    assert window.offer_recovery() == []  # offered once
    assert window.controller.phase is Phase.IDLE  # reviewing leaves training alone

    other, _ = simulate_recording(tmp_path / "other.csv", strokes=4, seed=6)
    monkeypatch.setattr(
        "ui.review.review_view.QFileDialog.getOpenFileName", lambda *a, **k: (str(other), "")
    )
    assert window.open_recording_action.shortcut().toString() == "Ctrl+O"
    with qtbot.waitSignal(review.loaded, timeout=LOAD_TIMEOUT_MS):
        window.open_recording_action.trigger()
    assert review.stroke_count() == 4 and review.title.text() == "other.csv"
