"""Certificates as a user makes and checks them (the real console script): issued only to a
student who passed, showing what boards ask for, verified offline by the database's key or the
published one, on a SQLite file and a PostgreSQL server."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, func, select

from tests.cli_helpers import assert_user_error, run_cli
from tests.trainer.credentials.conftest import PASSPHRASE, Course
from tests.trainer.records.helpers import make_session
from tests.trainer.reports.pdf_text import pdf_info, pdf_text
from trainer.records.repository import Records
from trainer.records.schema import settings


def certify(course: Course, sid: str, out: Path, *extra: str):
    return run_cli(
        "certify", sid, "--course", "ce101", "--out", str(out), "--db", course.target, *extra
    )


def settings_rows(target: str) -> int:
    url = target if "://" in target else f"sqlite:///{target}"
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return c.execute(select(func.count()).select_from(settings)).scalar_one()
    finally:
        engine.dispose()


def test_a_passing_student_gets_a_certificate_that_verifies_offline(
    course: Course, tmp_path: Path
) -> None:
    out = tmp_path / "cert.pdf"
    proc = certify(course, "s1", out, "--instructor", "Dr Lee", "--json")
    assert proc.returncode == 0, proc.stderr
    made = json.loads(proc.stdout)
    assert made["out"] == str(out)
    assert made["qr"].startswith("IASTM1.")  # the text its QR code carries
    text = " ".join(pdf_text(out).split())
    for shown in (
        "Ann Archer",
        "PT-12345",
        "IASTM for the forearm",
        "North Uni Physio",
        "TPTA-2026-0042",
        "Contact hours 8",
        "Dr Lee",
        "passed: Final sweep test (mean score 85, pass 75)",
        "Learning objectives",
        "Perform 10 Sweep strokes",
    ):
        assert shown in text, shown
    assert pdf_info(out)["Tagged"] == "yes"

    proc = run_cli("verify", str(out), "--db", course.target, "--json")
    assert proc.returncode == 0, proc.stderr
    facts = json.loads(proc.stdout)
    assert facts["valid"] is True
    assert facts["certificate"] == made["certificate"]
    assert (facts["participant"], facts["licence"], facts["course"]) == (
        "Ann Archer",
        "PT-12345",
        "IASTM for the forearm",
    )
    assert facts["hours"] == 8.0 and facts["approval"] == "TPTA-2026-0042"
    # The keys interfaces.md promises scripts: "valid", "reason", "student", "course", "date".
    assert (facts["student"], facts["course"]) == ("Ann Archer", "IASTM for the forearm")
    assert facts["reason"] and facts["date"]
    badge = facts["open_badge"]  # the embedded Open Badges 3.0 credential, its proof checked
    assert "AchievementCredential" in badge["type"]
    assert badge["credentialSubject"]["name"] == "Ann Archer"

    # Offline, with only the published key: no database at all.
    key = tmp_path / "provider.pem"
    proc = run_cli("keys", "export", "--out", str(key), "--db", course.target, "--json")
    assert proc.returncode == 0, proc.stderr
    fp = json.loads(proc.stdout)["fingerprint"]
    assert fp in key.read_text() and len(fp.split(":")) == 32
    assert "PRIVATE" not in key.read_text()
    proc = run_cli("verify", str(out), "--key", str(key), "--db", str(tmp_path / "none.sqlite"))
    assert proc.returncode == 0, proc.stderr
    assert "Valid: Ann Archer" in proc.stdout


def test_a_failing_student_is_refused_with_the_reason_and_nothing_changes(
    course: Course, tmp_path: Path
) -> None:
    before = settings_rows(course.target)
    out = tmp_path / "cert.pdf"
    assert_user_error(
        certify(course, "s2", out),
        "has not passed assessment 'final'",
        "mean_score 60.0, needs at least 75.0",
    )
    assert not out.exists()
    assert settings_rows(course.target) == before  # no key made, no certificate recorded


def test_a_wrong_passphrase_is_refused_and_nothing_changes(
    course: Course, tmp_path: Path, monkeypatch
) -> None:
    before = settings_rows(course.target)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    monkeypatch.setenv("IASTM_TRAINER_PASSPHRASE_FILE", str(wrong))
    out = tmp_path / "cert.pdf"
    assert_user_error(certify(course, "s1", out), "wrong instructor passphrase")
    assert not out.exists()
    assert settings_rows(course.target) == before


def test_the_private_key_is_never_held_in_clear(course: Course, tmp_path: Path) -> None:
    assert certify(course, "s1", tmp_path / "cert.pdf").returncode == 0
    url = course.target if "://" in course.target else f"sqlite:///{course.target}"
    engine = create_engine(url)
    with engine.connect() as c:
        held = c.execute(
            select(settings.c.value).where(settings.c.key == "provider_signing_key")
        ).scalar_one()
    engine.dispose()
    assert "BEGIN ENCRYPTED PRIVATE KEY" in held


def test_before_any_certificate_there_is_no_key_to_export_or_trust(
    course: Course, tmp_path: Path
) -> None:
    assert_user_error(
        run_cli("keys", "export", "--out", str(tmp_path / "k.pem"), "--db", course.target),
        "holds no provider key yet",
    )
    assert not (tmp_path / "k.pem").exists()
    some = tmp_path / "some.pdf"
    some.write_bytes(b"%PDF-1.7\n")
    assert_user_error(
        run_cli("verify", str(some), "--db", course.target), "holds no provider key yet"
    )
    assert_user_error(
        run_cli("verify", "--qr", "IASTM1.a.b", "--db", course.target), "holds no provider key yet"
    )


def test_a_course_without_contact_hours_verifies_without_inventing_them(
    course: Course, tmp_path: Path
) -> None:
    with Records.open(course.target) as r:
        r.add_course(PASSPHRASE, "ws1", "Evening workshop")  # no hours, provider or approval
        r.add_student(PASSPHRASE, "s3", "Cleo Cole", course_id="ws1")
        r.add_assessment(
            PASSPHRASE,
            "ws-final",
            course_id="ws1",
            exercise_id="sweep",
            strokes_n=10,
            pass_score=75.0,
        )
        r.add_session(
            make_session(
                "s3", [90.0] * 10, mode="assessment", assessment_id="ws-final", course_id="ws1"
            )
        )
    out = tmp_path / "cert.pdf"
    proc = run_cli("certify", "s3", "--course", "ws1", "--out", str(out), "--db", course.target)
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("verify", str(out), "--db", course.target)
    assert proc.returncode == 0, proc.stderr
    assert "Valid: Cleo Cole (no licence given), Evening workshop," in proc.stdout
    assert "None" not in proc.stdout and "hours" not in proc.stdout
    # With hours, they are said once, as a number.
    assert certify(course, "s1", tmp_path / "s1.pdf").returncode == 0
    proc = run_cli("verify", str(tmp_path / "s1.pdf"), "--db", course.target)
    assert ", 8 hours;" in proc.stdout, proc.stdout
