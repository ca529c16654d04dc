"""Answering a real question box from a test, the way a user would: by clicking its button."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def answer_next_question(button_text: str, seen: list[str]) -> None:
    """When the next modal question box opens, note its text in ``seen`` and click the button
    whose text starts with ``button_text`` ("Cancel", "Discard ...")."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        for button in box.buttons():
            if button.text().replace("&", "").startswith(button_text):
                button.click()
                return
        raise AssertionError(f"no button {button_text!r} in {[b.text() for b in box.buttons()]}")

    QTimer.singleShot(0, click)
