"""A records database holding one real session: a simulated 40-stroke recording scored and
stored, with a course, a student and a rubric rating; on a SQLite file and a PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.trainer.records.conftest import PASSPHRASE, records_env
from trainer.library.exercise import find_exercise
from trainer.offline.analysis import ScoreReport, score_recording
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording
from trainer.records.capture import session_from_scores
from trainer.records.repository import Records

__all__ = ["PASSPHRASE", "records_env"]  # db_target and pg_server: the root conftest


@dataclass
class Held:
    target: str
    session: str
    report: ScoreReport


@pytest.fixture(scope="session")
def scored_40(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScoreReport]:
    path = tmp_path_factory.mktemp("rec") / "forty.csv"
    simulate_recording(path, skill="competent", strokes=40, seed=3, rate_hz=500.0)
    return path, score_recording(read_recording(path), find_exercise("sweep"))


@pytest.fixture
def held(db_target: str, scored_40: tuple[Path, ScoreReport]) -> Iterator[Held]:
    path, report = scored_40
    with Records.open(db_target) as r:
        r.add_course(
            PASSPHRASE,
            "c1",
            "Soft tissue *basics* #1",
            hours=8.0,
            provider="North Uni Physio",
            approval="TPTA-2026-0042",
        )
        r.add_student(PASSPHRASE, "s1", "Ann #Archer", course_id="c1", licence="PT-12345")
        new = session_from_scores(
            student_id="s1",
            exercise=report.exercise,
            scores=report.scores,
            summary=report.summary,
            recording=read_recording(path),
            course_id="c1",
            feedback="terminal",
        )
        r.add_session(new)
        r.rate(PASSPHRASE, new.id, rater="Dr Lee", item="posture", value=4, comment="steady hands")
    yield Held(db_target, new.id, report)
