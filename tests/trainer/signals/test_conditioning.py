"""Tare, calibration, the detection low-pass and the baseline tracker."""

from __future__ import annotations

import ast
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import signal

import trainer
from devices.samples import SampleBlock
from trainer.signals.baseline import BaselineTracker
from trainer.signals.calibration import STANDARD_GRAVITY, Calibration, fit_calibration
from trainer.signals.errors import ConditioningError
from trainer.signals.filters import LowPass
from trainer.signals.tare import TareResult, tare

RATE = 1000.0


def quiet(seconds: float, level: float = 0.0, noise: float = 0.02, seed: int = 0):
    t = np.arange(round(seconds * RATE)) / RATE
    return t, level + np.random.default_rng(seed).normal(0.0, noise, t.size)


# -- tare ------------------------------------------------------------------------------------------


def test_tare_of_a_still_tool_gives_its_mean_and_noise():
    t, f = quiet(2.5, level=1.7, noise=0.05)
    result = tare(f, t)
    assert result.offset_n == pytest.approx(1.7, abs=0.01)
    assert result.sd_n == pytest.approx(0.05, rel=0.1)
    assert result.duration_s == pytest.approx(2.499)
    assert TareResult.from_dict(result.to_dict()) == result


def test_tare_of_a_touched_tool_is_refused_with_the_measured_sd():
    t, f = quiet(2.5)
    f = f + 2.0 * np.sin(2 * np.pi * 1.0 * t) ** 2
    with pytest.raises(ConditioningError, match=r"not still: .*SD 0\.\d+ N") as info:
        tare(f, t)
    sd = float(np.std(f))
    assert f"{sd:.3f}" in str(info.value)


def test_tare_of_a_drifting_sensor_is_refused():
    t, f = quiet(3.0)
    with pytest.raises(ConditioningError, match="drifted"):
        tare(f + 0.5 * t, t, max_sd_n=10.0)


def test_tare_needs_enough_time():
    t, f = quiet(1.0)
    with pytest.raises(ConditioningError, match=r"2\.0 s"):
        tare(f, t)
    with pytest.raises(ConditioningError, match="missing"):
        tare(np.array([0.0, np.nan, 0.0]), np.array([0.0, 1.0, 2.5]))


def test_tare_from_dict_names_a_bad_field():
    with pytest.raises(ConditioningError, match="sd_n"):
        TareResult.from_dict({"offset_n": 0.0, "sd_n": "low", "duration_s": 2.0})


# -- calibration -----------------------------------------------------------------------------------


def test_two_point_calibration_is_exact():
    cal = fit_calibration([1000.0, 21000.0], [0.0, 1.0], device_serial="A13F")
    assert cal.gain == pytest.approx(STANDARD_GRAVITY / 20000.0)
    assert cal.offset == pytest.approx(-cal.gain * 1000.0)
    assert cal.apply(11000.0) == pytest.approx(STANDARD_GRAVITY / 2)
    assert cal.r_squared == pytest.approx(1.0)
    assert cal.device_serial == "A13F"
    assert cal.created[:4].isdigit() and "T" in cal.created


def test_multi_point_calibration_reports_residuals_and_round_trips():
    masses = [0.0, 0.5, 1.0, 2.0]
    true_gain, true_offset = 4.9e-4, -0.3
    raw = [(m * STANDARD_GRAVITY - true_offset) / true_gain for m in masses]
    raw[2] += 20.0  # one slightly off reading
    cal = fit_calibration(raw, masses, created="2026-03-01T10:00:00+00:00", device_serial="X1")
    assert cal.gain == pytest.approx(true_gain, rel=1e-3)
    assert len(cal.residuals) == 4
    assert 0 < cal.max_residual < 0.02
    assert cal.r_squared > 0.9999
    again = Calibration.from_dict(cal.to_dict())
    assert again == cal
    assert cal.to_dict()["created"] == "2026-03-01T10:00:00+00:00"
    assert cal.to_dict()["device_serial"] == "X1"


def test_a_poor_calibration_fit_is_refused_naming_the_bad_mass():
    with pytest.raises(ConditioningError, match=r"straight line.*1 kg"):
        fit_calibration([0.0, 10000.0, 30000.0], [0.0, 1.0, 2.0])


