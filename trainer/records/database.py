"""Opening the records database: a SQLite file by default, a PostgreSQL server for a lab.

One code path for both. ``--db TARGET`` (or ``IASTM_TRAINER_DB``) is a file path for SQLite or a
``postgresql://`` URL; without either, ``records.sqlite`` in the user's data folder.

SQLite: WAL (readers never wait for the writer), foreign keys on, a 30 s busy timeout, and every
write transaction begun with ``BEGIN IMMEDIATE`` so that two writers queue for the lock instead
of one failing on "database is locked" when it tries to upgrade a read lock. The file is created
readable by its owner only (0600); SQLite gives its ``-wal`` and ``-shm`` files the same mode.

PostgreSQL: psycopg 3, a 5 s connect timeout, pre-ping so a station's pool survives a restarted
server. A server that does not answer raises ``ServerUnreachable`` (the station's outbox catches
it).

Every write goes through ``Database.run``: the whole function is one transaction, rolled back on
any error (the database exactly as it was), and run again, up to a few times, when the backend
reports a transient conflict (SQLite busy past its timeout, a PostgreSQL deadlock or
serialisation failure).

Migrations (Alembic, shipped in ``migrations/`` inside the package) run on open when the
database's revision is not this program's; Alembic is imported only then.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from trainer.records.errors import RecordsError, ServerUnreachable
from trainer.records.schema import SCHEMA_VERSION
from trainer.records.target import DB_ENV as DB_ENV
from trainer.records.target import DEFAULT_FILE_NAME as DEFAULT_FILE_NAME
from trainer.records.target import default_target as default_target
from trainer.records.target import is_server_target as is_server_target

#: How long a SQLite writer waits for another's lock before the retry loop takes over.
SQLITE_BUSY_TIMEOUT_S = 30.0
#: Attempts of one transaction on a transient conflict.
MAX_ATTEMPTS = 6
#: PostgreSQL states that mean "run it again": serialisation failure, deadlock.
_RETRY_SQLSTATES = {"40001", "40P01"}
#: PostgreSQL's answers that a station cannot wait out: a wrong password or role (28), a
#: database that does not exist (3D), no right to it (42501).
_REFUSED_SQLSTATES = ("28", "3D", "42501")
#: SQLite's words for a file it cannot use, and what they mean to the user.
_SQLITE_FILE_FAULTS = (
    ("unable to open database file", "cannot open the records database or its -wal/-shm files"),
    ("readonly database", "the records database is read-only here"),
    ("disk is full", "the disk holding the records database is full"),
    ("disk I/O error", "the disk holding the records database failed to read or write"),
)
#: The same refusals when they come while connecting (libpq gives no SQLSTATE then).
_REFUSED_PHRASES = (
    "does not exist",
    "password authentication failed",
    "no pg_hba.conf entry",
    "permission denied",
)
#: The advisory lock key that serialises migrations on a PostgreSQL server ("iastm" in hex-ish).
_MIGRATION_LOCK_KEY = 0x1A57_0001

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC time (SQLite hands back naive times written as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any], keys: list[str]) -> bool:
    """Insert a row unless one with the same ``keys`` exists (``ON CONFLICT DO NOTHING`` on
    both backends): two stations storing the same thing at once store it once. True if inserted."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = (
        dialect_insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=keys)
        .returning(*(table.c[k] for k in keys))
    )
    return conn.execute(stmt).first() is not None


