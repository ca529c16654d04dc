"""What the live start of a stroke in progress costs the display, against the rough start.

The training screen asks ``TrainingSession.state()`` once a display frame (60 a second), and while
a stroke is in progress that reads ``StrokeSegmenter.current_stroke_start_s``: a forward-backward
filter over the stroke so far and a walk back to 5 % of its peak. Here a segmenter is fed a 1 kHz
sin² stroke of 1, 3 and 8 s in 10 ms blocks; at 25, 50 and 75 % of each stroke the live start is
timed, and as a baseline in the same run the rough start it replaced (the filtered contact, one
history lookup). Prints microseconds a call and the share of one core at 60 frames a second.
Run: python benchmarks/bench_live_start.py [--calls N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from devices.samples import SampleBlock
from trainer.strokes.segmentation import StrokeSegmenter

RATE_HZ = 1000.0
FRAMES_PER_S = 60
CHANNELS = ("force_n", "angle_deg")


def _best_us(fn, calls: int) -> float:
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    head = ("stroke", "at", "live start", "rough start", "ratio", "core @60")
    print("{:>7} {:>4} {:>11} {:>12} {:>6} {:>9}".format(*head))
    for length_s in (1.0, 3.0, 8.0):
        t = np.arange(round((4.0 + length_s + 2.0) * RATE_HZ)) / RATE_HZ
        f = np.full(t.size, 0.4) + np.random.default_rng(1).normal(0.0, 0.05, t.size)
        m = (t >= 3.0) & (t < 3.0 + length_s)
        f[m] += 8.0 * np.sin(np.pi * (t[m] - 3.0) / length_s) ** 2
        a = np.full(t.size, 45.0)
        for frac in (0.25, 0.5, 0.75):
            seg = StrokeSegmenter(rate_hz=RATE_HZ)
            seg.expected_peak_n = 7.5
            stop = round((3.0 + frac * length_s) * RATE_HZ)
            for i in range(0, stop, 10):
                seg.feed(SampleBlock(t[i : i + 10], np.column_stack([f, a])[i : i + 10], CHANNELS))
            assert seg.in_stroke
            live = _best_us(lambda seg=seg: seg.current_stroke_start_s, args.calls)
            rough = _best_us(lambda seg=seg: seg._rough_start_s(seg._open, seg._n - 1), args.calls)
            share = live * 1e-6 * FRAMES_PER_S * 100.0
            print(
                f"{length_s:>6.0f}s {frac * 100:>3.0f}% {live:>9.0f}us {rough:>10.1f}us "
                f"{live / rough:>6.0f} {share:>8.2f}%"
            )


if __name__ == "__main__":
    main()
