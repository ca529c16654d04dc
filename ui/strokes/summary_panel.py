"""The session summary: how many strokes, how good, how steady, how fast, how much in band.

Consistency is a figure of the block of strokes, not of any one stroke: 0 to 100 from the sigma
ratio (the spread of the trainee's force curves over the experts'; 100 as steady as the experts),
with the ratio and whether it reaches the exercise's consistency mark, and the coefficients of
variation of the trainee's own peak force, duration and mean angle: students agree poorly with one
another but well with themselves, so their own spread is the figure that shows progress. Under a
no-feedback block the panel says the figures are held back rather than showing them, since a
running mean score is feedback too.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel

from trainer.scoring.summary import SessionSummary
from ui.strokes.stroke_rows import score_text
from ui.theme import FIGURE_FONT_PT

_FIELDS: tuple[tuple[str, str, str], ...] = (
    # key, label, tooltip
    ("strokes", "Strokes", "Strokes found in this session"),
    ("mean_score", "Mean score", "Mean of the stroke scores, 0 to 100"),
    ("pass_rate", "Passed", "Share of strokes at or above the pass mark"),
    ("rate", "Stroke rate", "Strokes per minute"),
    ("force_in_band", "Force in band", "Share of the stroke inside the force band"),
    ("angle_in_band", "Angle in band", "Share of the stroke inside the angle band"),
    (
        "consistency",
        "Consistency",
        "How alike your strokes are, 0 to 100 (100: as alike as the experts'), from 3 strokes on; "
        "in brackets, their spread over the experts'",
    ),
    ("cv_force", "Peak force CV", "Spread of your peak force (lower: steadier)"),
    ("cv_duration", "Duration CV", "Spread of your stroke duration (lower: steadier)"),
    ("cv_angle", "Angle CV", "Spread of your mean angle (lower: steadier)"),
)


#: What a held-back figure reads: short, so a narrow column shows it whole.
HELD_BACK = "hidden"


#: The rows about the angle, left out when the device measures none.
ANGLE_FIELDS = ("angle_in_band", "cv_angle")


def _pct(value: float | None, decimals: int = 0) -> str:
    return "–" if value is None else f"{value:.{decimals}f} %"


def summary_texts(summary: SessionSummary | None) -> dict[str, str]:
    """The panel's figures as text ("–" for a figure that cannot be known yet)."""
    if summary is None:
        return {key: "–" for key, _, _ in _FIELDS}
    mean = "–" if summary.mean_score is None else score_text(summary.mean_score, summary.pass_mark)
    if summary.mean_score is not None:
        mean += " ✓" if summary.passed else " ✗"
    return {
        "strokes": str(summary.strokes),
        "mean_score": mean,
        "pass_rate": _pct(summary.pass_rate_pct),
        "rate": "–"
        if summary.stroke_rate_per_min is None
        else f"{summary.stroke_rate_per_min:.0f} /min",
        "force_in_band": _pct(summary.force_in_band_pct),
        "angle_in_band": _pct(summary.angle_in_band_pct),
        "consistency": _consistency(summary),
        "cv_force": _pct(summary.peak_force_cv_pct),
        "cv_duration": _pct(summary.duration_cv_pct),
        "cv_angle": _pct(summary.mean_angle_cv_pct),
    }


def _consistency(summary: SessionSummary) -> str:
    """ "82 ✓ (×1.4)": the block's consistency, whether it reaches the mark, the sigma ratio."""
    if summary.consistency is None:
        return "–"
    text = f"{summary.consistency:.0f}"
    if summary.consistency_passed is not None:
        text += " ✓" if summary.consistency_passed else " ✗"
    ratio = summary.force_sd_ratio
    if ratio is not None and math.isfinite(ratio):
        text += f" (×{ratio:.1f})"
    return text


class SummaryPanel(QGroupBox):
    def __init__(self) -> None:
        super().__init__("Session")
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        big = QFont()
        big.setPointSize(FIGURE_FONT_PT - 7)
        big.setBold(True)
        self._values: dict[str, QLabel] = {}
        self._names: dict[str, QLabel] = {}
        for i, (key, label, tip) in enumerate(_FIELDS):
            name = QLabel(label)
            name.setToolTip(tip)
            value = QLabel("–")
            value.setFont(big)
            value.setToolTip(tip)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(name, i, 0)
            grid.addWidget(value, i, 1)
            self._values[key] = value
            self._names[key] = name
        self._note = QLabel("")
        self._note.setWordWrap(True)
        grid.addWidget(self._note, len(_FIELDS), 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self._note.hide()

    def set_block(self, number: int, schedule_label: str) -> None:
        """The figures are of one block: say which (the schedule's name without its gloss, so
        the title fits a narrow column; the Feedback box above says the rest)."""
        self.setTitle(f"Block {number} · {schedule_label.split(' (')[0]}")
        self.setToolTip(f"Block {number}, under {schedule_label} feedback")

    def show_summary(self, summary: SessionSummary | None) -> None:
        self._note.hide()
        for key, text in summary_texts(summary).items():
            self._values[key].setText(text)

    def hold_back(self, strokes: int) -> None:
        """A no-feedback block: count the strokes, hold back every figure that judges them."""
        for key, label in self._values.items():
            label.setText(str(strokes) if key == "strokes" else HELD_BACK)
        self._note.setText("Held back by the feedback schedule: shown when the block ends.")
        self._note.show()

    def value(self, key: str) -> str:
        return self._values[key].text()

    def set_angle_measured(self, measured: bool) -> None:
        """No angle channel (a force plate, a force-only tool): the angle rows, which could only
        ever say "–", are left out rather than shown empty."""
        for key in ANGLE_FIELDS:
            self._names[key].setVisible(measured)
            self._values[key].setVisible(measured)

    def shows(self, key: str) -> bool:
        """Whether the row ``key`` is part of the panel (for tests and the screen's captions)."""
        return not self._values[key].isHidden()
