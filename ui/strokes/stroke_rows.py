"""A scored stroke as the screens show it: one flat row, built once when the stroke arrives.

The session hands over a ``Stroke`` and its ``StrokeScore``; the stroke list, the stroke plots and
the status line all want the same few figures. Building them once here keeps a stroke's row stable
after it was shown, and gives the feedback schedule its plain-number ``StrokeOutcome``.

No Qt; never changes the stroke or its score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from trainer.live.feedback import StrokeOutcome
from trainer.scoring.scorer import StrokeScore
from trainer.scoring.shown import score_text
from trainer.strokes.stroke import Stroke

#: The sub-scores (``docs/scoring.md``) in the order the stroke list shows them, with short headers.
#: Consistency is not among them: it belongs to a block of strokes, and the session summary
#: beside the list shows it.
SUB_SCORE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("force", "Force"),
    ("angle", "Angle"),
    ("tempo", "Tempo"),
    ("smoothness", "Smooth"),
)


@dataclass(frozen=True, eq=False)
class StrokeRow:
    number: int
    start_s: float
    end_s: float
    duration_s: float
    peak_force_n: float
    mean_angle_deg: float
    score: float | None = None
    passed: bool | None = None
    #: The mark the score was judged against, so its number never contradicts its verdict.
    pass_mark: float | None = None
    sub_scores: dict[str, float | None] = field(default_factory=dict)
    explanation: tuple[str, ...] = ()
    force_in_band_pct: float | None = None
    angle_in_band_pct: float | None = None
    force_curve_n: np.ndarray | None = None  # 101 points, 0 to 100 % of the stroke
    angle_curve_deg: np.ndarray | None = None

    @property
    def score_shown(self) -> str:
        """The score as the screens write it ("–" when unscored), never contradicting its
        verdict (``trainer.scoring.shown``)."""
        if self.score is None:
            return "–"
        return score_text(self.score, self.pass_mark)

    @property
    def verdict(self) -> str:
        """Pass/fail in words with a symbol, never by colour alone."""
        if self.passed is None:
            return "–"
        return "✓ pass" if self.passed else "✗ fail"

    @property
    def one_line(self) -> str:
        """The first sentence of the explanation: the stroke's main lesson."""
        return self.explanation[0] if self.explanation else ""

    def sub_score(self, key: str) -> float | None:
        value = self.sub_scores.get(key)
        return None if value is None or not math.isfinite(value) else float(value)

    def outcome(self) -> StrokeOutcome | None:
        """What a feedback schedule needs, or None for an unscored stroke."""
        if self.score is None or self.passed is None or self.force_in_band_pct is None:
            return None
        return StrokeOutcome(
            self.score, self.passed, self.force_in_band_pct, self.angle_in_band_pct
        )


def row_from(
    stroke: Stroke, score: StrokeScore | None, pass_mark: float | None = None
) -> StrokeRow:
    """Flatten a stroke and its score (``None`` when no exercise scored it); ``pass_mark``, the
    exercise's, keeps the score's number from contradicting its verdict."""
    if score is None:
        return StrokeRow(
            number=int(stroke.index),
            start_s=float(stroke.start_s),
            end_s=float(stroke.end_s),
            duration_s=float(stroke.duration_s),
            peak_force_n=float(stroke.peak_force_n),
            mean_angle_deg=float(stroke.mean_angle_deg),
        )
    norm = score.normalised
    angle = np.asarray(norm.angle_deg, dtype=np.float64)
    return StrokeRow(
        number=int(score.index),
        start_s=float(score.start_s),
        end_s=float(score.end_s),
        duration_s=float(score.duration_s),
        peak_force_n=float(score.peak_force_n),
        mean_angle_deg=float(score.mean_angle_deg),
        score=float(score.score),
        passed=bool(score.passed),
        pass_mark=pass_mark,
        sub_scores=dict(score.sub_scores),
        explanation=tuple(score.explanation),
        force_in_band_pct=float(score.force_in_band_pct),
        angle_in_band_pct=score.angle_in_band_pct,
        force_curve_n=np.asarray(norm.force_n, dtype=np.float64),
        angle_curve_deg=angle if np.all(np.isfinite(angle)) else None,
    )
