"""A non-modal message strip across the top of the window.

An unplugged tool, a failed tare or an unfinished recording must be said without stopping the
trainee: a modal dialog would freeze practice and can hide behind a full-screen window. The banner
shows one message with optional action buttons and a close button; a message can clear itself
(the tool came back) or be replaced by a newer one with the same key.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton

from ui.theme import LIGHT, Theme


class Banner(QFrame):
    """One message at a time; ``key`` names it so that its owner can clear exactly it."""

    closed = Signal(str)

    def __init__(self, theme: Theme = LIGHT) -> None:
        super().__init__()
        self.setObjectName("banner")
        self._theme = theme
        self._key = ""
        self._kind = "info"
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont()
        font.setPointSize(15)
        font.setBold(True)
        self._label.setFont(font)
        self._close = QToolButton()
        self._close.setText("✕")
        self._close.setToolTip("Dismiss")
        self._close.clicked.connect(self._on_close)
        self._actions: list[QPushButton] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(12, 6, 8, 6)
        self._layout.addWidget(self._label, 1)
        self._layout.addWidget(self._close)
        self.hide()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._restyle()

    def _restyle(self) -> None:
        bg = self._theme.banner_warning if self._kind == "warning" else self._theme.banner_info
        self.setStyleSheet(
            f"#banner {{ background: {bg}; border: 1px solid {self._theme.muted}; "
            f"border-radius: 4px; }}"
        )

    def show_message(
        self,
        key: str,
        text: str,
        kind: str = "info",
        actions: list[tuple[str, Callable[[], None]]] | None = None,
        closable: bool = True,
    ) -> None:
        for button in self._actions:
            self._layout.removeWidget(button)
            button.deleteLater()
        self._actions = []
        self._key, self._kind = key, kind
        self._label.setText(("⚠ " if kind == "warning" else "") + text)
        for label, callback in actions or []:
            button = QPushButton(label)
            button.clicked.connect(callback)
            self._layout.insertWidget(self._layout.count() - 1, button)
            self._actions.append(button)
        self._close.setVisible(closable)
        self._restyle()
        self.show()

    def clear(self, key: str | None = None) -> None:
        """Hide the banner if it shows ``key`` (any message when ``key`` is None)."""
        if key is None or key == self._key:
            self._key = ""
            self.hide()

    @property
    def key(self) -> str:
        """The key of the message on show, or "" when hidden."""
        return "" if self.isHidden() else self._key

    @property
    def kind(self) -> str:
        """ "info" or "warning": the kind of the message last shown."""
        return self._kind

    def text(self) -> str:
        return self._label.text()

    def showing(self, key: str) -> bool:
        return self._key == key and not self.isHidden()

    def _on_close(self) -> None:
        key = self._key
        self.clear()
        self.closed.emit(key)
