"""`iastm-trainer score` on a one-hour 1 kHz recording, against pandas reading the same file.

The target is set on what a user waits for: the **whole process**, interpreter start-up and
imports included. ``iastm-trainer score FILE --exercise sweep --json`` (output thrown away) is
timed by the wall clock against ``python -c "import pandas; pandas.read_csv(FILE)"`` on the same
file, the two alternating in one run, best of ``--repeat``: target at most 3x.

``--stages`` also prints the CPU time of each stage inside one process (reading the file,
segmenting it, scoring the strokes), against pandas' ``read_csv`` alone. Writing the simulated
recording takes longer than scoring it; ``--recording PATH`` keeps the file there and reuses it.

Run: python benchmarks/bench_score.py [--minutes 60] [--repeat 3] [--recording /tmp/hour.csv]
[--stages]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bytecode import compile_project

from trainer.library.exercise import Exercise, find_exercise
from trainer.offline.analysis import segment_recording
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording
from trainer.scoring.scorer import Scorer

RATE_HZ = 1000.0
TARGET_RATIO = 3.0
PANDAS_READ = "import sys, pandas; pandas.read_csv(sys.argv[1], comment='#')"
#: Mean time per simulated stroke, lift included, for turning minutes into a stroke count.
STROKE_PERIOD_S = 2.2

T = TypeVar("T")


def _write(path: Path, minutes: float) -> int:
    t0 = time.perf_counter()
    _, n = simulate_recording(
        path,
        stroke_type="sweep",
        skill="competent",
        strokes=max(1, int(minutes * 60 / STROKE_PERIOD_S)),
        seed=7,
        rate_hz=RATE_HZ,
    )
    print(
        f"wrote {n} samples ({n / RATE_HZ / 60:.1f} min at 1 kHz, "
        f"{path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s"
    )
    return n


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "iastm-trainer"
    return [str(script)] if script.exists() else [sys.executable, "-m", "trainer.cli"]


def _wall_s(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def whole_process(path: Path, repeat: int = 3) -> bool:
    """Wall time of the whole ``score`` process against a process that only reads the file with
    pandas, alternating; prints both and their ratio, and says whether the target is met."""
    score_cmd = [*_cli(), "score", str(path), "--exercise", "sweep", "--json"]
    pandas_cmd = [sys.executable, "-c", PANDAS_READ, str(path)]
    score_runs, pandas_runs = [], []
    for _ in range(repeat):
        pandas_runs.append(_wall_s(pandas_cmd))
        score_runs.append(_wall_s(score_cmd))
    best_score, best_pandas = min(score_runs), min(pandas_runs)
    ratio = best_score / best_pandas
    print(f"whole process, wall clock, best of {repeat} (start-up and imports included):")
    print(f"pandas read_csv process: {best_pandas:6.2f} s  (runs: {_runs(pandas_runs)})")
    print(f"iastm-trainer score:     {best_score:6.2f} s  (runs: {_runs(score_runs)})")
    print(f"ratio: {ratio:.2f} x (target at most {TARGET_RATIO:g} x)")
    return ratio <= TARGET_RATIO


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def measure(path: Path, repeat: int = 3) -> None:
    """Time each stage on one recording file and print the figures (the best of ``repeat``)."""
    import pandas as pd

    exercise = find_exercise("sweep")
    best: dict[str, float] = {}

    def timed(stage: str, fn: Callable[[], T]) -> T:
        t0 = time.process_time()
        out = fn()
        best[stage] = min(best.get(stage, float("inf")), time.process_time() - t0)
        return out

    rows = len(timed("pandas", lambda: pd.read_csv(path, comment="#")))
    rec = timed("read", lambda: read_recording(path))
    assert rec.t_s.size == rows
    strokes = timed("segment", lambda: segment_recording(rec, exercise.detection))
    scores = timed("score", lambda: _scorer(exercise).score_many(strokes))
    for _ in range(repeat - 1):
        timed("pandas", lambda: pd.read_csv(path, comment="#"))
        timed("read", lambda: read_recording(path))
        timed("segment", lambda: segment_recording(rec, exercise.detection))
        timed("score", lambda: _scorer(exercise).score_many(strokes))

    pandas_s = best["pandas"]
    total = best["read"] + best["segment"] + best["score"]

    def per_stroke_ms(stage: str) -> float:
        return 1000.0 * best[stage] / max(1, len(scores))

    print(f"CPU seconds, best of {repeat}:")
    print(f"pandas read_csv:  {pandas_s:6.3f} s ({rows} rows)")
    print(f"read_recording:   {best['read']:6.3f} s = {best['read'] / pandas_s:.2f} x pandas")
    print(
        f"segment:          {best['segment']:6.3f} s ({len(strokes)} strokes, "
        f"{per_stroke_ms('segment'):.3f} ms a stroke)"
    )
    print(f"score:            {best['score']:6.3f} s ({per_stroke_ms('score'):.3f} ms a stroke)")
    print(f"total:            {total:6.3f} s = {total / pandas_s:.2f} x pandas")


def _scorer(exercise: Exercise) -> Scorer:
    return Scorer(exercise.envelope, exercise.weights, exercise.pass_mark)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="length to simulate")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best time counts")
    parser.add_argument(
        "--recording", type=Path, help="keep the simulated file here; reuse it if it exists"
    )
    parser.add_argument("--stages", action="store_true", help="also time each stage in-process")
    args = parser.parse_args()
    compile_project()  # as installed: from bytecode, not compiled on every run

    def run(path: Path) -> bool:
        met = whole_process(path, args.repeat)
        if args.stages:
            print()
            measure(path, args.repeat)
        return met

    if args.recording is not None:
        if not args.recording.exists():
            _write(args.recording, args.minutes)
        return 0 if run(args.recording) else 1
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "recording.csv"
        _write(path, args.minutes)
        return 0 if run(path) else 1


if __name__ == "__main__":
    sys.exit(main())
