"""Progress over weeks, the class view, assessment results and the completeness check, on both
backends, from sessions whose figures were chosen so the answers can be worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.trainer.records.conftest import PASSPHRASE
from tests.trainer.records.helpers import START, make_session
from trainer.records.repository import Records

WEEK = timedelta(days=7)


@pytest.fixture
def course(db_target: str) -> Records:
    r = Records.open(db_target)
    r.add_course(PASSPHRASE, "c1", "Soft tissue")
    for sid, name in (("s1", "Ann Archer"), ("s2", "Ben Baker"), ("s3", "Cy Cole")):
        r.add_student(PASSPHRASE, sid, name, course_id="c1")
    yield r
    r.close()


def test_a_students_progress_by_session_and_week(course: Records) -> None:
    r = course
    plan = [  # (week, day, mode, scores)
        (0, 0, "practice", [50.0, 60.0]),
        (0, 2, "practice", [60.0, 70.0]),
        (0, 3, "retention", [40.0, 50.0]),
        (1, 0, "practice", [75.0, 85.0]),
        (1, 3, "retention", [70.0, 70.0]),
    ]
    for week, day, mode, scores in plan:
        r.add_session(
            make_session("s1", scores, mode=mode, started=START + week * WEEK + timedelta(days=day))
        )
    r.add_session(make_session("s1", [90.0], exercise_id="fan", started=START))
    out = r.progress("s1")
    assert sorted(out["exercises"]) == ["fan", "sweep"]
    sweep = out["exercises"]["sweep"]
    assert [s["mean_score"] for s in sweep["sessions"]] == [55.0, 65.0, 45.0, 80.0, 70.0]
    assert [s["mode"] for s in sweep["sessions"]][2] == "retention"
    weeks = [(w["week"], w["mode"], w["sessions"], w["mean_score"]) for w in sweep["weeks"]]
    assert weeks == [
        ("2026-W37", "practice", 2, 60.0),
        ("2026-W37", "retention", 1, 45.0),
        ("2026-W38", "practice", 1, 80.0),
        ("2026-W38", "retention", 1, 70.0),
    ]
    # The helper's force error is 100 - score for each stroke.
    assert sweep["weeks"][0]["force_error_pct"] == 40.0
    assert sweep["weeks"][0]["score_sd"] == pytest.approx(7.1, abs=0.05)
    only = r.progress("s1", "fan")
    assert list(only["exercises"]) == ["fan"]


@pytest.mark.parametrize(
    ("zone", "utc_hours_from_monday", "week"),
    [
        ("America/Los_Angeles", 5, "2026-W36"),  # Sunday 22:00 there: last week, not W37
        ("Australia/Sydney", -4, "2026-W37"),  # Monday 06:00 there: this week, not W36
        ("UTC", 5, "2026-W37"),
    ],
)
def test_weeks_end_at_the_labs_own_midnight(
    course: Records,
    monkeypatch: pytest.MonkeyPatch,
    zone: str,
    utc_hours_from_monday: int,
    week: str,
) -> None:
    """A session's week is the one on the lab's own calendar: Monday 05:00 UTC is still Sunday
    evening in California, and Sunday 20:00 UTC is already Monday morning in Sydney."""
    import time

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        when = START.replace(hour=0) + timedelta(hours=utc_hours_from_monday)
        course.add_session(make_session("s2", [60.0], started=when))
        out = course.progress("s2")["exercises"]["sweep"]
        (row,) = out["weeks"]
        assert row["week"] == week
        (session,) = out["sessions"]
        assert session["started"] == when.isoformat()  # the time itself stays in UTC, as stored
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_class_view_names_who_is_behind_and_the_hardest_exercise(course: Records) -> None:
    r = course
    for i in range(4):
        t = START + i * WEEK
        r.add_session(make_session("s1", [60.0 + 10 * i], started=t))  # improving: 60..90
        r.add_session(make_session("s2", [75.0], started=t))
        r.add_session(make_session("s3", [40.0], started=t))  # stuck
        r.add_session(make_session("s2", [30.0], exercise_id="fan", started=t))
    view = r.class_view("c1")
    people = {p["student_id"]: p for p in view["students"]}
    assert people["s1"]["recent_mean_score"] == 80.0  # the last three: 70, 80, 90
    assert people["s1"]["trend_per_week"] == pytest.approx(10.0)
    assert people["s3"]["trend_per_week"] == 0.0
    assert view["behind"][0] == "s3"
    assert "s1" not in view["behind"]
    assert [e["exercise"] for e in view["exercises"]] == ["fan", "sweep"]
    assert view["exercises"][0]["passed_share"] == 0.0
    assert view["spread"]["min"] <= view["spread"]["median"] <= view["spread"]["max"]


def test_an_assessment_says_which_criterion_failed_and_waits_for_release(course: Records) -> None:
    r = course
    r.add_assessment(
        PASSPHRASE,
        "a1",
        course_id="c1",
        exercise_id="sweep",
        strokes_n=4,
        pass_score=70.0,
        pass_share=0.75,
        max_cv_pct=20.0,
        rubric={"posture": 3},
    )
    # Mean 75 (passes) but only half the strokes pass; steady force.
    attempt = make_session(
        "s1",
        [95.0, 95.0, 55.0, 55.0],
        assessment_id="a1",
        mode="assessment",
        peaks=[10.0, 10.5, 10.0, 10.5],
    )
    r.add_session(attempt)
    r.rate(PASSPHRASE, attempt.id, rater="Ida", item="posture", value=4)
    result = r.result(attempt.id)
    assert result["failed"] == ["pass_share"]
    assert result["passed"] is False
    by_name = {c["criterion"]: c for c in result["criteria"]}
    assert by_name["mean_score"]["value"] == 75.0 and by_name["mean_score"]["met"]
    assert by_name["pass_share"]["value"] == 0.5
    assert by_name["rubric:posture"]["met"]
    # Erratic force and too few strokes fail on those criteria.
    shaky = make_session(
        "s2", [90.0, 90.0, 90.0], assessment_id="a1", mode="assessment", peaks=[5.0, 15.0, 10.0]
    )
    r.add_session(shaky)
    assert r.result(shaky.id)["failed"] == ["strokes", "peak_force_cv_pct", "rubric:posture"]

    # An attempt taken with the band on screen is not one under no feedback.
    seen = make_session("s3", [90.0] * 4, assessment_id="a1", mode="assessment")
    seen.blocks = [{"block": 1, "feedback": "concurrent", "first_stroke": 1}]
    r.add_session(seen)
    r.rate(PASSPHRASE, seen.id, rater="Ida", item="posture", value=5)
    feedback = r.result(seen.id)
    assert feedback["failed"] == ["feedback"]
    assert next(c for c in feedback["criteria"] if c["criterion"] == "feedback")["value"] == (
        "concurrent"
    )

    assert r.result(attempt.id, as_student=True) == {
        "assessment": "a1",
        "session": attempt.id,
        "held": True,
    }
    r.release_assessment(PASSPHRASE, "a1")
    assert r.result(attempt.id, as_student=True)["failed"] == ["pass_share"]


def test_completeness_before_grading(course: Records) -> None:
    r = course
    r.add_assessment(
        PASSPHRASE, "a1", course_id="c1", exercise_id="sweep", strokes_n=3, pass_score=70.0
    )
    r.add_session(make_session("s1", [80.0] * 3, assessment_id="a1", mode="assessment"))
    r.add_session(make_session("s2", [80.0] * 3, assessment_id="a1", mode="assessment"))
    r.add_session(
        make_session("s2", [85.0] * 3, assessment_id="a1", mode="assessment", started=START + WEEK)
    )
    r.add_session(make_session("s3", [80.0], assessment_id="a1", mode="assessment"))
    states = {row["student_id"]: row["state"] for row in r.completeness("c1")}
    assert states == {"s1": "complete", "s2": "several", "s3": "partial"}
    r.add_student(PASSPHRASE, "s4", "Di Dunn", course_id="c1")
    states = {row["student_id"]: row["state"] for row in r.completeness("c1")}
    assert states["s4"] == "none"


def test_a_no_feedback_block_inside_a_practice_session_shows_as_retention(
    course: Records,
) -> None:
    new = make_session("s1", [60.0, 70.0, 80.0, 90.0])
    new.strokes = [replace(s, block=1 if s.idx <= 2 else 2) for s in new.strokes]
    new.blocks = [
        {"block": 1, "feedback": "concurrent", "first_stroke": 1},
        {"block": 2, "feedback": "none", "first_stroke": 3},
    ]
    course.add_session(new)
    (row,) = course.progress("s1")["exercises"]["sweep"]["sessions"]
    assert [
        (b["block"], b["feedback"], b["retention"], b["strokes"], b["mean_score"])
        for b in row["blocks"]
    ] == [(1, "concurrent", False, 2, 65.0), (2, "none", True, 2, 85.0)]
    assert row["blocks"][1]["force_error_pct"] == 15.0
