"""A station's outbox: sessions that could not reach the lab's server wait here, and go when it
is back.

The outbox is a small SQLite file of its own on the station (``outbox.sqlite`` in the user's data
folder, owner-only like the records file), one row a session holding everything the server will
need, the exercise's definition and the raw recording included. Sending is idempotent: the server
keeps a session by its station-made UUID and ignores a copy it already holds, and a row leaves the
outbox only after the server has committed it, so a reply lost on the way (or the station
switched off between the two) sends it again and stores it once.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    select,
    update,
)

from trainer.paths import AppPaths
from trainer.records.database import Database, insert_ignore, open_sqlite, utcnow
from trainer.records.errors import RecordsError, ServerUnreachable
from trainer.records.sessions import NewSession, store_session

OUTBOX_FILE_NAME = "outbox.sqlite"

_metadata = MetaData()
outbox = Table(
    "outbox",
    _metadata,
    Column("session_id", String(36), primary_key=True),
    Column("student_id", Text, nullable=False),
    Column("server", Text, nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    # The session's JSON form (NewSession.to_payload), zlib-compressed.
    Column("payload", LargeBinary, nullable=False),
)


def default_outbox_path() -> Path:
    return AppPaths.default().data_dir / OUTBOX_FILE_NAME


@dataclass
class SendResult:
    """What one pass over the outbox did."""

    sent: list[str] = field(default_factory=list)
    already_held: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    waiting: int = 0
    unreachable: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "sent": len(self.sent),
            "already_held": len(self.already_held),
            "refused": self.refused,
            "waiting": self.waiting,
            "server_unreachable": self.unreachable,
        }


class Outbox:
    """The station's queue of sessions for the server."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_outbox_path()
        self._db: Database = open_sqlite(self.path)
        _metadata.create_all(self._db.engine)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put(self, new: NewSession, server: str) -> bool:
        """Queue a session for ``server``; queuing the same session twice keeps one copy."""
        payload = zlib.compress(json.dumps(new.to_payload()).encode("utf-8"), 6)
        values = {
            "session_id": new.id,
            "student_id": new.student_id,
            "server": server,
            "queued_at": utcnow(),
            "attempts": 0,
            "payload": payload,
        }
        return self._db.run(lambda c: insert_ignore(c, outbox, values, ["session_id"]))

    def waiting(self, server: str | None = None) -> int:
        q = select(func.count()).select_from(outbox)
        if server is not None:
            q = q.where(outbox.c.server == server)
        return int(self._db.read(lambda c: c.execute(q).scalar_one()))

    def entries(self, server: str | None = None) -> list[dict[str, object]]:
        """The waiting sessions, oldest first: id, student, when queued, attempts, last error."""
        q = select(
            outbox.c.session_id,
            outbox.c.student_id,
            outbox.c.server,
            outbox.c.queued_at,
            outbox.c.attempts,
            outbox.c.last_error,
        ).order_by(outbox.c.queued_at, outbox.c.session_id)
        if server is not None:
            q = q.where(outbox.c.server == server)
        return [dict(r) for r in self._db.read(lambda c: list(c.execute(q).mappings()))]

    def _load(self, session_id: str) -> NewSession | None:
        row = self._db.read(
            lambda c: c.execute(
                select(outbox.c.payload).where(outbox.c.session_id == session_id)
            ).first()
        )
        if row is None:
            return None
        return NewSession.from_payload(json.loads(zlib.decompress(row.payload)))

    def send(self, server_db: Database, server: str) -> SendResult:
        """Send every session waiting for ``server`` to ``server_db``, oldest first. Stops at the
        first sign that the server went away again; a session the server refuses (say, a student
        it does not know) stays, with the reason, and the rest go on."""
        result = SendResult()
        for entry in self.entries(server):
            sid = str(entry["session_id"])
            new = self._load(sid)
            if new is None:
                continue
            new.packed_recording()
            try:
                stored = server_db.run(lambda c, new=new: store_session(c, new))
            except ServerUnreachable as exc:
                result.unreachable = str(exc)
                break
            except RecordsError as exc:
                result.refused[sid] = str(exc)
                self._note_failure(sid, str(exc))
                continue
            (result.sent if stored else result.already_held).append(sid)
            self._db.run(
                lambda c, sid=sid: c.execute(delete(outbox).where(outbox.c.session_id == sid))
            )
        result.waiting = self.waiting(server)
        return result

    def _note_failure(self, session_id: str, error: str) -> None:
        self._db.run(
            lambda c: c.execute(
                update(outbox)
                .where(outbox.c.session_id == session_id)
                .values(attempts=outbox.c.attempts + 1, last_error=error)
            )
        )

    def forget(self, session_ids: Iterable[str]) -> int:
        """Drop queued sessions (an instructor's decision; nothing else removes one unsent)."""
        ids = list(session_ids)
        return self._db.run(
            lambda c: c.execute(delete(outbox).where(outbox.c.session_id.in_(ids))).rowcount
        )


def waiting_line(n: int) -> str:
    """The station's state in words: "3 sessions waiting to upload"."""
    if n == 0:
        return "no sessions waiting to upload"
    return f"{n} session{'s' if n != 1 else ''} waiting to upload"
