"""The report and certificate commands (``docs/interfaces.md``): ``report``, ``certify``,
``verify``, ``keys export``. Parsing and printing only; the work is done by ``trainer.reports``
and ``trainer.credentials``, imported when a command runs (typst and pyHanko are not loaded
for the other commands)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parsers(sub: Any) -> None:
    """Add the commands to the top-level sub-command parser ``sub``."""

    def command(name: str, help: str, handler: Any, parent: Any = sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help)
        p.add_argument(
            "--db",
            default=None,
            metavar="TARGET",
            help="a SQLite file or a postgresql:// URL (default: IASTM_TRAINER_DB, then the "
            "user's data folder)",
        )
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(handler=handler)
        return p

    p = command("report", "a PDF report of a session (tagged, accessible)", cmd_report)
    p.add_argument("kind", choices=("session",), help="what the report is of")
    p.add_argument("target", metavar="ID", help="the session's id")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")


def _records(args: argparse.Namespace) -> Any:
    from trainer.records.repository import Records

    return Records.open(args.db)


def _say(args: argparse.Namespace, text: str) -> None:
    print(text, file=sys.stderr if args.json else sys.stdout)


def cmd_report(args: argparse.Namespace) -> dict[str, Any]:
    from trainer.files.output import check_output
    from trainer.reports.session import write_session_report

    check_output(args.out, overwrite=args.force)  # before any work: a bad --out named at once
    with _records(args) as r:
        out = write_session_report(r, args.target, args.out, overwrite=args.force)
    _say(args, f"Report of session {args.target} written to {out['out']}")
    return out
