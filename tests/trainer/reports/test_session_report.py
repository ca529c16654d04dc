"""The session report as a user gets it: ``iastm-trainer report session ID --out FILE.pdf``,
read back with pdftotext (reading order), pdfinfo (tagged) and pyHanko's PDF reader (the
structure tree: every plot a figure with its text alternative)."""

from __future__ import annotations

from pathlib import Path

from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.cli_helpers import assert_user_error, run_cli
from tests.trainer.reports.conftest import Held
from tests.trainer.reports.pdf_text import pdf_info, pdf_text


def report(held: Held, out: Path, *extra: str) -> object:
    return run_cli(
        "report", "session", held.session, "--out", str(out), "--db", held.target, *extra
    )


def test_the_session_report_reads_in_order_with_every_stroke_and_rating(
    held: Held, tmp_path: Path
) -> None:
    out = tmp_path / "session.pdf"
    proc = report(held, out)
    assert proc.returncode == 0, proc.stderr
    info = pdf_info(out)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Session report: Ann #Archer, Sweep"
    text = pdf_text(out)
    assert "For education, not for clinical use" in text
    # Page footers drawn between a row split over two pages are not part of the row.
    body = [ln for ln in text.splitlines() if not ln.startswith("For education, not for")]
    flat = " ".join(" ".join(body).split())
    # What a user typed is printed as typed, never read as markup.
    assert "Ann #Archer (s1)" in flat and "Soft tissue *basics* #1 (c1)" in flat
    assert "PT-12345" in flat
    assert "Synthetic reference from published ranges" in flat  # the envelope's provenance
    headings = [
        "Student and session",
        "Exercise and its envelope",
        "Result",
        "Blocks and their feedback schedules",
        "Strokes one by one",
        "Rubric ratings and comments",
        "Each stroke against the envelope",
    ]
    where = [flat.index(h) for h in headings]
    assert where == sorted(where), where
    assert "terminal" in flat[where[3] : where[4]]  # block 1's feedback schedule
    strokes = flat[where[4] : where[5]]
    for score in held.report.scores:  # every stroke's reasons, in stroke order
        first = score.explanation[0]
        assert " ".join(first.split()) in strokes, first
    ratings = flat[where[5] : where[6]]
    assert "posture" in ratings and "Dr Lee" in ratings and "steady hands" in ratings


def test_every_stroke_plot_is_a_tagged_figure_with_its_text_alternative(
    held: Held, tmp_path: Path
) -> None:
    out = tmp_path / "session.pdf"
    assert report(held, out).returncode == 0
    raw = out.read_bytes()
    assert b"pdfuaid:part" in raw  # declares PDF/UA-1 in its metadata
    with out.open("rb") as f:
        reader = PdfFileReader(f)
        root = reader.root
        assert root["/MarkInfo"]["/Marked"]
        alts = [str(n["/Alt"]) for n in _struct_nodes(root["/StructTreeRoot"]) if _is_figure(n)]
    assert len(alts) == 40
    assert alts[0].startswith("Stroke 1: force against the experts' band")
    third = next(s for s in held.report.scores if s.index == 3)
    assert f"Inside the band for {third.force_in_band_pct:.0f} % of the stroke" in alts[2]


def _is_figure(node: DictionaryObject) -> bool:
    return node.get("/S") == "/Figure" and "/Alt" in node


def _struct_nodes(node: object) -> list[DictionaryObject]:
    found: list[DictionaryObject] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if hasattr(n, "get_object"):
            n = n.get_object()
        if isinstance(n, ArrayObject):
            stack.extend(reversed(list(n)))
        elif isinstance(n, DictionaryObject) and "/K" in n:
            found.append(n)
            stack.append(n["/K"])
        elif isinstance(n, DictionaryObject) and "/S" in n:
            found.append(n)
    return found


def test_an_unknown_session_or_an_existing_out_file_is_one_line(held: Held, tmp_path: Path) -> None:
    out = tmp_path / "session.pdf"
    proc = run_cli("report", "session", "no-such", "--out", str(out), "--db", held.target)
    assert_user_error(proc, "unknown session 'no-such'")
    assert not out.exists()
    out.write_bytes(b"keep me")
    assert_user_error(report(held, out), str(out))
    assert out.read_bytes() == b"keep me"
    assert report(held, out, "--force").returncode == 0
    assert out.read_bytes().startswith(b"%PDF-")
