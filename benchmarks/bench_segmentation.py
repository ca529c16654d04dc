"""How fast the live pipeline keeps up: one hour of a 1 kHz tool fed in 10 ms blocks.

Run it as ``python benchmarks/bench_segmentation.py [--minutes N]``. It prints the per-block
processing time (median, 99th percentile, worst) and the CPU time spent against the hour of real
time the data represents. ``run(callback)`` drives any per-block consumer, so further stages
(scoring, recording) can be timed by passing a callback that does more.

The signal is synthetic but shaped like real IASTM work (docs/domain.md): strokes of 3 to 14 N peak,
0.6 to 2 s long, 0.25 to 1 Hz, with 0.05 N sensor noise, slow zero drift and a 30 to 60 degree
tool angle.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from devices.samples import SampleBlock
from trainer.strokes.segmentation import StrokeSegmenter

CHANNELS = ("force_n", "angle_deg")


@dataclass
class BenchResult:
    block_times_s: np.ndarray
    cpu_s: float
    wall_s: float
    data_s: float
    samples: int
    strokes_made: int
    outputs: int

    def report(self) -> str:
        ms = self.block_times_s * 1000.0
        p50, p99 = np.percentile(ms, [50, 99])
        return (
            f"{self.samples} samples in {ms.size} blocks ({self.data_s / 60:.0f} min of data)\n"
            f"block time: p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {ms.max():.3f} ms "
            f"({np.count_nonzero(ms > 1.0)} blocks over 1 ms)\n"
            f"CPU {self.cpu_s:.1f} s, wall {self.wall_s:.1f} s for {self.data_s:.0f} s of data "
            f"({100 * self.cpu_s / self.data_s:.2f} % of real time)\n"
            f"strokes made {self.strokes_made}, strokes out {self.outputs}"
        )


def _minutes(
    n_minutes: int, rate_hz: float, seed: int
) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
    """Minute after minute of (time, values, strokes in it); memory stays at one minute."""
    rng = np.random.default_rng(seed)
    per_minute = round(60 * rate_hz)
    t_next = 2.5  # after the start-up tare
    drift = 0.0
    for m in range(n_minutes):
        t = (m * per_minute + np.arange(per_minute)) / rate_hz
        force = drift + 0.02 * (t - t[0]) / 60 + rng.normal(0.0, 0.05, t.size)
        drift = float(force[-1] - rng.normal(0.0, 0.05))
        angle = 45.0 + rng.normal(0.0, 0.3, t.size)
        made = 0
        while True:
            length = rng.uniform(0.6, 2.0)
            if t_next + length > t[-1]:
                break
            sel = (t >= t_next) & (t < t_next + length)
            u = (t[sel] - t_next) / length
            skew = rng.uniform(0.35, 0.65)  # where the peak falls
            phase = np.where(u < skew, 0.5 * u / skew, 0.5 + 0.5 * (u - skew) / (1 - skew))
            force[sel] += rng.uniform(3.0, 14.0) * np.sin(np.pi * phase) ** 2
            angle[sel] += rng.uniform(-12.0, 12.0)
            made += 1
            t_next += length + rng.uniform(0.4, 2.5)
        yield t, np.column_stack([force, angle]), made
        t_next = max(t_next, t[-1] + 1.0 / rate_hz + 0.5)


def run(
    feed_block_callback: Callable[[SampleBlock], object],
    minutes: int = 60,
    rate_hz: float = 1000.0,
    block_s: float = 0.01,
    seed: int = 1,
) -> BenchResult:
    """Feed ``minutes`` of synthetic data to the callback block by block, timing each call.

    A callback that returns a list (of strokes, say) has the lengths counted in ``outputs``.
    """
    block_n = max(1, round(block_s * rate_hz))
    times: list[float] = []
    made = outputs = samples = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for t, values, n_made in _minutes(minutes, rate_hz, seed):
        made += n_made
        for i in range(0, t.size, block_n):
            block = SampleBlock(t[i : i + block_n], values[i : i + block_n], CHANNELS)
            start = time.perf_counter()
            out = feed_block_callback(block)
            times.append(time.perf_counter() - start)
            samples += len(block)
            if isinstance(out, list):
                outputs += len(out)
    return BenchResult(
        block_times_s=np.array(times),
        cpu_s=time.process_time() - cpu0,
        wall_s=time.perf_counter() - wall0,
        data_s=minutes * 60.0,
        samples=samples,
        strokes_made=made,
        outputs=outputs,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args()
    segmenter = StrokeSegmenter()
    result = run(segmenter.feed, minutes=args.minutes)
    result.outputs += len(segmenter.flush())
    print("stroke segmentation, 1 kHz in 10 ms blocks")
    print(result.report())
    print(f"segmenter counters: {segmenter.counters}")


if __name__ == "__main__":
    main()
