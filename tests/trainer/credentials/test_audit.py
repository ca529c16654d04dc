"""The audit log checked end to end, on SQLite and PostgreSQL: intact after the application's
own changes; a score edited straight in the database, a rating changed behind the application's
back, a removed log entry and a changed entry are each found, naming the first bad entry."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, delete, select, update

from tests.cli_helpers import run_cli
from tests.trainer.credentials.conftest import Course
from tests.trainer.records.conftest import PASSPHRASE
from trainer.records.repository import Records
from trainer.records.schema import audit_log, ratings, strokes


def audit(course: Course) -> tuple[int, dict, str]:
    proc = run_cli("audit", "--check", "--db", course.target, "--json")
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def tamper(course: Course, statement) -> None:
    url = course.target if "://" in course.target else f"sqlite:///{course.target}"
    engine = create_engine(url)
    with engine.begin() as c:
        statement(c)
    engine.dispose()


def rated(course: Course, tmp_path: Path) -> None:
    with Records.open(course.target) as r:
        session = r.sessions(student_id="s1")[0]["session"]
        r.rate(PASSPHRASE, session, rater="Dr Lee", item="posture", value=4)
        r.rate(PASSPHRASE, session, rater="Dr Lee", item="posture", value=5)  # replaces it
        r.release_assessment(PASSPHRASE, "final")
    assert (
        run_cli(
            "certify",
            "s1",
            "--course",
            "ce101",
            "--out",
            str(tmp_path / "c.pdf"),
            "--db",
            course.target,
        ).returncode
        == 0
    )


def test_the_applications_own_changes_keep_the_log_intact(course: Course, tmp_path: Path) -> None:
    rated(course, tmp_path)
    code, out, _ = audit(course)
    assert code == 0, out
    # assessment, two sessions, two ratings (one replaced), a release, a certificate
    assert out == {"ok": True, "entries": 8, "first_bad": None, "reason": None}


def test_a_score_edited_in_the_database_is_found(course: Course, tmp_path: Path) -> None:
    rated(course, tmp_path)
    tamper(
        course, lambda c: c.execute(update(strokes).where(strokes.c.idx == 3).values(score=99.0))
    )
    code, out, said = audit(course)
    assert code == 3 and out["ok"] is False
    assert out["first_bad"] in (2, 3)  # the entry of the session whose stroke changed
    assert "changed outside the application" in said


def test_a_rating_changed_behind_the_applications_back_is_found(
    course: Course, tmp_path: Path
) -> None:
    rated(course, tmp_path)
    tamper(course, lambda c: c.execute(update(ratings).values(value=1.0)))
    code, out, said = audit(course)
    assert code == 3 and out["first_bad"] == 6  # the replacing rating's entry
    assert "rating:" in said


def test_a_removed_or_changed_entry_is_found(course: Course, tmp_path: Path) -> None:
    rated(course, tmp_path)
    tamper(course, lambda c: c.execute(delete(audit_log).where(audit_log.c.seq == 4)))
    code, out, said = audit(course)
    assert code == 3 and out["first_bad"] == 5, out
    assert "does not follow the one before it" in said


def test_a_changed_entry_is_found(course: Course, tmp_path: Path) -> None:
    rated(course, tmp_path)

    def forge(c) -> None:
        c.execute(update(audit_log).where(audit_log.c.seq == 2).values(values_hash="0" * 64))

    tamper(course, forge)
    code, out, said = audit(course)
    assert code == 3 and out["first_bad"] == 2, out
    assert "entry 2 was changed" in said


def test_a_row_written_around_the_application_is_found(course: Course, tmp_path: Path) -> None:
    rated(course, tmp_path)

    def copy_rating(c) -> None:
        row = dict(c.execute(select(ratings)).mappings().first())
        row.update(id="00000000-0000-0000-0000-000000000001", item="grip")
        c.execute(ratings.insert().values(**row))

    tamper(course, copy_rating)
    code, _, said = audit(course)
    assert code == 3
    assert "has no audit entry" in said
