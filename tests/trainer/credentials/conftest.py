"""A course with an assessment, a student who passed it and one who did not, on each backend."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.trainer.records.conftest import PASSPHRASE, records_env
from tests.trainer.records.helpers import make_session
from trainer.records.repository import Records

__all__ = ["PASSPHRASE", "records_env"]  # db_target and pg_server: the root conftest


@dataclass
class Course:
    target: str


def make_course(target: str) -> Course:
    with Records.open(target) as r:
        r.add_course(
            PASSPHRASE,
            "ce101",
            "IASTM for the forearm",
            hours=8.0,
            provider="North Uni Physio",
            approval="TPTA-2026-0042",
        )
        r.add_student(PASSPHRASE, "s1", "Ann Archer", course_id="ce101", licence="PT-12345")
        r.add_student(PASSPHRASE, "s2", "Ben Baker", course_id="ce101", licence="PT-67890")
        r.add_assessment(
            PASSPHRASE,
            "final",
            course_id="ce101",
            exercise_id="sweep",
            strokes_n=10,
            pass_score=75.0,
            title="Final sweep test",
        )
        for sid, scores in (("s1", [85.0] * 10), ("s2", [60.0] * 10)):
            r.add_session(
                make_session(
                    sid, scores, mode="assessment", assessment_id="final", course_id="ce101"
                )
            )
    return Course(target)


@pytest.fixture
def course(db_target: str) -> Course:
    return make_course(db_target)
