"""Rating strokes while replaying them: a student's stored session scored again from its stored
recording against the exercise version it was scored with, its strokes listed and drawn against
the experts' band, and the instructor's rubric mark for the selected stroke stored with a comment.

The recording and the exact exercise definition come from the records (``Records.recording``,
``Records.session_exercise``), so a session from last term replays as it was scored then, even if
the exercise file has changed since. The recording is written to a temporary folder only to be
read by the same reader every recording goes through, and is gone when scored. Every records call
runs off the GUI thread; the passphrase is read from its password field for each rating and kept
nowhere else.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from trainer.library.exercise import Exercise
from trainer.live.feedback import Reveal
from trainer.records.repository import Records
from ui.records.agreement_line import agreement_line, not_yet_line, read_agreement
from ui.records.assessment_dialog import passphrase_field
from ui.records.class_window import fill_row, records_table
from ui.records.documents import ask_pdf, write_session_report
from ui.runtime.background import run_in_background
from ui.strokes.stroke_panel import StrokePanel
from ui.strokes.stroke_rows import StrokeRow, row_from
from ui.strokes.stroke_table import StrokeTable, StrokeTableModel
from ui.theme import LIGHT, Theme

SESSION_COLUMNS = ("Started (UTC)", "Exercise", "Mode", "Strokes", "Mean", "Assessment")
#: Rubric items offered before any has been rated; the item box takes any other name typed.
DEFAULT_ITEMS = ("technique", "pressure", "angle", "rhythm")


@dataclass
class Replay:
    """A stored session scored again, ready to show."""

    session_id: str
    exercise: Exercise | None
    rows: list[StrokeRow]
    ratings: list[dict[str, Any]]
    note: str
    #: The rubric items the session's assessment asks for (first in the item box).
    rubric: list[str] = field(default_factory=list)
    #: The assessment's result in one line (None for a practice session).
    verdict: str | None = None


def read_students(target: str, course_id: str | None) -> list[dict[str, Any]]:
    with Records.open(target) as records:
        return records.students(course_id)


def read_sessions(target: str, student_id: str) -> list[dict[str, Any]]:
    with Records.open(target) as records:
        return records.sessions(student_id)


def replay_session(target: str, session_id: str, assessment_id: str | None = None) -> Replay:
    """The session's strokes scored again from its recording (none if it was stored without);
    for an assessment attempt, its rubric items and its result as it stands."""
    from trainer.offline.analysis import score_recording
    from trainer.recordings.reader import read_recording

    with Records.open(target) as records:
        held = records.recording(session_id)
        definition = records.session_exercise(session_id)
        given = records.session_ratings(session_id)
        result = records.result(session_id) if assessment_id else None
    exercise = Exercise.from_dict(definition)
    rubric = [
        c["criterion"].removeprefix("rubric:")
        for c in (result or {}).get("criteria", [])
        if c["criterion"].startswith("rubric:")
    ]
    verdict = None if result is None else describe_result(result)
    if held is None:
        note = "Stored without its recording: no strokes to replay."
        return Replay(session_id, exercise, [], given, note, rubric, verdict)
    csv_bytes, events = held
    with tempfile.TemporaryDirectory(prefix="iastm-rating-") as tmp:
        path = Path(tmp) / "session.csv"
        path.write_bytes(csv_bytes)
        if events:
            path.with_suffix(".events.jsonl").write_bytes(events)
        report = score_recording(read_recording(path), exercise)
    rows = [
        row_from(stroke, score, exercise.pass_mark)
        for stroke, score in zip(report.strokes, report.scores, strict=False)
    ]
    note = f"{len(rows)} strokes scored again against {exercise.name} (version {exercise.version})."
    if report.notes:
        note += " " + " ".join(report.notes)
    return Replay(session_id, exercise, rows, given, note, rubric, verdict)


def describe_result(result: dict[str, Any]) -> str:
    """``Assessment sweep-final: not passed (mean score 62.1, at least 70; pressure rating not
    given yet, at least 3)``: what the rater's marks may still change."""
    head = f"Assessment {result['assessment']}: "
    if result["passed"]:
        return head + "passed."
    parts = []
    for c in result["criteria"]:
        if c["met"]:
            continue
        name = _CRITERIA.get(c["criterion"]) or c["criterion"].removeprefix("rubric:") + " rating"
        limit = next(
            (f"{k.replace('_', ' ')} {c[k]:g}" for k in ("at_least", "at_most") if k in c), ""
        )
        if c["criterion"] == "feedback":
            parts.append(f"taken with {c['value']} feedback, not {c['required']}")
        elif c["value"] is None:
            missing = "not given yet" if c["criterion"].startswith("rubric:") else "none"
            parts.append(f"{name} {missing}, {limit}")
        else:
            parts.append(f"{name} {c['value']:.4g}, {limit}")
    return head + "not passed (" + "; ".join(parts) + ")."


