"""The compact signed statement a certificate's QR code carries, so a printed copy can be
checked too: ``IASTM1.<payload>.<signature>``, both base64url without padding.

The payload is the certificate's key facts as compact JSON (short keys: a QR code of 300-odd
characters still scans from paper); the signature is Ed25519 (``cryptography``) by the
provider's statement key, kept beside the PDF signing key and published with it by
``keys export``. Anyone holding the published key checks the text a phone reads from the paper.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

PREFIX = "IASTM1"
#: Payload key -> the facts' key, as ``verify --qr`` reports them.
FIELDS = {
    "c": "certificate",
    "n": "participant",
    "l": "licence",
    "k": "course_id",
    "t": "course",
    "p": "provider",
    "a": "approval",
    "h": "hours",
    "d": "date",
    "r": "result",
}


def make_statement(facts: dict[str, Any], key: ed25519.Ed25519PrivateKey) -> str:
    payload = {short: facts.get(long) for short, long in FIELDS.items()}
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return f"{PREFIX}.{_b64(raw)}.{_b64(key.sign(PREFIX.encode() + b'.' + raw))}"


def check_statement(text: str, public: ed25519.Ed25519PublicKey) -> dict[str, Any]:
    """``{"valid": bool, "reason": str, ...facts}`` for the text read from a QR code."""
    parts = text.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return {"valid": False, "reason": f"not a certificate statement (it must start {PREFIX}.)"}
    try:
        raw, signature = _unb64(parts[1]), _unb64(parts[2])
    except ValueError:
        return {"valid": False, "reason": "the statement is damaged (not base64url)"}
    try:
        public.verify(signature, PREFIX.encode() + b"." + raw)
    except InvalidSignature:
        return {
            "valid": False,
            "reason": "the statement's signature does not match: it was altered or signed by "
            "another key",
        }
    payload = json.loads(raw)
    facts = {long: payload.get(short) for short, long in FIELDS.items()}
    facts["student"] = facts["participant"]  # the name the contract (interfaces.md) gives it
    return {"valid": True, "reason": "signed by the provider's statement key", **facts}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from None
