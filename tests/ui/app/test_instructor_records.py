"""The instructor view on a real SQLite file and a real PostgreSQL server: who has no assessment
attempt, the gradebook written and read back, an assessment set up and released through its
dialog, and a stroke rated while the stored session is replayed; wrong passphrases change
nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QPushButton

from trainer.library.exercise import find_exercise
from trainer.offline.analysis import score_recording
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording
from trainer.records.assessments import assessment
from trainer.records.capture import session_from_scores
from trainer.records.repository import Records
from ui.records.instructor_window import InstructorWindow

PW = "instructor passphrase"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "twelve.csv"
    simulate_recording(path, skill="competent", strokes=12, seed=5, rate_hz=500.0)
    return path


@pytest.fixture
def class_db(db_target: str, recorded: Path) -> tuple[str, str]:
    """A course with an assessment of 10 sweeps: Ann took it (a real recorded session), Ben has
    not; on each backend. Returns the database's target and Ann's session id."""
    db = db_target
    exercise = find_exercise("sweep")
    report = score_recording(read_recording(recorded), exercise)
    with Records.open(db) as records:
        records.add_course(PW, "PT-301", "Manual therapy lab")
        records.add_student(PW, "S-1", "Ann Lee", course_id="PT-301")
        records.add_student(PW, "S-2", "Ben Ode", course_id="PT-301")
        records.add_assessment(
            PW,
            "sweep-final",
            course_id="PT-301",
            exercise_id="sweep",
            strokes_n=10,
            pass_score=50,
            rubric={"pressure": 3},
        )
        new = session_from_scores(
            student_id="S-1",
            exercise=exercise,
            scores=report.scores,
            summary=report.summary,
            recording=read_recording(recorded),
            mode="assessment",
            assessment_id="sweep-final",
        )
        records.add_session(new)
    return db, new.id


def open_window(qtbot, db: str) -> InstructorWindow:
    window = InstructorWindow(str(db), ["sweep", "fan"])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.course_combo.count() == 1, timeout=15_000)
    return window


def double_click(qtbot, table, pos) -> None:
    """A press, then the double click, as a mouse sends them (a view acts on a double click only
    on the item the press was on)."""
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def click_ok(buttons: QDialogButtonBox) -> None:
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_completeness_lists_who_has_no_attempt_and_the_gradebook_is_written(
    qtbot, class_db: tuple[str, str], tmp_path: Path
) -> None:
    db, _ = class_db
    window = open_window(qtbot, db)
    panel = window.gradebook
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=15_000)
    states = panel.states()
    assert states[("S-2", "sweep-final")] == "no attempt"
    assert states[("S-1", "sweep-final")] == "complete"
    assert panel.table.item(0, 0).text() == "Ben Ode (S-2)"  # who is missing comes first
    assert "1 without an attempt" in panel.note.text()
    # Export the gradebook as plain CSV through the file dialog, answered by its Save button.
    panel.format_combo.setCurrentIndex(panel.format_combo.findData("csv"))
    out = tmp_path / "grades.csv"
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    dialog = panel.file_dialog
    assert isinstance(dialog, QFileDialog)
    dialog.selectFile(str(out))
    save = next(
        b
        for box in dialog.findChildren(QDialogButtonBox)
        for b in box.buttons()
        if box.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole
    )
    with qtbot.waitSignal(panel.exported, timeout=15_000) as said:
        save.click()
    assert said.args[0] == f"Gradebook for csv written to {out} (2 students)."
    with out.open(newline="", encoding="utf-8") as f:
        rows = {r[0]: r for r in csv.reader(f)}
    with Records.open(db) as records:
        grade = records.grades("PT-301")["students"][0]["grades"]["sweep-final"]
    assert grade is not None
    assert rows["student_id"][3:] == ["sweep-final score", "sweep-final passed"]
    passed = "yes" if grade["passed"] else "no"
    assert rows["S-1"] == ["S-1", "Ann Lee", "", f"{grade['score']:g}", passed]
    assert rows["S-2"] == ["S-2", "Ben Ode", "", "", ""]  # no attempt: empty cells, not zero
    # Each system's layout, by its own first header.
    first_header = {
        "canvas": "Student",
        "moodle": "ID number",
        "brightspace": "OrgDefinedId",
        "blackboard": "Username",
    }
    for fmt, header in first_header.items():
        target = tmp_path / f"{fmt}.csv"
        with qtbot.waitSignal(panel.exported, timeout=15_000) as said:
            panel.export_to(target, fmt)
        assert said.args[0] == f"Gradebook for {fmt} written to {target} (2 students)."
        with target.open(newline="", encoding="utf-8") as f:
            assert next(csv.reader(f))[0] == header
    # A folder that does not exist: one line saying why, nothing written.
    bad = tmp_path / "no such folder" / "grades.csv"
    with qtbot.waitSignal(panel.exported, timeout=15_000) as said:
        panel.export_to(bad, "canvas")
    assert said.args[0] == (
        f"Gradebook not written: {bad}: cannot write: No such file or directory"
    )
    assert not bad.exists()


def test_an_assessment_set_up_in_its_dialog_is_in_the_records_and_results_are_released(
    qtbot, class_db: tuple[str, str]
) -> None:
    db, _ = class_db
    window = open_window(qtbot, db)
    dialog = window.open_add_assessment()
    assert dialog is not None
    assert dialog.passphrase.echoMode() == dialog.passphrase.EchoMode.Password
    dialog.id_edit.setText("fan-final")
    dialog.title_edit.setText("Fan, final")
    dialog.exercise_combo.setCurrentText("fan")
    dialog.strokes_spin.setValue(8)
    dialog.pass_score_spin.setValue(65)
    dialog.pass_share_spin.setValue(75)
    dialog.rubric_edit.setText("posture 3, pressure 3.5")
    # A wrong passphrase: the dialog stays open with the reason, nothing added.
    dialog.passphrase.setText("not the passphrase")
    click_ok(dialog.buttons)
    qtbot.waitUntil(lambda: dialog.line.text().startswith("Not added"), timeout=15_000)
    assert "wrong instructor passphrase" in dialog.line.text()
    assert dialog.isVisible()
    with Records.open(db) as records:
        assert [a["id"] for a in records.grades("PT-301")["assessments"]] == ["sweep-final"]
    dialog.passphrase.setText(PW)
    with qtbot.waitSignal(dialog.added, timeout=15_000):
        click_ok(dialog.buttons)
    assert not dialog.isVisible()
    assert "fan-final" in window.line.text()
    with Records.open(db) as records:
        added = records.db.read(lambda c: assessment(c, "fan-final"))
    assert added["exercise_id"] == "fan" and added["strokes"] == 8
    assert added["pass_score"] == 65 and added["pass_share"] == pytest.approx(0.75)
    assert added["title"] == "Fan, final" and added["max_cv_pct"] is None
    assert '"pressure": 3.5' in added["rubric"]
    # The completeness check now lists both students as missing the new assessment.
    qtbot.waitUntil(lambda: window.gradebook.table.rowCount() == 4, timeout=15_000)
    assert window.gradebook.states()[("S-1", "fan-final")] == "no attempt"
    # Release the results of the first assessment.
    window.open_release()
    qtbot.waitUntil(lambda: window.dialog is not dialog, timeout=15_000)
    release = window.dialog
    release.assessment_combo.setCurrentIndex(release.assessment_combo.findData("sweep-final"))
    assert release.passphrase.echoMode() == release.passphrase.EchoMode.Password
    release.passphrase.setText("not the passphrase")
    click_ok(release.buttons)
    qtbot.waitUntil(lambda: release.line.text().startswith("Not released"), timeout=15_000)
    assert release.line.text() == "Not released: wrong instructor passphrase: nothing was changed"
    with Records.open(db) as records:
        assert records.db.read(lambda c: assessment(c, "sweep-final"))["released_at"] is None
    release.passphrase.setText(PW)
    with qtbot.waitSignal(release.released, timeout=15_000):
        click_ok(release.buttons)
    assert "Results of 'sweep-final' released" in window.line.text()
    with Records.open(db) as records:
        assert records.db.read(lambda c: assessment(c, "sweep-final"))["released_at"] is not None
        assert records.db.read(lambda c: assessment(c, "fan-final"))["released_at"] is None


def test_a_stroke_rated_while_its_session_is_replayed_is_stored(
    qtbot, class_db: tuple[str, str]
) -> None:
    db, session_id = class_db
    window = open_window(qtbot, db)
    window.tabs.setCurrentWidget(window.rating)
    panel = window.rating
    qtbot.waitUntil(lambda: panel.student_combo.count() == 2, timeout=15_000)
    panel.choose_student("S-1")
    qtbot.waitUntil(lambda: panel.sessions.rowCount() == 1, timeout=15_000)
    with qtbot.waitSignal(panel.replayed, timeout=30_000):
        panel.choose_session(0)
    assert panel.model.rowCount() == 12  # the recording's strokes, scored again
    assert "12 strokes scored again" in panel.note.text()
    # The assessment's rubric item is offered first, and its result waits for the mark.
    assert panel.item_combo.currentText() == "pressure"
    assert "pressure rating not given yet, at least 3" in panel.verdict.text()
    # Pick stroke 3 by clicking its row, as the instructor would.
    rect = panel.strokes.visualRect(panel.model.index(2, 0))
    qtbot.mouseClick(panel.strokes.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.rate_button.text() == "Rate stroke 3"
    assert panel.plot.shown is not None and panel.plot.shown.number == 3
    panel.rater_edit.setText("Dr Lee")
    panel.item_combo.setCurrentText("pressure")
    panel.value_spin.setValue(4)
    panel.comment_edit.setText("eased off too early")
    assert panel.passphrase.echoMode() == panel.passphrase.EchoMode.Password
    panel.passphrase.setText("wrong")
    with qtbot.waitSignal(panel.said, timeout=15_000) as said:
        qtbot.mouseClick(panel.rate_button, Qt.MouseButton.LeftButton)
    assert said.args[0] == "Not rated: wrong instructor passphrase: nothing was changed"
    with Records.open(db) as records:
        assert records.session_ratings(session_id) == []
    panel.passphrase.setText(PW)
    with qtbot.waitSignal(panel.said, timeout=15_000) as said:
        qtbot.mouseClick(panel.rate_button, Qt.MouseButton.LeftButton)
    assert said.args[0] == "Stroke 3: pressure rated 4 by Dr Lee."
    with Records.open(db) as records:
        (given,) = records.session_ratings(session_id)
    assert given == {
        "stroke": 3,
        "item": "pressure",
        "value": 4.0,
        "comment": "eased off too early",
        "rater": "Dr Lee",
    }
    assert panel.rated.item(0).text() == "stroke 3: pressure 4 by Dr Lee – eased off too early"
    assert panel.verdict.text().startswith("Assessment sweep-final: ")
    assert "pressure rating" not in panel.verdict.text()  # the mark of 4 meets its minimum


def test_a_session_stored_without_its_recording_says_so_and_offers_nothing_to_rate(
    qtbot, class_db: tuple[str, str]
) -> None:
    from tests.trainer.records.helpers import make_session

    db, _ = class_db
    with Records.open(db) as records:
        records.add_session(make_session("S-2", [60.0] * 5, recording=None, course_id="PT-301"))
    window = open_window(qtbot, db)
    panel = window.rating
    qtbot.waitUntil(lambda: panel.student_combo.count() == 2, timeout=15_000)
    panel.choose_student("S-2")
    qtbot.waitUntil(lambda: panel.sessions.rowCount() == 1, timeout=15_000)
    with qtbot.waitSignal(panel.replayed, timeout=15_000):
        panel.choose_session(0)
    assert panel.note.text() == "Stored without its recording: no strokes to replay."
    assert panel.model.rowCount() == 0
    assert not panel.rate_button.isEnabled()
    assert panel.verdict.text() == ""  # a practice session has no assessment result
    # The session as a whole can still be rated.
    panel.rater_edit.setText("Dr Lee")
    panel.item_combo.setCurrentText("overall")
    panel.value_spin.setValue(5)
    panel.passphrase.setText(PW)
    with qtbot.waitSignal(panel.said, timeout=15_000) as said:
        qtbot.mouseClick(panel.rate_session_button, Qt.MouseButton.LeftButton)
    assert said.args[0] == "The session: overall rated 5 by Dr Lee."
    with Records.open(db) as records:
        (session,) = records.sessions("S-2")
        (given,) = records.session_ratings(session["session"])
    assert (given["stroke"], given["item"], given["value"]) == (None, "overall", 5.0)


def test_the_records_menu_opens_the_instructor_view(
    qtbot, make_window, class_db: tuple[str, str], monkeypatch
) -> None:
    db, _ = class_db
    monkeypatch.setenv("IASTM_TRAINER_DB", str(db))
    window = make_window(autostart=False, probe_ports=False)
    window.instructor_action.trigger()
    view = window.instructor_window
    assert isinstance(view, InstructorWindow) and view.isVisible()
    qtbot.waitUntil(lambda: view.gradebook.table.rowCount() == 2, timeout=15_000)
    assert view.findChildren(QPushButton)  # its buttons are real, reachable widgets
    from ui.theme import DARK

    window.apply_theme(DARK)
    assert view.rating.plot.force_plot._theme is DARK


def test_double_clicking_an_attempt_in_the_completeness_check_replays_it_for_rating(
    qtbot, class_db: tuple[str, str]
) -> None:
    db, session_id = class_db
    window = open_window(qtbot, db)
    table = window.gradebook.table
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=15_000)
    row = next(r for r in range(2) if table.item(r, 0).text() == "Ann Lee (S-1)")
    rect = table.visualItemRect(table.item(row, 2))
    with qtbot.waitSignal(window.rating.replayed, timeout=30_000) as replayed:
        double_click(qtbot, table, rect.center())
    assert replayed.args[0] == session_id
    assert window.tabs.currentWidget() is window.rating
    assert window.rating.student_combo.currentData() == "S-1"
    assert window.rating.model.rowCount() == 12
    # Ben has no attempt: his row opens nothing.
    other = table.visualItemRect(table.item(1 - row, 2))
    window.tabs.setCurrentWidget(window.gradebook)
    double_click(qtbot, table, other.center())
    assert window.tabs.currentWidget() is window.gradebook


def test_the_rating_tab_says_how_far_the_raters_agree(qtbot, class_db: tuple[str, str]) -> None:
    """Two instructors rate the same strokes: the tab reads their agreement (ICC 2,1, with its
    interval and Koo and Li's words for that interval) after each rating; before, why it
    cannot."""
    from trainer.records.agreement import icc
    from ui.records.agreement_line import reading

    db, session_id = class_db
    window = open_window(qtbot, db)
    panel = window.rating
    qtbot.waitUntil(lambda: "no ratings" in panel.agreement.text(), timeout=15_000)
    marks = {"Dr Lee": [2, 3, 5, 4, 3], "Dr Ode": [2, 4, 5, 4, 2]}
    with Records.open(db) as records:
        for rater, values in marks.items():
            for stroke, value in enumerate(values, start=1):
                records.rate(
                    PW, session_id, rater=rater, item="pressure", value=value, stroke=stroke
                )
    panel.show_agreement("pressure")
    qtbot.waitUntil(lambda: "ICC" in panel.agreement.text(), timeout=15_000)
    expected = icc([[a, b] for a, b in zip(*marks.values(), strict=True)])
    text = panel.agreement.text()
    assert f"ICC {expected.icc_2_1:.2f}" in text
    assert f"95 % CI {expected.ci95[0]:.2f} to {expected.ci95[1]:.2f}" in text
    assert f": {reading(*expected.ci95)})" in text  # five strokes: a wide interval, said so
    assert text.endswith("2 raters")
    full = panel.agreement.toolTip()  # the whole reading, for the instructor who asks
    assert "over the 5 strokes or sessions every one of them rated" in full
    assert f"A change of {expected.mdc95:.1f}" in full
