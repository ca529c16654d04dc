"""The records commands as a user runs them (the real console script, in a subprocess), on a
SQLite file and on a PostgreSQL server: the JSON keys of docs/interfaces.md, and every mistake a
user can make answered with one line naming it, exit 2, and the database as it was."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from tests.cli_helpers import assert_user_error, run_cli
from tests.trainer.records.pg_server import PgServer
from trainer.library.exercise import find_exercise
from trainer.offline.analysis import score_recording
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording
from trainer.records.schema import SCHEMA_VERSION


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("recordings")
    out = {}
    for skill, seed in (("competent", 3), ("novice", 4)):
        path = folder / f"{skill}.csv"
        simulate_recording(path, skill=skill, strokes=6, seed=seed, rate_hz=200.0)
        out[skill] = path
    return out


def cli(db: str, *args: str) -> object:
    proc = run_cli(*args, "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_a_course_from_start_to_agreement(db_target: str, recordings: dict[str, Path]) -> None:
    assert cli(db_target, "db", "upgrade") == {"schema": SCHEMA_VERSION}
    assert cli(db_target, "db", "upgrade") == {"schema": SCHEMA_VERSION}
    assert cli(
        db_target, "courses", "add", "--id", "c1", "--name", "Soft tissue", "--hours", "8"
    ) == {"course": "c1"}
    assert cli(
        db_target,
        "students",
        "add",
        "--student-id",
        "s1",
        "--name",
        "Ann Archer",
        "--course",
        "c1",
        "--email",
        "ann@example.org",
    ) == {"student": "s1"}
    assert cli(
        db_target, "students", "add", "--student-id", "s2", "--name", "Ben Baker", "--course", "c1"
    ) == {"student": "s2"}
    listed = cli(db_target, "students", "list", "--course", "c1")
    assert listed == [
        {"student_id": "s1", "name": "Ann Archer", "course": "c1", "sessions": 0},
        {"student_id": "s2", "name": "Ben Baker", "course": "c1", "sessions": 0},
    ]

    added = cli(
        db_target,
        "sessions",
        "add",
        str(recordings["competent"]),
        "--student",
        "s1",
        "--exercise",
        "sweep",
    )
    expected = score_recording(read_recording(recordings["competent"]), find_exercise("sweep"))
    uuid.UUID(added["session"])
    assert added["strokes"] == len(expected.scores) == 6
    mean = sum(s.score for s in expected.scores) / len(expected.scores)
    assert added["mean_score"] == pytest.approx(mean, abs=0.05)
    assert added["passed"] is expected.summary.passed
    other = cli(
        db_target,
        "sessions",
        "add",
        str(recordings["novice"]),
        "--student",
        "s2",
        "--exercise",
        "sweep",
        "--mode",
        "retention",
    )

    sessions = cli(db_target, "sessions", "list", "--course", "c1")
    assert [s["session"] for s in sessions] == [added["session"], other["session"]] or [
        s["session"] for s in sessions
    ] == [other["session"], added["session"]]
    first = next(s for s in sessions if s["session"] == added["session"])
    assert {
        "session",
        "student_id",
        "exercise",
        "mode",
        "started",
        "strokes",
        "mean_score",
        "passed",
    } <= set(first)
    assert (first["student_id"], first["exercise"], first["mode"], first["strokes"]) == (
        "s1",
        "sweep",
        "practice",
        6,
    )
    assert [s["mode"] for s in cli(db_target, "sessions", "list", "--student", "s2")] == [
        "retention"
    ]

    # Two raters mark the same three strokes of each session on the score's own scale.
    for session, offset in ((added["session"], 0.0), (other["session"], -20.0)):
        for k in range(1, 4):
            for rater, shift in (("Ida", 0.0), ("Jo", 5.0)):
                value = 60.0 + offset + 4.0 * k + shift
                out = cli(
                    db_target,
                    "rate",
                    session,
                    "--rater",
                    rater,
                    "--item",
                    "overall",
                    "--value",
                    str(value),
                    "--stroke",
                    str(k),
                )
                uuid.UUID(out["rating"])
    progress = cli(db_target, "progress", "--student", "s1")
    (row,) = progress["exercises"]["sweep"]["sessions"]
    assert (row["session"], row["mode"], row["strokes"]) == (added["session"], "practice", 6)
    assert row["mean_score"] == pytest.approx(added["mean_score"], abs=0.05)
    assert row["force_error_pct"] is not None and row["angle_error_deg"] is not None
    klass = cli(db_target, "progress", "--course", "c1")
    assert {"students", "behind", "exercises", "spread"} <= set(klass)
    assert sorted(p["student_id"] for p in klass["students"]) == ["s1", "s2"]

    agreement = cli(db_target, "agreement", "--course", "c1")
    assert {"icc_2_1", "ci95", "raters", "subjects", "sem", "mdc95"} <= set(agreement)
    assert (agreement["raters"], agreement["subjects"]) == (2, 6)
    lo, hi = agreement["ci95"]
    assert lo <= agreement["icc_2_1"] <= hi
    assert agreement["icc_2_1"] > 0.8  # the raters differ by a constant 5 on a spread of 28
    assert agreement["mdc95"] == pytest.approx(1.96 * 2**0.5 * agreement["sem"], abs=1e-3)


def test_mistakes_are_one_line_and_change_nothing(
    db_target: str, recordings: dict[str, Path], tmp_path: Path
) -> None:
    cli(db_target, "courses", "add", "--id", "c1", "--name", "Soft tissue")
    cli(db_target, "students", "add", "--student-id", "s1", "--name", "Ann Archer")
    before = cli(db_target, "sessions", "list")

    proc = run_cli(
        "sessions",
        "add",
        str(recordings["novice"]),
        "--student",
        "nobody",
        "--exercise",
        "sweep",
        "--db",
        db_target,
    )
    assert_user_error(proc, "unknown student 'nobody'")
    proc = run_cli(
        "sessions",
        "add",
        str(recordings["novice"]),
        "--student",
        "s1",
        "--exercise",
        "no-such-exercise",
        "--db",
        db_target,
    )
    assert_user_error(proc, "no-such-exercise")
    broken = tmp_path / "broken.csv"
    broken.write_text("# iastm-trainer recording\ntime_s,force_n\n0.0,1.0\nnot,a number\n")
    proc = run_cli(
        "sessions", "add", str(broken), "--student", "s1", "--exercise", "sweep", "--db", db_target
    )
    assert_user_error(proc, "broken.csv")
    proc = run_cli(
        "students",
        "add",
        "--student-id",
        "s2",
        "--name",
        "Ben",
        "--course",
        "c9",
        "--db",
        db_target,
    )
    assert_user_error(proc, "unknown course 'c9'")
    proc = run_cli(
        "students", "add", "--student-id", "s1", "--name", "Someone Else", "--db", db_target
    )
    assert_user_error(proc, "student 's1' already exists")
    proc = run_cli(
        "rate",
        str(uuid.uuid4()),
        "--rater",
        "Ida",
        "--item",
        "x",
        "--value",
        "3",
        "--db",
        db_target,
    )
    assert_user_error(proc, "unknown session")
    proc = run_cli("agreement", "--course", "c1", "--db", db_target)
    assert_user_error(proc, "course 'c1': no ratings yet")
    proc = run_cli(
        "assessments",
        "add",
        "--id",
        "a1",
        "--course",
        "c1",
        "--exercise",
        "sweep",
        "--strokes",
        "10",
        "--pass-score",
        "70",
        "--pass-share",
        "80",
        "--db",
        db_target,
    )
    assert_user_error(proc, "--pass-share 80")

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    env_before = os.environ["IASTM_TRAINER_PASSPHRASE_FILE"]
    os.environ["IASTM_TRAINER_PASSPHRASE_FILE"] = str(wrong)
    try:
        proc = run_cli("students", "add", "--student-id", "s3", "--name", "Cy", "--db", db_target)
        assert_user_error(proc, "wrong instructor passphrase")
        del os.environ["IASTM_TRAINER_PASSPHRASE_FILE"]
        proc = run_cli("students", "add", "--student-id", "s3", "--name", "Cy", "--db", db_target)
        assert_user_error(proc, "instructor passphrase needed", "IASTM_TRAINER_PASSPHRASE_FILE")
    finally:
        os.environ["IASTM_TRAINER_PASSPHRASE_FILE"] = env_before

    assert cli(db_target, "sessions", "list") == before
    assert [s["student_id"] for s in cli(db_target, "students", "list")] == ["s1"]


def test_a_target_that_cannot_be_used_is_named(tmp_path: Path) -> None:
    proc = run_cli("students", "list", "--db", str(tmp_path))
    assert_user_error(proc, str(tmp_path), "is a folder")
    proc = run_cli("students", "list", "--db", "postgresql://someone:secret@127.0.0.1:1/lab")
    assert_user_error(proc, "127.0.0.1:1")
    assert "secret" not in proc.stderr


def test_the_default_database_is_in_the_users_data_folder(records_env: Path) -> None:
    out = cli_default("courses", "add", "--id", "c1", "--name", "Course")
    assert out == {"course": "c1"}
    path = records_env / "data" / "records.sqlite"
    assert path.is_file()
    assert (path.stat().st_mode & 0o777) == 0o600
    other = records_env / "elsewhere.sqlite"
    os.environ["IASTM_TRAINER_DB"] = str(other)
    try:
        assert cli_default("db", "upgrade") == {"schema": SCHEMA_VERSION}
    finally:
        del os.environ["IASTM_TRAINER_DB"]
    assert other.is_file()


def cli_default(*args: str) -> object:
    proc = run_cli(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_a_server_that_answers_no_is_named_not_waited_for(
    pg_server: PgServer, recordings: dict[str, Path]
) -> None:
    """A database that does not exist or a role the server does not know is a setting to fix:
    one line with the server's reason, exit 2, and nothing put in the outbox to wait."""
    for url, reason in (
        (pg_server.url("no_such_db"), 'database "no_such_db" does not exist'),
        (
            f"postgresql://nobody:secret@127.0.0.1:{pg_server.port}/postgres",
            'role "nobody" does not exist',
        ),
    ):
        proc = run_cli(
            "sessions",
            "add",
            str(recordings["novice"]),
            "--student",
            "s1",
            "--exercise",
            "sweep",
            "--db",
            url,
        )
        assert_user_error(proc, reason)
        assert "secret" not in proc.stderr
    status = run_cli("outbox", "--db", pg_server.url("no_such_db"), "--json")
    assert json.loads(status.stdout)["waiting"] == 0
