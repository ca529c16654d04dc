"""What the screen shows when a block ends: its own figures, what to practise, where it was saved.

A block that just ended is the moment a trainee looks up from the tool: the stroke plots of the
last stroke say little about the block, so Stop puts this report where the plots were. The
figures are the block's alone (a test block is not mixed with the practice before it), the two
things most worth practising come from the strokes' explanations (``trainer.live.blocks``), and
the recording's path is given whole, so the trainee or the instructor can find it again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from trainer.live.blocks import BlockReport
from trainer.live.feedback import Schedule
from ui.strokes.stroke_rows import score_text
from ui.strokes.summary_panel import summary_texts
from ui.theme import figure_font

#: The block's figures the report shows, in this order (keys of ``summary_texts``).
_FIGURES = (
    ("mean_score", "Mean score"),
    ("pass_rate", "Passed"),
    ("force_in_band", "Force in band"),
    ("angle_in_band", "Angle in band"),
    ("consistency", "Consistency"),
    ("cv_force", "Peak force CV"),
)


def schedule_label(value: str) -> str:
    try:
        return Schedule(value).label
    except ValueError:
        return value


class BlockReportView(QWidget):
    """The ended block's report; ``back_requested`` when the trainee wants the plots again."""

    back_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("blockReport")
        self.title = QLabel("")
        self.title.setFont(figure_font(17))
        self.title.setWordWrap(True)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        for i, (key, label) in enumerate(_FIGURES):
            name = QLabel(label)
            value = QLabel("–")
            value.setFont(figure_font(17))
            grid.addWidget(name, i // 3 * 2, i % 3)
            grid.addWidget(value, i // 3 * 2 + 1, i % 3)
            self.values[key] = value
        self.practise_title = QLabel("Most worth practising")
        self.practise_title.setFont(figure_font(14))
        self.practise = QLabel("")
        self.practise.setWordWrap(True)
        self.practise.setFont(figure_font(14, bold=False))
        self.earlier = QLabel("")
        self.earlier.setWordWrap(True)
        self.saved = QLabel("")
        self.saved.setWordWrap(True)
        self.saved.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.back_button = QPushButton("Show the stroke plots")
        self.back_button.setToolTip("Back to the last stroke against the band")
        self.back_button.clicked.connect(self.back_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addWidget(self.practise_title)
        layout.addWidget(self.practise)
        layout.addWidget(self.earlier)
        layout.addWidget(self.saved)
        layout.addStretch(1)
        layout.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)

    def show_report(
        self,
        report: BlockReport,
        earlier: list[BlockReport],
        saved_to: Path | None,
        stopped_reason: str | None = None,
    ) -> None:
        ended = "stopped" if stopped_reason else "ended"
        self.title.setText(
            f"Block {report.number} {ended}: {schedule_label(report.schedule)} feedback"
        )
        if report.strokes:
            last = report.first_stroke + report.strokes - 1
            span = f"strokes {report.first_stroke}–{last}" if report.strokes > 1 else "one stroke"
            detail = f"{report.strokes} strokes ({span}) on {report.exercise_id or 'no exercise'}."
        else:
            detail = "No strokes in this block."
        if report.summary is not None and report.summary.mean_score is not None:
            detail += f" Pass mark {report.summary.pass_mark:.0f}."
        self.detail.setText(detail)
        texts = summary_texts(report.summary)
        for key, label in self.values.items():
            label.setText(texts[key])
        if report.topics:
            self.practise.setText("\n".join(f"{i}. {t}" for i, t in enumerate(report.topics, 1)))
        elif report.strokes:
            self.practise.setText("Nothing stood out: keep it up.")
        else:
            self.practise.setText("–")
        if earlier:
            lines = [
                f"Block {b.number} ({schedule_label(b.schedule)}): {b.strokes} strokes"
                + (
                    f", mean {score_text(b.summary.mean_score, b.summary.pass_mark)}"
                    if b.summary is not None and b.summary.mean_score is not None
                    else ""
                )
                for b in earlier
            ]
            self.earlier.setText("Earlier blocks: " + "; ".join(lines) + ".")
            self.earlier.show()
        else:
            self.earlier.hide()
        if saved_to is not None:
            where = f"Recording saved to {saved_to} (File > Open recording… reviews it)."
        else:
            where = "Nothing was recorded."
        if stopped_reason:
            where = f"{stopped_reason}\n{where}"
        self.saved.setText(where)

    def text(self) -> str:
        """Everything the report says, for tests and the accessibility tree."""
        parts = [self.title.text(), self.detail.text()]
        parts += [f"{k}: {v.text()}" for k, v in self.values.items()]
        parts += [self.practise.text(), self.earlier.text(), self.saved.text()]
        return "\n".join(parts)
