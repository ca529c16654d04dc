"""Block bookkeeping: each block's strokes, its own summary, and what is most worth practising."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.synthetic import make_stroke
from trainer.library.exercise import Exercise, shipped_exercises
from trainer.live.blocks import BLOCK_END, BLOCK_START, BlockTracker, practice_topics
from trainer.scoring.scorer import Scorer, StrokeScore


@pytest.fixture(scope="module")
def sweep_exercise() -> Exercise:
    return next(ex for ex in shipped_exercises() if ex.id == "sweep")


def _score(sweep_exercise: Exercise, score: float, explanation: list[str]) -> StrokeScore:
    ex = sweep_exercise
    scored = Scorer(ex.envelope, ex.weights, ex.pass_mark).score(make_stroke(peak_n=8.0))
    return replace(scored, score=score, passed=score >= ex.pass_mark, explanation=explanation)


def test_topics_rank_by_marks_lost_and_say_how_often(sweep_exercise: Exercise) -> None:
    scores = [
        _score(sweep_exercise, 95.0, ["too light from 5 to 20 % of the stroke (up to 1.0 N)"]),
        _score(sweep_exercise, 95.0, ["too light from 5 to 20 % of the stroke (up to 1.0 N)"]),
        _score(sweep_exercise, 40.0, ["angle 9 degrees too steep throughout the stroke"]),
        _score(sweep_exercise, 60.0, ["too fast: 0.6 s against the expert's 1.1 s"]),
        _score(sweep_exercise, 100.0, ["inside the expert band: force for 100 % of the stroke"]),
    ]
    topics = practice_topics(scores)
    assert topics == [
        "A flatter tool: you held it steeper than the band (1 of 5 strokes)",
        "A slower stroke: yours was quicker than the expert's (1 of 5 strokes)",
    ]
    assert practice_topics(scores[-1:]) == []


def test_a_new_block_ends_the_last_and_each_is_summarised_alone(sweep_exercise: Exercise) -> None:
    tracker = BlockTracker(sweep_exercise, "concurrent")
    assert tracker.begin(0.0) == (BLOCK_START, tracker.current.start_fields())
    for s in (90.0, 80.0):
        tracker.add(_score(sweep_exercise, s, []))
    (end, end_fields), (start, start_fields) = tracker.next_block("none", 12.5)
    assert (end, start) == (BLOCK_END, BLOCK_START)
    assert end_fields["strokes"] == 2 and end_fields["score_summary"]["mean_score"] == 85.0
    assert start_fields == {
        "block": 2,
        "schedule": "none",
        "exercise": f"sweep v{sweep_exercise.version}",
        "first_stroke": 3,
    }
    tracker.add(_score(sweep_exercise, 40.0, []))
    tracker.add(None)  # an unscored stroke counts, but has no score
    kind, fields = tracker.end(20.0)
    assert kind == BLOCK_END
    assert fields["strokes"] == 2 and fields["last_stroke"] == 4
    assert fields["score_summary"]["mean_score"] == 40.0
    reports = tracker.reports()
    assert [(r.number, r.schedule, r.strokes, r.ended) for r in reports] == [
        (1, "concurrent", 2, True),
        (2, "none", 2, True),
    ]
