"""Runs of true in a mask, merged across short breaks: where along a stroke something held.

The scorer's explanations ("too hard from 40 to 70 % of the stroke") and the outlier check both
need the same runs; it is a signal tool, so it sits below both.
"""

from __future__ import annotations

import numpy as np


def find_regions(
    mask: np.ndarray, merge_gap: int = 3, min_points: int = 3
) -> list[tuple[int, int]]:
    """Runs of True in a 101-point mask as (first, last) indices (= % of the stroke).

    Runs separated by at most ``merge_gap`` False points are merged (a curve grazing the band edge
    is one excursion, not several); runs shorter than ``min_points`` are dropped. Largest first.
    """
    idx = np.flatnonzero(np.asarray(mask, dtype=bool)).tolist()
    if not idx:
        return []
    runs: list[list[int]] = [[idx[0], idx[0]]]
    for i in idx[1:]:
        if i - runs[-1][1] - 1 <= merge_gap:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    kept = [(a, b) for a, b in runs if b - a + 1 >= min_points]
    return sorted(kept, key=lambda r: (-(r[1] - r[0]), r[0]))
