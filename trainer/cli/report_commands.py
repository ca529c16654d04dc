"""The report and certificate commands (``docs/interfaces.md``): ``report``, ``certify``,
``verify``, ``keys export``. Parsing and printing only; the work is done by ``trainer.reports``
and ``trainer.credentials``, imported when a command runs (typst and pyHanko are not loaded
for the other commands)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from trainer.cli.arguments import records_command


def add_parsers(sub: Any) -> None:
    """Add the commands to the top-level sub-command parser ``sub``."""

    def command(name: str, help: str, handler: Any, parent: Any = sub) -> argparse.ArgumentParser:
        return records_command(parent, name, help, handler)

    p = command(
        "report", "a PDF report of a session, a student's progress or a class (tagged)", cmd_report
    )
    p.add_argument("kind", choices=("session", "student", "course"), help="what the report is of")
    p.add_argument("target", metavar="ID", help="the session's, student's or course's id")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")

    p = command(
        "certify",
        "a signed certificate, only for a student who passed the course's assessment",
        cmd_certify,
    )
    p.add_argument("student_id", metavar="SID")
    p.add_argument("--course", required=True)
    p.add_argument("--out", required=True, type=Path, metavar="CERT.pdf")
    p.add_argument("--instructor", help="the instructor named on it (default: the provider)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")

    p = command("verify", "check a certificate offline (exit 3 when it fails)", cmd_verify)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("certificate", nargs="?", type=Path, metavar="CERT.pdf")
    what.add_argument("--qr", metavar="TEXT", help="the text read from a printed copy's QR code")
    p.add_argument(
        "--key",
        type=Path,
        metavar="PROVIDER.pem",
        help="the provider's certificate as published (keys export); default: the one in --db",
    )

    p = command("audit", "the audit log of grades, ratings and certificates", cmd_audit)
    p.add_argument(
        "--check", action="store_true", required=True, help="check its hash chain end to end"
    )

    g = sub.add_parser("keys", help="the provider's signing key: export it to publish")
    inner = g.add_subparsers(dest="action", metavar="ACTION", parser_class=type(g))
    inner.required = True
    p = command(
        "export", "write the provider's certificate and fingerprint", cmd_keys_export, inner
    )
    p.add_argument("--out", required=True, type=Path, metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")


def _records(args: argparse.Namespace) -> Any:
    from trainer.records.repository import Records

    return Records.open(args.db)


def _say(args: argparse.Namespace, text: str) -> None:
    print(text, file=sys.stderr if args.json else sys.stdout)


def cmd_report(args: argparse.Namespace) -> dict[str, Any]:
    from trainer.files.output import check_output
    from trainer.reports.class_report import write_class_report
    from trainer.reports.progress import write_progress_report
    from trainer.reports.session import write_session_report

    check_output(args.out, overwrite=args.force)  # before any work: a bad --out named at once
    write = {
        "session": write_session_report,
        "student": write_progress_report,
        "course": write_class_report,
    }[args.kind]
    with _records(args) as r:
        out = write(r, args.target, args.out, overwrite=args.force)
    _say(args, f"Report of {args.kind} {args.target} written to {out['out']}")
    return out


def cmd_certify(args: argparse.Namespace) -> dict[str, Any]:
    from trainer.credentials.certificate import issue_certificate
    from trainer.files.output import check_output
    from trainer.records.passphrase import is_set, read_passphrase

    check_output(args.out, overwrite=args.force)
    with _records(args) as r:
        passphrase = read_passphrase(confirm=not r.db.read(is_set))
        out = issue_certificate(
            r,
            passphrase,
            args.student_id,
            args.course,
            args.out,
            instructor=args.instructor,
            overwrite=args.force,
        )
    _say(args, f"Certificate {out['certificate']} for {args.student_id} written to {out['out']}")
    return {"certificate": out["certificate"], "out": out["out"], "qr": out["qr"]}


def cmd_verify(args: argparse.Namespace) -> dict[str, Any]:
    from trainer.credentials.statement import check_statement
    from trainer.credentials.verify import verify_certificate
    from trainer.records.errors import RecordsError

    if args.qr is not None:
        out = check_statement(args.qr, _trusted_statement_key(args))
    else:
        if not args.certificate.is_file():
            raise RecordsError(f"{args.certificate}: no such file")
        out = verify_certificate(
            args.certificate, _trusted_certificate(args), _trusted_statement_key(args)
        )
    if not out["valid"]:
        args.exit_status = 3
        print(f"iastm-trainer verify: NOT VALID: {out['reason']}", file=sys.stderr)
    else:
        hours = "" if out.get("hours") is None else f", {float(out['hours']):g} hours"
        _say(
            args,
            f"Valid: {out['participant']} ({out['licence'] or 'no licence given'}), "
            f"{out['course']}, {out['date']}{hours}; {out['reason']}",
        )
    return out


def _trusted_certificate(args: argparse.Namespace) -> Any:
    from cryptography import x509

    from trainer.credentials.keys import provider_certificate
    from trainer.records.errors import RecordsError

    if args.key is not None:
        try:
            return x509.load_pem_x509_certificate(args.key.read_bytes())
        except OSError as exc:
            raise RecordsError(f"--key {args.key}: cannot read it: {exc.strerror}") from None
        except ValueError:
            raise RecordsError(
                f"--key {args.key}: not a PEM certificate (write one with keys export)"
            ) from None
    with _records(args) as r:
        cert = r.db.read(provider_certificate)
    if cert is None:
        raise RecordsError(
            f"{r.target}: holds no provider key yet (no certificate was signed): name the "
            "provider's published certificate with --key"
        )
    return cert


def _trusted_statement_key(args: argparse.Namespace) -> Any:
    """The provider's Ed25519 statement key: the PUBLIC KEY block of the published file, or the
    one in the records."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from trainer.credentials.keys import statement_public_key
    from trainer.records.errors import RecordsError

    if args.key is not None:
        try:
            text = args.key.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise RecordsError(f"--key {args.key}: cannot read it: {exc}") from None
        begin, end = "-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----"
        if begin not in text or end not in text:
            raise RecordsError(
                f"--key {args.key}: holds no statement key (write it with keys export)"
            )
        block = text[text.index(begin) : text.index(end) + len(end)]
        try:
            key = serialization.load_pem_public_key(block.encode("ascii"))
        except ValueError:
            key = None
        if not isinstance(key, ed25519.Ed25519PublicKey):
            raise RecordsError(f"--key {args.key}: its PUBLIC KEY block is not an Ed25519 key")
        return key
    with _records(args) as r:
        key = r.db.read(statement_public_key)
    if key is None:
        raise RecordsError(
            f"{r.target}: holds no provider key yet (no certificate was signed): name the "
            "provider's published keys with --key"
        )
    return key


