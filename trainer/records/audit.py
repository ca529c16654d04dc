"""The audit log: an append-only hash chain of every change to grades, ratings, assessments and
certificates, so that a row edited behind the application's back (straight in SQLite or psql)
or a removed log entry is found by ``audit --check``.

Each entry records what was done to which subject (``session:ID``, ``rating:ID``,
``assessment:ID``, ``certificate:ID``), the SHA-256 of the subject's values after the change
(``null`` once deleted), and the hash of the entry before it. The check walks the chain from the
first entry (a changed or removed entry breaks the link after it) and then compares every
subject's values now with its newest entry (a changed score, rating or threshold no longer
matches), and finds rows made since the log began that have no entry at all. Appends are
serialised: SQLite writers hold the database's write lock, PostgreSQL takes a transaction-level
advisory lock, so two stations never fork the chain.

What it cannot do: someone able to write the database and recompute SHA-256 can rebuild the
whole chain; the chain proves the application's records agree with themselves, not who wrote
them (a signed checkpoint published elsewhere would).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, text

from trainer.records.database import as_utc
from trainer.records.schema import assessments, audit_log, ratings, sessions, settings, strokes

GENESIS = "0" * 64
_PG_LOCK = 7263_0412  # any fixed number: the advisory lock that serialises appends


def append(conn: Connection, action: str, subject: str) -> None:
    """Log ``action`` on ``subject`` with its values as they are now, in the caller's
    transaction (rolled back with it)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    last = conn.execute(
        select(audit_log.c.entry_hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).scalar()
    prev = last or GENESIS
    at = datetime.now(UTC).isoformat()
    values_hash = _values_hash(current_values(conn, subject))
    conn.execute(
        audit_log.insert().values(
            at=at,
            action=action,
            subject=subject,
            values_hash=values_hash,
            prev_hash=prev,
            entry_hash=_entry_hash(prev, at, action, subject, values_hash),
        )
    )


def check(conn: Connection) -> dict[str, Any]:
    """``{"ok", "entries", "first_bad", "reason"}``: the first entry whose link, or whose
    subject's values, do not hold."""
    rows = list(conn.execute(select(audit_log).order_by(audit_log.c.seq)).mappings())
    bad: list[tuple[int, str]] = []
    prev = GENESIS
    for r in rows:
        again = _entry_hash(prev, r["at"], r["action"], r["subject"], r["values_hash"])
        if r["prev_hash"] != prev:
            bad.append(
                (
                    r["seq"],
                    f"entry {r['seq']} does not follow the one before it (an entry "
                    "was removed or changed)",
                )
            )
            break
        if again != r["entry_hash"]:
            bad.append((r["seq"], f"entry {r['seq']} was changed"))
            break
        prev = r["entry_hash"]
    newest: dict[str, Any] = {}
    for r in rows:
        newest[r["subject"]] = r
    for subject, r in newest.items():
        if _values_hash(current_values(conn, subject)) != r["values_hash"]:
            bad.append(
                (
                    r["seq"],
                    f"{subject} differs from entry {r['seq']}: changed outside the application",
                )
            )
    if rows:
        unlogged = [s for s in _subjects_since(conn, rows[0]["at"]) if s not in newest]
        if unlogged:
            bad.append(
                (
                    rows[-1]["seq"],
                    f"{unlogged[0]} has no audit entry: written outside "
                    f"the application ({len(unlogged)} such)",
                )
            )
    if not bad:
        return {"ok": True, "entries": len(rows), "first_bad": None, "reason": None}
    seq, reason = min(bad)
    return {"ok": False, "entries": len(rows), "first_bad": seq, "reason": reason}


def current_values(conn: Connection, subject: str) -> Any:
    """The audited values of ``subject`` as they are now, None when it is gone."""
    kind, _, key = subject.partition(":")
    if kind == "session":
        s = conn.execute(
            select(sessions.c.stroke_count, sessions.c.mean_score, sessions.c.passed).where(
                sessions.c.id == key
            )
        ).first()
        if s is None:
            return None
        marks = conn.execute(
            select(strokes.c.idx, strokes.c.score, strokes.c.passed)
            .where(strokes.c.session_id == key)
            .order_by(strokes.c.idx)
        )
        return [list(s), [list(m) for m in marks]]
    if kind == "rating":
        r = conn.execute(
            select(
                ratings.c.session_id,
                ratings.c.stroke_idx,
                ratings.c.instructor_pk,
                ratings.c.item,
                ratings.c.value,
                ratings.c.comment,
            ).where(ratings.c.id == key)
        ).first()
        return None if r is None else list(r)
    if kind == "assessment":
        a = conn.execute(select(assessments).where(assessments.c.id == key)).mappings().first()
        if a is None:
            return None
        out = {k: v for k, v in a.items() if k != "created_at"}
        out["released_at"] = None if a["released_at"] is None else as_utc(a["released_at"])
        return out
    if kind == "certificate":
        return conn.execute(select(settings.c.value).where(settings.c.key == subject)).scalar()
    raise ValueError(f"unknown audit subject {subject!r}")


def _subjects_since(conn: Connection, began: str) -> list[str]:
    since = datetime.fromisoformat(began)
    out = []
    for s in conn.execute(select(sessions.c.id, sessions.c.created_at)):
        if as_utc(s.created_at) >= since:
            out.append(f"session:{s.id}")
    for r in conn.execute(select(ratings.c.id, ratings.c.created_at)):
        if as_utc(r.created_at) >= since:
            out.append(f"rating:{r.id}")
    for a in conn.execute(select(assessments.c.id, assessments.c.created_at)):
        if as_utc(a.created_at) >= since:
            out.append(f"assessment:{a.id}")
    return out


def _values_hash(values: Any) -> str:
    raw = json.dumps(values, sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _plain(x: Any) -> Any:
    if isinstance(x, datetime):
        return as_utc(x).isoformat()
    return str(x)


def _entry_hash(prev: str, at: str, action: str, subject: str, values_hash: str) -> str:
    raw = "\n".join((prev, at, action, subject, values_hash))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
