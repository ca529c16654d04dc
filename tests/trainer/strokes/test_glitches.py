"""One absurd reading (a glitching load cell) is left out, live and offline alike."""

from __future__ import annotations

import numpy as np
import pytest

from devices.samples import SampleBlock
from tests.trainer.strokes.test_start_up import CHANNELS, SIN2_START_S, _same, _sin2_train
from trainer.strokes.segmentation import ABSURD_FORCE_N, StrokeSegmenter


def _glitchy():
    t, f, starts = _sin2_train(2.5, n=5)
    f[np.searchsorted(t, 3.0)] = 1e308  # in the first stroke
    f[np.searchsorted(t, 4.8)] = -1e5  # between the second and the third
    return t, np.column_stack([f, np.full(t.size, 40.0)]), starts


def test_absurd_samples_are_left_out_and_counted_in_any_blocks():
    t, values, starts = _glitchy()
    whole = StrokeSegmenter()
    strokes = whole.feed(SampleBlock(t, values, CHANNELS)) + whole.flush()
    np.testing.assert_allclose([s.start_s for s in strokes], starts + SIN2_START_S, atol=0.005)
    assert all(np.abs(s.force_n).max() < ABSURD_FORCE_N for s in strokes)
    assert whole.counters["absurd_samples"] == 2 and whole.counters["gaps"] == 0
    seg = StrokeSegmenter()
    sizes = np.random.default_rng(5).integers(1, 40, 2000)
    out, i = [], 0
    for n in sizes.tolist() * 10:
        if i >= t.size:
            break
        out += seg.feed(SampleBlock(t[i : i + n], values[i : i + n], CHANNELS))
        i += n
    out += seg.flush()
    assert _same(out, strokes)


def test_a_missing_reading_is_still_a_gap():
    t, f, _ = _sin2_train(2.5, n=2)
    f[np.searchsorted(t, 3.0)] = np.nan
    seg = StrokeSegmenter()
    strokes = seg.feed(SampleBlock(t, np.column_stack([f, f * 0]), CHANNELS)) + seg.flush()
    assert len(strokes) == 1 and seg.counters["gaps"] == 1
    assert seg.counters["absurd_samples"] == 0


@pytest.mark.parametrize("value", [ABSURD_FORCE_N * 0.9, -ABSURD_FORCE_N * 0.9])
def test_a_large_but_possible_force_is_kept(value):
    t, f, _ = _sin2_train(2.5, n=1)
    f[np.searchsorted(t, 3.0)] = value
    seg = StrokeSegmenter()
    seg.feed(SampleBlock(t, np.column_stack([f, f * 0]), CHANNELS))
    assert seg.counters["absurd_samples"] == 0
