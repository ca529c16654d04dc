"""What scipy's public filter functions cost the live path, against its private compiled loops.

The live path filters small pieces many times a second: the detection low-pass on every 10 ms
block, the baseline tracker's exponential averages on every idle stretch, the zero-phase filter
and the resampling filter once a stroke ends. The public ``lfilter`` and ``sosfilt`` check and
reshape their arguments around the same compiled loops that ``scipy.signal._sigtools`` and
``scipy.signal._sosfilt`` hold; calling those directly saves a few microseconds a call but ties
the program to scipy's internals.

This script runs the live path (``TrainingSession.process_items``, as ``bench_live.py``) on
synthetic 1 kHz data in 10 ms blocks, records every ``lfilter`` and ``sosfilt`` call it makes,
and replays the calls both ways in the same run: through the public functions (what the program
does) and through the private loops (the baseline). It prints the time per second of data each
way, their ratio and the difference as a share of one core, and checks that both ways give the
same numbers to the last bit.
Run: python benchmarks/bench_filters.py [--minutes N] [--repeat R]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy import signal

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_segmentation import run

from devices.replay import ReplaySource
from trainer.library.exercise import find_exercise
from trainer.live.session import TrainingSession

#: The public functions cost the live path more than this share of a core: worth the private call.
LIMIT_PERCENT = 1.0

Call = tuple[str, tuple[np.ndarray, ...]]


def live_path(minutes: int) -> tuple[float, int]:
    """CPU seconds of the live path over ``minutes`` of 1 kHz data, and the strokes it scored."""
    exercise = find_exercise("sweep")
    with tempfile.TemporaryDirectory() as d:
        # The source is only a name plate here: blocks are handed in as the session thread would.
        empty = ReplaySource([], [], ("force_n", "angle_deg"))
        session = TrainingSession(empty, exercise, recording_path=Path(d) / "live.csv")
        result = run(lambda block: session.process_items([block]), minutes=minutes)
        session.stop()
    return result.cpu_s, len(session.log)


def record_calls(minutes: int) -> list[Call]:
    """Every ``lfilter`` and ``sosfilt`` call the live path makes, with copies of its inputs."""
    calls: list[Call] = []
    public_lfilter, public_sosfilt = signal.lfilter, signal.sosfilt

    def lfilter(b: np.ndarray, a: np.ndarray, x: np.ndarray, axis: int = -1, zi: Any = None) -> Any:
        calls.append(("lfilter", (b, a, np.array(x), np.array(zi))))
        return public_lfilter(b, a, x, axis=axis, zi=zi)

    def sosfilt(sos: np.ndarray, x: np.ndarray, axis: int = -1, zi: Any = None) -> Any:
        calls.append(("sosfilt", (sos, np.array(x), np.array(zi))))
        return public_sosfilt(sos, x, axis=axis, zi=zi)

    signal.lfilter, signal.sosfilt = lfilter, sosfilt
    try:
        live_path(minutes)
    finally:
        signal.lfilter, signal.sosfilt = public_lfilter, public_sosfilt
    return calls


def private_loops() -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    """scipy's compiled loops behind ``lfilter`` and ``sosfilt``, if this scipy still has them."""
    try:
        from scipy.signal._sigtools import _linear_filter
        from scipy.signal._sosfilt import _sosfilt
    except ImportError:
        return None
    return _linear_filter, _sosfilt


def replay_public(calls: list[Call]) -> list[np.ndarray]:
    out = []
    for kind, args in calls:
        if kind == "lfilter":
            b, a, x, zi = args
            y, zf = signal.lfilter(b, a, x, zi=zi)
            out += [y, zf]
        else:
            sos, rows, zi = args
            y, _ = signal.sosfilt(sos, rows, zi=zi)
            out.append(y)
    return out


def private_inputs(calls: list[Call]) -> list[Call]:
    """The calls as the private loops take them: ``_sosfilt`` filters rows and state in place,
    with the state laid out row first, so each replay needs its own copies, made untimed."""
    prepared: list[Call] = []
    for kind, args in calls:
        if kind == "lfilter":
            prepared.append((kind, args))
        else:
            sos, rows, zi = args
            prepared.append((kind, (sos, rows.copy(), np.ascontiguousarray(np.moveaxis(zi, 0, 1)))))
    return prepared


def replay_private(
    calls: list[Call], loops: tuple[Callable[..., Any], Callable[..., Any]]
) -> list[np.ndarray]:
    linear_filter, sosfilt_inplace = loops
    out = []
    for kind, args in calls:
        if kind == "lfilter":
            b, a, x, zi = args
            y, zf = linear_filter(b, a, x, -1, zi)
            out += [y, zf]
        else:
            sos, rows, zi = args
            sosfilt_inplace(sos, rows, zi)
            out.append(rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data_s = 60.0 * args.minutes

    cpu_s, strokes = live_path(args.minutes)
    print("live path: record + display buffer + segment + score, 1 kHz in 10 ms blocks")
    print(
        f"  {args.minutes} min of data: CPU {cpu_s:.2f} s "
        f"({100 * cpu_s / data_s:.2f} % of a core), {strokes} strokes scored"
    )

    calls = record_calls(args.minutes)
    counts = {kind: [0, 0] for kind in ("lfilter", "sosfilt")}
    for kind, call_args in calls:
        counts[kind][0] += 1
        counts[kind][1] += call_args[2 if kind == "lfilter" else 1].size
    print("filter calls the live path makes per second of data:")
    for kind, (n, samples) in counts.items():
        print(f"  {kind}: {n / data_s:.1f} calls, {samples / data_s:.0f} samples")

    loops = private_loops()
    if loops is None:
        print("this scipy has no private loops to compare with; nothing to measure")
        return
    public_out = replay_public(calls)
    private_out = replay_private(private_inputs(calls), loops)
    same = len(public_out) == len(private_out) and all(
        np.array_equal(p, q) for p, q in zip(public_out, private_out, strict=True)
    )

    best = {"private": float("inf"), "public": float("inf")}
    for _ in range(args.repeat):
        prepared = private_inputs(calls)
        start = time.perf_counter()
        replay_private(prepared, loops)
        best["private"] = min(best["private"], time.perf_counter() - start)
        start = time.perf_counter()
        replay_public(calls)
        best["public"] = min(best["public"], time.perf_counter() - start)

    print(f"the calls replayed, best of {args.repeat}, per second of data:")
    print(
        f"  baseline, scipy's private loops: {1000 * best['private'] / data_s:.3f} ms "
        f"({100 * best['private'] / data_s:.3f} % of a core)"
    )
    print(
        f"  scipy's public lfilter/sosfilt:  {1000 * best['public'] / data_s:.3f} ms "
        f"({100 * best['public'] / data_s:.3f} % of a core)"
    )
    extra = 100 * (best["public"] - best["private"]) / data_s
    print(f"  ratio public / private: {best['public'] / best['private']:.2f} x")
    print(
        f"  the public functions cost the live path {extra:+.3f} % of a core "
        f"(limit {LIMIT_PERCENT} %)"
    )
    print(f"  same numbers both ways, to the last bit: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
