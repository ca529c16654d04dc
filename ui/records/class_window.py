"""Records > Class...: an instructor's view of a course.

Who is behind (their recent mean score under the class's lower quartile, or the pass mark), each
student's sessions, recent mean and trend in points a week, the exercises hardest first, and the
spread of the students' means. Read off the GUI thread from ``Records.class_view``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer.records.repository import Records
from ui.runtime.background import run_in_background

STUDENT_COLUMNS = ("Student", "Sessions", "Recent mean", "Mean", "Trend /week", "")
EXERCISE_COLUMNS = ("Exercise (hardest first)", "Sessions", "Mean score", "Passed")


#: What a records window says when there is no course to show.
NO_COURSES = "No courses in the records yet: 'iastm-trainer courses add' makes one."


def offer_courses(combo: QComboBox, courses: list[dict[str, Any]]) -> bool:
    """The courses as choices of ``combo`` ("name (id)", the id as its data), put in without
    signalling a change for each; False when there are none."""
    if not courses:
        return False
    combo.blockSignals(True)
    for c in courses:
        combo.addItem(f"{c['name']} ({c['course_id']})", c["course_id"])
    combo.blockSignals(False)
    return True


def read_courses(target: str) -> list[dict[str, Any]]:
    with Records.open(target) as records:
        return records.courses()


def read_class(target: str, course_id: str) -> dict[str, Any]:
    with Records.open(target) as records:
        return records.class_view(course_id)


class ClassWindow(QWidget):
    """One course at a time, chosen at the top."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.setWindowTitle("Class — iastm-trainer")
        self.target = target
        self.course_combo = QComboBox()
        self.course_combo.setAccessibleName("Course")
        self.note = QLabel("Reading the courses…")
        self.note.setWordWrap(True)
        self.students = records_table(STUDENT_COLUMNS, "Students")
        self.exercises = records_table(EXERCISE_COLUMNS, "Exercises")
        top = QHBoxLayout()
        top.addWidget(QLabel("Course"))
        top.addWidget(self.course_combo, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.students, 3)
        layout.addWidget(self.exercises, 2)
        self.course_combo.currentIndexChanged.connect(lambda _i: self._load_course())
        self.resize(900, 640)
        run_in_background(
            lambda: read_courses(target), "class-courses", self._on_courses, self._fail
        )

    def _on_courses(self, courses: list[dict[str, Any]]) -> None:
        if not offer_courses(self.course_combo, courses):
            self.note.setText(NO_COURSES)
            return
        self._load_course()

    def _load_course(self) -> None:
        course = self.course_combo.currentData()
        if course is None:
            return
        run_in_background(
            lambda: read_class(self.target, course), "class-view", self._on_class, self._fail
        )

    def _on_class(self, view: dict[str, Any]) -> None:
        if view.get("course") != self.course_combo.currentData():
            return
        behind = set(view.get("behind", []))
        people = sorted(
            view.get("students", []),
            key=lambda p: (p["student_id"] not in behind, p["recent_mean_score"] or 0.0),
        )
        self.students.setRowCount(len(people))
        for r, p in enumerate(people):
            name = f"{p['name']} ({p['student_id']})" if p.get("name") else p["student_id"]
            trend = p.get("trend_per_week")
            cells = (
                name,
                str(p["sessions"]),
                _fmt(p.get("recent_mean_score")),
                _fmt(p.get("mean_score")),
                "–" if trend is None else f"{trend:+.1f}",
                "behind" if p["student_id"] in behind else "",
            )
            fill_row(self.students, r, cells)
        exercises = view.get("exercises", [])
        self.exercises.setRowCount(len(exercises))
        for r, e in enumerate(exercises):
            share = e.get("passed_share")
            cells = (
                e["exercise"],
                str(e["sessions"]),
                _fmt(e.get("mean_score")),
                "–" if share is None else f"{100 * share:.0f} %",
            )
            fill_row(self.exercises, r, cells)
        spread = view.get("spread")
        below = view.get("behind_below")
        text = f"{len(people)} students; {len(behind)} behind"
        if below is not None:
            text += f" (recent mean under {below:.0f})"
        if spread:
            text += (
                f". Students' recent means: {spread['min']:.0f} to {spread['max']:.0f}, "
                f"median {spread['median']:.0f} (quartiles {spread['q1']:.0f}-{spread['q3']:.0f})."
            )
        self.note.setText(text)

    def _fail(self, exc: BaseException) -> None:
        self.note.setText(f"The records cannot be read: {exc}")


def records_table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.setAccessibleName(name)
    return table


def fill_row(table: QTableWidget, row: int, cells: tuple[str, ...]) -> None:
    for c, text in enumerate(cells):
        item = QTableWidgetItem(text)
        if c:
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        table.setItem(row, c, item)


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.1f}"
