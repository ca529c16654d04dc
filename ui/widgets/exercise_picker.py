"""Choosing the exercise, and saying plainly what it is and where its envelope came from.

There is no published optimal IASTM force, so a trainee must be able to see whether the band they
practise against was recorded by their instructor or is a synthetic reference built from published
ranges: synthetic references are labelled as such, in words, every time the exercise is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from trainer.library.exercise import Exercise
from ui.theme import LIGHT, Theme


def exercise_facts(exercise: Exercise) -> str:
    """One line: technique, body region, instrument, pass mark."""
    return (
        f"{exercise.technique} · {exercise.body_region} · {exercise.instrument} · "
        f"pass mark {exercise.pass_mark:.0f}"
    )


class ExercisePicker(QWidget):
    """A combo box of exercises and the chosen one's description and provenance."""

    exercise_changed = Signal(object)  # Exercise

    def __init__(self, exercises: Sequence[Exercise], theme: Theme = LIGHT) -> None:
        super().__init__()
        self._exercises = list(exercises)
        self._theme = theme
        self.combo = QComboBox()
        self.combo.setToolTip("Exercise to practise (N: next exercise)")
        self.combo.setMinimumContentsLength(14)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        for ex in self._exercises:
            self.combo.addItem(ex.name, ex.id)
        self._facts = QLabel()
        self._facts.setWordWrap(True)
        bold = QFont()
        bold.setBold(True)
        self._facts.setFont(bold)
        self._description = QLabel()
        self._description.setWordWrap(True)
        self._provenance = QLabel()
        self._provenance.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self._facts)
        layout.addWidget(self._description)
        layout.addWidget(self._provenance)
        self.combo.currentIndexChanged.connect(self._on_index)
        self._show_details()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._show_details()

    @property
    def exercises(self) -> list[Exercise]:
        return list(self._exercises)

    def current(self) -> Exercise | None:
        i = self.combo.currentIndex()
        return self._exercises[i] if 0 <= i < len(self._exercises) else None

    def select_id(self, exercise_id: str) -> bool:
        i = self.combo.findData(exercise_id)
        if i < 0:
            return False
        self.combo.setCurrentIndex(i)
        return True

    def add_exercise(self, exercise: Exercise) -> None:
        """List a new exercise, or a new version of a listed one, without changing the choice.

        When the exercise replaced is the one chosen, ``exercise_changed`` says so, since the
        envelope strokes are scored against has changed."""
        i = self.combo.findData(exercise.id)
        if i < 0:
            self._exercises.append(exercise)
            self.combo.addItem(exercise.name, exercise.id)  # the first one becomes current
            return
        self._exercises[i] = exercise
        self.combo.setItemText(i, exercise.name)
        if i == self.combo.currentIndex():
            self._on_index(i)

    def select_next(self) -> None:
        if self._exercises:
            self.combo.setCurrentIndex((self.combo.currentIndex() + 1) % len(self._exercises))

    def _on_index(self, _i: int) -> None:
        self._show_details()
        ex = self.current()
        if ex is not None:
            self.exercise_changed.emit(ex)

    def _show_details(self) -> None:
        ex = self.current()
        if ex is None:
            self._facts.setText("No exercises found.")
            self._description.setText("")
            self._provenance.setText("")
            return
        self._facts.setText(exercise_facts(ex))
        self._description.setText(ex.description)
        prov = ex.provenance
        if prov.is_synthetic:
            self._provenance.setText(f"<b>SYNTHETIC REFERENCE.</b> {prov.describe()}")
            self._provenance.setStyleSheet(
                f"border: 2px dashed {self._theme.bad}; padding: 4px; border-radius: 3px;"
            )
        else:
            self._provenance.setText(prov.describe())
            self._provenance.setStyleSheet("")

    def provenance_text(self) -> str:
        return self._provenance.text()