def cmd_keys_export(args: argparse.Namespace) -> dict[str, Any]:
    from cryptography.hazmat.primitives import serialization

    from trainer.credentials.keys import fingerprint, provider_certificate, statement_public_key
    from trainer.files.atomic import write_atomic
    from trainer.records.errors import RecordsError

    with _records(args) as r:
        cert = r.db.read(provider_certificate)
        statement = r.db.read(statement_public_key)
    if cert is None:
        raise RecordsError(
            f"{r.target}: holds no provider key yet: it is made by the first certify"
        )
    fp = fingerprint(cert)
    pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    text = f"# {cert.subject.rfc4514_string()}\n# SHA-256 fingerprint: {fp}\n{pem}"
    if statement is not None:
        public = statement.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
        text += f"# The key that signs the QR codes' statements (Ed25519)\n{public}"
    path = write_atomic(args.out, text, overwrite=args.force)
    _say(args, f"The provider's certificate written to {path}; fingerprint {fp}")
    return {"out": str(path), "fingerprint": fp, "subject": cert.subject.rfc4514_string()}


def cmd_audit(args: argparse.Namespace) -> dict[str, Any]:
    from trainer.records.audit import check

    with _records(args) as r:
        out = r.db.read(check)
    if out["ok"]:
        _say(args, f"Audit log intact: {out['entries']} entries, every audited row matches")
    else:
        args.exit_status = 3
        print(f"iastm-trainer audit: TAMPERED: {out['reason']}", file=sys.stderr)
    return out
