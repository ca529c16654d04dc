"""Records > Instructor...: a course's assessments from set-up to gradebook, and stroke rating.

One course at a time, chosen at the top. "Before grading" lists who has no attempt at an
assessment, a partial one or several (the completeness check), and exports the gradebook; "Rate
strokes" replays a student's stored session and stores rubric marks on its strokes. Setting up an
assessment and releasing results open small dialogs that ask the instructor passphrase. Every
records call runs off the GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer.records.repository import Records
from ui.records.assessment_dialog import AssessmentDialog, ReleaseDialog
from ui.records.class_window import NO_COURSES, offer_courses, read_courses
from ui.records.gradebook_panel import GradebookPanel
from ui.records.rating_panel import RatingPanel
from ui.runtime.background import run_in_background
from ui.theme import LIGHT, Theme


def read_assessments(target: str, course_id: str) -> list[tuple[str, str]]:
    """The course's assessments as ``(id, title)``, oldest first (the gradebook's columns)."""
    with Records.open(target) as records:
        return [(a["id"], a["title"]) for a in records.grades(course_id)["assessments"]]


class InstructorWindow(QWidget):
    def __init__(
        self, target: str, exercise_ids: list[str] | None = None, theme: Theme = LIGHT
    ) -> None:
        super().__init__()
        self.setWindowTitle("Instructor — iastm-trainer")
        self.target = target
        self.exercise_ids = list(exercise_ids or [])
        self.course_combo = QComboBox()
        self.course_combo.setAccessibleName("Course")
        self.add_button = QPushButton("Set up assessment…")
        self.add_button.clicked.connect(self.open_add_assessment)
        self.release_button = QPushButton("Release results…")
        self.release_button.clicked.connect(self.open_release)
        self.line = QLabel("Reading the courses…")
        self.line.setWordWrap(True)
        self.gradebook = GradebookPanel(target)
        self.rating = RatingPanel(target, theme)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.gradebook, "Before grading")
        self.tabs.addTab(self.rating, "Rate strokes")
        self.dialog: AssessmentDialog | ReleaseDialog | None = None
        top = QHBoxLayout()
        top.addWidget(QLabel("Course"))
        top.addWidget(self.course_combo, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.release_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.line)
        layout.addWidget(self.tabs, 1)
        self.course_combo.currentIndexChanged.connect(lambda _i: self._course_changed())
        self.gradebook.attempt_opened.connect(self.rate_attempt)
        self.resize(1100, 720)
        run_in_background(
            lambda: read_courses(target), "instructor-courses", self._on_courses, self._fail
        )

    def apply_theme(self, theme: Theme) -> None:
        """The stroke plots and list follow the application's light or dark theme."""
        self.rating.apply_theme(theme)

    @property
    def course_id(self) -> str | None:
        return self.course_combo.currentData()

    def _on_courses(self, courses: list[dict[str, Any]]) -> None:
        if not offer_courses(self.course_combo, courses):
            self.line.setText(NO_COURSES)
            return
        self._course_changed()

    def _course_changed(self) -> None:
        course = self.course_id
        self.line.setText("")
        self.gradebook.set_course(course)
        self.rating.set_course(course)

    def rate_attempt(self, student_id: str, session_id: str) -> None:
        """From the completeness check to rating that attempt's strokes."""
        self.tabs.setCurrentWidget(self.rating)
        self.rating.open_attempt(student_id, session_id)

    # -- assessments -------------------------------------------------------------------------
    def open_add_assessment(self) -> AssessmentDialog | None:
        course = self.course_id
        if course is None:
            self.line.setText("Choose a course first.")
            return None
        dialog = AssessmentDialog(self.target, course, self.exercise_ids, self)
        dialog.added.connect(self._on_added)
        dialog.open()
        self.dialog = dialog
        return dialog

    def _on_added(self, assessment_id: str) -> None:
        self.line.setText(f"Assessment '{assessment_id}' added to {self.course_id}.")
        self.gradebook.reload()

    def open_release(self) -> None:
        course = self.course_id
        if course is None:
            self.line.setText("Choose a course first.")
            return
        target = self.target
        run_in_background(
            lambda: read_assessments(target, course),
            "instructor-assessments",
            self._show_release,
            self._fail,
        )

    def _show_release(self, assessments: list[tuple[str, str]]) -> None:
        if not assessments:
            self.line.setText(f"{self.course_id} has no assessments to release yet.")
            return
        dialog = ReleaseDialog(self.target, assessments, self)
        dialog.released.connect(
            lambda aid, when: self.line.setText(
                f"Results of '{aid}' released to the students ({when[:16].replace('T', ' ')} UTC)."
            )
        )
        dialog.open()
        self.dialog = dialog

    def _fail(self, exc: BaseException) -> None:
        self.line.setText(f"The records cannot be read: {exc}")
