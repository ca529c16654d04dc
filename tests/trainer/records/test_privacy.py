"""Privacy on both backends: a deleted student's personal data is gone from every table while
the class's figures stay; an export gives one student everything held about them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import LargeBinary, select

from tests.cli_helpers import run_cli
from tests.trainer.records.conftest import PASSPHRASE
from tests.trainer.records.helpers import START, make_session
from trainer.records.repository import Records
from trainer.records.schema import metadata

PERSONAL = ("Ann Archer", "ann@example.org", "LIC-7781", "s1", "lovely pressure")


def _every_value(r: Records) -> list[str]:
    """Every text and binary value in every table, as text."""
    out = []

    def read(conn) -> None:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for col, value in zip(table.columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(col.type, LargeBinary):
                        import zlib

                        out.append(zlib.decompress(value).decode("utf-8", "replace"))
                    else:
                        out.append(str(value))

    r.db.read(read)
    return out


def _setup(target: str) -> tuple[Records, list[str]]:
    r = Records.open(target)
    r.add_course(PASSPHRASE, "c1", "Soft tissue")
    r.add_student(
        PASSPHRASE, "s1", "Ann Archer", course_id="c1", licence="LIC-7781", email="ann@example.org"
    )
    r.add_student(PASSPHRASE, "s2", "Ben Baker", course_id="c1")
    ids = []
    for n, (who, scores) in enumerate((("s1", [80.0, 90.0]), ("s1", [70.0]), ("s2", [60.0]))):
        new = make_session(who, scores, started=START.replace(day=7 + n))
        r.add_session(new)
        ids.append(new.id)
    r.rate(PASSPHRASE, ids[0], rater="Ida", item="pressure", value=4, comment="lovely pressure")
    return r, ids


def test_delete_removes_personal_data_and_keeps_the_figures(db_target: str) -> None:
    r, ids = _setup(db_target)
    with r:
        class_before = r.class_view("c1")
        r.delete_student(PASSPHRASE, "s1")
        assert [s["student_id"] for s in r.students()] == ["s2"]
        values = "\n".join(_every_value(r))
        for text in PERSONAL:
            assert text not in values, text
        # The figures stay, anonymous: three sessions, the deleted student's two without a name.
        sessions = r.sessions()
        assert [s["student_id"] for s in sessions] == [None, None, "s2"]
        assert [s["mean_score"] for s in sessions] == [85.0, 70.0, 60.0]
        assert r.recording(ids[0]) is None
        assert r.db.read(lambda c: c.exec_driver_sql("SELECT count(*) FROM ratings").scalar()) == 1
        # The class's figures for the exercise still count the anonymous sessions.
        assert r.class_view("c1")["exercises"] == class_before["exercises"]
        assert class_before["exercises"][0]["sessions"] == 3


def test_export_gives_one_student_everything_held_about_them(
    db_target: str, tmp_path: Path
) -> None:
    r, ids = _setup(db_target)
    r.close()
    out = tmp_path / "export"
    proc = run_cli("export-student", "s1", "--out", str(out), "--db", db_target, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "student.json").read_text("utf-8"))
    assert data["student"] == {
        "student_id": "s1",
        "name": "Ann Archer",
        "licence": "LIC-7781",
        "email": "ann@example.org",
        "added": data["student"]["added"],
        "courses": ["c1"],
    }
    assert [s["id"] for s in data["sessions"]] == ids[:2]
    assert len(data["strokes"]) == 3
    assert [(x["item"], x["value"], x["rater"], x["comment"]) for x in data["ratings"]] == [
        ("pressure", 4.0, "Ida", "lovely pressure")
    ]
    with (out / "strokes.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [float(x["score"]) for x in rows] == [80.0, 90.0, 70.0]
    recording = (out / "recordings" / f"{ids[0]}.csv").read_bytes()
    assert recording.startswith(b"# iastm-trainer recording")
    assert "Ben Baker" not in (out / "student.json").read_text("utf-8")

    proc = run_cli("students", "delete", "s1", "--db", db_target, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"deleted": "s1"}
    proc = run_cli("export-student", "s1", "--out", str(tmp_path / "again"), "--db", db_target)
    assert proc.returncode == 2 and "unknown student 's1'" in proc.stderr
