"""Records > Progress...: a student's sessions of one exercise over the weeks.

Per session: its date, the share of strokes passed, the mean score, the mean force and angle
errors and the block's consistency; and a chart of the mean score per session, practice blocks
and no-feedback (retention and test) blocks told apart by marker shape as well as colour. Read off
the GUI thread; a window of its own, so it may use pyqtgraph.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
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
from ui.records.station import describe_student
from ui.runtime.background import run_in_background
from ui.theme import LIGHT, OI_BLUE, OI_VERMILLION, Theme, configure_pyqtgraph

configure_pyqtgraph()

COLUMNS = ("Date", "Mode", "Strokes", "Passed", "Mean score", "Force error %", "Angle error deg")


def read_progress(target: str, student_id: str) -> dict[str, Any]:
    with Records.open(target) as records:
        return records.progress(student_id)


def read_students(target: str) -> list[dict[str, Any]]:
    with Records.open(target) as records:
        return records.students()


class ProgressWindow(QWidget):
    """One student's progress, exercise by exercise."""

    def __init__(self, target: str, student_id: str | None = None, theme: Theme = LIGHT) -> None:
        super().__init__()
        self.setWindowTitle("Progress — iastm-trainer")
        self.target = target
        self._progress: dict[str, Any] = {}
        self._wanted = student_id
        self.student_combo = QComboBox()
        self.student_combo.setAccessibleName("Student")
        self.exercise_combo = QComboBox()
        self.exercise_combo.setAccessibleName("Exercise")
        self.note = QLabel("Reading the records…")
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.chart = pg.PlotWidget()
        self.chart.setLabel("left", "mean score")
        self.chart.setLabel("bottom", "session")
        self.chart.setYRange(0, 100)
        self.chart.showGrid(y=True, alpha=0.3)
        self.chart.addLegend(offset=(-10, -10))  # bottom right: scores rise to the top
        self.chart.getAxis("bottom").setTickSpacing(5, 1)  # sessions are counted, never halved
        self.chart.setAccessibleName("Mean score per session")
        top = QHBoxLayout()
        top.addWidget(QLabel("Student"))
        top.addWidget(self.student_combo, 1)
        top.addWidget(QLabel("Exercise"))
        top.addWidget(self.exercise_combo, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.chart, 2)
        layout.addWidget(self.table, 3)
        self.student_combo.currentIndexChanged.connect(self._on_student)
        self.exercise_combo.currentIndexChanged.connect(lambda _i: self._show_exercise())
        self.resize(900, 640)
        self._theme = theme
        self.reload()

    def reload(self) -> None:
        run_in_background(
            lambda: read_students(self.target), "progress-students", self._on_students, self._fail
        )

    def _on_students(self, students: list[dict[str, Any]]) -> None:
        self.student_combo.blockSignals(True)
        self.student_combo.clear()
        for row in students:
            self.student_combo.addItem(describe_student(row), row["student_id"])
        self.student_combo.blockSignals(False)
        if not students:
            self.note.setText("No students in the records yet.")
            return
        i = self.student_combo.findData(self._wanted) if self._wanted else 0
        self.student_combo.setCurrentIndex(max(i, 0))
        self._on_student()

    def _on_student(self, *_args: object) -> None:
        student = self.student_combo.currentData()
        if student is None:
            return
        self._wanted = student
        self.note.setText("Reading the sessions…")
        run_in_background(
            lambda: read_progress(self.target, student), "progress", self._on_progress, self._fail
        )

    def _on_progress(self, progress: dict[str, Any]) -> None:
        if progress.get("student_id") != self.student_combo.currentData():
            return  # an answer for a student no longer shown
        self._progress = progress.get("exercises", {})
        current = self.exercise_combo.currentData()
        self.exercise_combo.blockSignals(True)
        self.exercise_combo.clear()
        for ex in self._progress:
            self.exercise_combo.addItem(ex, ex)
        self.exercise_combo.blockSignals(False)
        i = self.exercise_combo.findData(current)
        self.exercise_combo.setCurrentIndex(max(i, 0))
        self._show_exercise()

    def _show_exercise(self) -> None:
        ex = self.exercise_combo.currentData()
        sessions = self._progress.get(ex, {}).get("sessions", []) if ex else []
        self.table.setRowCount(len(sessions))
        for r, s in enumerate(sessions):
            passed = "✓" if s.get("passed") else "✗"
            cells = (
                s["started"][:16].replace("T", " "),
                s.get("mode", ""),
                str(s.get("strokes", "")),
                passed,
                _fmt(s.get("mean_score")),
                _fmt(s.get("force_error_pct")),
                _fmt(s.get("angle_error_deg")),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
        self._draw(sessions)
        if ex:
            weeks = self._progress.get(ex, {}).get("weeks", [])
            self.note.setText(f"{len(sessions)} sessions of {ex} over {len(weeks)} week(s).")
        else:
            self.note.setText("No sessions stored for this student yet.")

    def _draw(self, sessions: list[dict[str, Any]]) -> None:
        self.chart.clear()
        practice_x, practice_y, retention_x, retention_y = [], [], [], []
        for i, s in enumerate(sessions, start=1):
            for block in s.get("blocks") or [
                {"retention": False, "mean_score": s.get("mean_score")}
            ]:
                score = block.get("mean_score")
                if score is None:
                    continue
                if block.get("retention"):
                    retention_x.append(i)
                    retention_y.append(score)
                else:
                    practice_x.append(i)
                    practice_y.append(score)
        self.chart.plot(
            practice_x,
            practice_y,
            pen=pg.mkPen(OI_BLUE, width=2),
            symbol="o",
            symbolBrush=OI_BLUE,
            name="practice",
        )
        if retention_x:
            self.chart.plot(
                retention_x,
                retention_y,
                pen=None,
                symbol="t",
                symbolSize=12,
                symbolBrush=OI_VERMILLION,
                name="no feedback (retention, test)",
            )

    def points_drawn(self) -> int:
        """How many session scores the chart shows (for tests and screen readers' summary)."""
        return sum(len(item.xData) for item in self.chart.listDataItems() if item.xData is not None)

    def _fail(self, exc: BaseException) -> None:
        self.note.setText(f"The records cannot be read: {exc}")


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.1f}"
