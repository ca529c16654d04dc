"""A station's way of storing a finished session: straight into the database when it can, into
the local outbox when the lab's server cannot be reached, and the outbox emptied first whenever
the server answers again.

A SQLite target is a file on the station itself and needs no outbox; only a server target
(``postgresql://...``) can go away.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from trainer.records.database import default_target, is_server_target, open_database
from trainer.records.errors import ServerUnreachable
from trainer.records.outbox import Outbox, SendResult, waiting_line
from trainer.records.sessions import NewSession, store_session


@dataclass
class StoreOutcome:
    """Where the session went: ``stored`` (now in the database), ``already_held`` (it was) or
    ``queued`` (in the outbox); ``waiting``: sessions in the outbox afterwards."""

    state: str
    waiting: int
    sent_from_outbox: int = 0
    reason: str | None = None

    @property
    def line(self) -> str:
        return waiting_line(self.waiting)


def store_or_queue(
    new: NewSession,
    target: str | os.PathLike[str] | None = None,
    outbox_path: str | Path | None = None,
) -> StoreOutcome:
    """Store ``new`` in the database at ``target``; if that is a server that cannot be reached,
    keep it in the station's outbox instead. A ``RecordsError`` other than an unreachable server
    (an unknown student, say) is raised: that session must not wait for a server that will refuse
    it."""
    raw = str(target) if target is not None else default_target()
    new.packed_recording()  # outside any transaction: no lock held while compressing
    if not is_server_target(raw):
        with open_database(raw) as db:
            stored = db.run(lambda c: store_session(c, new))
        return StoreOutcome("stored" if stored else "already_held", 0)
    with Outbox(outbox_path) as box:
        try:
            with open_database(raw) as db:
                sent = box.send(db, raw)
                if sent.unreachable is not None:
                    raise ServerUnreachable(sent.unreachable)
                stored = db.run(lambda c: store_session(c, new))
        except ServerUnreachable as exc:
            box.put(new, raw)
            return StoreOutcome("queued", box.waiting(raw), reason=str(exc))
        state = "stored" if stored else "already_held"
        return StoreOutcome(state, box.waiting(raw), sent_from_outbox=len(sent.sent))


def send_outbox(
    target: str | os.PathLike[str] | None = None, outbox_path: str | Path | None = None
) -> SendResult:
    """Send what waits for the server at ``target``; an unreachable server sends nothing and says
    so in ``SendResult.unreachable``."""
    raw = str(target) if target is not None else default_target()
    with Outbox(outbox_path) as box:
        if not is_server_target(raw):
            return SendResult(waiting=box.waiting(raw))
        try:
            with open_database(raw) as db:
                return box.send(db, raw)
        except ServerUnreachable as exc:
            return SendResult(waiting=box.waiting(raw), unreachable=str(exc))
