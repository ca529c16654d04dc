"""The start of a stroke in progress is where the finished stroke will start.

A live trace is drawn from ``StrokeSegmenter.current_stroke_start_s``. If that were the detection
threshold's crossing (2 N, well into a light stroke's build-up), every growing stroke would start
high on the expert's time axis and be drawn outside the band, then jump inside once scored.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.trainer.strokes.test_segmentation import add_sin2, block, timeline
from trainer.strokes.segmentation import StrokeSegmenter
from trainer.strokes.stroke import Stroke

RATE_HZ = 1000.0
BLOCK = 10  # samples: the live link's 10 ms batches


def _live_run(
    peak_n: float, noise_n: float, expected_peak_n: float | None = None
) -> tuple[list[Stroke], list[float | None]]:
    """Three strokes fed in 10 ms blocks; the live start read after the last block of each
    stroke's contact, as the display would read it at the stroke's end."""
    t = timeline(12.0, RATE_HZ)
    f = np.full(t.size, 0.4) + np.random.default_rng(3).normal(0.0, noise_n, t.size)
    starts = (3.0, 6.0, 9.0)
    for t0 in starts:
        add_sin2(t, f, t0, 1.2, peak_n)
    seg = StrokeSegmenter(rate_hz=RATE_HZ)
    seg.expected_peak_n = expected_peak_n
    strokes: list[Stroke] = []
    live_at_end: list[float | None] = []
    last_live: float | None = None
    for i in range(0, t.size, BLOCK):
        done = seg.feed(block(t[i : i + BLOCK], f[i : i + BLOCK]))
        if done:
            strokes += done
            live_at_end += [last_live] * len(done)
        if seg.in_stroke:
            last_live = seg.current_stroke_start_s
    strokes += seg.flush()
    return strokes, live_at_end


@pytest.mark.parametrize(
    ("peak_n", "noise_n", "expected_peak_n"),
    [(8.0, 0.0, None), (8.0, 0.05, None), (30.0, 0.05, None), (8.0, 0.05, 12.0), (8.0, 0.05, 4.0)],
)
def test_the_live_start_at_a_strokes_end_is_the_scored_strokes_start(
    peak_n: float, noise_n: float, expected_peak_n: float | None
) -> None:
    strokes, live = _live_run(peak_n, noise_n, expected_peak_n)
    assert len(strokes) == 3
    for stroke, live_start in zip(strokes, live, strict=True):
        assert live_start is not None
        assert abs(live_start - stroke.start_s) <= 1.0 / RATE_HZ, (live_start, stroke.start_s)


@pytest.mark.parametrize("after_s", [0.02, 0.05, 0.15])
def test_early_in_the_build_up_the_live_start_is_already_near_the_final_one(after_s: float) -> None:
    # Soon after an 8 N stroke crossed its 2 N threshold the start is near its final 5 % crossing,
    # not at the threshold crossing ~0.1 s later in the rise, nor (knowing the experts' peak) at
    # 5 % of the little force reached so far, which would start the trace too soon and too low.
    t = timeline(6.0, RATE_HZ)
    f = np.full(t.size, 0.4)
    add_sin2(t, f, 3.0, 1.2, 8.0)
    seg = StrokeSegmenter(rate_hz=RATE_HZ)
    seg.expected_peak_n = 7.5
    crossed = None
    for i in range(0, t.size, BLOCK):
        seg.feed(block(t[i : i + BLOCK], f[i : i + BLOCK]))
        if seg.in_stroke and crossed is None:
            crossed = t[i + BLOCK - 1]
        if crossed is not None and t[i + BLOCK - 1] >= crossed + after_s:
            break
    final_start = 3.0 + 1.2 * np.arcsin(np.sqrt(0.05)) / np.pi
    assert seg.in_stroke
    assert abs(seg.current_stroke_start_s - final_start) < 0.015
