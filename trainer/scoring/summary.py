"""A session (or any run of strokes) in a few numbers: how well, how often, how steadily.

The figures are the ones a course reports: the mean score and whether it reaches the pass mark,
the share of strokes that passed, the block's consistency, the stroke rate, and the time spent
inside the band.

Consistency is a property of a block of strokes, not of any one stroke (a stroke's score depends
on that stroke and the envelope only): the within-trainee coefficients of variation of peak force,
duration and mean angle (students agree poorly with each other but well with themselves, so their
own variability is the useful measure), and the sigma ratio, the mean pointwise SD of the block's
normalised force curves over the experts' (``max(mean sigma, force floor)``), ramped to a
consistency of 100 at a ratio of 1 (as steady as the experts) down to 0 at 3. It needs at least 3
strokes; with fewer a spread cannot be judged. The exercise's ``BlockCriteria`` set the
consistency a block must reach.

Pure arithmetic on ``StrokeScore`` objects or their compact ``StrokeLog``; never imports Qt,
never reads or writes files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.scoring.envelope import Envelope
from trainer.scoring.scorer import StrokeScore, ramp
from trainer.scoring.stroke_log import StrokeLog
from trainer.scoring.weights import BlockCriteria

#: Consistency: a spread equal to the experts' scores 100, three times it 0.
CONSISTENCY_RATIO_INNER = 1.0
CONSISTENCY_RATIO_OUTER = 3.0
#: Fewest strokes in a block before its consistency is judged.
MIN_STROKES_FOR_CONSISTENCY = 3


@dataclass(frozen=True)
class SessionSummary:
    """Figures are None where they cannot be known (no strokes; a CV needs 2 strokes; a stroke
    rate needs 2 stroke starts; angle figures need an angle channel; the sigma ratio and the
    consistency need 3 strokes and the envelope)."""

    strokes: int
    mean_score: float | None
    passed: bool
    pass_mark: float
    pass_rate_pct: float | None
    peak_force_mean_n: float | None
    peak_force_cv_pct: float | None
    duration_mean_s: float | None
    duration_cv_pct: float | None
    mean_angle_deg: float | None
    mean_angle_cv_pct: float | None
    stroke_rate_per_min: float | None
    force_in_band_pct: float | None
    angle_in_band_pct: float | None
    force_sd_ratio: float | None = None
    consistency: float | None = None
    consistency_pass_mark: float | None = None
    consistency_passed: bool | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "strokes": self.strokes,
            "mean_score": _r(self.mean_score, 1),
            "passed": self.passed,
            "pass_mark": self.pass_mark,
            "pass_rate_pct": _r(self.pass_rate_pct, 1),
            "peak_force_mean_n": _r(self.peak_force_mean_n, 2),
            "peak_force_cv_pct": _r(self.peak_force_cv_pct, 1),
            "duration_mean_s": _r(self.duration_mean_s, 3),
            "duration_cv_pct": _r(self.duration_cv_pct, 1),
            "mean_angle_deg": _r(self.mean_angle_deg, 1),
            "mean_angle_cv_pct": _r(self.mean_angle_cv_pct, 1),
            "stroke_rate_per_min": _r(self.stroke_rate_per_min, 1),
            "force_in_band_pct": _r(self.force_in_band_pct, 1),
            "angle_in_band_pct": _r(self.angle_in_band_pct, 1),
            "force_sd_ratio": _r(self.force_sd_ratio, 2),
            "consistency": _r(self.consistency, 1),
            "consistency_pass_mark": self.consistency_pass_mark,
            "consistency_passed": self.consistency_passed,
        }


def summarise(
    scores: list[StrokeScore],
    pass_mark: float,
    envelope: Envelope | None = None,
    block: BlockCriteria | None = None,
) -> SessionSummary:
    """Summarise scored strokes. ``passed`` means the mean score reaches ``pass_mark``; the pass
    rate counts strokes that reached it on their own. The stroke rate is strokes per minute from
    the first start to the last start (gaps between strokes included, as a metronome counts).
    The sigma ratio and consistency need the ``envelope`` the strokes were scored against;
    ``consistency_passed`` compares the consistency with ``block`` (default criteria if None)."""
    return summarise_log(StrokeLog.from_scores(scores), pass_mark, envelope, block)


def summarise_log(
    log: StrokeLog,
    pass_mark: float,
    envelope: Envelope | None = None,
    block: BlockCriteria | None = None,
) -> SessionSummary:
    """``summarise`` for strokes kept as a ``StrokeLog`` (a long session's compact form)."""
    criteria = block if block is not None else BlockCriteria()
    n = len(log)
    if n == 0:
        return SessionSummary(
            strokes=0,
            mean_score=None,
            passed=False,
            pass_mark=pass_mark,
            pass_rate_pct=None,
            peak_force_mean_n=None,
            peak_force_cv_pct=None,
            duration_mean_s=None,
            duration_cv_pct=None,
            mean_angle_deg=None,
            mean_angle_cv_pct=None,
            stroke_rate_per_min=None,
            force_in_band_pct=None,
            angle_in_band_pct=None,
            consistency_pass_mark=criteria.consistency_pass_mark,
        )
    score = log.column("score")
    mean_score = float(np.mean(score))
    peaks = log.column("peak_force_n")
    durations = log.column("duration_s")
    angles = log.column("mean_angle_deg")
    angles = angles[np.isfinite(angles)]
    angle_band = log.column("angle_in_band_pct")
    angle_band = angle_band[~np.isnan(angle_band)]
    starts = log.column("start_s")
    span_s = float(np.max(starts) - np.min(starts))
    ratio = force_sd_ratio(log, envelope)
    consistency = (
        None if ratio is None else ramp(ratio, CONSISTENCY_RATIO_INNER, CONSISTENCY_RATIO_OUTER)
    )
    return SessionSummary(
        strokes=n,
        mean_score=mean_score,
        passed=mean_score >= pass_mark,
        pass_mark=pass_mark,
        pass_rate_pct=100.0 * int(np.count_nonzero(score >= pass_mark)) / n,
        peak_force_mean_n=float(np.mean(peaks)),
        peak_force_cv_pct=cv_pct(peaks),
        duration_mean_s=float(np.mean(durations)),
        duration_cv_pct=cv_pct(durations),
        mean_angle_deg=float(np.mean(angles)) if angles.size else None,
        mean_angle_cv_pct=cv_pct(angles),
        stroke_rate_per_min=60.0 * (n - 1) / span_s if n > 1 and span_s > 0 else None,
        force_in_band_pct=float(np.mean(log.column("force_in_band_pct"))),
        angle_in_band_pct=float(np.mean(angle_band)) if angle_band.size else None,
        force_sd_ratio=ratio,
        consistency=consistency,
        consistency_pass_mark=criteria.consistency_pass_mark,
        consistency_passed=(
            None if consistency is None else consistency >= criteria.consistency_pass_mark
        ),
    )


def force_sd_ratio(log: StrokeLog, envelope: Envelope | None) -> float | None:
    """The block's sigma ratio: the mean pointwise SD of its strokes' normalised force curves over
    the experts' (their mean sigma, never less than the force floor). None with fewer than
    ``MIN_STROKES_FOR_CONSISTENCY`` strokes or without the envelope."""
    if envelope is None or log.curves < MIN_STROKES_FOR_CONSISTENCY:
        return None
    sd = log.force_curve_sd_n()
    if sd is None:
        return None
    expert_sd = max(float(np.mean(envelope.force_sigma_n)), envelope.force_floor_n)
    if expert_sd <= 0:
        return 0.0 if sd == 0 else math.inf
    return sd / expert_sd


def cv_pct(values: np.ndarray) -> float | None:
    """Coefficient of variation (sample SD / |mean|) in %; None with fewer than 2 values or a
    zero mean."""
    v = np.asarray(values, dtype=float)
    if v.size < 2:
        return None
    mean = float(np.mean(v))
    if mean == 0.0:
        return None
    return 100.0 * float(np.std(v, ddof=1)) / abs(mean)


def _r(value: float | None, decimals: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, decimals)
