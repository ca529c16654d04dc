"""Asking before work is thrown away or a session is ended.

One question box for every such place (a new demonstration over unsaved strokes, closing with an
unsaved demonstration, another exercise in the middle of a session), so they all read alike: the
question names what would be lost, the safe answer is the default, and Escape is "no".
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm(parent: QWidget | None, title: str, question: str, go_label: str) -> bool:
    """Ask ``question``; True only if the user chose ``go_label``. Cancel is the default."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(question)
    go = box.addButton(go_label, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is go
