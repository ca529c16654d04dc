"""The class report: ``report course C``, read back with pdftotext, on both backends."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.cli_helpers import assert_user_error, run_cli
from tests.trainer.records.conftest import PASSPHRASE
from tests.trainer.records.helpers import START, make_session
from tests.trainer.reports.pdf_text import pdf_info, pdf_text
from trainer.records.repository import Records


def test_the_class_report_puts_the_student_behind_first(db_target: str, tmp_path: Path) -> None:
    with Records.open(db_target) as r:
        r.add_course(PASSPHRASE, "c1", "Soft tissue")
        for sid, name, score in (("s1", "Ann Archer", 85.0), ("s2", "Ben Baker", 40.0)):
            r.add_student(PASSPHRASE, sid, name, course_id="c1")
            for week in range(3):
                r.add_session(make_session(sid, [score] * 5, started=START + timedelta(weeks=week)))
    out = tmp_path / "class.pdf"
    proc = run_cli("report", "course", "c1", "--out", str(out), "--db", db_target)
    assert proc.returncode == 0, proc.stderr
    assert pdf_info(out)["Tagged"] == "yes"
    text = " ".join(pdf_text(out).split())
    assert "Class report: c1" in text and "2 students; 1 behind" in text
    ben = text.index("s2 Ben Baker 3 40.0 40.0")
    ann = text.index("s1 Ann Archer 3 85.0 85.0")
    assert ben < ann  # lowest recent score first
    assert "behind" in text[ben:ann]
    assert "sweep 6 62.5" in text  # the exercise's sessions and mean score

    assert_user_error(
        run_cli("report", "course", "nope", "--out", str(tmp_path / "n.pdf"), "--db", db_target),
        "unknown course 'nope'",
    )
