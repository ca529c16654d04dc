"""The records in the application, on a real SQLite file and a real PostgreSQL server: pick who
is training, a finished session is stored for them, and their progress shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.records.repository import Records
from ui.records.student_picker import GUEST
from ui.training.session_controller import Phase


@pytest.fixture
def records_db(db_target: str, monkeypatch) -> str:
    """Two students in the station's records, on a SQLite file and on a PostgreSQL server."""
    db = db_target
    monkeypatch.setenv("IASTM_TRAINER_DB", db)
    with Records.open(db) as records:
        records.add_student("instructor passphrase", "S-017", "Ann Lee")
        records.add_student("instructor passphrase", "S-018", "Ben Ode")
    return db


def test_a_session_is_stored_for_the_student_training_and_shows_in_their_progress(
    qtbot, make_window, records_db: str, tmp_path: Path
) -> None:
    window = make_window(autostart=False, probe_ports=False)
    picker = window.choose_student()
    qtbot.waitUntil(lambda: len(picker.students_listed()) == 3, timeout=15_000)
    assert picker.students_listed()[0] == GUEST
    assert "Ann Lee (S-017)" in picker.students_listed()
    picker.list.setCurrentRow(picker.students_listed().index("Ann Lee (S-017)"))
    picker.accept()
    assert window.records.student_id == "S-017"
    assert "Ann Lee" in window.statusBar().currentMessage()
    # Train: a session's strokes, then Stop.
    with qtbot.waitSignal(window.controller.started, timeout=15_000):
        window.view.start_session()
    qtbot.waitUntil(lambda: window.view.table_model.rowCount() >= 3, timeout=30_000)
    with qtbot.waitSignal(window.records.stored, timeout=30_000):
        window.view.stop_session()
    n = window.view.table_model.rowCount()
    assert f"Stored for Ann Lee: {n} strokes" in window.statusBar().currentMessage()
    with Records.open(records_db) as records:
        (stored,) = records.sessions("S-017")
        assert records.sessions("S-018") == []
    assert stored["strokes"] == n
    # The student stays chosen at the next start.
    assert window.settings.records_student() == ("S-017", "Ann Lee")
    # Progress shows the session, on the chart and in the table.
    progress = window.open_progress()
    qtbot.waitUntil(lambda: progress.table.rowCount() == 1, timeout=15_000)
    assert progress.student_combo.currentData() == "S-017"
    assert progress.points_drawn() >= 1
    assert progress.table.item(0, 2).text() == str(n)


def test_a_guest_trains_without_anything_stored(qtbot, make_window, records_db: str) -> None:
    window = make_window(autostart=False, probe_ports=False)
    assert window.records.student_id is None
    with qtbot.waitSignal(window.controller.started, timeout=15_000):
        window.view.start_session()
    qtbot.waitUntil(lambda: window.view.table_model.rowCount() >= 1, timeout=30_000)
    with qtbot.waitSignal(window.controller.stopped, timeout=10_000):
        window.view.stop_session()
    qtbot.wait(300)
    with Records.open(records_db) as records:
        assert records.sessions() == []
    assert window.controller.phase is Phase.IDLE


def test_the_class_view_shows_who_is_behind_and_the_hardest_exercises(
    qtbot, make_window, tmp_path: Path, monkeypatch
) -> None:
    from datetime import timedelta

    from tests.trainer.records.helpers import START, make_session

    db = tmp_path / "class.sqlite"
    monkeypatch.setenv("IASTM_TRAINER_DB", str(db))
    pw = "instructor passphrase"
    with Records.open(db) as records:
        records.add_course(pw, "PT-301", "Manual therapy lab")
        for sid, name, scores in (
            ("S-1", "Ann Lee", [82.0, 85.0, 88.0]),
            ("S-2", "Ben Ode", [55.0, 52.0, 58.0]),
            ("S-3", "Cy Park", [78.0, 80.0, 81.0]),
        ):
            records.add_student(pw, sid, name, course_id="PT-301")
            for week, score in enumerate(scores):
                records.add_session(
                    make_session(
                        sid,
                        [score] * 10,
                        course_id="PT-301",
                        started=START + timedelta(weeks=week),
                        exercise_id="fan" if week == 2 else "sweep",
                    )
                )
    window = make_window(autostart=False, probe_ports=False)
    view = window.open_class()
    qtbot.waitUntil(lambda: view.students.rowCount() == 3, timeout=15_000)
    first = view.students.item(0, 0).text()
    assert first == "Ben Ode (S-2)" and view.students.item(0, 5).text() == "behind"
    assert all(view.students.item(r, 5).text() == "" for r in (1, 2))
    assert view.exercises.rowCount() == 2
    assert "1 behind" in view.note.text()


def test_closing_right_after_a_session_waits_until_it_is_in_the_records(
    qtbot, make_window, records_db: str
) -> None:
    """Quitting straight after Stop (the end of a lab, a logout) must not lose the session from
    the student's records: it is stored on a worker thread that dies with the process, so the
    window waits for it before it closes."""
    window = make_window(autostart=False, probe_ports=False)
    window.records.set_student("S-018", "Ben Ode")
    with qtbot.waitSignal(window.controller.started, timeout=15_000):
        window.view.start_session()
    qtbot.waitUntil(lambda: window.view.table_model.rowCount() >= 2, timeout=30_000)
    in_records_when_closed: list[int] = []
    original_close_event = window.closeEvent

    def close_event(event) -> None:
        original_close_event(event)
        if event.isAccepted():  # the moment the process could end
            with Records.open(records_db) as records:
                in_records_when_closed.append(len(records.sessions("S-018")))

    window.closeEvent = close_event  # type: ignore[method-assign]
    window.close()  # while the session runs: stop, store, then close
    qtbot.waitUntil(lambda: bool(in_records_when_closed), timeout=40_000)
    assert in_records_when_closed == [1]
    assert not window.isVisible()
    with Records.open(records_db) as records:
        (stored,) = records.sessions("S-018")
    assert stored["strokes"] >= 2
