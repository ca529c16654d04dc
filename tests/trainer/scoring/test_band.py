"""What "inside the expert band" means, for the score and the screen alike."""

from __future__ import annotations

import numpy as np

from trainer.scoring.band import in_band_pct, inside_band

LO = np.array([1.0, 2.0, 3.0, 4.0])
HI = np.array([3.0, 4.0, 5.0, 6.0])


def test_a_curve_on_the_mean_is_all_in_and_one_far_off_is_all_out() -> None:
    mu = (LO + HI) / 2
    assert in_band_pct(mu, LO, HI) == 100.0
    assert in_band_pct(mu + 5.0, LO, HI) == 0.0


def test_the_edges_are_inside_and_a_missing_band_or_value_is_not() -> None:
    values = np.array([1.0, 4.0, np.nan, 4.0])
    hi = np.array([3.0, 4.0, 5.0, np.nan])
    assert inside_band(values, LO, hi).tolist() == [True, True, False, False]
    assert in_band_pct(values, LO, hi) == 50.0


def test_many_strokes_at_once_give_one_share_each() -> None:
    strokes = np.array([[2.0, 3.0, 4.0, 5.0], [0.0, 3.0, 4.0, 9.0]])
    assert in_band_pct(strokes, LO, HI).tolist() == [100.0, 50.0]
