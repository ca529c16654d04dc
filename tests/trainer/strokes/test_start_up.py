"""Case 12 of docs/scoring.md: a recording that does not start with the tool still.

A trainee who does not wait, a file cut from a longer one, a device that starts streaming late:
the start-up window then holds a stroke, not a baseline. Every complete stroke must still be
found, and a recording that starts in the middle of a stroke loses that stroke only.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.samples import SampleBlock
from devices.sim.simulator import StrokeSimulator
from tests.cli_helpers import run_cli
from trainer.recordings.writer import write_recording
from trainer.strokes.segmentation import StrokeSegmenter
from trainer.strokes.stroke import Stroke

CHANNELS = ("force_n", "angle_deg")
#: The 5 % crossings of a sin² pulse lasting 1 s: asin(sqrt(0.05)) / pi of its length.
SIN2_START_S = math.asin(math.sqrt(0.05)) / math.pi


def _sin2_train(first_s: float, n: int = 6, noise_n: float = 0.05, seed: int = 0):
    """``n`` 1 s sin² strokes of 20 N on a 3 N offset, 1.6 s apart, the first at ``first_s``."""
    t = np.arange(round((first_s + n * 1.6 + 1.5) * 1000)) / 1000.0
    f = np.full(t.size, 3.0) + np.random.default_rng(seed).normal(0.0, noise_n, t.size)
    starts = first_s + 1.6 * np.arange(n)
    for t0 in starts:
        m = (t >= t0) & (t < t0 + 1.0)
        f[m] += 20.0 * np.sin(np.pi * (t[m] - t0)) ** 2
    return t, f, starts


def _segment(
    t: np.ndarray, values: np.ndarray, channels=CHANNELS
) -> tuple[list[Stroke], StrokeSegmenter]:
    seg = StrokeSegmenter()
    strokes = seg.feed(SampleBlock(t, values, tuple(channels))) + seg.flush()
    return strokes, seg


def _same(a: list[Stroke], b: list[Stroke]) -> bool:
    return len(a) == len(b) and all(
        x.start_s == y.start_s
        and x.end_s == y.end_s
        and x.baseline_n == y.baseline_n
        and np.array_equal(x.force_n, y.force_n)
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("first_s", [0.0, 0.3, 1.0])
def test_case12_strokes_from_the_first_sample_on_are_all_found(first_s):
    t, f, starts = _sin2_train(first_s)
    strokes, seg = _segment(t, np.column_stack([f, np.full(t.size, 40.0)]))
    assert len(strokes) == starts.size
    np.testing.assert_allclose([s.start_s for s in strokes], starts + SIN2_START_S, atol=0.005)
    np.testing.assert_allclose([s.end_s for s in strokes], starts + 1 - SIN2_START_S, atol=0.005)
    # measured from the tool's real zero, not from the strokes' mean force
    np.testing.assert_allclose([s.baseline_n for s in strokes], 3.0, atol=0.1)
    assert seg.threshold_n == pytest.approx(2.0)
    assert seg.tare_warning is not None and "still stretch" in seg.tare_warning


@pytest.mark.parametrize("lead_in_s", [0.0, 0.3, 1.0])
def test_case12_simulated_trainee_who_does_not_wait(lead_in_s):
    sim = StrokeSimulator("sweep", "competent", seed=4, lead_in_s=lead_in_s)
    t, values = sim.generate_strokes(12)
    strokes, _ = _segment(t, values, sim.channels)
    assert len(strokes) == 12
    np.testing.assert_allclose(
        [s.start_s for s in strokes], [x.start_s for x in sim.strokes], atol=0.02
    )
    np.testing.assert_allclose(
        [s.end_s for s in strokes], [x.end_s for x in sim.strokes], atol=0.02
    )


def test_case12_a_recording_cut_in_the_middle_of_a_stroke_loses_that_stroke_only():
    sim = StrokeSimulator("sweep", "competent", seed=4)
    t, values = sim.generate_strokes(12)
    first = sim.strokes[0]
    cut = np.searchsorted(t, (first.start_s + first.end_s) / 2)
    strokes, seg = _segment(t[cut:], values[cut:], sim.channels)
    assert len(strokes) == 11
    np.testing.assert_allclose(
        [s.start_s for s in strokes], [x.start_s for x in sim.strokes[1:]], atol=0.02
    )
    assert seg.counters["dropped_incomplete"] == 1


@pytest.mark.parametrize("rate_hz", [80.0, 200.0, 1000.0])
@pytest.mark.parametrize("onset_s", [1.95, 1.98, 1.995])
def test_a_stroke_begun_in_the_last_moments_of_the_start_up_window_is_found(rate_hz, onset_s):
    """The window is still enough for a tare (the stroke has barely begun), and detection starts
    after it: the stroke's start is found inside the window, not taken for one cut off by the
    start (a trainee who began 1.95 s in lost that stroke, and only that one)."""
    t = np.arange(round(9.0 * rate_hz)) / rate_hz
    f = np.full(t.size, 3.0) + np.random.default_rng(2).normal(0.0, 0.05, t.size)
    starts = onset_s - SIN2_START_S + 1.6 * np.arange(4)
    for t0 in starts:
        m = (t >= t0) & (t < t0 + 1.0)
        f[m] += 20.0 * np.sin(np.pi * (t[m] - t0)) ** 2
    strokes, seg = _segment(t, np.column_stack([f, np.full(t.size, 40.0)]))
    assert seg.counters["dropped_incomplete"] == 0
    tol = max(0.005, 1.0 / rate_hz)
    np.testing.assert_allclose([s.start_s for s in strokes], starts + SIN2_START_S, atol=tol)
    np.testing.assert_allclose([s.end_s for s in strokes], starts + 1 - SIN2_START_S, atol=tol)
    np.testing.assert_allclose([s.baseline_n for s in strokes], 3.0, atol=0.1)


def _pressed_at_the_start():
    """In contact from before the first sample until 3.2 s, then five strokes from 4 s."""
    t, f, starts = _sin2_train(4.0, n=5)
    press = t < 3.2
    level = 15.0 + 1.5 * np.sin(2 * np.pi * 0.7 * t[press])
    lift = np.clip((t[press] - 3.0) / 0.2, 0.0, 1.0)
    f[press] += level * 0.5 * (1 + np.cos(np.pi * lift))
    return t, f, starts


def test_case12_a_long_stroke_over_the_whole_start_up_window_costs_only_itself():
    """No still stretch in the first 2 s: the segmenter waits for one, then goes back."""
    t, f, starts = _pressed_at_the_start()
    strokes, seg = _segment(t, np.column_stack([f, np.full(t.size, 40.0)]))
    np.testing.assert_allclose([s.start_s for s in strokes], starts + SIN2_START_S, atol=0.005)
    np.testing.assert_allclose([s.baseline_n for s in strokes], 3.0, atol=0.1)
    assert seg.counters["dropped_incomplete"] == 1


def test_a_noisy_but_idle_start_is_still_a_baseline():
    rng = np.random.default_rng(1)
    t = np.arange(12_000) / 1000.0
    f = 5.0 + rng.normal(0.0, 2.0, t.size)
    strokes, seg = _segment(t, np.column_stack([f, np.full(t.size, 40.0)]))
    assert strokes == []
    assert seg.baseline_n == pytest.approx(5.0, abs=0.3)
    assert seg.threshold_n > 2.0


_EARLY = _sin2_train(0.3, n=4)[:2]
_PRESSED = _pressed_at_the_start()[:2]


def _whole(data):
    t, f = data
    return _segment(t, np.column_stack([f, np.full(t.size, 40.0)]))[0]


_WHOLE = {"early": _whole(_EARLY), "pressed": _whole(_PRESSED)}


@pytest.mark.parametrize(("name", "data"), [("early", _EARLY), ("pressed", _PRESSED)])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut_points=st.lists(st.floats(0.0, 1.0), max_size=60))
def test_a_start_that_is_not_still_gives_the_same_strokes_for_any_block_partition(
    name, data, cut_points
):
    t, f = data
    a = np.full(t.size, 40.0)
    bounds = sorted({0, t.size, *(int(p * (t.size - 1)) + 1 for p in cut_points)})
    seg = StrokeSegmenter()
    out: list[Stroke] = []
    for lo, hi in itertools.pairwise(bounds):
        out += seg.feed(SampleBlock(t[lo:hi], np.column_stack([f[lo:hi], a[lo:hi]]), CHANNELS))
    out += seg.flush()
    assert len(_WHOLE[name]) == {"early": 4, "pressed": 5}[name]
    assert _same(out, _WHOLE[name])


def test_case12_through_the_cli(tmp_path: Path):
    sim = StrokeSimulator("sweep", "expert", seed=2, lead_in_s=0.3)
    t, values = sim.generate_strokes(12)
    path = write_recording(tmp_path / "early.csv", t, values, sim.channels, {"rate_hz": "1000"})
    proc = run_cli("score", str(path), "--exercise", "sweep", "--json")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["strokes"]) == 12


def test_a_zero_that_steps_down_while_idle_is_followed_before_the_next_stroke():
    """A tare taken during a session steps the force down; the stroke half a second later is
    measured from the new zero (a stroke never goes below the baseline, so there is no reason
    to wait the full ``rebaseline_hold_ms``)."""
    t, f, starts = _sin2_train(2.5, n=3)
    f[t >= 3.6] -= 2.5  # between the first stroke (ends 3.5 s) and the second (4.1 s)
    strokes, seg = _segment(t, np.column_stack([f, np.full(t.size, 40.0)]))
    np.testing.assert_allclose([s.baseline_n for s in strokes], [3.0, 0.5, 0.5], atol=0.1)
    np.testing.assert_allclose([s.start_s for s in strokes], starts + SIN2_START_S, atol=0.005)
    np.testing.assert_allclose([s.end_s for s in strokes], starts + 1 - SIN2_START_S, atol=0.005)
    assert seg.counters["baseline_steps"] == 1
