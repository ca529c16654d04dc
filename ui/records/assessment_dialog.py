"""Setting up an assessment, and releasing its results, from the instructor view.

The fields are those of ``iastm-trainer assessments add`` (``trainer.records.assessments``): the
exercise, the number of strokes in the block, the feedback it is taken under (normally none), the
pass mark, and optionally the share of strokes that must pass, the largest peak-force variation
and rubric items with their minimum mean rating. Both dialogs ask the instructor passphrase in a
password field each time; it goes to the records call and nowhere else (no setting, no file).
The dialog stays open with the records' own one-line reason when they refuse (a wrong passphrase,
an id already used), so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trainer.records.assessments import FEEDBACK
from trainer.records.repository import Records
from ui.runtime.background import run_in_background


def passphrase_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName("Instructor passphrase")
    field.setPlaceholderText("instructor passphrase")
    return field


def parse_rubric(text: str) -> dict[str, float]:
    """``"posture 3, pressure 3.5"`` -> ``{"posture": 3.0, "pressure": 3.5}``; ValueError names
    the part that is not an item and a number."""
    out: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        item, _, value = part.rpartition(" ")
        try:
            minimum = float(value)
        except ValueError:
            raise ValueError(
                f"rubric '{part}': write an item and its minimum, e.g. posture 3"
            ) from None
        if not item.strip():
            raise ValueError(f"rubric '{part}': the item has no name")
        out[item.strip()] = minimum
    return out


class AssessmentDialog(QDialog):
    """Set up assessment...: adds it to the course when the records accept it."""

    added = Signal(str)

    def __init__(
        self, target: str, course_id: str, exercises: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Set up an assessment in {course_id}")
        self.target = target
        self.course_id = course_id
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("e.g. sweep-final")
        self.title_edit = QLineEdit()
        self.exercise_combo = QComboBox()
        self.exercise_combo.setEditable(True)
        self.exercise_combo.addItems(exercises)
        self.strokes_spin = QSpinBox()
        self.strokes_spin.setRange(1, 500)
        self.strokes_spin.setValue(10)
        self.feedback_combo = QComboBox()
        self.feedback_combo.addItems(FEEDBACK)
        self.pass_score_spin = QDoubleSpinBox()
        self.pass_score_spin.setRange(0, 100)
        self.pass_score_spin.setValue(70)
        self.pass_share_spin = _optional_spin(0, 100, " % of strokes")
        self.max_cv_spin = _optional_spin(0, 100, " % peak-force CV")
        self.rubric_edit = QLineEdit()
        self.rubric_edit.setPlaceholderText("e.g. posture 3, pressure 3 (mean rating at least)")
        self.passphrase = passphrase_field()
        self.line = QLabel("")
        self.line.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Id", self.id_edit)
        form.addRow("Title", self.title_edit)
        form.addRow("Exercise", self.exercise_combo)
        form.addRow("Strokes in the block", self.strokes_spin)
        form.addRow("Feedback", self.feedback_combo)
        form.addRow("Pass mark (mean score)", self.pass_score_spin)
        form.addRow("Strokes passed, at least", self.pass_share_spin)
        form.addRow("Peak-force variation, at most", self.max_cv_spin)
        form.addRow("Rubric minimums", self.rubric_edit)
        form.addRow("Instructor passphrase", self.passphrase)
        self.buttons = _lay_out(self, form, self.line, "Add assessment")

    def fields(self) -> dict[str, Any]:
        """What ``Records.add_assessment`` takes; ValueError says which field is wrong."""
        share = self.pass_share_spin.value()
        cv = self.max_cv_spin.value()
        return {
            "course_id": self.course_id,
            "exercise_id": self.exercise_combo.currentText().strip(),
            "strokes_n": self.strokes_spin.value(),
            "pass_score": self.pass_score_spin.value(),
            "pass_share": None if share == 0 else share / 100.0,
            "max_cv_pct": None if cv == 0 else cv,
            "rubric": parse_rubric(self.rubric_edit.text()),
            "feedback": self.feedback_combo.currentText(),
            "title": self.title_edit.text().strip() or None,
        }

    def submit(self) -> None:
        assessment_id = self.id_edit.text().strip()
        if not assessment_id:
            self.line.setText("Give the assessment an id.")
            return
        try:
            fields = self.fields()
        except ValueError as exc:
            self.line.setText(str(exc))
            return
        if not fields["exercise_id"]:
            self.line.setText("Choose the exercise assessed.")
            return
        passphrase, target = self.passphrase.text(), self.target
        self.buttons.setEnabled(False)
        self.line.setText("Adding…")

        def work() -> str:
            with Records.open(target) as records:
                return records.add_assessment(passphrase, assessment_id, **fields)

        run_in_background(work, "add-assessment", self._done, self._failed)

    def _done(self, assessment_id: str) -> None:
        self.buttons.setEnabled(True)
        self.passphrase.clear()
        self.added.emit(assessment_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.line.setText(f"Not added: {_reason(exc)}")


class ReleaseDialog(QDialog):
    """Release results...: the students see the chosen assessment's results from now on."""

    released = Signal(str, str)

    def __init__(
        self, target: str, assessments: list[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Release an assessment's results")
        self.target = target
        self.assessment_combo = QComboBox()
        for assessment_id, title in assessments:
            label = assessment_id if title == assessment_id else f"{title} ({assessment_id})"
            self.assessment_combo.addItem(label, assessment_id)
        self.passphrase = passphrase_field()
        self.line = QLabel(
            "Students see their results of this assessment from now on; until then they are held."
        )
        self.line.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Assessment", self.assessment_combo)
        form.addRow("Instructor passphrase", self.passphrase)
        self.buttons = _lay_out(self, form, self.line, "Release results")

    def submit(self) -> None:
        assessment_id = self.assessment_combo.currentData()
        if assessment_id is None:
            self.line.setText("The course has no assessment to release.")
            return
        passphrase, target = self.passphrase.text(), self.target
        self.buttons.setEnabled(False)

        def work() -> str:
            with Records.open(target) as records:
                return records.release_assessment(passphrase, assessment_id)

        def done(when: str) -> None:
            self.buttons.setEnabled(True)
            self.passphrase.clear()
            self.released.emit(assessment_id, when)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.line.setText(f"Not released: {_reason(exc)}")

        run_in_background(work, "release-assessment", done, failed)


def _optional_spin(low: float, high: float, suffix: str) -> QDoubleSpinBox:
    """0 shows "no limit": the criterion is left out."""
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    spin.setSpecialValueText("no limit")
    spin.setValue(low)
    return spin


def _reason(exc: BaseException) -> str:
    from trainer.records.errors import RecordsError

    if isinstance(exc, RecordsError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _lay_out(dialog: Any, form: QFormLayout, line: QLabel, ok_text: str) -> QDialogButtonBox:
    """The form, the line that says what happened, and OK (named ``ok_text``, which submits) and
    Cancel under them; returns the buttons."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(dialog.submit)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(line)
    layout.addWidget(buttons)
    return buttons
