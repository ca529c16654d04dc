"""Checking a certificate offline: the provider's signature over every byte, by the provider's
key, and the facts it covers.

Refused (``valid: False`` with the reason): a file that is not a PDF or carries no signature;
any signature that does not check (a changed byte), that was made by another key (a forger's
own certificate, or a second signature added by someone else), or one that does not cover the
whole file (an incremental update after signing, such as text painted over the name); a
signed file without the embedded facts. The provider's certificate is the trust anchor: taken
from the records database, or from the file ``keys export`` wrote; nothing is fetched online.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from trainer.credentials.badge import check_credential
from trainer.credentials.certificate import BADGE_FILE, FACTS_FILE

# pyHanko logs each failed check with its traceback; with no handler of their own those records
# reach Python's last-resort handler on stderr. The reason is ours to say, in one line.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


def verify_certificate(
    pdf_path: Path,
    trusted: x509.Certificate,
    statement_key: ed25519.Ed25519PublicKey | None = None,
) -> dict[str, Any]:
    """``{"valid": bool, "reason": str, ...facts}`` for the certificate at ``pdf_path``; with
    ``statement_key``, its embedded Open Badges credential's proof is checked too."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    raw = pdf_path.read_bytes()
    if not raw.startswith(b"%PDF-"):
        return _invalid(f"{pdf_path}: not a PDF, so not a certificate")
    try:
        reader = PdfFileReader(io.BytesIO(raw), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError) as exc:
        return _invalid(f"{pdf_path}: not a readable PDF ({exc})")
    if not signatures:
        return _invalid(f"{pdf_path}: carries no signature, so it is not a certificate")
    anchor = asn1_x509.Certificate.load(trusted.public_bytes(serialization.Encoding.DER))
    for sig in signatures:
        context = ValidationContext(trust_roots=[anchor], allow_fetching=False)
        try:
            status = validate_pdf_signature(sig, signer_validation_context=context)
        except Exception as exc:  # a malformed signature is a failed check, not a crash
            return _invalid(f"signature '{sig.field_name}' cannot be checked: {exc}")
        if not status.intact or not status.valid:
            return _invalid(
                f"signature '{sig.field_name}' does not match the file: it was changed after "
                "signing"
            )
        if not status.trusted:
            return _invalid(
                f"signature '{sig.field_name}' was made by another key "
                f"({sig.signer_cert.subject.human_friendly}), not the provider's"
            )
    last = signatures[-1]
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return _invalid(
            f"signature '{last.field_name}' does not cover the whole file: something was added "
            "after signing (an incremental update)"
        )
    facts = _embedded(reader, FACTS_FILE)
    if facts is None or facts.get("kind") != "iastm-trainer certificate":
        return _invalid("signed, but carries no certificate facts: not a certificate")
    badge = _embedded(reader, BADGE_FILE)
    if badge is not None and statement_key is not None:
        wrong = check_credential(badge, statement_key)
        if wrong is not None:
            return _invalid(wrong)
    return {
        "valid": True,
        "reason": "signed by the provider's key; unchanged since",
        **facts,
        "student": facts.get("participant"),  # the name the contract (interfaces.md) gives it
        "open_badge": badge,
    }


def _embedded(reader: Any, name: str) -> dict[str, Any] | None:
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        return None
    for i in range(0, len(names) - 1, 2):
        if str(names[i]) == name:
            spec = names[i + 1].get_object()
            data = spec["/EF"]["/F"].get_object().data
            try:
                facts = json.loads(data)
            except ValueError:
                return None
            return facts if isinstance(facts, dict) else None
    return None


def _invalid(reason: str) -> dict[str, Any]:
    return {"valid": False, "reason": reason}
