"""ISO/TS 18571 rating: cases whose answers follow from the standard's formulas."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from trainer.scoring import iso18571
from trainer.scoring.iso18571 import rate, rate_many


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
def test_phase_search_stops_at_floor_of_a_fifth_of_the_points(samples: int) -> None:
    # floor(0.2 * 101) = 20: a curve displaced further is matched at the edge of the window,
    # 20 samples, and rates E_P = (20.2 - 20) / 20.2, as both public implementations of the
    # standard do; trying 21 would change R by up to 0.11 against them.
    r = rate(pulse(), shifted(pulse(), samples))
    assert r.shift_samples == math.copysign(20, samples)
    assert r.e_p == pytest.approx(0.2 / 20.2)


def test_phase_score_falls_with_the_shift() -> None:
    scores = [rate(pulse(), shifted(pulse(), s)).e_p for s in range(0, 21)]
    assert all(a > b for a, b in itertools.pairwise(scores))


# Two symmetric whole-number curves: shifting the signal 4 samples either way gives the same
# Pearson correlation in exact arithmetic, but in floating point the lead (-4) comes out 1e-16
# larger. The standard takes the lag (rho_L) first and keeps it on a tie.
_TIE_REF = [2, 2, 1, 1, 0, 0, 0, 0, 3, 2, 3, 2, 2, 3, 2, 2, 2, 2, 3, 1]
_TIE_SIG = [3, 2, 0, 1, 3, 2, 0, 3, 2, 3, 0, 0, 3, 0, 2, 0, 1, 1, 1, 1]


def _exact_signed_r2(a: list[int], b: list[int]) -> Fraction:
    n, sa, sb = len(a), sum(a), sum(b)
    num = n * sum(x * y for x, y in zip(a, b, strict=True)) - sa * sb
    var_a, var_b = n * sum(x * x for x in a) - sa * sa, n * sum(y * y for y in b) - sb * sb
    return Fraction(num * abs(num), var_a * var_b)


def test_an_exact_tie_in_correlation_keeps_the_lag_not_the_rounding_noise() -> None:
    ref = _TIE_REF + _TIE_REF[::-1]
    sig = _TIE_SIG + _TIE_SIG[::-1]
    lag, lead = _exact_signed_r2(ref[:-4], sig[4:]), _exact_signed_r2(ref[4:], sig[:-4])
    assert lag == lead
    assert all(lag > _exact_signed_r2(ref[:-m], sig[m:]) for m in range(1, 4))
    r = rate(np.array(ref, float), np.array(sig, float))
    assert r.shift_samples == 4


def test_a_shift_leaving_fewer_than_nine_samples_is_not_used() -> None:
    # On 9 points the only candidate shift (1) leaves 8 samples, too few for the slope filter;
    # the open reference implementation of the standard then compares the curves unshifted.
    ref = np.array([0.0, 1, 4, 9, 7, 3, 1, 0, 0])
    r = rate(ref, shifted(ref, 1))
    assert r.shift_samples == 0
    assert r.e_p == 1.0
    # On 50 points the same displacement is found.
    long_ref = pulse(50)
    assert rate(long_ref, shifted(long_ref, 1)).shift_samples == 1


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


# -- the vectorised rating against a plain, cell-by-cell implementation of the same conventions --


def _reference_pearson(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 2:
        return 1.0 if np.array_equal(a, b) else 0.0
    da = a - a.mean()
    db = b - b.mean()
    den = math.sqrt(float(np.dot(da, da)) * float(np.dot(db, db)))
    if den == 0.0:
        return 1.0 if np.array_equal(a, b) else 0.0
    return float(np.dot(da, db)) / den


def _reference_shift(ref: np.ndarray, sig: np.ndarray) -> int:
    n = ref.size
    best_rho = _reference_pearson(ref, sig)
    best = 0
    for m in range(1, min(n - 1, math.floor(0.2 * n)) + 1):
        rho = _reference_pearson(ref[:-m], sig[m:])
        if rho > best_rho + 1e-12:
            best_rho, best = rho, m
        rho = _reference_pearson(ref[m:], sig[:-m])
        if rho > best_rho + 1e-12:
            best_rho, best = rho, -m
    return best if n - abs(best) >= 9 else 0


def _reference_dtw(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = x.size
    radius = min(n, max(1, math.ceil(0.1 * n)))
    inf = math.inf
    xs, ys = x.tolist(), y.tolist()
    acc = [[inf] * n for _ in range(n)]
    for i in range(n):
        row = acc[i]
        prev = acc[i - 1] if i > 0 else None
        for j in range(max(0, i - radius + 1), min(n, i + radius)):
            cost = (xs[i] - ys[j]) ** 2
            if i == 0 and j == 0:
                row[j] = cost
                continue
            best = inf
            if prev is not None:
                best = prev[j]
                if j > 0 and prev[j - 1] < best:
                    best = prev[j - 1]
            if j > 0 and row[j - 1] < best:
                best = row[j - 1]
            row[j] = cost + best
    i = j = n - 1
    path = [(i, j)]
    while i > 0 or j > 0:
        options = []
        if i > 0:
            options.append((acc[i - 1][j], i - 1, j))
        if j > 0:
            options.append((acc[i][j - 1], i, j - 1))
        if i > 0 and j > 0:
            options.append((acc[i - 1][j - 1], i - 1, j - 1))
        _, i, j = min(options, key=lambda o: o[0])
        path.append((i, j))
    idx_i, idx_j = np.array(path[::-1]).T
    return x[idx_i], y[idx_j]


def _reference_ratio(num: float, den: float, e_max: float) -> float:
    if den == 0.0:
        return 1.0 if num == 0.0 else 0.0
    e = num / den
    return 1.0 if e <= 0 else 0.0 if e >= e_max else (e_max - e) / e_max


def _reference_slope(x: np.ndarray) -> np.ndarray:
    d = np.gradient(x)
    n = d.size
    if n < 9:
        return np.full_like(d, float(np.mean(d)))
    out = np.empty_like(d)
    for k, width in enumerate((1, 3, 5, 7)):
        out[k] = float(np.mean(d[:width]))
        out[n - 1 - k] = float(np.mean(d[n - width :]))
    out[4 : n - 4] = np.convolve(d, np.ones(9) / 9.0, mode="valid")
    return out


def _reference_rate(ref: np.ndarray, sig: np.ndarray) -> tuple[float, float, float, int]:
    """(Z, E_M, E_S, shift) the slow, obvious way."""
    t_norm = float(np.max(np.abs(ref)))
    d = np.abs(sig - ref)
    if t_norm == 0.0:
        z = float(np.mean(d == 0.0))
    else:
        inner, outer = 0.05 * t_norm, 0.5 * t_norm
        c = np.clip((outer - d) / (outer - inner), 0.0, 1.0) ** 2
        c[d < inner], c[d > outer] = 1.0, 0.0
        z = float(np.mean(c))
    shift = _reference_shift(ref, sig)
    if shift > 0:
        ref, sig = ref[:-shift], sig[shift:]
    elif shift < 0:
        ref, sig = ref[-shift:], sig[:shift]
    sig_w, ref_w = _reference_dtw(sig, ref)
    e_m = _reference_ratio(float(np.sum(np.abs(sig_w - ref_w))), float(np.sum(np.abs(ref_w))), 0.5)
    d_ref, d_sig = _reference_slope(ref), _reference_slope(sig)
    e_s = _reference_ratio(float(np.sum(np.abs(d_sig - d_ref))), float(np.sum(np.abs(d_ref))), 2.0)
    return z, e_m, e_s, shift


def _curve_pairs(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Noisy, displaced, flat and whole-number curves of the lengths that take special paths."""
    rng = np.random.default_rng(seed)
    pairs = []
    for k in range(120):
        n = int(rng.choice([2, 3, 8, 9, 10, 23, 57, 101, 101]))
        ref = np.cumsum(rng.normal(size=n))
        kind = k % 5
        if kind == 0:
            sig = ref + 0.3 * rng.normal(size=n)
        elif kind == 1:
            sig = np.roll(ref, int(rng.integers(-25, 25))) + 0.1 * rng.normal(size=n)
        elif kind == 2:
            sig, ref = np.round(ref), np.round(ref + rng.normal(size=n))
        elif kind == 3:
            sig, ref = np.full(n, 3.0), float(rng.integers(0, 2)) * ref
        else:
            sig, ref = rng.integers(0, 3, size=(2, n)).astype(float)
        pairs.append((ref, sig))
    return pairs


