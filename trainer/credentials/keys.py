"""The course provider's signing key: made on first use, kept encrypted under the instructor's
passphrase, never written in clear.

One key pair for the records database (its provider), an ECDSA P-256 key with a self-signed
X.509 certificate whose key usage includes non-repudiation (PAdES validators, pyHanko's among
them, ask for it on a document signature). Both live in the records' ``settings`` table: the
private key as encrypted PKCS#8 (cryptography's best available encryption, keyed by the
passphrase), the certificate as PEM. The passphrase that unlocks it is the one the records
check, so a wrong one is refused before the key is touched. The certificate is what verifiers
trust: ``keys export`` writes it with its SHA-256 fingerprint for the provider to publish.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID
from sqlalchemy import Connection, insert, select

from trainer.records.errors import RecordsError
from trainer.records.schema import settings

KEY_SETTING = "provider_signing_key"
CERT_SETTING = "provider_certificate"
#: The Ed25519 key that signs the QR code's statement (``statement.py``), and its public half.
STATEMENT_KEY_SETTING = "provider_statement_key"
STATEMENT_PUBLIC_SETTING = "provider_statement_public"
#: A provider's certificate outlives the courses it signs: boards keep records for years.
VALID_YEARS = 30


@dataclass(frozen=True)
class ProviderKey:
    """The unlocked key (in memory only) and its certificate."""

    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    statement_key: ed25519.Ed25519PrivateKey

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, as colon-separated hex: what a provider publishes."""
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def provider_certificate(conn: Connection) -> x509.Certificate | None:
    """The provider's certificate, or None before the first certificate was signed."""
    pem = conn.execute(select(settings.c.value).where(settings.c.key == CERT_SETTING)).scalar()
    return None if pem is None else x509.load_pem_x509_certificate(pem.encode("ascii"))


def statement_public_key(conn: Connection) -> ed25519.Ed25519PublicKey | None:
    pem = conn.execute(
        select(settings.c.value).where(settings.c.key == STATEMENT_PUBLIC_SETTING)
    ).scalar()
    if pem is None:
        return None
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    return key if isinstance(key, ed25519.Ed25519PublicKey) else None


def unlock_or_create(conn: Connection, passphrase: str, provider: str) -> ProviderKey:
    """Inside an instructor transaction whose passphrase was already checked: the provider's
    keys, each made now (and stored encrypted) if the database has none."""
    key = _private(conn, KEY_SETTING, passphrase)
    if key is None:
        key = ec.generate_private_key(ec.SECP256R1())
        _store_private(conn, KEY_SETTING, key, passphrase)
        pem = _self_signed(key, provider).public_bytes(serialization.Encoding.PEM)
        conn.execute(insert(settings).values(key=CERT_SETTING, value=pem.decode("ascii")))
    statement = _private(conn, STATEMENT_KEY_SETTING, passphrase)
    if statement is None:
        statement = ed25519.Ed25519PrivateKey.generate()
        _store_private(conn, STATEMENT_KEY_SETTING, statement, passphrase)
        public = statement.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        conn.execute(
            insert(settings).values(key=STATEMENT_PUBLIC_SETTING, value=public.decode("ascii"))
        )
    cert = provider_certificate(conn)
    if (
        not isinstance(key, ec.EllipticCurvePrivateKey)
        or not isinstance(statement, ed25519.Ed25519PrivateKey)
        or cert is None
    ):
        raise RecordsError("the provider's signing keys in the records are damaged")
    return ProviderKey(key, cert, statement)


def _private(conn: Connection, setting: str, passphrase: str) -> Any:
    held = conn.execute(select(settings.c.value).where(settings.c.key == setting)).scalar()
    if held is None:
        return None
    try:
        return serialization.load_pem_private_key(
            held.encode("ascii"), password=passphrase.encode("utf-8")
        )
    except ValueError:
        raise RecordsError(
            "the provider's signing key does not open with this passphrase: it was made under "
            "another one"
        ) from None


def _store_private(conn: Connection, setting: str, key: Any, passphrase: str) -> None:
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )
    conn.execute(insert(settings).values(key=setting, value=encrypted.decode("ascii")))


def _self_signed(key: ec.EllipticCurvePrivateKey, provider: str) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{provider} (certificates)"[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, provider[:64]),
        ]
    )
    now = datetime.now(UTC)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
