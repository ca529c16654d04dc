"""Building, checking and storing expert envelopes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests import synthetic
from trainer.scoring.envelope import Envelope, EnvelopeError, prediction_multiplier
from trainer.scoring.envelope_build import build_envelope
from trainer.scoring.outliers import modified_band_depth
from trainer.signals.regions import find_regions
from trainer.strokes.stroke import Stroke

RATE_HZ = 1000.0


def make_stroke(index: int = 1, **shape) -> Stroke:
    return synthetic.make_stroke(index, rate_hz=RATE_HZ, **shape)


def realistic_experts(n: int, seed: int) -> list[Stroke]:
    """Expert strokes with about 10 % variability in peak, duration, timing and angle."""
    rng = np.random.default_rng(seed)
    return [
        make_stroke(
            i + 1,
            peak_n=20.0 * (1 + 0.1 * rng.standard_normal()),
            duration_s=1.0 * (1 + 0.1 * rng.standard_normal()),
            angle_deg=45.0 + 2.0 * rng.standard_normal(),
            peak_frac=0.5 + 0.05 * rng.standard_normal(),
            t0_s=2.0 * i,
            noise_n=0.2,
            rng=rng,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize(("n", "expected"), [(5, 3.04), (10, 2.37), (20, 2.14)])
def test_prediction_band_multiplier(n: int, expected: float) -> None:
    assert round(prediction_multiplier(n), 2) == expected


def test_offset_experts_give_the_sample_sd_at_every_point() -> None:
    strokes = [make_stroke(i + 1, offset_n=k) for i, k in enumerate([-2, -1, 0, 1, 2])]
    env = build_envelope(strokes).envelope
    assert env.n_strokes == 5
    np.testing.assert_allclose(env.force_sigma_n, math.sqrt(2.5), atol=1e-3)
    assert math.sqrt(2.5) == pytest.approx(1.581, abs=5e-4)
    half = env.force_hi_n - env.force_mu_n
    np.testing.assert_allclose(half, prediction_multiplier(5) * math.sqrt(2.5), atol=1e-2)


def test_identical_experts_get_the_floor_widths() -> None:
    strokes = [make_stroke(i + 1) for i in range(4)]
    env = build_envelope(strokes).envelope
    floor_n = 0.05 * env.peak_force_mean_n
    np.testing.assert_allclose(env.force_hi_n - env.force_mu_n, floor_n, atol=1e-9)
    np.testing.assert_allclose(env.force_mu_n - env.force_lo_n, floor_n, atol=1e-9)
    np.testing.assert_allclose(env.angle_hi_deg - env.angle_mu_deg, 3.0, atol=1e-9)
    np.testing.assert_allclose(env.angle_mu_deg - env.angle_lo_deg, 3.0, atol=1e-9)


def test_envelope_keeps_the_scalars_scoring_needs() -> None:
    strokes = [make_stroke(i + 1, duration_s=d) for i, d in enumerate([0.9, 1.0, 1.1])]
    env = build_envelope(strokes).envelope
    assert env.duration_mean_s == pytest.approx(1.0)
    assert env.duration_sd_s == pytest.approx(0.1)
    assert env.time_to_peak_mean_frac == pytest.approx(0.5, abs=0.01)
    assert env.peak_force_mean_n == pytest.approx(20.0, abs=0.2)
    assert env.mean_angle_mean_deg == pytest.approx(45.0 + 4 / math.pi, abs=0.05)
    assert env.sparc_mean < 0 and math.isfinite(env.sparc_sd)


def test_fewer_than_three_strokes_are_refused_with_the_count_needed() -> None:
    with pytest.raises(EnvelopeError, match=r"at least 3 expert strokes; got 2"):
        build_envelope([make_stroke(1), make_stroke(2)])


def test_experts_score_well_against_each_other() -> None:
    build = build_envelope(realistic_experts(20, seed=7))
    report = build.calibration
    assert len(report.scores) == 20
    assert report.median is not None and report.median >= 90.0
    assert report.meets_median_target
    data = report.as_json()
    assert data["median"] == round(report.median, 1)
    assert data["p5"] == round(report.p5, 1)
    json.dumps(data)


def test_too_few_strokes_for_leave_one_out_is_said_plainly() -> None:
    report = build_envelope([make_stroke(i + 1) for i in range(3)]).calibration
    assert report.median is None and report.p5 is None
    assert "at least 4" in report.note
    assert report.meets_median_target is None


def test_odd_expert_stroke_is_flagged_with_where_it_left_the_others() -> None:
    rng = np.random.default_rng(11)
    strokes = [
        make_stroke(i + 1, peak_n=20.0 * (1 + 0.05 * rng.standard_normal())) for i in range(11)
    ]
    # A stroke that eased off at its peak: a dip of 10 N around the middle.
    strokes.append(make_stroke(12, extra=lambda u: -10.0 * np.exp(-(((u - 0.5) / 0.1) ** 2))))
    build = build_envelope(strokes)
    assert build.outlier_indices == [12]
    flag = build.flags[-1]
    assert flag.outlier and "force lighter than the other strokes from" in flag.reason
    assert all("typical" in f.reason for f in build.flags[:-1])


def test_small_sets_are_not_screened_for_outliers() -> None:
    build = build_envelope([make_stroke(i + 1, peak_n=p) for i, p in enumerate([20, 21, 35])])
    assert build.outlier_indices == []
    assert all("not screened" in f.reason for f in build.flags)


def test_peak_registration_keeps_the_mean_peak_sharp() -> None:
    strokes = [make_stroke(i + 1, peak_frac=p) for i, p in enumerate([0.35, 0.45, 0.55, 0.65])]
    linear = build_envelope(strokes).envelope
    registered = build_envelope(strokes, registration="peak").envelope
    assert registered.registration == "peak"
    assert registered.force_mu_n.max() > linear.force_mu_n.max() + 1.0
    assert abs(int(np.argmax(registered.force_mu_n)) - 50) <= 1


def test_band_depth_ranks_the_middle_curve_deepest() -> None:
    base = np.linspace(0, 1, 101)
    depth = modified_band_depth(np.array([base - 1, base, base + 1]))
    np.testing.assert_allclose(depth, [2 / 3, 1.0, 2 / 3])


def test_regions_merge_small_gaps_and_come_largest_first() -> None:
    mask = np.zeros(101, dtype=bool)
    mask[10:14] = True
    mask[40:50] = True
    mask[52:70] = True  # two points apart: merged with 40..49
    mask[90] = True  # too short to report
    assert find_regions(mask) == [(40, 69), (10, 13)]


def test_dict_round_trip_is_stable_and_json_ready() -> None:
    env = build_envelope(realistic_experts(6, seed=3)).envelope
    d = env.to_dict()
    text = json.dumps(d, allow_nan=False)
    again = Envelope.from_dict(json.loads(text))
    assert again.to_dict() == d
    np.testing.assert_allclose(again.force_mu_n, env.force_mu_n, atol=5e-4)
    np.testing.assert_allclose(again.angle_hi_deg, env.angle_hi_deg, atol=5e-3)
    assert again.n_strokes == env.n_strokes
    assert again.sparc_mean == pytest.approx(env.sparc_mean, abs=1e-4)


def test_envelope_without_angle_round_trips_with_null_angle() -> None:
    strokes = [
        Stroke(s.index, s.start_s, s.end_s, s.t_s, s.force_n, np.full(s.t_s.size, np.nan))
        for s in realistic_experts(4, seed=2)
    ]
    env = build_envelope(strokes).envelope
    assert not env.has_angle
    d = json.loads(json.dumps(env.to_dict(), allow_nan=False))
    assert d["angle_mu_deg"] is None and d["mean_angle_mean_deg"] is None
    assert not Envelope.from_dict(d).has_angle


def _good_dict() -> dict:
    return build_envelope(
        [make_stroke(i + 1, offset_n=k) for i, k in enumerate([-1, 0, 1])]
    ).envelope.to_dict()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("force_mu_n", None),
        ("force_mu_n", [1.0] * 100),
        ("force_sigma_n", ["x"] + [1.0] * 100),
        ("force_hi_n", [float("nan")] * 101),
        ("n_strokes", 2),
        ("n_strokes", "ten"),
        ("band_multiplier", -1.0),
        ("registration", "dtw"),
        ("duration_mean_s", "1 s"),
        ("time_to_peak_mean_frac", 1.5),
        ("angle_lo_deg", None),
        ("points", 100),
    ],
)
def test_bad_fields_are_named(field: str, value: object) -> None:
    d = _good_dict()
    d[field] = value
    with pytest.raises(EnvelopeError, match=f"'{field}'"):
        Envelope.from_dict(d)


def test_missing_field_and_inconsistent_band_are_named() -> None:
    d = _good_dict()
    del d["peak_force_mean_n"]
    with pytest.raises(EnvelopeError, match="'peak_force_mean_n' is missing"):
        Envelope.from_dict(d)
    d = _good_dict()
    d["force_sigma_n"] = [-1.0] * 101
    with pytest.raises(EnvelopeError, match="'force_sigma_n'"):
        Envelope.from_dict(d)
    d = _good_dict()
    d["force_lo_n"] = [x + 5.0 for x in d["force_mu_n"]]
    with pytest.raises(EnvelopeError, match="'force_lo_n'"):
        Envelope.from_dict(d)
    with pytest.raises(EnvelopeError):
        Envelope.from_dict([1, 2, 3])
