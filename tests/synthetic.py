"""The synthetic stroke every domain test builds on: a sin² pulse cut at 5 % of its peak.

One builder instead of a copy per test module, so that "a clean expert-like stroke" means the same
curve in the envelope, scoring and summary tests. Cut at its 5 % crossings, as the segmenter's
boundaries cut a real stroke; the angle rises and falls 2 degrees around ``angle_deg``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from trainer.strokes.stroke import Stroke

DEFAULT_RATE_HZ = 500.0


def make_stroke(
    index: int = 1,
    t0_s: float = 0.0,
    *,
    peak_n: float = 20.0,
    duration_s: float = 1.0,
    angle_deg: float = 45.0,
    peak_frac: float = 0.5,
    offset_n: float = 0.0,
    extra: Callable[[np.ndarray], np.ndarray] | None = None,
    noise_n: float = 0.0,
    rng: np.random.Generator | None = None,
    angle: bool = True,
    rate_hz: float = DEFAULT_RATE_HZ,
) -> Stroke:
    """A stroke peaking at ``peak_frac`` of its duration, plus ``extra(u)`` and noise if given
    (``u`` runs 0 to 1 over the stroke); ``angle=False`` gives a tool with no angle channel."""
    n = round(duration_s * rate_hz) + 1
    t = t0_s + np.linspace(0.0, duration_s, n)
    u = (t - t0_s) / duration_s
    a = math.asin(math.sqrt(0.05)) / math.pi
    w = np.where(u <= peak_frac, 0.5 * u / peak_frac, 0.5 + 0.5 * (u - peak_frac) / (1 - peak_frac))
    force = peak_n * np.sin(np.pi * (a + (1 - 2 * a) * w)) ** 2 + offset_n
    if extra is not None:
        force = force + extra(u)
    if noise_n and rng is not None:
        force = force + rng.normal(0.0, noise_n, n)
    angles = angle_deg + 2.0 * np.sin(np.pi * u) if angle else np.full(n, np.nan)
    return Stroke(index, float(t[0]), float(t[-1]), t, force, angles)