@pytest.mark.parametrize(
    ("raw", "masses", "message"),
    [
        ([100.0, 200.0], [1.0, 1.0], "two different"),
        ([100.0], [1.0], "two different"),
        ([100.0, 100.0], [0.0, 1.0], "do not change"),
        ([1.0, 2.0, 3.0], [0.0, 1.0], "one reading per mass"),
        ([1.0, float("nan")], [0.0, 1.0], "not a number"),
        ([1.0, 2.0], [0.0, -1.0], "negative"),
    ],
)
def test_unusable_calibration_points_are_refused(raw, masses, message):
    with pytest.raises(ConditioningError, match=message):
        fit_calibration(raw, masses)


def test_calibration_applies_to_its_channel_only():
    cal = fit_calibration([0.0, 1000.0], [0.0, 1.0])
    block = SampleBlock(
        np.array([0.0, 0.01]), np.array([[500.0, 45.0], [1000.0, 46.0]]), ("force_n", "angle_deg")
    )
    out = cal.apply_to_block(block)
    np.testing.assert_allclose(out.channel("force_n"), [STANDARD_GRAVITY / 2, STANDARD_GRAVITY])
    np.testing.assert_array_equal(out.channel("angle_deg"), [45.0, 46.0])
    np.testing.assert_array_equal(block.channel("force_n"), [500.0, 1000.0])  # untouched


@pytest.mark.parametrize(
    ("field", "value"), [("gain", "big"), ("gain", 0.0), ("raw_points", "1,2"), ("created", 5)]
)
def test_a_stored_calibration_with_a_bad_field_is_refused_by_name(field, value):
    d = fit_calibration([0.0, 1000.0], [0.0, 1.0]).to_dict()
    d[field] = value
    with pytest.raises(ConditioningError, match=field):
        Calibration.from_dict(d)


# -- low-pass --------------------------------------------------------------------------------------


def test_lowpass_output_does_not_depend_on_block_sizes():
    x = np.random.default_rng(1).normal(size=5000) + 3.0
    whole = LowPass(20.0, RATE).process(x)
    lp = LowPass(20.0, RATE)
    cuts = [0, 1, 2, 17, 400, 401, 2500, 5000]
    parts = [lp.process(x[a:b]) for a, b in itertools.pairwise(cuts)]
    np.testing.assert_array_equal(np.concatenate(parts), whole)


def test_lowpass_matches_the_butterworth_design_and_starts_without_a_ramp():
    lp = LowPass(20.0, RATE)
    x = 5.0 + np.random.default_rng(2).normal(size=2000)
    expected, _ = signal.sosfilt(lp.sos, x, zi=signal.sosfilt_zi(lp.sos) * x[0])
    np.testing.assert_allclose(lp.process(x), expected, atol=1e-12)
    np.testing.assert_allclose(LowPass(20.0, RATE).process(np.full(50, 7.0)), 7.0)


def test_lowpass_group_delay_is_the_analytic_value_and_is_what_a_ramp_sees():
    lp = LowPass(20.0, RATE)
    analytic = math.sqrt(2) / (2 * math.pi * 20.0)  # 2nd-order Butterworth at low frequency
    assert lp.group_delay_s == pytest.approx(analytic, rel=0.01)
    t = np.arange(3000) / RATE
    y = lp.process(np.where(t > 0.5, t - 0.5, 0.0))
    lag_s = (t[-1] - 0.5) - y[-1]
    assert lag_s == pytest.approx(lp.group_delay_s, rel=0.01)


def test_slow_devices_get_a_lower_cutoff():
    assert LowPass(20.0, 80.0).cutoff_hz == 20.0
    assert LowPass(20.0, 10.0).cutoff_hz == pytest.approx(4.0)
    assert LowPass(20.0, 10.0).requested_cutoff_hz == 20.0


def test_zero_phase_has_no_delay():
    lp = LowPass(20.0, RATE)
    t = np.arange(2000) / RATE
    pulse = np.sin(np.pi * np.clip(t - 0.5, 0, 1)) ** 2
    smooth = lp.zero_phase(pulse)
    assert abs(int(np.argmax(smooth)) - int(np.argmax(pulse))) <= 1
    assert lp.zero_phase(np.array([1.0])).tolist() == [1.0]


