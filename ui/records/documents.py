"""The instructor's documents from the records windows: a session's report and a certificate,
as PDFs (``trainer.reports``, ``trainer.credentials``), written off the GUI thread.

A file is chosen in Qt's own save dialog (the same on every system); the writing happens in the
background and one line says where it went or, for a certificate refused, why (the student has
not passed, a wrong passphrase): the same reasons the command line gives.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QWidget

from ui.runtime.background import run_in_background


def ask_pdf(
    parent: QWidget, title: str, suggested: str, chosen: Callable[[Path], None]
) -> QFileDialog:
    """A save dialog for a PDF; ``chosen`` gets the file once one is picked."""
    dialog = QFileDialog(parent, title)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setNameFilter("PDF files (*.pdf)")
    dialog.setDefaultSuffix("pdf")
    dialog.selectFile(suggested)
    dialog.fileSelected.connect(lambda name: chosen(Path(name)))
    dialog.open()
    return dialog


def write_session_report(
    target: str, session_id: str, out: Path, said: Callable[[str], None]
) -> None:
    """The session's report (students, blocks, every stroke with its reasons) to ``out``."""

    def work() -> dict[str, Any]:
        from trainer.records.repository import Records
        from trainer.reports.session import write_session_report as write

        with Records.open(target) as records:
            return write(records, session_id, out)

    run_in_background(
        work,
        "session-report",
        lambda info: said(f"Session report written to {info['out']}."),
        lambda exc: said(f"Report not written: {_reason(exc)}"),
    )


def issue_certificate(
    target: str,
    passphrase: str,
    student_id: str,
    course_id: str,
    out: Path,
    instructor: str | None,
    said: Callable[[str], None],
) -> None:
    """A signed certificate for a student who passed the course's assessment, to ``out``;
    refused with the reason otherwise."""

    def work() -> dict[str, Any]:
        from trainer.credentials.certificate import issue_certificate as issue
        from trainer.records.repository import Records

        with Records.open(target) as records:
            return issue(records, passphrase, student_id, course_id, out, instructor=instructor)

    run_in_background(
        work,
        "certificate",
        lambda info: said(f"Certificate {info['certificate']} written to {info['out']}."),
        lambda exc: said(f"No certificate: {_reason(exc)}"),
    )


def _reason(exc: BaseException) -> str:
    from trainer.files.output import OutputError
    from trainer.records.errors import RecordsError

    if isinstance(exc, RecordsError | OutputError | OSError):
        return str(exc).removeprefix("--out ")
    return f"{type(exc).__name__}: {exc}"
