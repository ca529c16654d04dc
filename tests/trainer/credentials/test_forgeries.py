"""Forging a certificate, each way a forger would try, and what catches it: ``verify`` exits 3
naming the reason. The genuine certificate is made once (SQLite); the forgeries are files."""

from __future__ import annotations

import base64
import io
import json
import tempfile
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.stamp.text import TextStamp, TextStampStyle

from tests.cli_helpers import run_cli
from tests.trainer.credentials.conftest import make_course
from tests.trainer.records.conftest import PASSPHRASE
from trainer.credentials.certificate import sign_pdf
from trainer.credentials.keys import ProviderKey, unlock_or_create
from trainer.credentials.statement import make_statement
from trainer.records.repository import Records


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    folder = tmp_path_factory.mktemp("genuine")
    pw = folder / "pw.txt"
    pw.write_text(PASSPHRASE + "\n")
    target = str(folder / "records.sqlite")
    mp = pytest.MonkeyPatch()
    mp.setenv("IASTM_TRAINER_PASSPHRASE_FILE", str(pw))
    mp.setenv("IASTM_TRAINER_HOME", str(folder / "home"))
    try:
        make_course(target)
        out = folder / "cert.pdf"
        proc = run_cli("certify", "s1", "--course", "ce101", "--out", str(out), "--db", target)
        assert proc.returncode == 0, proc.stderr
    finally:
        mp.undo()
    return target, out.read_bytes()


def forger_key() -> ProviderKey:
    """A key of the forger's own: a provider key made in another records database."""
    with tempfile.TemporaryDirectory() as d, Records.open(Path(d) / "forger.sqlite") as r:
        return r.db.run(lambda c: unlock_or_create(c, "forger passphrase", "North Uni Physio"))


