"""The Open Badges 3.0 credential: its eddsa-jcs-2022 proof checks with the provider's Ed25519
key, and fails for a changed name or another key."""

from __future__ import annotations

import copy

from cryptography.hazmat.primitives.asymmetric import ed25519

from trainer.credentials.badge import _base58, _unbase58, achievement_credential, check_credential

FACTS = {
    "certificate": "7f1c7a0e-9a51-4c55-9d7e-2f3f2d1f0a11",
    "participant": "Ann Archer",
    "licence": "PT-12345",
    "student_id": "s1",
    "course_id": "ce101",
    "course": "IASTM for the forearm",
    "provider": "North Uni Physio",
    "approval": "TPTA-2026-0042",
    "hours": 8.0,
    "date": "2026-12-04",
    "objectives": ["Perform 10 Sweep strokes"],
    "result": "passed",
    "instructor": "Dr Lee",
}


def test_the_credential_is_an_achievement_credential_whose_proof_checks() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    vc = achievement_credential(FACTS, key)
    assert vc["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert vc["credentialSubject"]["name"] == "Ann Archer"
    assert vc["issuer"]["id"].startswith("did:key:z6Mk")  # an Ed25519 did:key
    assert vc["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert check_credential(vc, key.public_key()) is None


def test_a_changed_credential_or_another_key_fails() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    vc = achievement_credential(FACTS, key)
    changed = copy.deepcopy(vc)
    changed["credentialSubject"]["name"] = "Mallory Forger"
    assert "altered" in check_credential(changed, key.public_key())
    other = ed25519.Ed25519PrivateKey.generate()
    assert "another issuer key" in check_credential(vc, other.public_key())


def test_base58_round_trips_leading_zeros() -> None:
    for data in (b"", b"\0\0\x01", bytes(range(40))):
        assert _unbase58(_base58(data)) == data
