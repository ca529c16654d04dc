"""The instructor's documents from the records windows, on a real SQLite file: a session's report
read back as text, and a certificate refused to a student who has not passed, then issued and
verified by the command line once they have."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from tests.cli_helpers import run_cli
from tests.ui.app.test_instructor_records import PW, class_db, open_window, recorded
from trainer.records.repository import Records

__all__ = ["class_db", "recorded"]  # the fixtures, shared with the instructor records tests


def _save_as(qtbot, dialog: QFileDialog, out: Path) -> None:
    """Answer a save dialog the way a user does: a file name, then its Save button."""
    dialog.selectFile(str(out))
    save = next(
        b
        for box in dialog.findChildren(QDialogButtonBox)
        for b in box.buttons()
        if box.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole
    )
    save.click()


def test_a_session_report_is_written_from_the_rating_tab(
    qtbot, class_db: tuple[str, str], tmp_path: Path
) -> None:
    db, _session = class_db
    window = open_window(qtbot, db)
    panel = window.rating
    window.tabs.setCurrentWidget(panel)
    panel.choose_student("S-1")
    qtbot.waitUntil(lambda: panel.sessions.rowCount() == 1, timeout=15_000)
    with qtbot.waitSignal(panel.replayed, timeout=30_000):
        panel.choose_session(0)
    assert panel.report_button.isEnabled()
    out = tmp_path / "ann.pdf"
    dialog = panel.ask_report_file()
    _save_as(qtbot, dialog, out)
    qtbot.waitUntil(lambda: "Session report written" in panel.line.text(), timeout=30_000)
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Ann Lee" in text and "sweep" in text.lower()


def test_a_certificate_is_refused_until_the_student_passes_then_signed_and_verified(
    qtbot, class_db: tuple[str, str], tmp_path: Path
) -> None:
    db, session_id = class_db
    window = open_window(qtbot, db)
    panel = window.gradebook
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=15_000)
    row = next(r for r in range(2) if panel.table.item(r, 0).text() == "Ann Lee (S-1)")
    panel.table.selectRow(row)
    assert panel.picked_student() == "S-1"
    out = tmp_path / "ann-certificate.pdf"
    # The assessment's rubric asks for a pressure rating of 3: not given yet, so no certificate.
    panel.cert_passphrase.setText(PW)
    _save_as(qtbot, panel.ask_certificate_file(), out)
    qtbot.waitUntil(lambda: panel.export_line.text().startswith("No certificate"), timeout=30_000)
    assert "pressure" in panel.export_line.text() and not out.exists()
    assert panel.cert_passphrase.text() == ""  # never kept
    with Records.open(db) as records:
        records.rate(PW, session_id, rater="J. Lee", item="pressure", value=4)
    panel.cert_passphrase.setText(PW)
    _save_as(qtbot, panel.ask_certificate_file(), out)
    qtbot.waitUntil(lambda: panel.export_line.text().startswith("Certificate"), timeout=60_000)
    assert out.read_bytes().startswith(b"%PDF")
    checked = run_cli("verify", str(out), "--db", str(db))
    assert checked.returncode == 0, checked.stderr
    assert "Ann Lee" in checked.stdout or "S-1" in checked.stdout
