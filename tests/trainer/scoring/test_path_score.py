"""Scoring where a stroke went on a force plate: the experts' path learned, a trainee's judged."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pytest

from tests.synthetic import make_stroke
from trainer.scoring.envelope import Envelope
from trainer.scoring.envelope_build import build_envelope
from trainer.scoring.scorer import Scorer
from trainer.strokes.stroke import Stroke


def _progress(n: int) -> np.ndarray:
    u = np.linspace(0.0, 1.0, n)
    return u - np.sin(2.0 * math.pi * u) / (2.0 * math.pi)


def on_plate(stroke: Stroke, path) -> Stroke:
    """``stroke`` as made over a plate: its CoP follows ``path(progress)`` -> (x, y)."""
    x, y = path(_progress(stroke.t_s.size))
    return replace(stroke, angle_deg=np.full(stroke.t_s.size, np.nan), cop_x_mm=x, cop_y_mm=y)


def line(length_mm: float, heading_deg: float, x0: float = 0.0, y0: float = 0.0):
    h = math.radians(heading_deg)
    return lambda s: (x0 + length_mm * s * math.cos(h), y0 + length_mm * s * math.sin(h))


def arc(sweep_deg: float, radius_mm: float = 100.0):
    def path(s):
        phi = math.radians(-20.0) + math.radians(sweep_deg) * s
        return radius_mm * np.cos(phi), radius_mm * np.sin(phi)

    return path


def expert_sweeps(n: int = 12) -> Envelope:
    rng = np.random.default_rng(4)
    strokes = [
        on_plate(
            make_stroke(i + 1, peak_n=20.0 + rng.normal(0, 1.0), t0_s=2.0 * i, angle=False),
            line(100.0 * math.exp(rng.normal(0, 0.05)), 90.0 + rng.normal(0, 3.0)),
        )
        for i in range(n)
    ]
    return build_envelope(strokes).envelope


def expert_fans(n: int = 12) -> Envelope:
    rng = np.random.default_rng(5)
    strokes = [
        on_plate(
            make_stroke(i + 1, peak_n=12.0 + rng.normal(0, 0.6), t0_s=2.0 * i, angle=False),
            arc(70.0 + rng.normal(0, 4.0)),
        )
        for i in range(n)
    ]
    return build_envelope(strokes).envelope


SWEEPS = expert_sweeps()
FANS = expert_fans()


def test_the_envelope_learns_the_experts_path_and_keeps_it() -> None:
    path = SWEEPS.path
    assert path is not None and path.n_strokes == 12
    assert path.length_mean_mm == pytest.approx(100.0, rel=0.05)
    assert path.direction_mean_deg == pytest.approx(90.0, abs=3.0)
    assert not path.curved and path.straightness_mean > 0.97
    assert FANS.path.curved and FANS.path.turn_mean_deg == pytest.approx(70.0, abs=5.0)
    again = Envelope.from_dict(SWEEPS.to_dict())
    assert again.path is not None and again.path.to_dict() == SWEEPS.path.to_dict()


def test_an_expert_like_plate_stroke_scores_full_marks_on_its_path_and_passes() -> None:
    stroke = on_plate(make_stroke(angle=False), line(100.0, 90.0))
    result = Scorer(SWEEPS, stroke_type="sweep").score(stroke)
    assert result.sub_scores["path"] == pytest.approx(100.0)
    assert result.sub_scores["angle"] is None
    assert result.passed
    data = result.as_json()
    assert data["path_length_mm"] == pytest.approx(100.0, abs=2.0)
    assert data["direction_deg"] == pytest.approx(90.0, abs=2.0)
    assert "angle" not in " ".join(result.explanation)


def test_too_short_and_drifting_strokes_are_told_how_much() -> None:
    short = Scorer(SWEEPS, stroke_type="sweep").score(
        on_plate(make_stroke(angle=False), line(70.0, 90.0))
    )
    text = " | ".join(short.explanation)
    match = re.search(r"stroke (\d+) mm too short", text)
    assert match and 27 <= int(match[1]) <= 33, text
    assert short.sub_scores["path"] < 100.0
    drifting = Scorer(SWEEPS, stroke_type="sweep").score(
        on_plate(make_stroke(angle=False), line(100.0, 90.0 - 25.0))
    )
    text = " | ".join(drifting.explanation)
    match = re.search(r"drifting (\d+) deg off", text)
    assert match and 23 <= int(match[1]) <= 27, text
    assert drifting.score < short.score + 30  # both lose marks for their path


def test_a_fan_that_opens_too_little_is_told_against_the_experts_sweep() -> None:
    result = Scorer(FANS, stroke_type="fan").score(
        on_plate(make_stroke(peak_n=12.0, angle=False), arc(40.0))
    )
    text = " | ".join(result.explanation)
    match = re.search(r"the fan opened (\d+) deg, the expert's (\d+) deg", text)
    assert match, text
    assert 36 <= int(match[1]) <= 44 and 66 <= int(match[2]) <= 74
    good = Scorer(FANS, stroke_type="fan").score(
        on_plate(make_stroke(peak_n=12.0, angle=False), arc(70.0))
    )
    assert good.sub_scores["path"] > result.sub_scores["path"] + 30


def test_a_tool_recording_against_a_plate_exercise_is_scored_on_what_both_have() -> None:
    tool = make_stroke()  # force and angle, no centre of pressure
    result = Scorer(SWEEPS).score(tool)
    assert result.sub_scores["path"] is None and result.sub_scores["angle"] is None
    assert result.passed and "path_length_mm" not in result.as_json()
    # And a plate stroke against a tool exercise (angle, no path): force, tempo, smoothness.
    tool_env = build_envelope(
        [make_stroke(i + 1, peak_n=20.0 + k) for i, k in enumerate([-1, 0, 1])]
    ).envelope
    plate = Scorer(tool_env).score(on_plate(make_stroke(angle=False), line(100.0, 90.0)))
    assert plate.sub_scores["angle"] is None and plate.sub_scores["path"] is None
    assert "angle" not in " ".join(plate.explanation)


def test_the_experts_own_check_scores_their_paths_too() -> None:
    """The leave-one-out check scores each expert stroke as a trainee's would be scored, path
    included: an expert whose stroke went 45 deg off the others' line is marked down for it, so
    an instructor sees the outlier before the envelope is used for grading."""
    rng = np.random.default_rng(4)
    strokes = [
        on_plate(
            make_stroke(i + 1, peak_n=20.0 + rng.normal(0, 1.0), t0_s=2.0 * i, angle=False),
            line(100.0 * math.exp(rng.normal(0, 0.05)), 90.0 + rng.normal(0, 3.0)),
        )
        for i in range(12)
    ]
    straight = build_envelope(strokes).calibration.scores
    strokes[5] = on_plate(strokes[5], line(100.0, 45.0))
    askew = build_envelope(strokes).calibration.scores
    assert askew[5] < straight[5] - 5
    others = [s for i, s in enumerate(askew) if i != 5]
    assert min(others) > askew[5]
