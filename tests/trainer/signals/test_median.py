"""The quick median gives numpy's number."""

from __future__ import annotations

import math

import numpy as np

from trainer.signals.median import median


def test_the_median_is_numpys_median() -> None:
    rng = np.random.default_rng(5)
    for n in [1, 2, 3, 4, 5, 8, 75, 99, 100, 1001]:
        for _ in range(20):
            x = np.round(rng.uniform(0.5, 1.5, n) * 1e-3, 6)  # ties, as in real time stamps
            assert median(x) == np.median(x)
            y = rng.normal(size=n).cumsum()  # a drifting force, no ties
            assert median(y) == np.median(y)
    assert math.isnan(median(np.array([1.0, np.nan, 2.0])))


def test_the_median_leaves_the_array_in_order() -> None:
    x = np.array([3.0, 1.0, 2.0, 5.0])
    median(x)
    assert x.tolist() == [3.0, 1.0, 2.0, 5.0]
