"""The first-run guide and the list of keys: what a student needs before the first stroke.

Shown once, on the first start, and again from Help > Getting started. It says what tare is
and why it comes first, what the band is, how a session starts and ends, and what the keys do,
in the words the screen itself uses. Non-modal: the screen behind it stays live.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

#: Every key of the application, as Help > Keyboard shortcuts lists it.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Space", "start / stop the session"),
    ("T", "tare: zero the force (tool still, off the skin)"),
    ("N", "next exercise (asks first during a session)"),
    ("F", "show your last stroke (self-controlled feedback)"),
    ("Alt+Down", "open the Feedback list (arrow keys alone never change it)"),
    ("Tab / Shift+Tab", "move between controls; arrow keys pick a stroke in the list"),
    ("Ctrl+O", "open a recording for review (Up / Down: previous / next stroke)"),
    ("Ctrl+E", "record an expert demonstration (instructors)"),
    ("Ctrl+R", "in the expert window: start or stop recording the demonstration"),
    ("Ctrl+L", "light / dark"),
    ("F1", "getting started (this guide)"),
    ("Ctrl+Q", "quit (the session's recording is closed first)"),
)

GUIDE_HTML = """
<h2>Getting started</h2>
<p><b>1. Tare.</b> With the tool still and off the skin, press <b>T</b>. Taring zeroes the
force, so that every stroke is measured from true zero; do it after connecting and whenever the
force reads other than zero at rest.</p>
<p><b>2. Start.</b> Press <b>Space</b> (or &#9654; Start). Nothing is recorded or scored before
you do; everything after is recorded to a file, whatever you see.</p>
<p><b>3. Stroke.</b> The shaded <b>band</b> is the expert's: the range of force (and tool angle)
that your instructor's own strokes fell in, from start to end of a stroke. Each stroke is drawn
against it as it grows, scored 0 to 100 the moment it ends, and explained in words (&ldquo;too
hard from 40 to 70 % of the stroke&rdquo;). Orange means outside the band.</p>
<p><b>4. Feedback.</b> The Feedback list sets what you see and when: concurrent (everything, as
it happens), terminal (after each stroke), bandwidth (only strokes outside the band), faded,
self-controlled (press <b>F</b> when you want it), or none (a test block). Changing it starts a
new block, with its own summary.</p>
<p><b>5. Stop.</b> Press <b>Space</b> again: the block's summary shows your scores, the share of
the stroke in the band, your consistency, the two things most worth practising, and where the
recording was saved.</p>
<p><i>For education, not clinical use: the score measures agreement with your instructor's
recorded strokes, not clinical effect.</i></p>
"""


def shortcuts_text() -> str:
    """The keys as lines of text (for Help > Keyboard shortcuts)."""
    width = max(len(k) for k, _ in SHORTCUTS)
    return "\n".join(f"{k.ljust(width)}   {what}" for k, what in SHORTCUTS)


class GettingStarted(QDialog):
    """The guide, non-modal, closed with Close or Escape."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Getting started — iastm-trainer")
        self.setModal(False)
        text = QLabel(GUIDE_HTML)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        text.setAccessibleName("Getting started")
        keys = QLabel(shortcuts_text())
        keys.setTextFormat(Qt.TextFormat.PlainText)
        keys.setStyleSheet("font-family: monospace;")
        keys.setAccessibleName("Keyboard shortcuts")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(QLabel("<b>Keys</b>"))
        layout.addWidget(keys)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)
        self.setMaximumWidth(720)

    def text(self) -> str:
        """What the guide says, as plain text (for tests and screen readers)."""
        labels = self.findChildren(QLabel)
        return "\n".join(label.text() for label in labels)
