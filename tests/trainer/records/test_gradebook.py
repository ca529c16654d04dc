"""Grades out: each LMS's import layout written and read back column by column, and xAPI."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.cli_helpers import assert_user_error, run_cli
from tests.trainer.records.conftest import PASSPHRASE
from tests.trainer.records.helpers import START, make_session
from trainer.records.repository import Records


@pytest.fixture
def graded(db_target: str) -> str:
    with Records.open(db_target) as r:
        r.add_course(PASSPHRASE, "c1", "Soft tissue")
        r.add_student(PASSPHRASE, "s1", "Ann Archer", course_id="c1", email="ann@example.org")
        r.add_student(PASSPHRASE, "s2", "Ben Baker", course_id="c1")
        r.add_student(PASSPHRASE, "s3", "Cy Cole", course_id="c1")
        r.add_assessment(
            PASSPHRASE,
            "a1",
            course_id="c1",
            exercise_id="sweep",
            strokes_n=2,
            pass_score=70.0,
            title="Sweep test",
        )
        r.add_assessment(
            PASSPHRASE,
            "a2",
            course_id="c1",
            exercise_id="fan",
            strokes_n=2,
            pass_score=70.0,
            title="Fan test",
        )
        r.add_session(make_session("s1", [80.0, 90.0], assessment_id="a1", mode="assessment"))
        # A second, later attempt is the one graded.
        r.add_session(
            make_session(
                "s1",
                [60.0, 70.0],
                assessment_id="a1",
                mode="assessment",
                started=START + timedelta(days=1),
            )
        )
        r.add_session(
            make_session(
                "s1", [75.0, 75.0], exercise_id="fan", assessment_id="a2", mode="assessment"
            )
        )
        r.add_session(make_session("s2", [50.0, 60.0], assessment_id="a1", mode="assessment"))
        r.add_session(make_session("s3", [99.0], assessment_id="a1", mode="assessment"))  # partial
    return db_target


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_canvas_through_the_command_line(graded: str, tmp_path: Path) -> None:
    out = tmp_path / "canvas.csv"
    proc = run_cli(
        "gradebook",
        "--course",
        "c1",
        "--format",
        "canvas",
        "--out",
        str(out),
        "--db",
        graded,
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["students"] == 3
    assert _read(out) == [
        [
            "Student",
            "ID",
            "SIS User ID",
            "SIS Login ID",
            "Section",
            "Sweep test (a1)",
            "Fan test (a2)",
        ],
        ["Points Possible", "", "", "", "", "100", "100"],
        ["Ann Archer", "", "s1", "ann@example.org", "c1", "65", "75"],
        ["Ben Baker", "", "s2", "s2", "c1", "55", ""],
        ["Cy Cole", "", "s3", "s3", "c1", "", ""],
    ]
    proc = run_cli(
        "gradebook", "--course", "c1", "--format", "canvas", "--out", str(out), "--db", graded
    )
    assert_user_error(proc, "canvas.csv", "--force")


def test_moodle_brightspace_blackboard_and_plain(graded: str, tmp_path: Path) -> None:
    with Records.open(graded) as r:
        for fmt in ("moodle", "brightspace", "blackboard", "csv"):
            r.write_gradebook("c1", fmt, tmp_path / f"{fmt}.csv")
    assert _read(tmp_path / "moodle.csv") == [
        ["ID number", "Email address", "Sweep test", "Fan test"],
        ["s1", "ann@example.org", "65", "75"],
        ["s2", "", "55", ""],
        ["s3", "", "", ""],
    ]
    assert _read(tmp_path / "brightspace.csv") == [
        [
            "OrgDefinedId",
            "Username",
            "Sweep test Points Grade",
            "Fan test Points Grade",
            "End-of-Line Indicator",
        ],
        ["s1", "ann@example.org", "65", "75", "#"],
        ["s2", "s2", "55", "", "#"],
        ["s3", "s3", "", "", "#"],
    ]
    blackboard = (tmp_path / "blackboard.csv").read_text("utf-8").splitlines()
    assert blackboard == [
        '"Username","Sweep test","Fan test"',
        '"s1","65","75"',
        '"s2","55",""',
        '"s3","",""',
    ]
    assert _read(tmp_path / "csv.csv") == [
        ["student_id", "name", "email", "a1 score", "a1 passed", "a2 score", "a2 passed"],
        ["s1", "Ann Archer", "ann@example.org", "65", "no", "75", "yes"],
        ["s2", "Ben Baker", "", "55", "no", "", ""],
        ["s3", "Cy Cole", "", "", "", "", ""],
    ]


def test_xapi_statements(graded: str, tmp_path: Path) -> None:
    with Records.open(graded) as r:
        r.write_gradebook("c1", "xapi", tmp_path / "x.json")
    statements = json.loads((tmp_path / "x.json").read_text("utf-8"))
    got = sorted(
        (
            s["actor"].get("mbox") or s["actor"]["account"]["name"],
            s["object"]["id"],
            s["verb"]["id"].rsplit("/", 1)[1],
            s["result"]["score"]["scaled"],
        )
        for s in statements
    )
    assert got == [
        ("mailto:ann@example.org", "urn:iastm-trainer:assessment:c1/a1", "failed", 0.65),
        ("mailto:ann@example.org", "urn:iastm-trainer:assessment:c1/a2", "passed", 0.75),
        ("s2", "urn:iastm-trainer:assessment:c1/a1", "failed", 0.55),
    ]
