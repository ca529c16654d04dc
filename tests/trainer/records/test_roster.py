"""A class list imported in one go on both backends: all or nothing, a bad row named by file and
line, and the same roster imported twice adding nobody twice."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_helpers import assert_user_error, run_cli
from tests.trainer.records.conftest import PASSPHRASE
from trainer.records.repository import Records

GOOD = """Student ID,Name,Email
s1,Ann Archer,ann@example.org
s2,Ben Baker,
s3,Cy Cole,cy@example.org
"""


def _ids(target: str) -> list[str]:
    with Records.open(target) as r:
        return [s["student_id"] for s in r.students()]


def test_a_roster_goes_in_whole_or_not_at_all(db_target: str, tmp_path: Path) -> None:
    with Records.open(db_target) as r:
        r.add_course(PASSPHRASE, "c1", "Soft tissue")
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "s4,Di Dunn,not-an-address\ns5,Ed Eve,\n", encoding="utf-8")
    proc = run_cli("students", "import", str(bad), "--course", "c1", "--db", db_target)
    assert_user_error(proc, "bad.csv line 5", "not-an-address")
    assert _ids(db_target) == []
    twice = tmp_path / "twice.csv"
    twice.write_text(GOOD + "s2,Ben Baker,\n", encoding="utf-8")
    proc = run_cli("students", "import", str(twice), "--course", "c1", "--db", db_target)
    assert_user_error(proc, "twice.csv line 5", "'s2' again (first on line 3)")
    assert _ids(db_target) == []

    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    for expected in ({"added": 3, "already": 0}, {"added": 0, "already": 3}):
        proc = run_cli(
            "students", "import", str(good), "--course", "c1", "--db", db_target, "--json"
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == expected
    with Records.open(db_target) as r:
        listed = r.students("c1")
    assert [(s["student_id"], s["name"]) for s in listed] == [
        ("s1", "Ann Archer"),
        ("s2", "Ben Baker"),
        ("s3", "Cy Cole"),
    ]


def test_a_file_that_is_not_a_roster_is_named(tmp_path: Path) -> None:
    target = str(tmp_path / "r.sqlite")
    headless = tmp_path / "headless.csv"
    headless.write_text("s1,Ann Archer\n", encoding="utf-8")
    proc = run_cli("students", "import", str(headless), "--db", target)
    assert_user_error(proc, "headless.csv line 1", "student_id and name")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("student_id,name\ns1,Ann,extra\n", encoding="utf-8")
    proc = run_cli("students", "import", str(ragged), "--db", target)
    assert_user_error(proc, "ragged.csv line 2", "3 fields")
    proc = run_cli("students", "import", str(tmp_path / "missing.csv"), "--db", target)
    assert_user_error(proc, "missing.csv", "cannot read")
