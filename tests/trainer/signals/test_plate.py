"""A force plate from its cells: Fz and centre of pressure, the cells' gains, irregular sampling."""

from __future__ import annotations

import numpy as np
import pytest

from devices.samples import SampleBlock
from trainer.signals.calibration import STANDARD_GRAVITY
from trainer.signals.errors import ConditioningError
from trainer.signals.plate import (
    Placement,
    PlateProfile,
    fit_plate_gains,
    window_average,
)

W, D = 400.0, 300.0
TRUE_GAINS = np.array([0.0021, 0.0019, 0.0023, 0.0020])  # N per raw count
TRUE_ZEROS = np.array([8123.0, -2210.0, 455.0, 30110.0])


def _cell_forces(weight_n: float, x: float, y: float) -> np.ndarray:
    """How a rigid rectangular plate on four corner cells shares a load at (x, y): the bilinear
    split, which balances the weight and both moments."""
    u, v = 0.5 + x / W, 0.5 + y / D  # 0..1 across and along
    shares = np.array([(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v])
    return weight_n * shares


def _raw(forces: np.ndarray, noise: float = 0.0, rng=None) -> np.ndarray:
    raw = forces / TRUE_GAINS + TRUE_ZEROS
    if noise:
        raw = raw + rng.normal(0.0, noise, raw.shape)
    return raw


def _profile() -> PlateProfile:
    return PlateProfile.four_corners(W, D)


def test_fz_and_cop_of_a_point_load() -> None:
    plate = PlateProfile.four_corners(W, D)
    cal_cells = [
        c.__class__(c.column, c.x_mm, c.y_mm, float(g), float(z))
        for c, g, z in zip(plate.cells, TRUE_GAINS, TRUE_ZEROS, strict=True)
    ]
    plate = plate.__class__(plate.name, tuple(cal_cells), W, D)
    raw = np.array([_raw(_cell_forces(12.0, 60.0, -40.0)), _raw(_cell_forces(5.0, -150.0, 100.0))])
    fz, cx, cy = plate.fz_cop(raw)
    assert fz == pytest.approx([12.0, 5.0], abs=1e-9)
    assert cx == pytest.approx([60.0, -150.0], abs=1e-6)
    assert cy == pytest.approx([-40.0, 100.0], abs=1e-6)
    # With nothing on the plate the CoP is undefined, never a number from dividing noise by zero.
    _, cx0, _ = plate.fz_cop(TRUE_ZEROS[None, :])
    assert np.isnan(cx0[0])


def test_four_cell_calibration_recovers_the_gains_within_half_a_percent() -> None:
    rng = np.random.default_rng(3)
    mass = 5.0
    weight = mass * STANDARD_GRAVITY
    spots = [(0.0, 0.0), (-150.0, -100.0), (150.0, -100.0), (150.0, 100.0), (-150.0, 100.0)]
    # Each reading is the mean of a second of samples at 80 Hz: raw noise of 40 counts per sample.
    placements = [
        Placement(
            mass,
            x,
            y,
            tuple(
                np.mean(
                    _raw(_cell_forces(weight, x, y), 40.0, rng)[None, :]
                    + rng.normal(0, 40.0 / np.sqrt(80), 4),
                    axis=0,
                )
            ),
        )
        for x, y in spots
    ]
    zero = TRUE_ZEROS + rng.normal(0.0, 40.0 / np.sqrt(80), 4)
    cal = fit_plate_gains(_profile(), zero, placements)
    assert np.asarray(cal.gains) == pytest.approx(TRUE_GAINS, rel=0.005)
    assert cal.max_force_residual_n < 0.02 * weight and cal.max_cop_residual_mm < 10.0
    # The calibrated profile measures a new load where it is.
    plate = _profile().with_calibration(cal)
    fz, cx, cy = plate.fz_cop(_raw(_cell_forces(20.0, 80.0, 30.0))[None, :])
    assert fz[0] == pytest.approx(20.0, rel=0.01)
    assert (cx[0], cy[0]) == pytest.approx((80.0, 30.0), abs=3.0)
    # And the calibration survives a round trip through its stored form.
    again = PlateProfile.from_dict(plate.to_dict())
    assert again.cells == plate.cells and again.calibration.gains == cal.gains


def test_a_calibration_that_cannot_be_trusted_is_refused_with_the_reason() -> None:
    weight = 5.0 * STANDARD_GRAVITY
    centre_only = [Placement(5.0, 0.0, 0.0, tuple(_raw(_cell_forces(weight, 0.0, 0.0))))]
    with pytest.raises(ConditioningError, match="cannot tell the 4 cells' gains apart"):
        fit_plate_gains(_profile(), TRUE_ZEROS, centre_only)
    spots = [(0.0, 0.0), (-150.0, -100.0), (150.0, -100.0), (150.0, 100.0), (-150.0, 100.0)]
    # The mass said to be at a corner sat 60 mm away from it.
    moved = [
        Placement(5.0, x, y, tuple(_raw(_cell_forces(weight, x + (60.0 if i == 2 else 0.0), y))))
        for i, (x, y) in enumerate(spots)
    ]
    with pytest.raises(ConditioningError, match="where it was said to be"):
        fit_plate_gains(_profile(), TRUE_ZEROS, moved)


def test_a_bad_plate_profile_names_the_field() -> None:
    good = _profile().to_dict()
    bad = {**good, "cells": good["cells"][:2]}
    with pytest.raises(ConditioningError, match="cells"):
        PlateProfile.from_dict(bad)
    bad = {**good, "cells": [{**good["cells"][0], "gain": 0}, *good["cells"][1:]]}
    with pytest.raises(ConditioningError, match=r"cells\[0\]\.gain"):
        PlateProfile.from_dict(bad)
    with pytest.raises(ConditioningError, match="width_mm"):
        PlateProfile.from_dict({**good, "width_mm": -1})


def test_cell_columns_become_force_and_centre_of_pressure() -> None:
    plate = _profile().with_calibration(
        fit_plate_gains(
            _profile(),
            TRUE_ZEROS,
            [
                Placement(5.0, x, y, tuple(_raw(_cell_forces(5.0 * STANDARD_GRAVITY, x, y))))
                for x, y in [(0, 0), (-150, -100), (150, -100), (150, 100), (-150, 100)]
            ],
        )
    )
    raw = np.array([_raw(_cell_forces(10.0, 20.0, 10.0))] * 3)
    block = SampleBlock(np.array([0.0, 0.0125, 0.025]), raw, plate.columns)
    out = plate.convert_block(block)
    assert out.channels == ("force_n", "cop_x_mm", "cop_y_mm")
    assert out.values[:, 0] == pytest.approx(10.0, rel=1e-6)
    assert out.values[:, 1] == pytest.approx(20.0, abs=1e-3)
    with pytest.raises(ConditioningError, match="cell_4"):
        plate.convert_block(SampleBlock(block.t_s, raw[:, :3], plate.columns[:3]))


def test_irregular_samples_are_averaged_into_windows_not_interpolated() -> None:
    # A Wii Balance Board: about 100 samples/s with jittered times and a dropped packet.
    rng = np.random.default_rng(9)
    t = np.cumsum(rng.uniform(0.006, 0.014, 600))
    t = np.delete(t, slice(300, 320))  # a dropped run of samples
    truth = 10.0 + 5.0 * np.sin(2 * np.pi * 0.8 * t)
    noisy = truth + rng.normal(0.0, 0.5, t.size)
    times, out, counts = window_average(t, noisy, 25.0)
    assert np.allclose(np.diff(times), 0.04)
    assert counts.sum() == t.size
    assert (counts == 0).any()  # the dropped packet left windows empty...
    assert np.all(np.isfinite(out))  # ...which hold the last value rather than a gap of NaN
    true_out = 10.0 + 5.0 * np.sin(2 * np.pi * 0.8 * times)
    filled = counts > 0
    err_avg = np.std(out[filled, 0] - true_out[filled])
    err_lin = np.std(np.interp(times, t, noisy)[filled] - true_out[filled])
    assert err_avg < 0.75 * err_lin  # averaging takes out noise that interpolation passes on
