"""Which expert strokes look like outliers, so that an instructor can drop them before saving.

Depth in the band of the other strokes (modified band depth) finds curves unlike the rest; fences on
duration and reach catch a stroke that was cut short or ran on. Flags only: the instructor decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.scoring.envelope import Envelope
from trainer.signals.regions import find_regions
from trainer.strokes.normalise import NormalisedStroke
from trainer.strokes.stroke import Stroke

#: Functional boxplot: fences are the central region widened by this many times its width, by
#: no less than this many envelope floors, and must be crossed for this many points (% of stroke).
FENCE_FACTOR = 1.5
FENCE_MIN_FLOORS = 2.0
FENCE_MIN_POINTS = 5
DURATION_MIN_REACH_FRAC = 0.25
#: Fewest strokes that outlier screening judges.
MIN_STROKES_FOR_OUTLIERS = 8


@dataclass(frozen=True)
class OutlierFlag:
    """One expert stroke's verdict from the functional boxplot; ``index`` is the stroke's own."""

    index: int
    outlier: bool
    depth: float
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "outlier": self.outlier,
            "depth": round(self.depth, 4),
            "reason": self.reason,
        }


def modified_band_depth(curves: np.ndarray) -> np.ndarray:
    """Modified band depth (Lopez-Pintado and Romo 2009, bands of 2 curves) of each curve.

    The share of time a curve spends inside the band of a pair of curves, averaged over all
    pairs: central curves score high, curves on the edge of the bundle (or crossing it) low.
    Ties are counted as inside.
    """
    n = curves.shape[0]
    pairs = n * (n - 1) / 2.0
    # below[j, t] / above[j, t]: how many curves lie strictly below / above curve j at t,
    # by binary search in each sorted column (n log n, so hundreds of strokes stay cheap).
    ordered = np.sort(curves, axis=0)
    below = np.empty(curves.shape, dtype=float)
    above = np.empty(curves.shape, dtype=float)
    for t in range(curves.shape[1]):
        below[:, t] = np.searchsorted(ordered[:, t], curves[:, t], side="left")
        above[:, t] = n - np.searchsorted(ordered[:, t], curves[:, t], side="right")
    outside = below * (below - 1) / 2.0 + above * (above - 1) / 2.0
    return np.mean((pairs - outside) / pairs, axis=1)


def flag_outliers(
    strokes: list[Stroke], normalised: list[NormalisedStroke], envelope: Envelope
) -> list[OutlierFlag]:
    """Functional boxplot screening (Sun and Genton 2011), each stroke against the others.

    For each stroke, the others' central region is the pointwise range of their deepest half by
    modified band depth of the force; the fences lie 1.5 times that region's width beyond it,
    and never closer than twice the envelope's floor half-width (10 % of the mean peak force,
    6 degrees), so that a tight central region does not flag ordinary variation. A stroke is
    flagged when its force or its angle stays beyond a fence for at least 5 % of the stroke.

    Why against the others and not the classic rule (a stroke of low depth outside fences drawn
    from the deepest half of all strokes): band depth averages over the whole stroke, so a stroke
    that is typical except for one odd excursion (a second press, a dip at the peak) ranks as
    central, widens the central region itself and is never caught. Its depth is still reported,
    as a ranking of how typical each stroke is.

    Time normalisation hides duration, so a stroke whose duration lies beyond Tukey's fences
    (1.5 IQR beyond the quartiles, and at least 25 % of the median) is flagged too. With fewer
    than 8 strokes there is not enough spread to judge by, and no stroke is flagged.
    """
    n = len(normalised)
    forces = np.array([s.force_n for s in normalised])
    depth = modified_band_depth(forces)
    rank = np.empty(n, dtype=int)
    rank[np.argsort(-depth, kind="stable")] = np.arange(1, n + 1)
    reasons: list[list[str]] = [[] for _ in range(n)]
    if n >= MIN_STROKES_FOR_OUTLIERS:
        channels = [("force", forces, envelope.force_floor_n, "harder", "lighter")]
        if envelope.has_angle:
            angles = np.array([s.angle_deg for s in normalised])
            channels.append(("angle", angles, envelope.angle_floor_deg, "steeper", "flatter"))
        for i in range(n):
            others_depth = modified_band_depth(np.delete(forces, i, axis=0))
            deepest = np.argsort(-others_depth, kind="stable")[: math.ceil((n - 1) / 2)]
            for name, curves, floor, high_word, low_word in channels:
                others = np.delete(curves, i, axis=0)
                lo = others[deepest].min(axis=0)
                hi = others[deepest].max(axis=0)
                reach = np.maximum(FENCE_FACTOR * (hi - lo), FENCE_MIN_FLOORS * floor)
                for mask, word in (
                    (curves[i] > hi + reach, high_word),
                    (curves[i] < lo - reach, low_word),
                ):
                    regions = find_regions(mask, min_points=FENCE_MIN_POINTS)
                    if regions:
                        a, b = regions[0]
                        reasons[i].append(
                            f"{name} {word} than the other strokes from {a} to {b} % of the stroke"
                        )
        durations = np.array([s.duration_s for s in normalised])
        q1, med, q3 = np.percentile(durations, [25, 50, 75])
        reach_s = max(FENCE_FACTOR * (q3 - q1), DURATION_MIN_REACH_FRAC * med)
        for i, d in enumerate(durations):
            if d > q3 + reach_s or d < q1 - reach_s:
                word = "longer" if d > med else "shorter"
                reasons[i].append(
                    f"{word} than the others: {d:.2f} s against a median of {med:.2f} s"
                )
    flags = []
    for i, stroke in enumerate(strokes):
        depth_note = f"band depth {depth[i]:.2f}, {rank[i]} of {n} from the most typical"
        if reasons[i]:
            reason = "; ".join(reasons[i]) + f" ({depth_note})"
        elif n < MIN_STROKES_FOR_OUTLIERS:
            reason = (
                f"not screened: outlier screening needs at least {MIN_STROKES_FOR_OUTLIERS} "
                f"strokes ({depth_note})"
            )
        else:
            reason = f"typical ({depth_note})"
        flags.append(OutlierFlag(stroke.index, bool(reasons[i]), float(depth[i]), reason))
    return flags
