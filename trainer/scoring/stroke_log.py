"""Every stroke of a session in a few numbers, kept compactly so a day-long session stays small.

A scored stroke carries its explanation, sub-scores and 101-point curves: about two kilobytes,
which a display needs for the strokes it can show but a summary does not. What the summary needs
(start, duration, peak force, mean angle, time in band, score) fits in 56 bytes a stroke, in
growing numpy columns: an eight-hour session at a stroke a second costs about 1.6 MB, and the
summary of any number of strokes is a handful of numpy reductions instead of a walk over objects.

For the block's consistency the log also keeps the running pointwise mean and spread of the
strokes' normalised force curves (Welford's update, 2 x 101 numbers however long the session), so
that the pointwise SD of every stroke of the block is known without keeping the curves.

Pure arithmetic; never imports Qt, never reads or writes files.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from trainer.scoring.scorer import StrokeScore

_FIELDS = (
    "start_s",
    "duration_s",
    "peak_force_n",
    "mean_angle_deg",
    "force_in_band_pct",
    "angle_in_band_pct",
    "score",
)
_INITIAL_CAPACITY = 256


class StrokeLog:
    """The summary figures of every stroke appended, in order of arrival.

    Columns are float64; a figure that cannot be known (no angle channel) is NaN. The arrays the
    properties return are views of the filled part: read them, do not keep them across appends.
    """

    def __init__(self) -> None:
        self._data = np.empty((_INITIAL_CAPACITY, len(_FIELDS)))
        self._n = 0
        self._curves = 0
        self._curve_mean_n: np.ndarray | None = None
        self._curve_m2_n2: np.ndarray | None = None

    @classmethod
    def from_scores(cls, scores: Iterable[StrokeScore]) -> StrokeLog:
        log = cls()
        for score in scores:
            log.append(score)
        return log

    def append(self, score: StrokeScore) -> None:
        if self._n == len(self._data):
            grown = np.empty((2 * len(self._data), len(_FIELDS)))
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n] = (
            score.start_s,
            score.duration_s,
            score.peak_force_n,
            _nan_if_none(score.mean_angle_deg),
            score.force_in_band_pct,
            _nan_if_none(score.angle_in_band_pct),
            score.score,
        )
        self._n += 1
        self._add_curve(np.asarray(score.normalised.force_n, dtype=float))

    def _add_curve(self, force_n: np.ndarray) -> None:
        if force_n.ndim != 1 or not np.all(np.isfinite(force_n)):
            return  # a stroke with no usable curve takes no part in the spread
        if self._curve_mean_n is None or self._curve_m2_n2 is None:
            self._curve_mean_n = np.zeros_like(force_n)
            self._curve_m2_n2 = np.zeros_like(force_n)
        self._curves += 1
        delta = force_n - self._curve_mean_n
        self._curve_mean_n += delta / self._curves
        self._curve_m2_n2 += delta * (force_n - self._curve_mean_n)

    @property
    def curves(self) -> int:
        """Strokes whose force curve is in the pointwise spread."""
        return self._curves

    def force_curve_sd_n(self) -> float | None:
        """The pointwise SD (ddof 1) of the strokes' normalised force curves, averaged over the
        stroke; None with fewer than 2 curves."""
        if self._curves < 2 or self._curve_m2_n2 is None:
            return None
        var = np.maximum(self._curve_m2_n2, 0.0) / (self._curves - 1)
        return float(np.mean(np.sqrt(var)))

    def __len__(self) -> int:
        return self._n

    def column(self, name: str) -> np.ndarray:
        """One figure for every stroke so far (a view; see the class notes)."""
        return self._data[: self._n, _FIELDS.index(name)]

    @property
    def nbytes(self) -> int:
        """Memory held, the spare capacity included."""
        return int(self._data.nbytes)


def _nan_if_none(value: float | None) -> float:
    return math.nan if value is None else float(value)