@pytest.mark.parametrize("n", [2, 3, 9, 10, 11, 2000])
def test_zero_phase_is_scipys_sosfiltfilt(n: int) -> None:
    lp = LowPass(20.0, RATE)
    x = np.random.default_rng(n).normal(size=n).cumsum()
    np.testing.assert_array_equal(
        lp.zero_phase(x), signal.sosfiltfilt(lp.sos, x, padlen=min(9, n - 1))
    )


def test_only_the_loops_module_reaches_into_scipy() -> None:
    """scipy's private modules change without notice: one module loads them, checks them and
    falls back to the public functions (``trainer/signals/loops.py``); nothing imports them."""
    private = []
    for path in sorted(Path(trainer.__file__).parent.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name != "loops.py" and "spec_from_file_location" in text:
            private.append(f"{path.name}: loads a module from its file")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "scipy" and any(part.startswith("_") for part in parts[1:]):
                    private.append(f"{path.name}: {name}")
    assert private == []


def test_reset_restarts_from_the_next_sample():
    lp = LowPass(20.0, RATE)
    lp.process(np.zeros(100))
    lp.reset()
    np.testing.assert_allclose(lp.process(np.full(10, 4.0)), 4.0)


# -- baseline tracker ------------------------------------------------------------------------------


def started(level: float = 0.0, noise: float = 0.02) -> BaselineTracker:
    tracker = BaselineTracker(RATE)
    tracker.start(quiet(2.0, level, noise)[1])
    return tracker


def test_tracker_starts_from_the_mean_and_sd():
    tracker = started(level=2.0, noise=0.1)
    assert tracker.baseline_n == pytest.approx(2.0, abs=0.01)
    assert tracker.sigma_n == pytest.approx(0.1, rel=0.1)
    assert tracker.gate_n == pytest.approx(3 * tracker.sigma_n + 0.5)


def test_tracker_follows_slow_drift_within_the_expected_lag():
    tracker = started()
    t, f = quiet(20.0, seed=3)
    tracker.update(f + 0.1 * t)
    # An exponential average lags a ramp by slope x time constant.
    assert tracker.baseline_n == pytest.approx(0.1 * t[-1] - 0.1 * 1.0, abs=0.03)


def test_tracker_ignores_a_stroke():
    tracker = started()
    t, f = quiet(3.0, seed=4)
    pulse = 10.0 * np.sin(np.pi * np.clip(t - 1.0, 0.0, 1.0)) ** 2
    trace = tracker.update(f + pulse)
    assert abs(tracker.baseline_n) < 0.02
    assert not trace.accepted[(t > 1.2) & (t < 1.8)].any()
    assert tracker.sigma_n < 0.05  # the stroke did not count as noise


def test_tracker_noise_estimate_is_not_fooled_by_a_slow_push():
    tracker = started(noise=0.01)
    t = np.arange(round(4.0 * RATE)) / RATE
    tracker.update(0.4 * t)  # 0.4 N/s: the baseline lags by 0.4 N, inside the gate
    assert tracker.sigma_n < 0.02


def test_tracker_frozen_learns_nothing():
    tracker = started(level=1.0)
    tracker.frozen = True
    before = (tracker.baseline_n, tracker.sigma_n)
    trace = tracker.update(np.full(1000, 1.3))
    assert (tracker.baseline_n, tracker.sigma_n) == before
    assert not trace.accepted.any()


def test_tracker_is_the_same_whatever_the_block_sizes():
    t, f = quiet(10.0, seed=5)
    f = f + 0.05 * t + 5.0 * np.sin(np.pi * np.clip(t - 4.0, 0.0, 1.0)) ** 2
    whole = started()
    whole.update(f)
    parts = started()
    cuts = [0, 3, 999, 1000, 4200, 4201, 7777, f.size]
    for a, b in itertools.pairwise(cuts):
        parts.update(f[a:b])
    assert (parts.baseline_n, parts.sigma_n) == (whole.baseline_n, whole.sigma_n)


def test_scan_and_commit_stop_at_a_chosen_sample():
    tracker = started()
    f = np.full(500, 0.3)
    trace = tracker.scan(f)
    tracker.commit(trace, 99)
    reference = started()
    reference.update(f[:100])
    assert tracker.baseline_n == reference.baseline_n
    tracker.set_baseline(2.0)
    assert tracker.baseline_n == 2.0
