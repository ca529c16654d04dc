"""Exercise versions by content hash: a score always names the exact envelope it was made against.

An exercise file can be edited and saved under the same id; the records keep every version they
have seen, keyed by the SHA-256 of the file's canonical JSON (sorted keys, no spaces), and a
session points at the version it was scored with. Storing the same version twice stores it once,
from any number of stations at once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Connection, select

from trainer.records.database import insert_ignore, utcnow
from trainer.records.errors import RecordsError
from trainer.records.schema import exercise_versions


def canonical_json(definition: dict[str, Any]) -> str:
    """The one text of an exercise definition that its hash is taken of."""
    return json.dumps(definition, sort_keys=True, separators=(",", ":"), allow_nan=False)


def content_hash(definition: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(definition).encode("utf-8")).hexdigest()


def exercise_version_pk(conn: Connection, definition: dict[str, Any]) -> int:
    """The stored version of this exercise definition, stored now if it is new."""
    digest = content_hash(definition)
    try:
        values = {
            "content_hash": digest,
            "exercise_id": str(definition["id"]),
            "name": str(definition.get("name") or definition["id"]),
            "version": int(definition.get("version", 1)),
            "pass_mark": float(definition["scoring"]["pass_mark"]),
            "definition": canonical_json(definition),
            "created_at": utcnow(),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordsError(f"exercise definition lacks a field: {exc}") from None
    insert_ignore(conn, exercise_versions, values, ["content_hash"])
    pk = conn.execute(
        select(exercise_versions.c.pk).where(exercise_versions.c.content_hash == digest)
    ).scalar_one()
    return int(pk)


def known_exercise_ids(conn: Connection) -> list[str]:
    q = select(exercise_versions.c.exercise_id).distinct().order_by(exercise_versions.c.exercise_id)
    return list(conn.execute(q).scalars())
