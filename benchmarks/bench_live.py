"""The whole live path per block: recording, display buffer, segmentation and scoring.

One hour of a 1 kHz tool fed in 10 ms blocks through ``TrainingSession.process_items``, the very
call the session thread makes. Prints the per-block time (median, 99th percentile, worst), the CPU
against real time, and as a baseline in the same run the segmenter alone on the same data.
Run: python benchmarks/bench_live.py [--minutes N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_segmentation import run

from devices.replay import ReplaySource
from trainer.library.exercise import find_exercise
from trainer.live.session import TrainingSession
from trainer.strokes.segmentation import StrokeSegmenter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args()
    exercise = find_exercise("sweep")

    baseline = run(StrokeSegmenter(exercise.detection).feed, minutes=args.minutes)
    print("baseline: segmentation alone, 1 kHz in 10 ms blocks")
    print(baseline.report())

    with tempfile.TemporaryDirectory() as d:
        # The source is only a name plate here: blocks are handed in as the session thread would.
        empty = ReplaySource([], [], ("force_n", "angle_deg"))
        session = TrainingSession(empty, exercise, recording_path=Path(d) / "live.csv")
        result = run(lambda block: session.process_items([block]), minutes=args.minutes)
        session.stop()
        print("\nlive path: record + display buffer + segment + score, 1 kHz in 10 ms blocks")
        print(result.report().replace("strokes out 0", f"strokes scored {len(session.log)}"))
        ratio = result.cpu_s / baseline.cpu_s
        print(f"\nlive path CPU / segmentation-alone CPU: {ratio:.2f} x")


if __name__ == "__main__":
    main()
