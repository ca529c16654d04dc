"""What the commands' arguments share: numbers that must make sense, and the records' options.

A wrong number gets argparse's one line naming the argument and exit 2, never a traceback; every
command that reads the records takes ``--db`` and ``--json`` the same way.
"""

from __future__ import annotations

import argparse
import math
from typing import Any


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def nonnegative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def records_command(parent: Any, name: str, help: str, handler: Any) -> argparse.ArgumentParser:
    """A sub-command of ``parent`` that opens the records: ``--db`` and ``--json``, and its
    handler."""
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
