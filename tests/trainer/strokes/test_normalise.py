"""Normalising strokes: same curve at any rate, no lag, force in newtons, slow devices guarded."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal

from trainer.strokes.normalise import (
    POINTS,
    _zero_phase_rows,
    force_sparc,
    normalise,
    normalise_many,
)
from trainer.strokes.stroke import Stroke


def sin2_stroke(n: int, peak_n: float = 30.0, duration_s: float = 1.0, t_s=None) -> Stroke:
    """A sin^2 pulse cut at its 5 % crossings, as the segmenter's boundaries cut it."""
    a = math.asin(math.sqrt(0.05)) / math.pi  # fraction of the pulse below 5 % at each end
    if t_s is None:
        t_s = np.linspace(a * duration_s, (1 - a) * duration_s, n)
    force = peak_n * np.sin(np.pi * t_s / duration_s) ** 2
    angle = 40.0 + 10.0 * t_s / duration_s
    return Stroke(1, float(t_s[0]), float(t_s[-1]), t_s, force, angle)


def test_same_curve_at_500_and_2000_samples_normalises_alike() -> None:
    coarse = normalise(sin2_stroke(500))
    fine = normalise(sin2_stroke(2000))
    assert coarse.force_n.shape == fine.force_n.shape == (POINTS,)
    assert np.max(np.abs(coarse.force_n - fine.force_n)) < 1e-3
    assert np.max(np.abs(coarse.angle_deg - fine.angle_deg)) < 1e-3


def test_force_stays_in_newtons_and_peak_is_not_delayed() -> None:
    s = normalise(sin2_stroke(1000, peak_n=30.0))
    assert s.peak_force_n == pytest.approx(30.0, abs=0.3)
    assert np.max(s.force_n) == pytest.approx(30.0, abs=0.3)
    assert s.time_to_peak_frac == pytest.approx(0.5, abs=0.005)
    assert s.force_n[0] == pytest.approx(1.5, abs=0.3)  # 5 % of 30 N, not rescaled
    assert s.duration_s == pytest.approx(1.0 - 2 * math.asin(math.sqrt(0.05)) / math.pi)
    assert s.mean_angle_deg == pytest.approx(45.0, abs=0.1)


@pytest.mark.parametrize("drift_n_per_s", [-0.2, 0.0, 0.2])
def test_the_peak_of_a_plateau_is_its_middle_whatever_noise_and_drift_do(drift_n_per_s) -> None:
    """On a flat top the highest sample falls anywhere (noise and a drifting zero decide), so
    experts seemed to peak anywhere from 25 to 75 % and a steady trainee was told "peak force
    too early". The time of peak is the middle of the top: here its plateau, 50 %."""
    rng = np.random.default_rng(5)
    t = np.arange(0.0, 1.6, 0.001)
    u = np.minimum(np.minimum(t, 1.6 - t) / 0.4, 1.0)  # 0.4 s rise, 0.8 s top, 0.4 s fall
    force = 8.0 * np.sin(0.5 * np.pi * u) ** 2 + drift_n_per_s * t + rng.normal(0.0, 0.04, t.size)
    stroke = Stroke(1, 0.0, 1.6, t, force, np.full(t.size, 40.0))
    assert normalise(stroke).time_to_peak_frac == pytest.approx(0.5, abs=0.03)


def test_the_peak_of_a_skewed_stroke_stays_near_its_highest_point() -> None:
    t = np.arange(0.0, 1.0, 0.001)
    force = 10.0 * np.where(
        t < 0.3, np.sin(0.5 * np.pi * t / 0.3), np.cos(0.5 * np.pi * (t - 0.3) / 0.7)
    )
    stroke = Stroke(1, 0.0, 1.0, t, force, np.full(t.size, 40.0))
    assert normalise(stroke).time_to_peak_frac == pytest.approx(0.3, abs=0.05)


def test_mains_hum_is_removed_inside_the_stroke() -> None:
    clean = sin2_stroke(1000)
    hum = 2.0 * np.sin(2 * np.pi * 50.0 * clean.t_s)
    noisy = Stroke(1, clean.start_s, clean.end_s, clean.t_s, clean.force_n + hum, clean.angle_deg)
    diff = normalise(noisy).force_n - normalise(clean).force_n
    # The first and last samples anchor the zero-phase filter's edges, so only the outer few %
    # keep some of the hum.
    assert np.max(np.abs(diff[5:-5])) < 0.1


def test_irregular_sampling_follows_the_stroke_own_time_axis() -> None:
    rng = np.random.default_rng(3)
    regular = sin2_stroke(400)
    t = np.sort(rng.uniform(regular.t_s[0], regular.t_s[-1], 400))
    t[0], t[-1] = regular.t_s[0], regular.t_s[-1]
    irregular = sin2_stroke(400, t_s=t)
    diff = normalise(irregular).force_n - normalise(regular).force_n
    assert np.max(np.abs(diff)) < 0.3


@pytest.mark.parametrize("rate_hz", [80.0, 10.0])
def test_slow_devices_are_filtered_within_their_bandwidth(rate_hz: float) -> None:
    n = int(rate_hz * 0.86) + 1
    s = normalise(sin2_stroke(n))
    assert np.all(np.isfinite(s.force_n))
    assert s.peak_force_n == pytest.approx(30.0, rel=0.1)
    assert s.time_to_peak_frac == pytest.approx(0.5, abs=0.1)