def test_rating_matches_the_cell_by_cell_reference() -> None:
    for ref, sig in _curve_pairs(1):
        r = rate(ref, sig)
        z, e_m, e_s, shift = _reference_rate(ref, sig)
        assert r.shift_samples == shift
        assert r.z == pytest.approx(z, abs=1e-12)
        assert r.e_m == pytest.approx(e_m, abs=1e-12)
        assert r.e_s == pytest.approx(e_s, abs=1e-12)


def test_time_warping_with_ties_matches_the_reference_exactly() -> None:
    # Whole numbers make every sum exact, so ties on the way back are real ties. One pair at a
    # time and many rows together take different ways back; both must follow the reference.
    rng = np.random.default_rng(2)
    for n in (5, 9, 30, 101):
        refs, sigs = rng.integers(0, 3, size=(2, 20, n)).astype(float)
        expected = []
        for ref, sig in zip(refs, sigs, strict=True):
            sig_w, ref_w = _reference_dtw(sig, ref)
            num, den = float(np.sum(np.abs(sig_w - ref_w))), float(np.sum(np.abs(ref_w)))
            expected.append(_reference_ratio(num, den, 0.5))
            assert iso18571.magnitude_score(ref, sig) == expected[-1]
        lengths = np.full(len(refs), n)
        assert iso18571._magnitude_scores(refs, sigs, lengths) == expected


def test_rating_many_curves_together_equals_rating_each_alone() -> None:
    rng = np.random.default_rng(3)
    ref = 30 * np.sin(np.linspace(0, np.pi, 101)) ** 2
    signals = np.array(
        [np.roll(ref * rng.uniform(0.7, 1.3), int(rng.integers(-23, 23))) for _ in range(40)]
    )
    signals += rng.normal(size=signals.shape)
    assert rate_many(ref, signals) == [rate(ref, s) for s in signals]
    assert rate_many(ref, signals[:0]) == []
