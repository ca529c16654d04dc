"""The instructor passphrase: set by the first instructor command on a new database, then asked
for by every command that changes grades, students, exercises or assessments.

Kept as a salted scrypt hash (the standard library's ``hashlib.scrypt``: memory-hard, so a copied
database cannot be guessed at quickly) in the ``settings`` table. It is read before the command's
transaction opens (a terminal prompt must not hold a database lock) and checked inside it, so a
wrong passphrase rolls the whole command back.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import sys
from pathlib import Path

from sqlalchemy import Connection, insert, select

from trainer.records.errors import RecordsError
from trainer.records.schema import settings

PASSPHRASE_FILE_ENV = "IASTM_TRAINER_PASSPHRASE_FILE"
_KEY = "instructor_passphrase"
#: scrypt cost: about 50 ms and 16 MB a check on a laptop.
_N, _R, _P = 2**14, 8, 1
MIN_LENGTH = 8


def read_passphrase(*, confirm: bool = False) -> str:
    """The passphrase from the file named by ``IASTM_TRAINER_PASSPHRASE_FILE`` (its first line),
    else asked on the terminal (twice when ``confirm``: setting a new one)."""
    name = os.environ.get(PASSPHRASE_FILE_ENV, "").strip()
    if name:
        try:
            lines = Path(name).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise RecordsError(
                f"{PASSPHRASE_FILE_ENV}={name}: cannot read the passphrase file: {exc.strerror}"
            ) from None
        except UnicodeDecodeError:
            raise RecordsError(f"{PASSPHRASE_FILE_ENV}={name}: not UTF-8 text") from None
        if not lines or not lines[0]:
            raise RecordsError(f"{PASSPHRASE_FILE_ENV}={name}: the passphrase file is empty")
        return lines[0]
    if not sys.stdin or not sys.stdin.isatty():
        raise RecordsError(
            "instructor passphrase needed: run on a terminal, or name a file holding it in "
            f"{PASSPHRASE_FILE_ENV}"
        )
    try:
        first = getpass.getpass("Instructor passphrase: ")
        if confirm:
            again = getpass.getpass("The same passphrase again: ")
            if again != first:
                raise RecordsError("the two passphrases differ: nothing was changed")
    except EOFError:
        raise RecordsError("no instructor passphrase given: nothing was changed") from None
    return first


def is_set(conn: Connection) -> bool:
    return conn.execute(select(settings.c.value).where(settings.c.key == _KEY)).first() is not None


def check_or_set(conn: Connection, passphrase: str) -> bool:
    """Inside the command's transaction: set the passphrase if the database has none (returns
    True), else check it and raise ``RecordsError`` (rolling the command back) if it is wrong."""
    row = conn.execute(select(settings.c.value).where(settings.c.key == _KEY)).first()
    if row is None:
        if len(passphrase) < MIN_LENGTH:
            raise RecordsError(
                f"the instructor passphrase must have at least {MIN_LENGTH} characters"
            )
        conn.execute(insert(settings).values(key=_KEY, value=_hash(passphrase)))
        return True
    if not _verify(passphrase, row.value):
        raise RecordsError("wrong instructor passphrase: nothing was changed")
    return False


def _hash(passphrase: str, salt: bytes | None = None, n: int = _N, r: int = _R, p: int = _P) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def _verify(passphrase: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, _ = stored.split("$")
        if kind != "scrypt":
            return False
        again = _hash(passphrase, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(again, stored)
