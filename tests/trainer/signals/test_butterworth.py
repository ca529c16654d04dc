"""The Butterworth low-pass designed by hand is scipy's, section for section."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from trainer.signals.butterworth import group_delay_samples, lowpass_sos, sosfilt_zi

CUTOFFS = [*np.geomspace(1e-4, 0.999, 60).tolist(), 0.02, 0.04, 0.05, 0.25, 0.8]


@pytest.mark.parametrize("order", range(1, 9))
def test_the_design_is_scipys_butter_bit_for_bit(order: int) -> None:
    for wn in CUTOFFS:
        expected = signal.butter(order, wn, output="sos")
        got = lowpass_sos(order, wn)
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got, expected, err_msg=f"order {order}, wn {wn}")


@pytest.mark.parametrize("order", [1, 2, 3, 4, 6])
def test_the_resting_state_is_scipys_sosfilt_zi(order: int) -> None:
    for wn in CUTOFFS:
        sos = signal.butter(order, wn, output="sos")
        np.testing.assert_array_equal(sosfilt_zi(sos), signal.sosfilt_zi(sos))


def test_a_step_that_was_always_there_passes_unchanged() -> None:
    sos = lowpass_sos(4, 0.05)
    y, _ = signal.sosfilt(sos, np.full(200, 3.5), zi=sosfilt_zi(sos) * 3.5)
    np.testing.assert_allclose(y, 3.5, rtol=1e-12)


@pytest.mark.parametrize("order", [1, 2, 4])
def test_the_group_delay_is_scipys(order: int) -> None:
    for wn in (0.01, 0.04, 0.3):
        for section in signal.butter(order, wn, output="sos"):
            b, a = section[:3], section[3:]
            for w in (1e-4, 0.01, 0.5):
                _, expected = signal.group_delay((b, a), w=[w])
                assert group_delay_samples(b, a, w) == pytest.approx(expected[0], rel=1e-9)


@pytest.mark.parametrize(("order", "wn"), [(0, 0.1), (2.5, 0.1), (2, 0.0), (2, 1.0), (2, -0.3)])
def test_a_design_that_cannot_be_made_is_refused(order: float, wn: float) -> None:
    with pytest.raises(ValueError, match=r"order|cut-off"):
        lowpass_sos(order, wn)  # type: ignore[arg-type]


def test_a_design_changed_by_whoever_holds_it_does_not_change_the_next() -> None:
    sos = lowpass_sos(2, 0.1)
    sos[0, 0] = 123.0
    np.testing.assert_array_equal(lowpass_sos(2, 0.1), signal.butter(2, 0.1, output="sos"))
