"""A student's progress report: ``report student SID``, read back with pdftotext and pyHanko's
reader (the chart is a figure with its text alternative in figures), on both backends."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader

from tests.cli_helpers import assert_user_error, run_cli
from tests.trainer.records.conftest import PASSPHRASE
from tests.trainer.records.helpers import START, make_session
from tests.trainer.reports.pdf_text import pdf_info, pdf_text
from tests.trainer.reports.test_session_report import _is_figure, _struct_nodes
from trainer.records.repository import Records


def test_the_progress_report_lists_each_session_and_describes_its_chart(
    db_target: str, tmp_path: Path
) -> None:
    with Records.open(db_target) as r:
        r.add_course(PASSPHRASE, "c1", "Soft tissue")
        r.add_student(PASSPHRASE, "s1", "Ann Archer", course_id="c1")
        for week, (mode, score) in enumerate(
            [("practice", 52.0), ("practice", 64.0), ("retention", 61.0), ("practice", 78.0)]
        ):
            r.add_session(
                make_session("s1", [score] * 5, mode=mode, started=START + timedelta(weeks=week))
            )
    out = tmp_path / "progress.pdf"
    proc = run_cli("report", "student", "s1", "--out", str(out), "--db", db_target)
    assert proc.returncode == 0, proc.stderr
    assert pdf_info(out)["Tagged"] == "yes"
    text = " ".join(pdf_text(out).split())
    assert "Progress report: Ann Archer" in text
    rows = [
        text.index(f"{mode} 5 {score}")
        for mode, score in (
            ("practice", "52.0"),
            ("practice", "64.0"),
            ("retention", "61.0"),
            ("practice", "78.0"),
        )
    ]
    assert rows == sorted(rows)  # sessions in time order
    with out.open("rb") as f:
        root = PdfFileReader(f).root
        (alt,) = [str(n["/Alt"]) for n in _struct_nodes(root["/StructTreeRoot"]) if _is_figure(n)]
    assert "4 sessions in order: first 52, last 78, lowest 52, highest 78" in alt

    assert_user_error(
        run_cli("report", "student", "nobody", "--out", str(tmp_path / "n.pdf"), "--db", db_target),
        "unknown student 'nobody'",
    )
