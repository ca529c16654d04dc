"""The row of controls over the training screen: start/stop, tare, the feedback schedule.

Also carries the honesty label, where it is seen every time the screen is: the scores measure
agreement with an instructor's recorded strokes, for education, not clinical use. The bar only
shows and emits; the training view decides what the buttons do.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from trainer.live.feedback import Schedule
from ui.theme import Theme, figure_font

HONESTY_TEXT = "For education — not for clinical use"


class _ArrowGuard(QObject):
    """Keeps Up, Down, Page Up/Down, Home, End and the mouse wheel from changing a closed combo
    box: on a focused box they switched Concurrent to Bandwidth mid-session without a word."""

    _KEYS = frozenset(
        {
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
            Qt.Key.Key_PageUp,
            Qt.Key.Key_PageDown,
            Qt.Key.Key_Home,
            Qt.Key.Key_End,
        }
    )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() is QEvent.Type.Wheel:
            event.ignore()
            return True
        if event.type() is QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)  # type: ignore[attr-defined]
            if key in self._KEYS and not alt:
                return True
        return False


class ControlBar(QWidget):
    schedule_changed = Signal(object)  # Schedule

    def __init__(self, schedule: Schedule) -> None:
        super().__init__()
        self.start_button = QPushButton("▶ Start")
        self.start_button.setToolTip("Start or stop the session (Space)")
        self.start_button.setFont(figure_font(15))
        self.start_button.setMinimumWidth(150)
        self.tare_button = QPushButton("Tare")
        self.tare_button.setToolTip("Zero the force: hold the tool still, off the skin (T)")
        self.show_last_button = QPushButton("Show last stroke")
        self.show_last_button.setToolTip(
            "Self-controlled feedback: see your last stroke when you want to (F)"
        )
        self.schedule_combo = QComboBox()
        for s in Schedule:
            self.schedule_combo.addItem(s.label, s.value)
            self.schedule_combo.setItemData(
                self.schedule_combo.count() - 1, s.explanation, Qt.ItemDataRole.ToolTipRole
            )
        self.schedule_combo.setToolTip(
            "Feedback schedule: what you see, and when (Alt+Down or Space opens the list)"
        )
        # Arrow keys must never change the schedule of a running session unseen: the list opens
        # first (Alt+Down, Space, F4), and the choice is made in it.
        self.schedule_combo.installEventFilter(_ArrowGuard(self.schedule_combo))
        self.schedule_combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.set_schedule(schedule)
        self.honesty = QLabel(HONESTY_TEXT)
        self.honesty.setObjectName("honesty")
        self.honesty.setFont(figure_font(13))
        self.honesty.setToolTip(
            "Scores measure agreement with an instructor's recorded strokes, not clinical effect. "
            "Skill practised on a simulator or a skin simulant may not transfer to patients."
        )
        for b in (self.start_button, self.tare_button, self.show_last_button):
            b.setMinimumHeight(40)
            # Keyboard focus on a button would not take Space from the start/stop shortcut,
            # but it would draw a focus frame that looks like a selection from across the room.
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.start_button)
        row.addWidget(self.tare_button)
        row.addWidget(self.show_last_button)
        row.addSpacing(16)
        row.addWidget(QLabel("Feedback"))
        row.addWidget(self.schedule_combo)
        row.addStretch(1)
        row.addWidget(self.honesty)
        self.schedule_combo.currentIndexChanged.connect(
            lambda _i: self.schedule_changed.emit(self.schedule())
        )

    def apply_theme(self, theme: Theme) -> None:
        self.honesty.setStyleSheet(
            f"#honesty {{ border: 2px solid {theme.muted}; padding: 3px 8px; border-radius: 4px; }}"
        )

    def schedule(self) -> Schedule:
        return Schedule(self.schedule_combo.currentData())

    def set_schedule(self, schedule: Schedule) -> None:
        i = self.schedule_combo.findData(schedule.value)
        if i != self.schedule_combo.currentIndex():
            self.schedule_combo.setCurrentIndex(i)

    def show_state(
        self,
        running: bool,
        busy: bool,
        schedule: Schedule,
        can_request: bool,
        connected: bool | None = None,
    ) -> None:
        """Buttons for the session's phase: ``busy`` while a session opens or closes;
        ``connected`` (default: ``running``) whether a tool is there to tare, a session or not."""
        self.start_button.setText("■ Stop" if running else "▶ Start")
        self.start_button.setEnabled(not busy)
        self.tare_button.setEnabled(running if connected is None else connected)
        self.show_last_button.setVisible(schedule is Schedule.SELF_CONTROLLED)
        self.show_last_button.setEnabled(can_request)
