"""A contact the segmenter does not take for a stroke is never lost without a word: ``score`` says
how many were left out and why, in its table and in its JSON ``notes``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.cli_helpers import run_cli
from trainer.recordings.writer import write_recording

RATE_HZ = 1000.0


def _sin2(t: np.ndarray, f: np.ndarray, t0: float, length_s: float, peak_n: float) -> None:
    m = (t >= t0) & (t < t0 + length_s)
    f[m] += peak_n * np.sin(np.pi * (t[m] - t0) / length_s) ** 2


def _recording(path: Path, build) -> Path:
    t = np.arange(0.0, 16.0, 1.0 / RATE_HZ)
    f = 1.0 + np.random.default_rng(2).normal(0.0, 0.03, t.size)
    build(t, f)
    angle = np.full(t.size, 45.0)
    return write_recording(
        path, t, np.column_stack([f, angle]), ("force_n", "angle_deg"), {"rate_hz": "1000"}
    )


def _notes(path: Path) -> tuple[int, list[str]]:
    proc = run_cli("score", str(path), "--exercise", "sweep", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    return len(out["strokes"]), out["notes"]


def test_a_clean_recording_says_nothing_was_left_out(tmp_path: Path) -> None:
    def build(t, f):
        for t0 in (3.0, 5.0, 7.0):
            _sin2(t, f, t0, 1.0, 8.0)

    n, notes = _notes(_recording(tmp_path / "clean.csv", build))
    assert n == 3
    assert notes == []


def test_a_tool_left_resting_and_a_tap_are_reported_not_silently_dropped(tmp_path: Path) -> None:
    def build(t, f):
        _sin2(t, f, 3.0, 1.0, 8.0)
        f[(t >= 5.0) & (t < 5.08)] += 6.0  # a tap: 80 ms
        _sin2(t, f, 6.0, 1.0, 8.0)
        f[t >= 9.0] += 5.0  # the tool put down and left there, 5 N, to the end

    n, notes = _notes(_recording(tmp_path / "rest.csv", build))
    assert n == 2
    held = [x for x in notes if "held a load still" in x]
    short = [x for x in notes if "touch" in x]
    assert held and held[0].startswith("1 contact(s)"), notes
    assert short and short[0].startswith("1 touch(es) shorter than 150 ms"), notes


def test_a_recording_that_ends_mid_stroke_says_so_in_the_table(tmp_path: Path) -> None:
    def build(t, f):
        _sin2(t, f, 3.0, 1.0, 8.0)
        _sin2(t, f, 15.5, 1.0, 8.0)  # still rising when the recording ends at 16 s

    path = _recording(tmp_path / "cut.csv", build)
    proc = run_cli("score", str(path), "--exercise", "sweep")
    assert proc.returncode == 0, proc.stderr
    assert "1 strokes" in proc.stdout
    assert "Note: 1 stroke(s) cut off by the start or the end of the recording" in proc.stdout
