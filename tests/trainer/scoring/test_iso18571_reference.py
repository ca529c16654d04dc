"""ISO/TS 18571: this module against an independent implementation of the standard.

``objective-rating-metrics`` (VSI, TU Graz, on PyPI) rates one pair at a time the plain way
(``np.corrcoef`` for the phase search, the ``dtwalign`` package for the time warping,
``np.gradient`` and ``np.convolve`` for the slopes). Every score of ours must equal its score to
1e-9 on random and crash-like curves, including signals displaced to the edge of the phase window
and beyond it.
"""

from __future__ import annotations

import numpy as np
import pytest
from objective_rating_metrics.rating import ISO18571

from trainer.scoring.iso18571 import rate, rate_many

LENGTHS = (9, 100, 101, 250, 1001)


def _sled_pulse(n: int, rng: np.random.Generator) -> np.ndarray:
    """A crash-like deceleration: a skewed half-sine with a rebound and a ringing tail."""
    t = np.linspace(0.0, 1.0, n)
    start, width = rng.uniform(0.05, 0.3), rng.uniform(0.3, 0.6)
    u = np.clip((t - start) / width, 0.0, 1.0)
    peak = rng.uniform(20.0, 60.0)
    pulse = peak * np.sin(np.pi * u ** rng.uniform(0.7, 1.4))
    rebound = -0.2 * peak * np.exp(-(((t - start - width - 0.1) / 0.05) ** 2))
    ring = 0.05 * peak * np.sin(2 * np.pi * rng.uniform(5.0, 15.0) * t) * (t > start + width)
    return pulse + rebound + ring


def _delayed(curve: np.ndarray, samples: int) -> np.ndarray:
    """The curve delayed (positive) or advanced (negative), the end values held."""
    if samples == 0:
        return curve.copy()
    if samples > 0:
        return np.concatenate([np.full(samples, curve[0]), curve[:-samples]])
    return np.concatenate([curve[-samples:], np.full(-samples, curve[-1])])


def _pairs() -> list[tuple[np.ndarray, np.ndarray]]:
    """At least 40 pairs of each length: noisy copies, scaled and offset copies, shifted copies
    (shifts at, just inside and just outside floor(0.2 N)), random walks and crash pulses."""
    rng = np.random.default_rng(18571)
    pairs = []
    for n in LENGTHS:
        edge = int(np.floor(0.2 * n))
        edge_shifts = sorted({1, 2, edge - 1, edge, edge + 1, edge + 3})
        for k in range(44):
            kind = k % 4
            ref = _sled_pulse(n, rng) if k % 2 else np.cumsum(rng.normal(size=n))
            scale = float(np.max(np.abs(ref)))
            if n == 9:
                # Nine samples leave no room for a shift (8 overlapping samples are too few for
                # the slope filter): only pairs whose best match is unshifted.
                sig = ref * rng.uniform(0.8, 1.2) + 0.05 * scale * rng.normal(size=n)
            elif kind == 0:
                sig = ref + rng.uniform(0.01, 0.3) * scale * rng.normal(size=n)
            elif kind == 1:
                sig = rng.uniform(0.6, 1.4) * ref + rng.uniform(-0.2, 0.2) * scale
                sig = sig + 0.02 * scale * rng.normal(size=n)
            elif kind == 2:
                shift = int(rng.choice(edge_shifts)) * int(rng.choice([-1, 1]))
                sig = _delayed(ref, shift) + 0.01 * scale * rng.normal(size=n)
            else:
                sig = _delayed(ref * rng.uniform(0.7, 1.3), int(rng.integers(-edge, edge + 1)))
                sig = sig + rng.uniform(0.05, 0.5) * scale * rng.normal(size=n)
            pairs.append((ref, sig))
    return pairs


PAIRS = _pairs()


def _their_scores(ref: np.ndarray, sig: np.ndarray) -> tuple[float, float, float, float, float]:
    t_s = np.arange(ref.size) * 1e-4
    rating = ISO18571(np.column_stack([t_s, ref]), np.column_stack([t_s, sig]))
    return (
        rating.corridor_rating(ndigits=-1),
        rating.phase_rating(ndigits=-1),
        rating.magnitude_rating(ndigits=-1),
        rating.slope_rating(ndigits=-1),
        rating.overall_rating(ndigits=-1),
    )


def test_the_pairs_cover_every_length_and_the_edge_of_the_phase_window() -> None:
    assert len(PAIRS) >= 200
    for n in LENGTHS:
        assert sum(ref.size == n for ref, _ in PAIRS) >= 40
    edge_hits = 0
    for ref, sig in PAIRS:
        n = ref.size
        shift = abs(rate(ref, sig).shift_samples)
        edge_hits += n > 9 and shift >= int(np.floor(0.2 * n)) - 1
    assert edge_hits >= 10


@pytest.mark.parametrize("n", LENGTHS)
def test_every_score_equals_objective_rating_metrics(n: int) -> None:
    pairs = [(ref, sig) for ref, sig in PAIRS if ref.size == n]
    for ref, sig in pairs:
        ours = rate(ref, sig)
        z, e_p, e_m, e_s, r = _their_scores(ref, sig)
        got = (ours.z, ours.e_p, ours.e_m, ours.e_s, ours.r)
        assert got == pytest.approx((z, e_p, e_m, e_s, r), abs=1e-9, rel=0.0)


def test_rating_many_rows_together_equals_objective_rating_metrics() -> None:
    # The recording path rates all strokes against one expert curve at once.
    rng = np.random.default_rng(7)
    ref = _sled_pulse(101, rng)
    signals = np.array(
        [
            _delayed(ref * rng.uniform(0.7, 1.3), int(rng.integers(-22, 23))) + rng.normal(size=101)
            for _ in range(30)
        ]
    )
    for ours, sig in zip(rate_many(ref, signals), signals, strict=True):
        got = (ours.z, ours.e_p, ours.e_m, ours.e_s, ours.r)
        assert got == pytest.approx(_their_scores(ref, sig), abs=1e-9, rel=0.0)
