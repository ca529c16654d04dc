"""The training screen with a keyboard and with a silent port: no traps, no false "Connected"."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.dialogs import answer_next_question
from trainer.library.exercise import Exercise, find_exercise
from trainer.live.connection import DeviceChoice
from ui.training.session_controller import Phase
from ui.training.training_view import NO_DATA_KEY, TrainingView


@pytest.fixture
def silent_port() -> Iterator[str]:
    """A real serial port (a pseudo-terminal) on which nothing ever answers."""
    master, slave = os.openpty()
    try:
        yield os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


def test_a_silent_port_says_no_data_instead_of_looking_connected(
    qtbot, make_view, silent_port: str
) -> None:
    view: TrainingView = make_view(device=DeviceChoice("serial", port=silent_port))
    with qtbot.waitSignal(view.controller.started, timeout=15_000):
        assert view.start_session()
    qtbot.waitUntil(lambda: view.banner.showing(NO_DATA_KEY), timeout=10_000)
    assert f"No data from {silent_port}" in view.banner.text()
    assert view.device_panel.identity_label.text() == "Device: –"  # nothing from before
    assert view.device_panel.rate_label.text() == "0 samples/s"


def test_tab_walks_out_of_the_stroke_list_both_ways(qtbot, make_view) -> None:
    view: TrainingView = make_view()
    with qtbot.waitSignal(view.controller.started, timeout=15_000):
        assert view.start_session()
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= 2, timeout=30_000)
    with qtbot.waitSignal(view.controller.stopped, timeout=10_000):
        view.stop_session()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.table.selectRow(0)  # a stroke picked in the list: where Tab used to walk the cells
    view.table.setFocus()
    qtbot.waitUntil(view.table.hasFocus)
    qtbot.keyClick(view.table, Qt.Key.Key_Tab)
    assert not view.table.hasFocus()
    view.table.setFocus()
    qtbot.waitUntil(view.table.hasFocus)
    qtbot.keyClick(view.table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert not view.table.hasFocus()


def test_arrow_keys_do_not_change_the_feedback_schedule_unseen(qtbot, make_view) -> None:
    view: TrainingView = make_view()
    before = view.controls.schedule()
    view.schedule_combo.setFocus()
    qtbot.keyClick(view.schedule_combo, Qt.Key.Key_Down)
    qtbot.keyClick(view.schedule_combo, Qt.Key.Key_Down)
    assert view.controls.schedule() is before


def test_another_exercise_mid_session_asks_and_cancel_keeps_the_session(
    qtbot, make_view, sweep_exercise: Exercise
) -> None:
    other = find_exercise("fan")
    view: TrainingView = make_view()
    view.picker.add_exercise(other)
    with qtbot.waitSignal(view.controller.started, timeout=15_000):
        assert view.start_session()
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= 1, timeout=30_000)
    session = view.controller.session
    asked: list[str] = []
    answer_next_question("Cancel", asked)
    view.picker.select_id(other.id)
    assert "strokes (kept in its recording)" in asked[0] and other.name in asked[0]
    assert view.picker.current().id == sweep_exercise.id
    assert view.controller.phase is Phase.RUNNING and view.controller.session is session
    # Yes: the session ends and a new one starts on the other exercise.
    answer_next_question("End it", asked)
    with qtbot.waitSignal(view.controller.started, timeout=20_000):
        view.picker.select_id(other.id)
    assert view.controller.session is not session
    assert view.controller.session.exercise.id == other.id
    QApplication.processEvents()
