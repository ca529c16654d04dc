"""`iastm-trainer score` on a one-hour 1 kHz recording, against pandas reading the same file.

Prints the time to read (ours), to segment and score, the total, and pandas' `read_csv` time in
the same run, with the ratio (target: at most 2x). Run: python benchmarks/bench_score.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from trainer.analysis import score_recording
from trainer.exercise import find_exercise
from trainer.recording import read_recording
from trainer.simulation import simulate_recording


def main(minutes: float = 60.0) -> None:
    exercise = find_exercise("sweep")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "hour.csv"
        strokes = int(minutes * 60 / 2.2)
        t0 = time.perf_counter()
        _, n = simulate_recording(
            path, stroke_type="sweep", skill="competent", strokes=strokes, seed=7, rate_hz=1000.0
        )
        print(
            f"wrote {n} samples ({n / 1000 / 60:.1f} min at 1 kHz, "
            f"{path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s"
        )

        import pandas as pd

        t0 = time.process_time()
        df = pd.read_csv(path, comment="#")
        pandas_s = time.process_time() - t0
        assert len(df) == n

        t0 = time.process_time()
        rec = read_recording(path)
        read_s = time.process_time() - t0
        t0 = time.process_time()
        report = score_recording(rec, exercise)
        score_s = time.process_time() - t0
        total = read_s + score_s
        print(f"pandas read_csv:        {pandas_s:6.2f} s CPU")
        print(f"read_recording:         {read_s:6.2f} s CPU")
        print(f"segment + score:        {score_s:6.2f} s CPU ({len(report.scores)} strokes)")
        print(
            f"score total:            {total:6.2f} s CPU = {total / pandas_s:.2f} x pandas "
            f"(target <= 2 x)"
        )


if __name__ == "__main__":
    main()
