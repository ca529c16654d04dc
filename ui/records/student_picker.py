"""Records > Who is training...: pick the student whose sessions are stored, or a guest.

The list is read off the GUI thread (a lab's server may be slow to answer); a database that
cannot be read says why in the dialog, and the guest stays possible, so a student can always
practise.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer.records.repository import Records
from ui.records.station import describe_student
from ui.runtime.background import run_in_background

GUEST = "Guest: practise without storing the session in the records"


def read_students(target: str) -> list[dict[str, Any]]:
    with Records.open(target) as records:
        return records.students()


class StudentPicker(QDialog):
    """The students in the records, and the guest; ``chosen()`` once accepted."""

    def __init__(self, target: str, current: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is training?")
        self.target = target
        self._current = current
        self.note = QLabel(f"Reading the students in {target}…")
        self.note.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Students")
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        guest = QListWidgetItem(GUEST)
        guest.setData(Qt.ItemDataRole.UserRole, None)
        self.list.addItem(guest)
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(460, 360)
        run_in_background(lambda: read_students(target), "read-students", self._show, self._fail)

    def _show(self, students: list[dict[str, Any]]) -> None:
        for row in students:
            item = QListWidgetItem(describe_student(row))
            item.setData(Qt.ItemDataRole.UserRole, (row["student_id"], row.get("name")))
            self.list.addItem(item)
            if row["student_id"] == self._current:
                self.list.setCurrentItem(item)
        if students:
            self.note.setText(f"{len(students)} students in {self.target}.")
        else:
            self.note.setText(
                "No students in the records yet: an instructor adds them with "
                "'iastm-trainer students add' or 'students import ROSTER.csv'."
            )

    def _fail(self, exc: BaseException) -> None:
        self.note.setText(f"The records cannot be read: {exc}. A guest can still practise.")

    def students_listed(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def chosen(self) -> tuple[str, str | None] | None:
        """(student id, name) of the student picked, or None for the guest."""
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)
