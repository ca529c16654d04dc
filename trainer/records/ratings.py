"""Rubric ratings: an instructor's mark for an item on a session or one of its strokes, and the
tables of them that rater agreement is computed on.

A rating is keyed by a UUID made where it was given; the same rater rating the same item of the
same target again replaces their earlier value (a corrected mark, not a second rater).
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, insert, select

from trainer.records import audit
from trainer.records.agreement import icc
from trainer.records.database import utcnow
from trainer.records.errors import RecordsError
from trainer.records.people import course, instructor_pk
from trainer.records.schema import instructors, ratings, sessions, strokes


def rate(
    conn: Connection,
    session_id: str,
    *,
    rater: str,
    item: str,
    value: float,
    stroke: int | None = None,
    comment: str | None = None,
) -> str:
    if conn.execute(select(sessions.c.id).where(sessions.c.id == session_id)).first() is None:
        raise RecordsError(f"unknown session '{session_id}'")
    if not item.strip() or len(item) > 64:
        raise RecordsError(f"--item {item!r}: a rubric item needs 1 to 64 characters")
    if not math.isfinite(value):
        raise RecordsError(f"--value {value}: not a number")
    if stroke is not None:
        found = conn.execute(
            select(strokes.c.idx).where(strokes.c.session_id == session_id, strokes.c.idx == stroke)
        ).first()
        if found is None:
            raise RecordsError(f"--stroke {stroke}: session '{session_id}' has no such stroke")
    who = instructor_pk(conn, rater)
    same = (
        (ratings.c.session_id == session_id)
        & (ratings.c.instructor_pk == who)
        & (ratings.c.item == item)
        & (ratings.c.stroke_idx.is_(None) if stroke is None else ratings.c.stroke_idx == stroke)
    )
    replaced = list(conn.execute(select(ratings.c.id).where(same)).scalars())
    conn.execute(delete(ratings).where(same))
    for old in replaced:
        audit.append(conn, "rating replaced", f"rating:{old}")
    rating_id = str(uuid.uuid4())
    conn.execute(
        insert(ratings).values(
            id=rating_id,
            session_id=session_id,
            stroke_idx=stroke,
            instructor_pk=who,
            item=item,
            value=float(value),
            comment=comment,
            created_at=utcnow(),
        )
    )
    audit.append(conn, "rated", f"rating:{rating_id}")
    return rating_id


def ratings_of(conn: Connection, session_id: str) -> list[dict[str, Any]]:
    """The ratings given on a session and its strokes (``stroke`` None: the whole session), by
    stroke, item and rater: what a rater sees beside the strokes they are rating."""
    q = (
        select(
            ratings.c.stroke_idx,
            ratings.c.item,
            ratings.c.value,
            ratings.c.comment,
            instructors.c.name,
        )
        .join(instructors, instructors.c.pk == ratings.c.instructor_pk)
        .where(ratings.c.session_id == session_id)
        .order_by(ratings.c.stroke_idx, ratings.c.item, instructors.c.name)
    )
    return [
        {
            "stroke": r.stroke_idx,
            "item": r.item,
            "value": float(r.value),
            "comment": r.comment,
            "rater": r.name,
        }
        for r in conn.execute(q)
    ]


def agreement(conn: Connection, course_id: str, item: str | None = None) -> dict[str, Any]:
    """Agreement between the raters of ``item`` (the most rated item if None) on the course's
    sessions and strokes, over the targets every one of them rated; and, under ``automated``, of
    the raters' mean with the automated score (meaningful for items rated on its 0-100 scale)."""
    course(conn, course_id)
    q = (
        select(
            ratings.c.session_id,
            ratings.c.stroke_idx,
            ratings.c.item,
            ratings.c.value,
            instructors.c.name,
        )
        .join(sessions, sessions.c.id == ratings.c.session_id)
        .join(instructors, instructors.c.pk == ratings.c.instructor_pk)
        .where(sessions.c.course_id == course_id)
    )
    rows = list(conn.execute(q))
    if not rows:
        raise RecordsError(f"course '{course_id}': no ratings yet")
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.item] += 1
    if item is None:
        item = max(sorted(counts), key=lambda i: counts[i])
    elif item not in counts:
        raise RecordsError(
            f"--item {item}: not rated in course '{course_id}' (rated: {', '.join(sorted(counts))})"
        )
    table: dict[tuple[str, int | None], dict[str, float]] = defaultdict(dict)
    for r in rows:
        if r.item == item:
            table[(r.session_id, r.stroke_idx)][r.name] = float(r.value)
    raters = sorted({name for cells in table.values() for name in cells})
    targets = sorted(
        (t for t, cells in table.items() if len(cells) == len(raters)),
        key=lambda t: (t[0], -1 if t[1] is None else t[1]),
    )
    if len(raters) < 2 or len(targets) < 2:
        raise RecordsError(
            f"course '{course_id}', item '{item}': agreement needs at least two sessions or "
            f"strokes rated by every rater, and two raters ({len(raters)} raters, "
            f"{len(targets)} targets rated by all)"
        )
    y = np.array([[table[t][name] for name in raters] for t in targets])
    out = icc(y).as_json()
    out.update({"item": item, "rater_names": raters})
    auto = _automated(conn, targets)
    if auto is not None:
        paired = np.column_stack([y.mean(axis=1), auto])
        out["automated"] = {k: v for k, v in icc(paired).as_json().items() if k in _AUTO_KEYS}
    else:
        out["automated"] = None
    return out


_AUTO_KEYS = ("icc_2_1", "ci95", "sem", "mdc95", "subjects")


def _automated(conn: Connection, targets: list[tuple[str, int | None]]) -> np.ndarray | None:
    values = []
    for session_id, idx in targets:
        if idx is None:
            v = conn.execute(
                select(sessions.c.mean_score).where(sessions.c.id == session_id)
            ).scalar()
        else:
            v = conn.execute(
                select(strokes.c.score).where(
                    strokes.c.session_id == session_id, strokes.c.idx == idx
                )
            ).scalar()
        if v is None:
            return None
        values.append(float(v))
    return np.array(values)
