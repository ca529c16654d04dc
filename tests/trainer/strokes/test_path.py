"""The stroke's path on a force plate, from the centre of pressure: cases with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trainer.strokes.path import NO_PATH, masked_cop, path_features

RATE_HZ = 1000.0


def _load(n: int) -> np.ndarray:
    """A stroke's force: a sin^2 hump to 10 N, so the ends fall under the CoP threshold."""
    return 10.0 * np.sin(np.linspace(0.0, math.pi, n)) ** 2


def _with_noise(x: np.ndarray, sd_mm: float, seed: int) -> np.ndarray:
    return x + np.random.default_rng(seed).normal(0.0, sd_mm, x.size)


def _speed_profile(n: int) -> np.ndarray:
    """Distance along the path, 0 to 1, at a smooth speed (slow in, slow out)."""
    u = np.linspace(0.0, 1.0, n)
    return u - np.sin(2.0 * math.pi * u) / (2.0 * math.pi)


@pytest.mark.parametrize("rate_hz", [1000.0, 80.0])
def test_a_straight_80_mm_stroke_along_x(rate_hz: float) -> None:
    n = int(1.2 * rate_hz)
    t = np.arange(n) / rate_hz
    s = 80.0 * _speed_profile(n)
    force = np.full(n, 10.0)
    x = _with_noise(20.0 + s, 0.2, 1)
    y = _with_noise(np.full(n, 50.0), 0.2, 2)
    f = path_features(t, force, x, y)
    assert f.path_length_mm == pytest.approx(80.0, abs=2.0)
    assert f.direction_deg == pytest.approx(0.0, abs=2.0)
    assert f.straightness == pytest.approx(1.0, abs=0.03)
    assert abs(f.turn_deg) < 5.0
    assert f.speed_mm_s == pytest.approx(80.0 / t[-1], rel=0.05)


def test_direction_follows_the_way_the_stroke_went() -> None:
    n = 1000
    t = np.arange(n) / RATE_HZ
    s = 60.0 * _speed_profile(n)
    force = np.full(n, 8.0)
    for heading in (90.0, -135.0, 180.0):
        h = math.radians(heading)
        f = path_features(t, force, 100 + s * math.cos(h), 100 + s * math.sin(h))
        assert f.direction_deg is not None
        assert abs(((f.direction_deg - heading) + 180.0) % 360.0 - 180.0) < 1.0


@pytest.mark.parametrize("rate_hz", [1000.0, 80.0])
def test_a_fans_70_degree_arc_of_radius_100_mm(rate_hz: float) -> None:
    n = int(1.5 * rate_hz)
    t = np.arange(n) / rate_hz
    phi = math.radians(-20.0) + math.radians(70.0) * _speed_profile(n)
    x = _with_noise(100.0 * np.cos(phi), 0.2, 3)
    y = _with_noise(100.0 * np.sin(phi), 0.2, 4)
    f = path_features(t, np.full(n, 12.0), x, y)
    assert f.path_length_mm == pytest.approx(100.0 * math.radians(70.0), abs=2.0)
    # Within 5 degrees, at 80 samples/s too: the fan teaches an angle of tens of degrees.
    assert f.turn_deg == pytest.approx(70.0, abs=5.0)  # anticlockwise
    # Clockwise, the same arc turns the other way.
    f_cw = path_features(t, np.full(n, 12.0), x[::-1], y[::-1])
    assert f_cw.turn_deg == pytest.approx(-70.0, abs=5.0)
    assert f.straightness == pytest.approx(
        2.0 * math.sin(math.radians(35.0)) / math.radians(70.0), abs=0.02
    )


def test_a_j_strokes_hook() -> None:
    # 40 mm straight along +y, then a hook of radius 10 mm turning 120 degrees to the left.
    n = 1000
    t = np.arange(n) / RATE_HZ
    line = 40.0
    hook = 10.0 * math.radians(120.0)
    s = (line + hook) * _speed_profile(n)
    x = np.where(s <= line, 0.0, -10.0 + 10.0 * np.cos(-(s - line) / 10.0))
    y = np.where(s <= line, s, line - 10.0 * np.sin(-(s - line) / 10.0))
    f = path_features(t, np.full(n, 9.0), x, y)
    assert f.path_length_mm == pytest.approx(line + hook, abs=2.0)
    assert f.turn_deg == pytest.approx(120.0, abs=5.0)
    assert f.direction_deg is not None and 90.0 < f.direction_deg < 120.0


def test_the_cop_is_masked_where_the_load_is_too_low() -> None:
    n = 1000
    t = np.arange(n) / RATE_HZ
    force = _load(n)
    s = 50.0 * np.linspace(0.0, 1.0, n)
    # Under 1.5 N the CoP of a real plate wanders wildly: here it jumps by 300 mm.
    rng = np.random.default_rng(5)
    wild = force < 1.5
    x = np.where(wild, rng.uniform(-300, 300, n), s)
    y = np.where(wild, rng.uniform(-300, 300, n), 0.0)
    f = path_features(t, force, x, y)
    assert f.path_length_mm is not None and f.path_length_mm < 50.0
    assert f.direction_deg == pytest.approx(0.0, abs=2.0)
    mx, my = masked_cop(force, x, y)
    assert np.all(np.isnan(mx[wild])) and np.all(np.isnan(my[wild]))
    assert np.all(np.isfinite(mx[~wild]))


def test_no_path_without_load_or_movement() -> None:
    n = 500
    t = np.arange(n) / RATE_HZ
    assert path_features(t, np.full(n, 0.5), np.zeros(n), np.zeros(n)) == NO_PATH
    still = path_features(t, np.full(n, 5.0), _with_noise(np.zeros(n), 0.1, 6), np.zeros(n))
    assert still.direction_deg is None and still.turn_deg is None
    assert still.path_length_mm is not None and still.path_length_mm < 2.0
