"""The fast paths of offline scoring give exactly what the plain ones give.

Scoring a recording takes shortcuts: idle stretches cut short where no stroke can begin yet, all
strokes' spectra from one FFT call, the stroke grid built without ``np.linspace``. Each shortcut is
checked here against the plain way on simulated recordings of several stroke types, skills and
rates: the same strokes to the last bit, the same scores and explanations.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import trainer.strokes.segmentation as segmentation
from trainer.library.exercise import find_exercise
from trainer.offline.analysis import segment_recording
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording
from trainer.scoring.scorer import Scorer
from trainer.signals.sparc import sparc_many
from trainer.strokes.stroke import Stroke

CASES = [
    ("sweep", "novice", 1000.0, 1),
    ("brush", "expert", 1000.0, 2),
    ("strum", "competent", 80.0, 3),
    ("j-stroke", "novice", 250.0, 4),
]


def _strokes_and_scores(path: Path, exercise_id: str) -> tuple[list[Stroke], list]:
    exercise = find_exercise(exercise_id)
    strokes = segment_recording(read_recording(path), exercise.detection)
    scorer = Scorer(exercise.envelope, exercise.weights, exercise.pass_mark)
    return strokes, scorer.score_many(strokes)


@pytest.mark.parametrize(("exercise_id", "skill", "rate_hz", "seed"), CASES)
def test_shortcuts_change_no_stroke_and_no_score(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    exercise_id: str,
    skill: str,
    rate_hz: float,
    seed: int,
) -> None:
    exercise = find_exercise(exercise_id)
    path, _ = simulate_recording(
        tmp_path / "r.csv",
        stroke_type=exercise.stroke_type,
        skill=skill,
        strokes=12,
        seed=seed,
        rate_hz=rate_hz,
    )
    fast_strokes, fast_scores = _strokes_and_scores(path, exercise_id)
    assert len(fast_strokes) >= 8

    # The plain way: idle stretches scanned whole.
    monkeypatch.setattr(segmentation, "_IDLE_SPAN", 1 << 40)
    plain_strokes, plain_scores = _strokes_and_scores(path, exercise_id)

    assert len(fast_strokes) == len(plain_strokes)
    for a, b in zip(fast_strokes, plain_strokes, strict=True):
        assert (a.index, a.start_s, a.end_s, a.baseline_n) == (
            b.index,
            b.start_s,
            b.end_s,
            b.baseline_n,
        )
        np.testing.assert_array_equal(a.t_s, b.t_s)
        np.testing.assert_array_equal(a.force_n, b.force_n)
        np.testing.assert_array_equal(a.angle_deg, b.angle_deg)
    for a, b in zip(fast_scores, plain_scores, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-9)
        assert a.explanation == b.explanation
        assert a.as_json() == b.as_json()


def _sparc_one_row(x: np.ndarray, rate_hz: float) -> float:
    """SPARC as first written: one FFT a profile (the reference for the batched version)."""
    nfft = int(2 ** (math.ceil(math.log2(x.size)) + 4))
    freq_hz = np.arange(nfft) * (rate_hz / nfft)
    magnitude = np.abs(np.fft.fft(x, nfft))
    magnitude = magnitude / float(np.max(magnitude))
    f_sel, m_sel = freq_hz[freq_hz <= 10.0], magnitude[freq_hz <= 10.0]
    above = np.flatnonzero(m_sel >= 0.05)
    f_sel, m_sel = f_sel[above[0] : above[-1] + 1], m_sel[above[0] : above[-1] + 1]
    if f_sel.size < 2:
        return 0.0
    df = np.diff(f_sel) / (f_sel[-1] - f_sel[0])
    return -float(np.sum(np.sqrt(df * df + np.diff(m_sel) ** 2)))


def test_sparc_of_many_profiles_is_sparc_of_each() -> None:
    rng = np.random.default_rng(5)
    u = np.linspace(0.0, 1.0, 101)
    profiles = np.sin(np.pi * u) ** 2 * rng.uniform(5, 40, (300, 1))
    profiles += rng.normal(0.0, 0.3, profiles.shape) * rng.uniform(0, 1, (300, 1))
    rates = rng.uniform(20.0, 400.0, 300).tolist()
    rates[7] = 0.0  # no rate: NaN
    profiles[11, 40] = np.nan  # not finite: NaN
    profiles[13] = 0.0  # no shape: NaN
    got = sparc_many(profiles, rates)
    for k in range(300):
        if k in (7, 11, 13):
            assert math.isnan(got[k])
        else:
            assert got[k] == _sparc_one_row(profiles[k], rates[k])


def test_the_stroke_grid_is_numpys_linspace() -> None:
    from trainer.strokes.normalise import _linspace

    rng = np.random.default_rng(8)
    for _ in range(2000):
        start = float(rng.uniform(-100.0, 4000.0))
        stop = start + float(rng.uniform(1e-3, 20.0))
        num = int(rng.integers(2, 4000))
        np.testing.assert_array_equal(_linspace(start, stop, num), np.linspace(start, stop, num))
