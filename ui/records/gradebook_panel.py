"""Before grading: who has no assessment attempt, a partial one or several; then the gradebook out.

The completeness check comes first because a gradebook with an empty cell is only fair once the
instructor knows why the cell is empty (no attempt, or too few strokes). The export writes the
course's grades in the layout of the learning management system chosen (``Records.write_gradebook``)
to a file picked in a file dialog; the write runs off the GUI thread, and one line says where it
went or why not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer.records.repository import Records
from ui.records.assessment_dialog import passphrase_field
from ui.records.class_window import fill_row, records_table
from ui.records.documents import ask_pdf, issue_certificate
from ui.runtime.background import run_in_background

COMPLETENESS_COLUMNS = ("Student", "Assessment", "State", "Attempts", "Last attempt (UTC)")
#: The states in the order an instructor acts on them: missing first, complete last.
STATE_ORDER = {"none": 0, "partial": 1, "several": 2, "complete": 3}
STATE_WORDS = {
    "none": "no attempt",
    "partial": "partial (too few strokes)",
    "several": "several attempts (the latest counts)",
    "complete": "complete",
}
#: The layouts a gradebook is written in (xAPI is for a record store, not a file to import).
EXPORT_FORMATS = ("canvas", "moodle", "brightspace", "blackboard", "csv")
SUFFIX = {"csv": ".csv"}


def read_completeness(target: str, course_id: str) -> list[dict[str, Any]]:
    with Records.open(target) as records:
        return records.completeness(course_id)


def write_gradebook(target: str, course_id: str, fmt: str, out: Path) -> dict[str, Any]:
    with Records.open(target) as records:
        return records.write_gradebook(course_id, fmt, out)


class GradebookPanel(QWidget):
    """The completeness table of one course and the gradebook export under it."""

    #: The line said after an export (where it went, or why not), for tests and the status.
    exported = Signal(str)
    #: A row double-clicked: (student id, their latest attempt's session id), to rate it.
    attempt_opened = Signal(str, str)

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.course_id: str | None = None
        self.note = QLabel("Choose a course.")
        self.note.setWordWrap(True)
        self.table = records_table(COMPLETENESS_COLUMNS, "Assessment completeness")
        self.table.setToolTip("Double-click a student's attempt to rate its strokes.")
        self.table.cellDoubleClicked.connect(self._open_attempt)
        self.format_combo = QComboBox()
        self.format_combo.setAccessibleName("Gradebook format")
        for fmt in EXPORT_FORMATS:
            self.format_combo.addItem(fmt if fmt == "csv" else fmt.capitalize(), fmt)
        self.export_button = QPushButton("Export gradebook…")
        self.export_button.clicked.connect(self.ask_file)
        self.export_line = QLabel("")
        self.export_line.setWordWrap(True)
        self.file_dialog: QFileDialog | None = None
        # A certificate for the student picked in the list: signed with the provider's key, which
        # the instructor's passphrase unlocks; refused, with the reason, to one who has not passed.
        self.cert_passphrase = passphrase_field()
        self.certify_button = QPushButton("Certificate (PDF)…")
        self.certify_button.setToolTip(
            "A signed certificate for the student picked in the list, if they passed the "
            "course's assessment"
        )
        self.certify_button.clicked.connect(self.ask_certificate_file)
        cert_row = QHBoxLayout()
        cert_row.addWidget(QLabel("Passphrase"))
        cert_row.addWidget(self.cert_passphrase)
        cert_row.addWidget(self.certify_button)
        cert_row.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Gradebook for"))
        row.addWidget(self.format_combo)
        row.addWidget(self.export_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addLayout(cert_row)
        layout.addWidget(self.export_line)

    def set_course(self, course_id: str | None) -> None:
        self.course_id = course_id
        self.reload()

    def reload(self) -> None:
        course = self.course_id
        if course is None:
            return
        self.note.setText("Reading the assessment attempts…")
        run_in_background(
            lambda: read_completeness(self.target, course),
            "completeness",
            lambda rows: self._on_rows(course, rows),
            self._fail,
        )

    def _on_rows(self, course: str, rows: list[dict[str, Any]]) -> None:
        if course != self.course_id:
            return
        if not rows:
            self.table.setRowCount(0)
            self.note.setText(
                f"Course {course} has no assessments (or no students) yet: add one with "
                "Set up assessment…"
            )
            return
        rows = sorted(rows, key=lambda r: (STATE_ORDER.get(r["state"], 9), r["student_id"]))
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            who = f"{r['name']} ({r['student_id']})" if r.get("name") else r["student_id"]
            last = (r.get("last") or "–")[:16].replace("T", " ")
            cells = (
                who,
                r["assessment"],
                STATE_WORDS.get(r["state"], r["state"]),
                str(len(r["attempts"])),
                last,
            )
            fill_row(self.table, i, cells)
            self.table.item(i, 0).setData(Qt.ItemDataRole.UserRole, r["student_id"])
            latest = r["attempts"][-1] if r["attempts"] else None
            self.table.item(i, 1).setData(Qt.ItemDataRole.UserRole, latest)
        counts = {s: sum(r["state"] == s for r in rows) for s in STATE_ORDER}
        self.note.setText(
            f"{counts['none']} without an attempt, {counts['partial']} partial, "
            f"{counts['several']} with several, {counts['complete']} complete."
        )

    def _open_attempt(self, row: int, _column: int) -> None:
        student = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        latest = self.table.item(row, 1).data(Qt.ItemDataRole.UserRole)
        if latest:
            self.attempt_opened.emit(student, latest)

    def states(self) -> dict[tuple[str, str], str]:
        """(student id, assessment) -> the state word shown, as the table holds it."""
        out = {}
        for r in range(self.table.rowCount()):
            who = self.table.item(r, 0).text()
            sid = who.rsplit("(", 1)[-1].rstrip(")") if who.endswith(")") else who
            out[(sid, self.table.item(r, 1).text())] = self.table.item(r, 2).text()
        return out

    # -- export ------------------------------------------------------------------------------
    def ask_file(self) -> QFileDialog | None:
        """Export gradebook...: a file dialog (Qt's own, the same on every system); the export
        starts when a file is chosen."""
        if self.course_id is None:
            self._say("Choose a course first.")
            return None
        fmt = self.format_combo.currentData()
        dialog = QFileDialog(self, f"Gradebook for {fmt}")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setNameFilter("CSV files (*.csv)")
        dialog.setDefaultSuffix("csv")
        dialog.selectFile(f"{self.course_id}-{fmt}.csv")
        dialog.fileSelected.connect(lambda name: self.export_to(Path(name), fmt))
        dialog.open()
        self.file_dialog = dialog
        return dialog

    def export_to(self, out: Path, fmt: str | None = None) -> None:
        course = self.course_id
        fmt = fmt or self.format_combo.currentData()
        if course is None:
            return
        self.export_button.setEnabled(False)
        self.export_line.setText(f"Writing the {fmt} gradebook to {out}…")

        def done(info: dict[str, Any]) -> None:
            self.export_button.setEnabled(True)
            n = info.get("students", info.get("rows"))
            extra = f" ({n} students)" if isinstance(n, int) else ""
            self._say(f"Gradebook for {fmt} written to {out}{extra}.")

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            # The records name the command line's option; the window has none.
            self._say(f"Gradebook not written: {_reason(exc).removeprefix('--out ')}")

        run_in_background(
            lambda: write_gradebook(self.target, course, fmt, out), "gradebook", done, failed
        )

    def picked_student(self) -> str | None:
        """The student id of the row picked in the list, if any."""
        r = self.table.currentRow()
        item = self.table.item(r, 0) if r >= 0 else None
        if item is None:
            return None
        who = item.text()
        return who.rsplit("(", 1)[-1].rstrip(")") if who.endswith(")") else who

    def ask_certificate_file(self) -> QFileDialog | None:
        student, course = self.picked_student(), self.course_id
        if student is None or course is None:
            self._say("Pick a student in the list first.")
            return None
        self.file_dialog = ask_pdf(
            self,
            "Certificate",
            f"certificate-{student}.pdf",
            lambda out: self.certify_to(out, student),
        )
        return self.file_dialog

    def certify_to(self, out: Path, student_id: str) -> None:
        passphrase = self.cert_passphrase.text()
        self.cert_passphrase.clear()  # never kept
        if not passphrase or self.course_id is None:
            self._say("Type the instructor passphrase to sign a certificate.")
            return
        self._say(f"Checking {student_id}'s assessment and signing…")
        issue_certificate(self.target, passphrase, student_id, self.course_id, out, None, self._say)

    def _say(self, line: str) -> None:
        self.export_line.setText(line)
        self.exported.emit(line)

    def _fail(self, exc: BaseException) -> None:
        self.note.setText(f"The records cannot be read: {_reason(exc)}")


def _reason(exc: BaseException) -> str:
    """A records or file error's own words; anything else named by its type as well."""
    from trainer.records.errors import RecordsError

    if isinstance(exc, RecordsError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"
