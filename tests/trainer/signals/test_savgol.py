"""The Savitzky-Golay smoother in numpy is scipy's ``savgol_filter(mode="interp")``."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from trainer.signals.savgol import savgol_coeffs, savgol_smooth


@pytest.mark.parametrize("n", [7, 8, 9, 15, 50, 101, 333, 2000])
def test_the_smoothing_is_scipys_to_rounding(n: int) -> None:
    rng = np.random.default_rng(n)
    for window in (7, 9, 13, 31, 51, 151):
        if window > n:
            continue
        for polyorder in (0, 1, 2, 3, 5):
            x = np.cumsum(rng.normal(size=n)) * 3.0 + 100.0  # a wandering path, in mm
            expected = signal.savgol_filter(x, window, polyorder, mode="interp")
            got = savgol_smooth(x, window, polyorder)
            assert np.max(np.abs(got - expected)) <= 1e-12 * np.ptp(x), (window, polyorder)


def test_the_weights_are_scipys() -> None:
    for window in (7, 9, 21, 151):
        for polyorder in (0, 2, 3, 6):
            np.testing.assert_allclose(
                savgol_coeffs(window, polyorder),
                signal.savgol_coeffs(window, polyorder),
                rtol=0,
                atol=1e-14,
            )


def test_the_ends_follow_a_curve_instead_of_flattening() -> None:
    """Why the ends are fitted: an arc's direction at its first and last millimetres is kept."""
    t = np.linspace(0.0, 1.0, 300)
    x = 40.0 * np.cos(np.pi * t)  # half a circle of radius 40 mm
    y = 40.0 * np.sin(np.pi * t)
    xs, ys = savgol_smooth(x, 45, 3), savgol_smooth(y, 45, 3)
    start = np.degrees(np.arctan2(ys[1] - ys[0], xs[1] - xs[0]))
    end = np.degrees(np.arctan2(ys[-1] - ys[-2], xs[-1] - xs[-2]))
    assert start == pytest.approx(90.0, abs=0.5)
    assert end == pytest.approx(-90.0, abs=0.5)


@pytest.mark.parametrize(("window", "polyorder"), [(8, 3), (0, 0), (7, 7), (7, -1)])
def test_a_window_that_cannot_smooth_is_refused(window: int, polyorder: int) -> None:
    with pytest.raises(ValueError):
        savgol_smooth(np.arange(20.0), window, polyorder)


def test_a_window_longer_than_the_samples_is_refused() -> None:
    with pytest.raises(ValueError, match="longer"):
        savgol_smooth(np.arange(5.0), 7, 3)