@dataclass
class Database:
    """An open records database. ``run`` for transactions; ``close`` when done."""

    engine: Engine
    target: str
    backend: str
    path: Path | None = None

    def run(self, fn: Callable[[Connection], T], *, write: bool = True) -> T:
        """``fn(conn)`` in one transaction, committed if it returns, rolled back if it raises,
        and tried again on a transient conflict between concurrent writers."""
        delay = 0.02
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self._transaction(write) as conn:
                    return fn(conn)
            except DBAPIError as exc:
                if attempt < MAX_ATTEMPTS and self._transient(exc):
                    time.sleep(delay * (1 + random.random()))
                    delay *= 2
                    continue
                raise self._translate(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def read(self, fn: Callable[[Connection], T]) -> T:
        return self.run(fn, write=False)

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if write and self.backend == "sqlite":
                conn = conn.execution_options(sqlite_immediate=True)
            with conn.begin():
                yield conn

    def _transient(self, exc: DBAPIError) -> bool:
        if self.backend == "sqlite":
            msg = str(exc.orig).lower()
            return isinstance(exc, OperationalError) and ("locked" in msg or "busy" in msg)
        return getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES

    def _translate(self, exc: DBAPIError) -> Exception:
        """A connection failure as ``ServerUnreachable``, a damaged file as ``RecordsError``."""
        state = getattr(exc.orig, "sqlstate", None) or ""
        refused = state.startswith(_REFUSED_SQLSTATES) or (
            not state and any(phrase in str(exc.orig) for phrase in _REFUSED_PHRASES)
        )
        if self.backend == "postgresql" and refused:
            # The server answered and said no: a setting to correct, not a session to queue.
            return RecordsError(f"{_shown_target(self.target)}: {_first_line(exc.orig)}")
        if self.backend == "postgresql" and _is_connection_failure(exc):
            return ServerUnreachable(f"{_shown_target(self.target)}: {_first_line(exc.orig)}")
        if self.backend == "sqlite" and "not a database" in str(exc.orig):
            return RecordsError(f"{self.target}: not a records database (not a SQLite file)")
        if self.backend == "sqlite" and isinstance(exc, OperationalError):
            for phrase, meaning in _SQLITE_FILE_FAULTS:
                if phrase in str(exc.orig):
                    return RecordsError(f"{self.target}: {meaning}; nothing was changed")
        return exc

    def schema_version(self) -> str | None:
        return self.read(_read_revision)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_database(
    target: str | os.PathLike[str] | None = None, *, migrate: bool = True
) -> Database:
    """Open (creating if need be) the records database at ``target`` and bring its schema to this
    program's version. ``RecordsError`` names a target that cannot be used."""
    raw = str(target) if target is not None else default_target()
    db = _open_postgresql(raw) if is_server_target(raw) else open_sqlite(sqlite_path(raw))
    if migrate:
        try:
            upgrade(db)
        except BaseException:
            db.close()
            raise
    return db


def sqlite_path(raw: str) -> Path:
    """The file of a SQLite target: a path, or a ``sqlite:///path`` URL as SQLAlchemy writes it.
    ``sqlite://`` (a database in memory) keeps nothing and is refused, as is any other URL: a
    file named ``sqlite:`` or ``mysql:`` in the working folder is never what was meant."""
    if raw.startswith("sqlite:"):
        rest = raw.removeprefix("sqlite:")
        if not rest.startswith("///") or not rest[3:]:
            raise RecordsError(
                f"{raw}: a records database must be a file (a path, or sqlite:///PATH)"
            )
        return Path(rest[3:]).expanduser()
    if "://" in raw:
        try:
            shown = make_url(raw).render_as_string(hide_password=True)
        except Exception:
            shown = raw.split("://", 1)[0] + "://..."
        raise RecordsError(f"{shown}: not a records database (a file path, or postgresql://...)")
    return Path(raw).expanduser()


def open_sqlite(path: Path) -> Database:
    """A SQLite file as a ``Database`` (owner-only, WAL, foreign keys), no migrations."""
    if path.is_dir():
        raise RecordsError(f"{path}: is a folder, not a records database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)  # grades and names: the owner's eyes only
    except OSError as exc:
        raise RecordsError(f"{path}: cannot create the records database: {exc.strerror}") from None
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at each checkpoint
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return Database(engine, str(path), "sqlite", path)


def _open_postgresql(url: str) -> Database:
    try:
        parsed = make_url(url)
    except Exception:
        raise RecordsError(f"--db {url!r}: not a database URL") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(
        parsed,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 5, "application_name": "iastm-trainer"},
    )
    return Database(engine, url, "postgresql")


def upgrade(db: Database) -> str:
    """Create or migrate the schema to ``SCHEMA_VERSION``; safe to repeat and to run from two
    programs at once (the second finds the work done). Returns the version."""
    current = db.schema_version()
    if current == SCHEMA_VERSION:
        return current
    if current is not None and current > SCHEMA_VERSION:
        raise RecordsError(
            f"{_shown_target(db.target)}: written by a newer iastm-trainer (schema {current}; "
            f"this one knows up to {SCHEMA_VERSION}); update the program"
        )
    db.run(_migrate)
    return SCHEMA_VERSION


def migrate_to(db: Database, revision: str) -> None:
    """Bring the schema to one given revision (the tests build each earlier schema this way)."""
    db.run(lambda conn: _migrate(conn, revision))


def revisions() -> list[str]:
    """Every schema revision, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


def _migrate(conn: Connection, revision: str = "head") -> None:
    from alembic import command

    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
    config = _alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, revision)


def _read_revision(conn: Connection) -> str | None:
    if conn.dialect.name == "postgresql":
        exists = conn.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar()
    else:
        exists = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
        ).scalar()
    if not exists:
        return None
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except ProgrammingError:  # pragma: no cover - dropped between the two statements
        return None


def _is_connection_failure(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    state = getattr(exc.orig, "sqlstate", None)
    if state is None:
        return isinstance(exc, OperationalError)
    return state.startswith(("08", "57P"))


def _first_line(exc: object) -> str:
    """The server's own words when it gave any (after libpq's "FATAL:"), else the first line."""
    text = str(exc).strip()
    if "FATAL:" in text:
        return " ".join(text.split("FATAL:", 1)[1].split())
    lines = text.splitlines()
    return lines[0] if lines else type(exc).__name__


def _shown_target(target: str) -> str:
    """The target with any password hidden, for messages."""
    if is_server_target(target):
        try:
            return make_url(target).render_as_string(hide_password=True)
        except Exception:
            return "the database server"
    return target
