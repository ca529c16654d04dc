"""A session (or any run of strokes) in a few numbers: how well, how often, how steadily.

The figures are the ones a course reports: the mean score and whether it reaches the pass mark,
the share of strokes that passed, the within-trainee coefficients of variation of peak force,
duration and mean angle (students agree poorly with each other but well with themselves, so their
own variability is the useful measure), the stroke rate, and the time spent inside the band.

Pure arithmetic on ``StrokeScore`` objects or their compact ``StrokeLog``; never imports Qt,
never reads or writes files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.scoring.scorer import StrokeScore
from trainer.scoring.stroke_log import StrokeLog


@dataclass(frozen=True)
class SessionSummary:
    """Figures are None where they cannot be known (no strokes; a CV needs 2 strokes; a stroke
    rate needs 2 stroke starts; angle figures need an angle channel)."""

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
        }


def summarise(scores: list[StrokeScore], pass_mark: float) -> SessionSummary:
    """Summarise scored strokes. ``passed`` means the mean score reaches ``pass_mark``; the pass
    rate counts strokes that reached it on their own. The stroke rate is strokes per minute from
    the first start to the last start (gaps between strokes included, as a metronome counts)."""
    return summarise_log(StrokeLog.from_scores(scores), pass_mark)


def summarise_log(log: StrokeLog, pass_mark: float) -> SessionSummary:
    """``summarise`` for strokes kept as a ``StrokeLog`` (a long session's compact form)."""
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
    )


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
