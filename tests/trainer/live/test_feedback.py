"""Feedback schedules decide, stroke by stroke, what the trainee sees (pure logic, no widgets)."""

from __future__ import annotations

import pytest

from trainer.live.feedback import FadedPhase, FeedbackPolicy, Reveal, Schedule, StrokeOutcome

GOOD = StrokeOutcome(score=92.0, passed=True, force_in_band_pct=97.0, angle_in_band_pct=99.0)
FAILED = StrokeOutcome(score=41.0, passed=False, force_in_band_pct=40.0, angle_in_band_pct=90.0)
PASSED_BUT_OFF_ANGLE = StrokeOutcome(
    score=75.0, passed=True, force_in_band_pct=95.0, angle_in_band_pct=60.0
)


def test_concurrent_shows_every_stroke_live_and_after() -> None:
    p = FeedbackPolicy(Schedule.CONCURRENT)
    for n in range(1, 30):
        assert p.live_for(n)
        assert p.on_stroke(n, FAILED if n % 2 else GOOD) is Reveal.FULL


def test_terminal_never_shows_a_stroke_while_it_happens_but_always_after() -> None:
    p = FeedbackPolicy(Schedule.TERMINAL)
    for n in range(1, 12):
        assert not p.live_for(n)
        assert p.on_stroke(n, GOOD) is Reveal.FULL


def test_bandwidth_gives_a_result_only_for_strokes_that_left_the_band() -> None:
    p = FeedbackPolicy(Schedule.BANDWIDTH)
    assert not p.live_for(1)
    assert p.on_stroke(1, GOOD) is Reveal.IN_BAND
    assert p.on_stroke(2, FAILED) is Reveal.FULL
    # Passing is not enough: an angle outside the band for 40 % of the stroke is off.
    assert p.on_stroke(3, PASSED_BUT_OFF_ANGLE) is Reveal.FULL
    # A tool without angle: only force and the pass mark count.
    no_angle = StrokeOutcome(80.0, True, 90.0, None)
    assert p.on_stroke(4, no_angle) is Reveal.IN_BAND


def test_bandwidth_threshold_is_a_setting() -> None:
    strict = FeedbackPolicy(Schedule.BANDWIDTH, bandwidth_in_band_pct=98.0)
    assert strict.on_stroke(1, GOOD) is Reveal.FULL  # 97 % force in band is off at 98 %


def test_faded_gives_100_then_50_then_20_percent_in_a_fixed_pattern() -> None:
    p = FeedbackPolicy(Schedule.FADED)
    shown = [n for n in range(1, 71) if p.on_stroke(n, GOOD) is Reveal.FULL]
    first, second, rest = (
        [n for n in shown if n <= 10],
        [n for n in shown if 10 < n <= 20],
        [n for n in shown if n > 20],
    )
    assert first == list(range(1, 11))
    assert second == [11, 13, 15, 17, 19]
    assert rest == [21, 26, 31, 36, 41, 46, 51, 56, 61, 66]
    # The live trace follows the same pattern, so it is known before the stroke starts.
    assert [n for n in range(1, 71) if p.live_for(n)] == shown
    # Deterministic: a second trainee on the same schedule gets the same strokes.
    q = FeedbackPolicy(Schedule.FADED)
    assert [n for n in range(1, 71) if q.faded_gives_feedback(n)] == shown


def test_faded_phases_are_configurable_and_checked() -> None:
    p = FeedbackPolicy(Schedule.FADED, faded_phases=(FadedPhase(2, 1.0), FadedPhase(None, 1 / 3)))
    assert [n for n in range(1, 12) if p.faded_gives_feedback(n)] == [1, 2, 3, 6, 9]
    with pytest.raises(ValueError, match="for ever"):
        FeedbackPolicy(Schedule.FADED, faded_phases=(FadedPhase(5, 1.0),))
    with pytest.raises(ValueError, match="fraction"):
        FeedbackPolicy(Schedule.FADED, faded_phases=(FadedPhase(None, 0.0),))


def test_self_controlled_reveals_the_last_stroke_only_on_request() -> None:
    p = FeedbackPolicy(Schedule.SELF_CONTROLLED)
    assert p.request_last() is None  # nothing to show yet
    assert not p.live_for(1)
    assert p.on_stroke(1, GOOD) is Reveal.HIDDEN
    assert p.on_stroke(2, FAILED) is Reveal.HIDDEN
    assert p.request_last() == 2
    assert p.reveal_of(2) is Reveal.FULL
    assert p.reveal_of(1) is Reveal.HIDDEN


def test_requests_are_refused_under_other_schedules() -> None:
    for schedule in (Schedule.TERMINAL, Schedule.FADED, Schedule.NONE, Schedule.BANDWIDTH):
        p = FeedbackPolicy(schedule)
        p.on_stroke(1, GOOD)
        assert not p.accepts_requests
        assert p.request_last() is None


def test_no_feedback_block_hides_everything_until_it_ends_then_reveals_all() -> None:
    p = FeedbackPolicy(Schedule.NONE)
    for n in range(1, 6):
        assert not p.live_for(n)
        assert p.on_stroke(n, GOOD if n % 2 else FAILED) is Reveal.HIDDEN
    assert p.holds_back_summary
    assert p.end_block() == [1, 2, 3, 4, 5]
    assert all(p.reveal_of(n) is Reveal.FULL for n in range(1, 6))
    assert not p.holds_back_summary
    assert not p.live_for(6)


def test_ending_another_block_keeps_what_the_trainee_actually_saw() -> None:
    p = FeedbackPolicy(Schedule.SELF_CONTROLLED)
    p.on_stroke(1, GOOD)
    assert p.end_block() == []
    assert p.reveal_of(1) is Reveal.HIDDEN


def test_strokes_are_numbered_from_one() -> None:
    with pytest.raises(ValueError):
        FeedbackPolicy(Schedule.FADED).faded_gives_feedback(0)


def test_every_schedule_explains_itself_to_the_trainee() -> None:
    for schedule in Schedule:
        assert schedule.label and schedule.explanation.endswith(".")
        assert FeedbackPolicy(schedule).status_text(0)