def test_very_short_stroke_is_used_unfiltered() -> None:
    t = np.array([0.0, 0.1, 0.2])
    s = normalise(Stroke(1, 0.0, 0.2, t, np.array([1.0, 4.0, 1.0]), np.full(3, 30.0)))
    assert s.force_n[50] == pytest.approx(4.0)
    assert s.force_n[0] == pytest.approx(1.0)


def test_missing_angle_is_reported_not_invented() -> None:
    base = sin2_stroke(200)
    none = Stroke(1, base.start_s, base.end_s, base.t_s, base.force_n, np.full(200, np.nan))
    s = normalise(none)
    assert not s.has_angle
    assert math.isnan(s.mean_angle_deg)
    gappy_angle = base.angle_deg.copy()
    gappy_angle[50:60] = np.nan
    gappy = Stroke(1, base.start_s, base.end_s, base.t_s, base.force_n, gappy_angle)
    g = normalise(gappy)
    assert g.has_angle
    assert np.max(np.abs(g.angle_deg - normalise(base).angle_deg)) < 0.05


def test_strokes_without_usable_time_are_refused() -> None:
    empty = np.array([])
    with pytest.raises(ValueError, match="no samples"):
        normalise(Stroke(4, 0.0, 1.0, empty, empty, empty))
    t = np.array([0.0, 0.2, 0.1])
    with pytest.raises(ValueError, match="does not increase"):
        normalise(Stroke(5, 0.0, 0.2, t, np.ones(3), np.ones(3)))


def test_smoothness_ignores_a_constant_offset_but_sees_wobble() -> None:
    s = normalise(sin2_stroke(1000))
    assert force_sparc(s.force_n + 5.0, s.duration_s) == pytest.approx(s.sparc, abs=1e-9)
    u = np.linspace(0, 1, POINTS)
    wobble = s.force_n + 3.0 * np.sin(2 * np.pi * 6 * u) * np.sin(np.pi * u)
    assert force_sparc(wobble, s.duration_s) < s.sparc - 0.2


def stretched_stroke(stroke_s: float, rate_hz: float = 1000.0) -> Stroke:
    """``sin2_stroke`` whose stroke (between the 5 % crossings) lasts ``stroke_s``."""
    pulse_s = stroke_s / (1.0 - 2.0 * math.asin(math.sqrt(0.05)) / math.pi)
    return sin2_stroke(round(rate_hz * stroke_s), duration_s=pulse_s)


@pytest.mark.parametrize("stroke_s", [1.0, 5.0, 8.0, 10.0, 15.0])
def test_the_same_stroke_slower_is_just_as_smooth(stroke_s: float) -> None:
    # Recorded at 1 kHz and resampled to 101 points, a stroke of 10 s has an effective rate of
    # 10 Hz: the 10 Hz cut-off would reach into the mirrored half of its spectrum (-3.07).
    quick = normalise(stretched_stroke(0.3))
    slow = normalise(stretched_stroke(stroke_s))
    assert slow.duration_s == pytest.approx(stroke_s, rel=0.01)
    assert quick.sparc == pytest.approx(-1.40, abs=0.01)
    assert slow.sparc == pytest.approx(quick.sparc, abs=0.01)


def test_rows_filtered_together_match_sosfiltfilt_one_by_one() -> None:
    rng = np.random.default_rng(3)
    rows = [rng.normal(size=n).cumsum() for n in (6, 7, 40, 101, 250, 1333, 2000)]
    cutoffs = [0.024, 0.024, 0.3, 0.024, 0.3, 0.024, 0.024]
    padlens = [5, 0, 12, 100, 100, 100, 1]
    got = _zero_phase_rows(rows, [(2, c, p) for c, p in zip(cutoffs, padlens, strict=True)])
    for x, c, p, y in zip(rows, cutoffs, padlens, got, strict=True):
        sos = signal.butter(2, c, output="sos")
        np.testing.assert_array_equal(y, signal.sosfiltfilt(sos, x, padlen=p))


def test_normalising_strokes_together_gives_each_its_own_result() -> None:
    rng = np.random.default_rng(4)
    strokes = [sin2_stroke(n) for n in (1000, 1500, 69, 9)]
    no_angle = sin2_stroke(700)
    strokes.append(
        Stroke(
            2,
            no_angle.start_s,
            no_angle.end_s,
            no_angle.t_s,
            no_angle.force_n,
            no_angle.t_s * np.nan,
        )
    )
    jitter = np.sort(rng.uniform(0.03, 0.97, 900))
    strokes.append(sin2_stroke(900, t_s=jitter))
    strokes.append(Stroke(3, 0.0, 0.2, np.array([0.0, 0.1, 0.2]), np.ones(3), np.ones(3)))
    together = normalise_many(strokes)
    for stroke, n in zip(strokes, together, strict=True):
        alone = normalise(stroke)
        for name in ("force_n", "angle_deg"):
            np.testing.assert_array_equal(getattr(n, name), getattr(alone, name))
        for name in ("duration_s", "time_to_peak_frac", "peak_force_n", "sparc"):
            assert getattr(n, name) == getattr(alone, name) or math.isnan(getattr(alone, name))
