"""Issuing a certificate: the facts checked, the PDF typeset, the facts embedded as JSON, and
the whole signed as a PAdES signature (pyHanko) with the provider's key.

The signature covers every byte of the file, the embedded facts included, so ``verify`` can
report the facts only from a file nobody changed. The instructor's passphrase is checked inside
the transaction that reads the facts (and makes the key on first use), so a wrong passphrase or
a student who did not pass leaves the database exactly as it was.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import Connection, insert

from trainer.credentials.badge import achievement_credential
from trainer.credentials.eligibility import certificate_facts
from trainer.credentials.keys import ProviderKey, unlock_or_create
from trainer.credentials.statement import make_statement
from trainer.files.atomic import write_atomic
from trainer.records import audit
from trainer.records.passphrase import check_or_set
from trainer.records.repository import Records
from trainer.records.schema import settings
from trainer.reports.typeset import typeset

#: The embedded file holding the certificate's facts, and the signature field's name.
FACTS_FILE = "certificate.json"
#: The Open Badges 3.0 credential (``badge.py``), embedded beside the facts.
BADGE_FILE = "open-badge.json"
SIGNATURE_FIELD = "ProviderSignature"
ISSUED_PREFIX = "certificate:"


def issue_certificate(
    records: Records,
    passphrase: str,
    student_id: str,
    course_id: str,
    out: str | os.PathLike[str],
    *,
    instructor: str | None = None,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Write the signed certificate to ``out``; ``RecordsError`` says why it was refused."""
    now = datetime.now(UTC).replace(microsecond=0)
    cert_id = str(uuid.uuid4())

    def work(conn: Connection) -> tuple[dict[str, Any], ProviderKey]:
        check_or_set(conn, passphrase)
        facts = certificate_facts(
            conn, student_id, course_id, instructor=instructor or "", today=now.date()
        )
        facts["certificate"] = cert_id
        facts["instructor"] = instructor or facts["provider"] or "the course provider"
        key = unlock_or_create(conn, passphrase, facts["provider"] or "IASTM course provider")
        facts["qr"] = make_statement(facts, key.statement_key)
        conn.execute(insert(settings).values(key=ISSUED_PREFIX + cert_id, value=json.dumps(facts)))
        audit.append(conn, "certificate issued", ISSUED_PREFIX + cert_id)
        return facts, key

    facts, key = records.db.run(work)
    pdf = typeset("certificate", {**facts, "qr_svg": qr_svg(facts["qr"])}, when=now)
    badge = achievement_credential(facts, key.statement_key)
    signed = sign_pdf(pdf, facts, key, badge=badge)
    path = write_atomic(Path(out), signed, overwrite=overwrite)
    return {"certificate": cert_id, "out": str(path), "qr": facts["qr"], "facts": facts}


def qr_svg(text: str) -> str:
    """The statement as a QR code (segno), black on white, as SVG text for the template."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=2, border=2, xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def sign_pdf(
    pdf: bytes,
    facts: dict[str, Any],
    key: ProviderKey,
    *,
    field_name: str = SIGNATURE_FIELD,
    badge: dict[str, Any] | None = None,
) -> bytes:
    """``pdf`` with ``facts`` embedded and a PAdES signature by ``key`` over all of it."""
    from pyhanko.pdf_utils import embed
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    files = [(FACTS_FILE, facts, "The certificate's facts, covered by the provider's signature")]
    if badge is not None:
        files.append((BADGE_FILE, badge, "Open Badges 3.0 AchievementCredential (W3C VC)"))
    for name, content, description in files:
        data = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
        embed.embed_file(
            writer,
            embed.FileSpec(
                file_spec_string=name,
                embedded_data=embed.EmbeddedFileObject.from_file_data(
                    writer, data=data, mime_type="application/json"
                ),
                description=description,
            ),
        )
    cert = asn1_x509.Certificate.load(key.certificate.public_bytes(serialization.Encoding.DER))
    private = asn1_keys.PrivateKeyInfo.load(
        key.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),  # in memory only, for the signer
        )
    )
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=private,
        cert_registry=SimpleCertificateStore.from_certs([cert]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=f"Certificate {facts['certificate']}: {facts['participant']}, {facts['course']}",
        name=facts["provider"] or None,
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()