_CRITERIA = {
    "strokes": "strokes",
    "mean_score": "mean score",
    "pass_share": "share of strokes passed",
    "peak_force_cv_pct": "peak-force variation %",
}


def rate_stroke(
    target: str, passphrase: str, session_id: str, assessment_id: str | None, **kw: Any
) -> tuple[list[dict[str, Any]], str | None]:
    """Store the rating; the session's ratings as they now are, and the assessment's result
    with the new mark counted."""
    with Records.open(target) as records:
        records.rate(passphrase, session_id, **kw)
        given = records.session_ratings(session_id)
        result = records.result(session_id) if assessment_id else None
    return given, None if result is None else describe_result(result)


class RatingPanel(QWidget):
    """Pick a student and a session, select a stroke, rate it."""

    #: One line after each rating: stored, or why not.
    said = Signal(str)
    replayed = Signal(str)

    def __init__(self, target: str, theme: Theme = LIGHT) -> None:
        super().__init__()
        self.target = target
        self.course_id: str | None = None
        self.session_id: str | None = None
        self.assessment_id: str | None = None
        self.replay: Replay | None = None
        self.student_combo = QComboBox()
        self.student_combo.setAccessibleName("Student")
        self.sessions = records_table(SESSION_COLUMNS, "Sessions")
        self.sessions.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.sessions.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        header = self.sessions.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(SESSION_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.model = StrokeTableModel(theme)
        self.strokes = StrokeTable(self.model)
        self.strokes.setAccessibleName("Strokes of the session")
        self.plot = StrokePanel(theme)
        self.note = QLabel("Choose a student and one of their sessions.")
        self.note.setWordWrap(True)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.why = QLabel("")
        self.why.setWordWrap(True)
        self.why.setAccessibleName("Why the stroke scored so")
        self.rated = QListWidget()
        self.rated.setAccessibleName("Ratings given")
        self.rated.setMaximumHeight(84)
        self.rater_edit = QLineEdit()
        self.rater_edit.setAccessibleName("Rater")
        self.item_combo = QComboBox()
        self.item_combo.setEditable(True)
        self.item_combo.addItems(DEFAULT_ITEMS)
        self.item_combo.setAccessibleName("Rubric item")
        self.value_spin = QSpinBox()
        self.value_spin.setRange(1, 5)
        self.value_spin.setValue(3)
        self.value_spin.setAccessibleName("Rating, 1 to 5")
        self.comment_edit = QLineEdit()
        self.comment_edit.setAccessibleName("Comment")
        self.passphrase = passphrase_field()
        self.rate_button = QPushButton("Rate the selected stroke")
        self.rate_button.setEnabled(False)
        self.rate_button.clicked.connect(self.rate_selected)
        self.rate_session_button = QPushButton("Rate the whole session")
        self.rate_session_button.setEnabled(False)
        self.rate_session_button.clicked.connect(self.rate_session)
        self.report_button = QPushButton("Session report (PDF)…")
        self.report_button.setToolTip("The session's report: its blocks, every stroke and why")
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self.ask_report_file)
        self.report_dialog: Any = None
        self.line = QLabel("")
        self.line.setWordWrap(True)
        #: How far the raters agree on the rubric item (the course's, after each rating).
        self.agreement = QLabel("")
        self.agreement.setWordWrap(True)
        self.agreement.setAccessibleName("Agreement between raters")
        self._agreement_course: str | None = None

        top = QHBoxLayout()
        top.addWidget(QLabel("Student"))
        top.addWidget(self.student_combo, 1)
        # Two fields a row: the stroke's curves keep their height on a 760-pixel-high window.
        form = QGridLayout()
        for r, c, text, field_widget in (
            (0, 0, "Rater", self.rater_edit),
            (0, 2, "Rubric item", self.item_combo),
            (1, 0, "Rating (1-5)", self.value_spin),
            (1, 2, "Passphrase", self.passphrase),
        ):
            label = QLabel(text)
            label.setBuddy(field_widget)
            form.addWidget(label, r, c)
            form.addWidget(field_widget, r, c + 1)
        form.addWidget(QLabel("Comment"), 2, 0)
        form.addWidget(self.comment_edit, 2, 1, 1, 3)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.plot, 3)
        right_layout.addWidget(self.why)
        right_layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.rate_button, 1)
        buttons.addWidget(self.rate_session_button)
        buttons.addWidget(self.report_button)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.line)
        right_layout.addWidget(QLabel("Ratings given on this session"))
        right_layout.addWidget(self.rated, 1)
        right_layout.addWidget(self.agreement)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.sessions, 2)
        left_layout.addWidget(self.note)
        left_layout.addWidget(self.verdict)
        left_layout.addWidget(self.strokes, 3)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([540, 700])  # the lists' figures whole and the plots readable at 1280 px
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self.student_combo.currentIndexChanged.connect(lambda _i: self._load_sessions())
        self.sessions.itemSelectionChanged.connect(self._on_session_picked)
        self.strokes.stroke_selected.connect(self._on_stroke)
        self._session_rows: list[dict[str, Any]] = []
        self._pending_session: str | None = None
        self._pending_student: str | None = None

    def apply_theme(self, theme: Theme) -> None:
        self.model.apply_theme(theme)
        self.plot.apply_theme(theme)

    # -- choosing ----------------------------------------------------------------------------
    def set_course(self, course_id: str | None) -> None:
        self.course_id = course_id
        target = self.target
        self.show_agreement(None)
        run_in_background(
            lambda: read_students(target, course_id),
            "rating-students",
            lambda people: self._on_students(course_id, people),
            self._fail,
        )

    def _on_students(self, course: str | None, people: list[dict[str, Any]]) -> None:
        if course != self.course_id:
            return
        self.student_combo.blockSignals(True)
        self.student_combo.clear()
        for p in people:
            label = f"{p['name']} ({p['student_id']})" if p.get("name") else p["student_id"]
            self.student_combo.addItem(label, p["student_id"])
        if self._pending_student is not None:
            self.student_combo.setCurrentIndex(
                max(0, self.student_combo.findData(self._pending_student))
            )
            self._pending_student = None
        self.student_combo.blockSignals(False)
        self._load_sessions()

    def choose_student(self, student_id: str) -> None:
        i = self.student_combo.findData(student_id)
        if i >= 0:
            self.student_combo.setCurrentIndex(i)

    def open_attempt(self, student_id: str, session_id: str) -> None:
        """Replay this session of this student (from the completeness check)."""
        self._pending_session = session_id
        if self.student_combo.currentData() == student_id and self._session_rows:
            self._select_pending()
        elif self.student_combo.findData(student_id) >= 0:
            self.choose_student(student_id)
        else:  # the students are still being read: chosen when they are in
            self._pending_student = student_id

    def _select_pending(self) -> None:
        wanted, self._pending_session = self._pending_session, None
        for row, s in enumerate(self._session_rows):
            if s["session"] == wanted:
                self.sessions.selectRow(row)
                return

    def _load_sessions(self) -> None:
        student = self.student_combo.currentData()
        self.sessions.setRowCount(0)
        self._session_rows = []
        if student is None:
            return
        target = self.target
        run_in_background(
            lambda: read_sessions(target, student),
            "rating-sessions",
            lambda rows: self._on_sessions(student, rows),
            self._fail,
        )

    def _on_sessions(self, student: str, rows: list[dict[str, Any]]) -> None:
        if student != self.student_combo.currentData():
            return
        rows = list(reversed(rows))  # newest first: the one to rate is usually the latest
        self._session_rows = rows
        self.sessions.setRowCount(len(rows))
        for i, s in enumerate(rows):
            mean = s.get("mean_score")
            cells = (
                s["started"][:16].replace("T", " "),
                s["exercise"],
                s["mode"],
                str(s["strokes"]),
                "–" if mean is None else f"{mean:.1f}",
                s.get("assessment") or "",
            )
            fill_row(self.sessions, i, cells)
        self.note.setText(
            f"{len(rows)} sessions; pick one to replay its strokes."
            if rows
            else "No sessions stored for this student yet."
        )
        if self._pending_session is not None:
            self._select_pending()

    def choose_session(self, row: int) -> None:
        self.sessions.selectRow(row)

    def _on_session_picked(self) -> None:
        picked = self.sessions.selectionModel().selectedRows()
        if not picked:
            return
        picked_row = self._session_rows[picked[0].row()]
        session_id, assessment_id = picked_row["session"], picked_row.get("assessment")
        self.session_id = session_id
        self.assessment_id = assessment_id
        self.verdict.setText("")
        self.why.setText("")
        self.replay = None
        self.model.clear()
        self.plot.clear("Scoring the recording again…")
        self.rate_button.setEnabled(False)
        self.rate_session_button.setEnabled(False)
        self.note.setText("Reading the recording…")
        target = self.target
        run_in_background(
            lambda: replay_session(target, session_id, assessment_id),
            "rating-replay",
            self._on_replay,
            self._fail,
        )

    def _on_replay(self, replay: Replay) -> None:
        if replay.session_id != self.session_id:
            return
        self.replay = replay
        self.plot.set_exercise(replay.exercise)
        for row in replay.rows:
            self.model.add(row, Reveal.FULL)
        self.note.setText(replay.note)
        for i, item in enumerate(replay.rubric):  # the assessment's own items first
            if self.item_combo.findText(item) < 0:
                self.item_combo.insertItem(i, item)
        if replay.rubric:
            self.item_combo.setCurrentText(replay.rubric[0])
        self.verdict.setText(replay.verdict or "")
        self._show_ratings(replay.ratings)
        if replay.rows:
            self.strokes.selectRow(0)
            self._on_stroke(replay.rows[0])
        self.rate_session_button.setEnabled(True)
        self.report_button.setEnabled(True)
        self.replayed.emit(replay.session_id)

    def _on_stroke(self, row: StrokeRow) -> None:
        self.plot.show_row(row)
        self.why.setText("; ".join(row.explanation))
        self.rate_button.setEnabled(True)
        self.rate_button.setText(f"Rate stroke {row.number}")

    def selected_stroke(self) -> StrokeRow | None:
        picked = (
            self.strokes.selectionModel().selectedRows() if self.strokes.selectionModel() else []
        )
        if picked:
            return self.model.row_at(picked[0].row())
        return self.plot.shown

    # -- rating ------------------------------------------------------------------------------
    def rate_selected(self) -> None:
        stroke = self.selected_stroke()
        if stroke is None or self.session_id is None:
            self._say("Select a stroke to rate.")
            return
        self._rate(stroke.number)

    def rate_session(self) -> None:
        """A mark for the whole session (a rubric item judged over all its strokes)."""
        if self.session_id is None:
            self._say("Choose a session to rate.")
            return
        self._rate(None)

    def _rate(self, number: int | None) -> None:
        session = self.session_id
        if session is None:
            return
        rater = self.rater_edit.text().strip()
        item = self.item_combo.currentText().strip()
        if not rater:
            self._say("Not rated: say who is rating (Rater).")
            return
        if not item:
            self._say("Not rated: name the rubric item.")
            return
        value = self.value_spin.value()
        comment = self.comment_edit.text().strip() or None
        passphrase, target = self.passphrase.text(), self.target
        assessment = self.assessment_id
        what = "The session" if number is None else f"Stroke {number}"
        self.rate_button.setEnabled(False)
        self.rate_session_button.setEnabled(False)

        def done(answer: tuple[list[dict[str, Any]], str | None]) -> None:
            given, verdict = answer
            self.rate_button.setEnabled(self.plot.shown is not None)
            self.rate_session_button.setEnabled(True)
            self.comment_edit.clear()
            self._show_ratings(given)
            if session == self.session_id and verdict is not None:
                self.verdict.setText(verdict)
            self._say(f"{what}: {item} rated {value} by {rater}.")
            self.show_agreement(item)

        def failed(exc: BaseException) -> None:
            self.rate_button.setEnabled(self.plot.shown is not None)
            self.rate_session_button.setEnabled(True)
            self._say(f"Not rated: {_reason(exc)}")

        run_in_background(
            lambda: rate_stroke(
                target,
                passphrase,
                session,
                assessment,
                rater=rater,
                item=item,
                value=float(value),
                stroke=number,
                comment=comment,
            ),
            "rate-stroke",
            done,
            failed,
        )

    def show_agreement(self, item: str | None) -> None:
        """The raters' agreement on ``item`` (the course's most rated item if None), read off
        the GUI thread; or why it cannot be worked out yet."""
        course, target = self.course_id, self.target
        self._agreement_course = course
        if course is None:
            self.agreement.setText("")
            return
        # Methods, not closures: Qt drops the call's result if the panel has gone by then.
        run_in_background(
            lambda: read_agreement(target, course, item),
            "agreement",
            self._on_agreement,
            self._on_agreement_failed,
        )

    def _on_agreement(self, result: dict[str, Any]) -> None:
        if self._agreement_course == self.course_id:
            short, full = agreement_line(result)
            self.agreement.setText(short)
            self.agreement.setToolTip(full)
            self.agreement.setAccessibleDescription(full)

    def _on_agreement_failed(self, exc: BaseException) -> None:
        if self._agreement_course == self.course_id:
            reason = _reason(exc)
            self.agreement.setText(not_yet_line(reason))
            self.agreement.setToolTip(reason)
            self.agreement.setAccessibleDescription(reason)

    def _show_ratings(self, given: list[dict[str, Any]]) -> None:
        self.rated.clear()
        for r in given:
            where = "session" if r["stroke"] is None else f"stroke {r['stroke']}"
            text = f"{where}: {r['item']} {r['value']:g} by {r['rater']}"
            if r.get("comment"):
                text += f" – {r['comment']}"
            self.rated.addItem(text)
            if self.item_combo.findText(r["item"]) < 0:
                self.item_combo.addItem(r["item"])

    def ask_report_file(self) -> Any:
        """Session report (PDF)...: a file, then the report written there off the GUI thread."""
        session = self.session_id
        if session is None:
            return None
        self.report_dialog = ask_pdf(
            self, "Session report", f"session-{session[:8]}.pdf", self.report_to
        )
        return self.report_dialog

    def report_to(self, out: Path) -> None:
        if self.session_id is not None:
            self._say(f"Writing the session report to {out}…")
            write_session_report(self.target, self.session_id, out, self._say)

    def _say(self, line: str) -> None:
        self.line.setText(line)
        self.said.emit(line)

    def _fail(self, exc: BaseException) -> None:
        self.note.setText(f"The records cannot be read: {_reason(exc)}")


def _reason(exc: BaseException) -> str:
    from trainer.recordings.format import RecordingError
    from trainer.records.errors import RecordsError

    if isinstance(exc, RecordsError | RecordingError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
