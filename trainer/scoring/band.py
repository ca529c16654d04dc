"""What "inside the expert band" means: one definition for the score and for the screen.

A point of a stroke is inside when the band's low edge <= value <= its high edge, edges included.
Where the band does not exist (NaN edges: no angle channel, or past the expert's lift-off), nothing
is inside. The scorer's in-band percentages and the live plots' out-of-band colouring both come
from here, so what the trainee sees red is exactly what the score counts as out.
"""

from __future__ import annotations

import numpy as np


def inside_band(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """True where ``values`` lie within ``[lo, hi]``; False where any of them is NaN."""
    with np.errstate(invalid="ignore"):
        return (values >= lo) & (values <= hi)


def in_band_pct(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray | float:
    """Share of each curve (the last axis) inside the band, in percent."""
    inside = inside_band(np.asarray(values, dtype=np.float64), lo, hi)
    if inside.shape[-1] == 0:
        return 0.0 if inside.ndim == 1 else np.zeros(inside.shape[:-1])
    return 100.0 * np.mean(inside, axis=-1)
