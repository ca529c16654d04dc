"""SPARC against the published reference value and the properties smoothness scoring relies on."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trainer.signals.sparc import sparc


def test_reference_example_gives_published_value() -> None:
    # Balasubramanian et al.: v = exp(-5 t^2), t from -1 to 1 in steps of 0.01, at 100 Hz.
    t = np.arange(-1.0, 1.0, 0.01)
    assert round(sparc(np.exp(-5.0 * t**2), rate_hz=100.0), 5) == -1.41403


def test_amplitude_does_not_change_smoothness() -> None:
    t = np.arange(-1.0, 1.0, 0.01)
    v = np.exp(-5.0 * t**2)
    assert math.isclose(sparc(3.7 * v, 100.0), sparc(v, 100.0), rel_tol=1e-12)


def test_a_profile_sampled_under_twice_the_cutoff_keeps_its_smoothness() -> None:
    # The same 101 samples spread over 0.3 s to 10 s: from 20 Hz down, the 10 Hz cut-off lies
    # past half the rate, where the spectrum is only the mirror of the part below.
    u = np.linspace(0.0, 1.0, 101)
    profile = np.sin(np.pi * u**1.5) ** 2
    values = [sparc(profile, 100.0 / d_s) for d_s in (0.3, 1.0, 4.0, 5.0, 7.5, 10.0, 20.0)]
    assert max(values) - min(values) < 0.01
    assert values[0] == pytest.approx(-1.42, abs=0.01)


def test_two_bumps_are_less_smooth_than_one() -> None:
    t = np.linspace(0.0, 1.0, 201)
    one = np.sin(np.pi * t) ** 2
    two = np.sin(2 * np.pi * t) ** 2
    wobbly = one + 0.15 * np.sin(2 * np.pi * 7 * t) * one
    assert sparc(two, 200.0) < sparc(one, 200.0)
    assert sparc(wobbly, 200.0) < sparc(one, 200.0)


def test_profiles_without_shape_give_nan() -> None:
    assert math.isnan(sparc(np.zeros(50), 100.0))
    assert math.isnan(sparc(np.array([1.0]), 100.0))
    assert math.isnan(sparc(np.array([1.0, np.nan, 2.0]), 100.0))
    assert math.isnan(sparc(np.ones(10), 0.0))
