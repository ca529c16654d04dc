"""Session summaries: pass by the mean, variability of the trainee's own strokes, stroke rate."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from tests.synthetic import make_stroke
from trainer.scoring.envelope_build import build_envelope
from trainer.scoring.scorer import Scorer, StrokeScore, ramp
from trainer.scoring.summary import cv_pct, summarise
from trainer.scoring.weights import BlockCriteria
from trainer.strokes.stroke import Stroke

ENVELOPE = build_envelope(
    [make_stroke(i + 1, 2.0 * i, peak_n=p) for i, p in enumerate([18.0, 19.0, 20.0, 21.0, 22.0])]
).envelope


def scored(strokes: list[Stroke], pass_mark: float = 70.0) -> list[StrokeScore]:
    scorer = Scorer(ENVELOPE, pass_mark=pass_mark)
    return [scorer.score(s) for s in strokes]


def test_ten_identical_strokes_vary_not_at_all() -> None:
    """Case 10: CV 0, consistency 100, a block figure of the summary."""
    scores = scored([make_stroke(i + 1, 2.0 * i) for i in range(10)])
    summary = summarise(scores, pass_mark=70.0, envelope=ENVELOPE)
    assert summary.strokes == 10
    assert summary.peak_force_cv_pct == pytest.approx(0.0, abs=1e-9)
    assert summary.duration_cv_pct == pytest.approx(0.0, abs=1e-9)
    assert summary.mean_angle_cv_pct == pytest.approx(0.0, abs=1e-9)
    assert summary.force_sd_ratio == pytest.approx(0.0, abs=1e-9)
    assert summary.consistency == 100.0 and summary.consistency_passed is True
    assert all(s.sub_scores["consistency"] is None for s in scores)
    assert summary.passed and summary.pass_rate_pct == 100.0
    assert summary.stroke_rate_per_min == pytest.approx(30.0)
    assert summary.force_in_band_pct == pytest.approx(100.0)


def test_variability_is_the_coefficient_of_variation_in_percent() -> None:
    peaks = [16.0, 20.0, 24.0]
    scores = scored([make_stroke(i + 1, 3.0 * i, peak_n=p) for i, p in enumerate(peaks)])
    summary = summarise(scores, 70.0)
    measured = [s.peak_force_n for s in scores]
    assert summary.peak_force_cv_pct == pytest.approx(
        100 * np.std(measured, ddof=1) / np.mean(measured)
    )
    assert summary.peak_force_cv_pct == pytest.approx(20.0, abs=0.5)
    assert summary.stroke_rate_per_min == pytest.approx(20.0)


def test_erratic_block_loses_consistency_by_the_sigma_ratio() -> None:
    peaks = [10.0, 30.0, 12.0, 28.0, 15.0, 26.0]
    scores = scored([make_stroke(i + 1, 2.0 * i, peak_n=p) for i, p in enumerate(peaks)])
    summary = summarise(scores, 70.0, ENVELOPE, BlockCriteria(consistency_pass_mark=50.0))
    # The plain way: the pointwise SD of the block's curves over the experts' mean SD.
    forces = np.array([s.normalised.force_n for s in scores])
    expert_sd = max(float(np.mean(ENVELOPE.force_sigma_n)), ENVELOPE.force_floor_n)
    ratio = float(np.mean(np.std(forces, axis=0, ddof=1))) / expert_sd
    assert summary.force_sd_ratio == pytest.approx(ratio)
    assert summary.consistency == pytest.approx(ramp(ratio, 1.0, 3.0))
    assert summary.consistency < 50.0 and summary.consistency_passed is False
    data = json.loads(json.dumps(summary.as_json(), allow_nan=False))
    assert data["consistency"] == round(summary.consistency, 1)
    assert data["force_sd_ratio"] == round(ratio, 2)
    assert data["consistency_pass_mark"] == 50.0 and data["consistency_passed"] is False
    assert data["peak_force_cv_pct"] == round(summary.peak_force_cv_pct, 1)


def test_consistency_needs_three_strokes_and_the_envelope() -> None:
    two = scored([make_stroke(1, 0.0), make_stroke(2, 2.0)])
    assert summarise(two, 70.0, ENVELOPE).consistency is None
    three = scored([make_stroke(i + 1, 2.0 * i) for i in range(3)])
    assert summarise(three, 70.0, ENVELOPE).consistency == 100.0
    no_envelope = summarise(three, 70.0)
    assert no_envelope.consistency is None and no_envelope.consistency_passed is None


def test_passed_goes_by_the_mean_and_pass_rate_by_each_stroke() -> None:
    base = scored([make_stroke(1, 0.0)])[0]
    scores = [dataclasses.replace(base, score=s) for s in (95.0, 60.0, 80.0, 50.0)]
    summary = summarise(scores, pass_mark=70.0)
    assert summary.mean_score == pytest.approx(71.25)
    assert summary.passed
    assert summary.pass_rate_pct == pytest.approx(50.0)
    assert not summarise(scores, pass_mark=75.0).passed


def test_empty_session_is_not_passed_and_says_so_in_json() -> None:
    summary = summarise([], pass_mark=70.0)
    data = json.loads(json.dumps(summary.as_json(), allow_nan=False))
    assert data["strokes"] == 0 and data["mean_score"] is None and data["passed"] is False


def test_json_has_the_interface_keys() -> None:
    summary = summarise(scored([make_stroke(1, 0.0), make_stroke(2, 2.5)]), pass_mark=70.0)
    data = json.loads(json.dumps(summary.as_json(), allow_nan=False))
    assert {"strokes", "mean_score", "passed"} <= set(data)
    assert data["strokes"] == 2
    assert data["mean_score"] == round(summary.mean_score, 1)


def test_cv_needs_two_values_and_a_non_zero_mean() -> None:
    assert cv_pct(np.array([5.0])) is None
    assert cv_pct(np.array([-1.0, 1.0])) is None
    assert cv_pct(np.array([9.0, 11.0])) == pytest.approx(100 * math.sqrt(2) / 10)
