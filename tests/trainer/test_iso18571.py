"""ISO/TS 18571 rating: cases whose answers follow from the standard's formulas."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from trainer.iso18571 import rate


def pulse(n: int = 101, centre: float = 0.5, width: float = 0.5, peak: float = 30.0) -> np.ndarray:
    x = np.linspace(0.0, 1.0, n)
    u = np.clip((x - centre) / width + 0.5, 0.0, 1.0)
    return peak * np.sin(np.pi * u) ** 2


def shifted(curve: np.ndarray, samples: int) -> np.ndarray:
    """The curve delayed (positive) or advanced (negative) by whole samples, zero-filled."""
    out = np.zeros_like(curve)
    if samples >= 0:
        out[samples:] = curve[: curve.size - samples]
    else:
        out[:samples] = curve[-samples:]
    return out


def test_signal_equal_to_reference_rates_one() -> None:
    ref = pulse()
    r = rate(ref, ref.copy())
    assert (r.z, r.e_p, r.e_m, r.e_s, r.r) == (1.0, 1.0, 1.0, 1.0, 1.0)
    assert r.shift_samples == 0


@pytest.mark.parametrize("samples", [5, -5])
def test_five_sample_shift_on_101_points_gives_phase_0_752(samples: int) -> None:
    # eps_P^max N = 0.2 * 101 = 20.2 samples; E_P = ((20.2 - 5) / 20.2) ** 1 = 0.75248.
    r = rate(pulse(), shifted(pulse(), samples))
    assert r.shift_samples == samples
    assert round(r.e_p, 3) == 0.752
    # Once the shift is undone the curves agree, so magnitude and slope are perfect.
    assert r.e_m == pytest.approx(1.0)
    assert r.e_s == pytest.approx(1.0)


@pytest.mark.parametrize("samples", [21, 25, 30, -21])
def test_shift_of_21_samples_or_more_gives_phase_zero(samples: int) -> None:
    r = rate(pulse(), shifted(pulse(), samples))
    assert r.e_p == 0.0


def test_phase_score_falls_with_the_shift() -> None:
    scores = [rate(pulse(), shifted(pulse(), s)).e_p for s in range(0, 22)]
    assert all(a > b for a, b in itertools.pairwise(scores))


def test_corridor_score_of_a_constant_offset_follows_the_quadratic_ramp() -> None:
    ref = pulse(peak=10.0)  # inner corridor 0.5, outer 5
    r = rate(ref, ref + 2.75)
    assert r.z == pytest.approx(((5.0 - 2.75) / (5.0 - 0.5)) ** 2)
    assert rate(ref, ref + 0.4).z == 1.0
    assert rate(ref, ref + 5.5).z == 0.0


def test_slope_score_of_a_scaled_signal() -> None:
    # Derivatives differ by 20 %: E_S = (2 - 0.2) / 2.
    ref = pulse()
    assert rate(ref, 1.2 * ref).e_s == pytest.approx(0.9)


def test_magnitude_score_on_curves_dtw_cannot_improve() -> None:
    ref = np.full(101, 10.0)
    r = rate(ref, np.full(101, 12.0))
    assert r.e_m == pytest.approx((0.5 - 0.2) / 0.5)
    assert r.e_s == 1.0
    assert rate(ref, np.full(101, 20.0)).e_m == 0.0


def test_overall_rating_weights_the_four_scores() -> None:
    ref = pulse()
    r = rate(ref, shifted(1.1 * ref, 3) + 0.5)
    assert r.r == pytest.approx(0.4 * r.z + 0.2 * r.e_p + 0.2 * r.e_m + 0.2 * r.e_s)
    assert 0.0 < r.r < 1.0


def test_curves_of_different_length_are_refused() -> None:
    with pytest.raises(ValueError):
        rate(pulse(101), pulse(100))