def verify(target: str, pdf: bytes, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "suspect.pdf"
    path.write_bytes(pdf)
    proc = run_cli("verify", str(path), "--db", target)
    assert "Traceback" not in proc.stderr
    return proc.returncode, proc.stderr + proc.stdout


def test_the_genuine_certificate_verifies(genuine: tuple[str, bytes], tmp_path: Path) -> None:
    code, said = verify(*genuine, tmp_path)
    assert code == 0, said


def test_a_changed_byte_in_the_content_is_caught(
    genuine: tuple[str, bytes], tmp_path: Path
) -> None:
    target, pdf = genuine
    forged = bytearray(pdf)
    forged[len(pdf) // 4] ^= 0x01  # inside the signed range, well before the signature
    code, said = verify(target, bytes(forged), tmp_path)
    assert code == 3
    assert "changed after signing" in said or "cannot be checked" in said, said


def test_a_name_painted_over_by_an_incremental_update_is_caught(
    genuine: tuple[str, bytes], tmp_path: Path
) -> None:
    target, pdf = genuine
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    TextStamp(w, TextStampStyle(stamp_text="Mallory Forger")).apply(0, 200, 640)
    out = io.BytesIO()
    w.write(out)
    forged = out.getvalue()
    assert forged.startswith(pdf)  # the signed bytes are all still there, untouched
    code, said = verify(target, forged, tmp_path)
    assert code == 3
    assert "does not cover the whole file" in said, said


def test_a_rewritten_file_is_caught(genuine: tuple[str, bytes], tmp_path: Path) -> None:
    target, pdf = genuine
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    code, said = verify(target, out.getvalue(), tmp_path)
    assert code == 3, said


def test_a_second_signature_by_another_key_is_caught(
    genuine: tuple[str, bytes], tmp_path: Path
) -> None:
    target, pdf = genuine
    facts = {"certificate": "x", "participant": "Mallory", "course": "c", "provider": "p"}
    forged = sign_pdf(pdf, facts, forger_key(), field_name="Countersignature")
    code, said = verify(target, forged, tmp_path)
    assert code == 3
    assert "made by another key" in said, said


def test_a_certificate_made_with_another_key_is_caught(
    genuine: tuple[str, bytes], tmp_path: Path
) -> None:
    """The forger's own certificate, same layout and facts, signed with their own key."""
    from trainer.reports.typeset import typeset

    target, _ = genuine
    facts = {
        "kind": "iastm-trainer certificate",
        "certificate": "00000000-0000-0000-0000-000000000000",
        "participant": "Mallory Forger",
        "licence": "PT-0",
        "course_id": "ce101",
        "course": "IASTM for the forearm",
        "provider": "North Uni Physio",
        "approval": "TPTA-2026-0042",
        "hours": 8.0,
        "date": "2026-12-04",
        "objectives": ["anything"],
        "result": "passed",
        "assessments": [],
        "instructor": "Dr Lee",
    }
    forged = sign_pdf(typeset("certificate", facts), facts, forger_key())
    code, said = verify(target, forged, tmp_path)
    assert code == 3
    assert "made by another key" in said, said


def test_a_file_that_is_no_certificate_is_caught(
    genuine: tuple[str, bytes], tmp_path: Path
) -> None:
    target, _ = genuine
    code, said = verify(target, b"hello, I am a certificate", tmp_path)
    assert code == 3 and "not a PDF" in said
    from trainer.reports.typeset import typeset

    unsigned = typeset("certificate", _facts_for_layout())
    code, said = verify(target, unsigned, tmp_path)
    assert code == 3 and "carries no signature" in said


def _facts_for_layout() -> dict[str, object]:
    return {
        "certificate": "x",
        "participant": "Ann Archer",
        "licence": "",
        "course_id": "ce101",
        "course": "IASTM for the forearm",
        "provider": "",
        "approval": "",
        "hours": None,
        "date": "2026-12-04",
        "objectives": [],
        "result": "passed",
        "assessments": [],
        "instructor": "",
    }


# -- the QR code's statement: a printed copy checked with verify --qr ---------------------------
@pytest.fixture(scope="module")
def qr(genuine: tuple[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> str:
    target, pdf = genuine
    path = tmp_path_factory.mktemp("qr") / "cert.pdf"
    path.write_bytes(pdf)
    proc = run_cli("verify", str(path), "--db", target, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["qr"]


def verify_qr(target: str, text: str, *extra: str) -> tuple[int, str]:
    proc = run_cli("verify", "--qr", text, "--db", target, "--json", *extra)
    assert "Traceback" not in proc.stderr
    return proc.returncode, proc.stdout + proc.stderr


def test_the_qr_statement_verifies_with_the_records_or_the_published_key(
    genuine: tuple[str, bytes], qr: str, tmp_path: Path
) -> None:
    target, _ = genuine
    code, said = verify_qr(target, qr)
    assert code == 0, said
    facts = json.loads(said[: said.rindex("}") + 1])
    assert (facts["participant"], facts["licence"], facts["course_id"]) == (
        "Ann Archer",
        "PT-12345",
        "ce101",
    )
    # The keys interfaces.md promises scripts: "student", "course", "date".
    assert (facts["student"], facts["course"]) == ("Ann Archer", "IASTM for the forearm")
    assert facts["date"]
    key = tmp_path / "provider.pem"
    assert run_cli("keys", "export", "--out", str(key), "--db", target).returncode == 0
    code, said = verify_qr(str(tmp_path / "none.sqlite"), qr, "--key", str(key))
    assert code == 0, said


def test_an_altered_qr_text_is_caught(genuine: tuple[str, bytes], qr: str) -> None:
    target, _ = genuine
    prefix, payload, signature = qr.split(".")
    facts = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    facts["n"] = "Mallory Forger"
    raw = json.dumps(facts, separators=(",", ":")).encode()
    forged = f"{prefix}.{base64.urlsafe_b64encode(raw).rstrip(b'=').decode()}.{signature}"
    code, said = verify_qr(target, forged)
    assert code == 3 and "signature does not match" in said, said
    code, said = verify_qr(target, "https://example.org/cert/123")
    assert code == 3 and "not a certificate statement" in said, said


def test_a_qr_statement_signed_by_another_key_is_caught(genuine: tuple[str, bytes]) -> None:
    target, _ = genuine
    forged = make_statement({"participant": "Mallory Forger"}, forger_key().statement_key)
    code, said = verify_qr(target, forged)
    assert code == 3 and "signature does not match" in said, said
