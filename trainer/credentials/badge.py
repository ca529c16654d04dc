"""The certificate as an Open Badges 3.0 credential: a W3C Verifiable Credential of type
``AchievementCredential``, embedded in the PDF beside the facts, so a learner's wallet or a
registry that speaks Open Badges can take it as it is.

Secured with a Data Integrity proof, cryptosuite ``eddsa-jcs-2022``: the proof options and the
credential are each canonicalised (JSON Canonicalization Scheme, RFC 8785), hashed with SHA-256,
and the two hashes signed with the provider's Ed25519 statement key. The verification method
is that key as a ``did:key``. The credential carries no floating-point numbers, so Python's
sorted, compact JSON is exactly JCS for it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB = b"\xed\x01"  # multicodec prefix of an Ed25519 public key


def did_key(public: ed25519.Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:z" + _base58(_ED25519_PUB + raw)


def achievement_credential(facts: dict[str, Any], key: ed25519.Ed25519PrivateKey) -> dict[str, Any]:
    """The signed credential for a certificate's facts."""
    issuer = did_key(key.public_key())
    hours = facts.get("hours")
    criteria = "; ".join(facts.get("objectives", [])) or "Passed the course's assessment."
    credential = {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{facts['certificate']}",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": f"{facts['course']}: certificate of completion",
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": facts.get("provider") or "IASTM course provider",
        },
        "validFrom": f"{facts['date']}T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": facts["participant"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": facts.get("licence") or facts.get("student_id", ""),
                    "identityType": "identifier",
                    "hashed": False,
                }
            ],
            "achievement": {
                "id": f"urn:iastm-trainer:course:{facts['course_id']}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": facts["course"],
                "description": (
                    f"{facts['course']} ({facts.get('approval') or 'no approval number'}), "
                    f"{'' if hours is None else f'{hours:g} contact hours, '}"
                    f"result: {facts['result']}; instructor {facts.get('instructor', '')}"
                ),
                "criteria": {"narrative": criteria},
            },
        },
    }
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": f"{facts['date']}T00:00:00Z",
        "verificationMethod": f"{issuer}#{issuer.removeprefix('did:key:')}",
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_signing_input(credential, proof))
    return {**credential, "proof": {**proof, "proofValue": "z" + _base58(signature)}}


def check_credential(credential: dict[str, Any], public: ed25519.Ed25519PublicKey) -> str | None:
    """None when the credential's proof checks with ``public``; else why not."""
    proof = dict(credential.get("proof") or {})
    value = proof.pop("proofValue", "")
    if proof.get("cryptosuite") != "eddsa-jcs-2022" or not value.startswith("z"):
        return "the Open Badges credential carries no eddsa-jcs-2022 proof"
    if not str(proof.get("verificationMethod", "")).startswith(did_key(public)):
        return "the Open Badges credential names another issuer key"
    body = {k: v for k, v in credential.items() if k != "proof"}
    try:
        public.verify(_unbase58(value[1:]), _signing_input(body, proof))
    except (InvalidSignature, ValueError):
        return "the Open Badges credential's proof does not match: it was altered"
    return None


def _signing_input(credential: dict[str, Any], proof: dict[str, Any]) -> bytes:
    # eddsa-jcs-2022: hash(canonical proof options, with the document's @context) || hash(doc)
    options = {**proof, "@context": credential["@context"]}
    return hashlib.sha256(_jcs(options)).digest() + hashlib.sha256(_jcs(credential)).digest()


def _jcs(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _base58(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def _unbase58(text: str) -> bytes:
    n = 0
    for ch in text:
        i = _B58.find(ch)
        if i < 0:
            raise ValueError(f"not base58: {ch!r}")
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body
