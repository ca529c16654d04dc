"""What the instructor view reads to replay a session for rating, on SQLite and PostgreSQL: the
exact exercise version it was scored with (not today's file), and the ratings given on it."""

from __future__ import annotations

import pytest

from tests.trainer.records.conftest import PASSPHRASE
from tests.trainer.records.helpers import make_session
from trainer.records.errors import RecordsError
from trainer.records.repository import Records


def test_a_session_replays_against_the_exercise_version_it_was_scored_with(db_target: str) -> None:
    old = make_session("s1", [70.0, 80.0])
    old.exercise["scoring"]["pass_mark"] = 55.0  # an earlier edit of the same exercise
    new = make_session("s1", [70.0, 80.0])
    with Records.open(db_target) as r:
        r.add_student(PASSPHRASE, "s1", "Ann Lee")
        r.add_session(old)
        r.add_session(new)
        assert r.session_exercise(old.id)["scoring"]["pass_mark"] == 55.0
        assert r.session_exercise(new.id) == new.exercise
        with pytest.raises(RecordsError, match="unknown session 'nope'"):
            r.session_exercise("nope")


def test_the_ratings_of_a_session_by_stroke_item_and_rater(db_target: str) -> None:
    s = make_session("s1", [70.0, 80.0, 90.0])
    with Records.open(db_target) as r:
        r.add_student(PASSPHRASE, "s1", "Ann Lee")
        r.add_session(s)
        assert r.session_ratings(s.id) == []
        r.rate(PASSPHRASE, s.id, rater="Dr Ode", item="pressure", value=3, stroke=2)
        r.rate(PASSPHRASE, s.id, rater="Dr Lee", item="pressure", value=4, stroke=2, comment="ok")
        r.rate(PASSPHRASE, s.id, rater="Dr Lee", item="overall", value=5)
        r.rate(PASSPHRASE, s.id, rater="Dr Lee", item="pressure", value=2, stroke=2)  # corrected
        given = r.session_ratings(s.id)
    by = {(g["stroke"], g["item"], g["rater"]): (g["value"], g["comment"]) for g in given}
    assert by == {
        (2, "pressure", "Dr Lee"): (2.0, None),
        (2, "pressure", "Dr Ode"): (3.0, None),
        (None, "overall", "Dr Lee"): (5.0, None),
    }
