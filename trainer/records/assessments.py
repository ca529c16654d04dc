"""Assessment blocks: an exercise, a number of strokes, the feedback (normally none) and the pass
criteria; each attempt's result says which criterion failed; results can be held back until the
instructor releases them; and, before grading, who has no attempt, a partial one or several.

A session is an attempt at an assessment when it names it. The block is its first ``strokes``
strokes; a session with fewer is a partial attempt. Criteria: mean score at least
``pass_score``; the share of strokes passed at least ``pass_share`` (0 to 1); the peak force's
coefficient of variation over the block (consistency, a block figure) at most ``max_cv_pct``; and
each rubric item's mean rating (over raters) at least its minimum.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, insert, select, update

from trainer.records import audit
from trainer.records.database import as_utc, utcnow
from trainer.records.errors import RecordsError
from trainer.records.people import _check_id, course, course_students
from trainer.records.schema import assessments, ratings, sessions, strokes

FEEDBACK = ("none", "terminal", "concurrent", "bandwidth", "faded", "self-controlled")


def add_assessment(
    conn: Connection,
    assessment_id: str,
    *,
    course_id: str,
    exercise_id: str,
    strokes_n: int,
    pass_score: float,
    pass_share: float | None = None,
    max_cv_pct: float | None = None,
    rubric: dict[str, float] | None = None,
    feedback: str = "none",
    title: str | None = None,
) -> str:
    _check_id(assessment_id, "--id")
    course(conn, course_id)
    if strokes_n < 1:
        raise RecordsError(f"--strokes {strokes_n}: an assessment needs at least one stroke")
    if not 0 <= pass_score <= 100:
        raise RecordsError(f"--pass-score {pass_score:g}: must be from 0 to 100")
    if pass_share is not None and not 0 <= pass_share <= 1:
        raise RecordsError(f"--pass-share {pass_share:g}: a share from 0 to 1 (0.8 = 80 %)")
    if max_cv_pct is not None and not max_cv_pct > 0:
        raise RecordsError(f"--max-cv {max_cv_pct:g}: a coefficient of variation above 0 %")
    if feedback not in FEEDBACK:
        raise RecordsError(f"--feedback {feedback}: use one of {', '.join(FEEDBACK)}")
    if conn.execute(select(assessments.c.id).where(assessments.c.id == assessment_id)).first():
        raise RecordsError(f"assessment '{assessment_id}' already exists")
    conn.execute(
        insert(assessments).values(
            id=assessment_id,
            course_id=course_id,
            exercise_id=exercise_id,
            title=title or assessment_id,
            strokes=strokes_n,
            feedback=feedback,
            pass_score=pass_score,
            pass_share=pass_share,
            max_cv_pct=max_cv_pct,
            rubric=json.dumps(rubric or {}),
            created_at=utcnow(),
        )
    )
    audit.append(conn, "assessment added", f"assessment:{assessment_id}")
    return assessment_id


def assessment(conn: Connection, assessment_id: str) -> dict[str, Any]:
    row = conn.execute(select(assessments).where(assessments.c.id == assessment_id)).mappings()
    found = row.first()
    if found is None:
        raise RecordsError(f"unknown assessment '{assessment_id}'")
    return dict(found)


def release(conn: Connection, assessment_id: str) -> datetime:
    """Results of this assessment shown to students from now on."""
    assessment(conn, assessment_id)
    now = utcnow()
    conn.execute(
        update(assessments).where(assessments.c.id == assessment_id).values(released_at=now)
    )
    audit.append(conn, "assessment released", f"assessment:{assessment_id}")
    return now


def result(conn: Connection, session_id: str, *, as_student: bool = False) -> dict[str, Any]:
    """The attempt's result: ``passed``, each criterion's value, limit and verdict, and
    ``failed``: the names of those not met. ``as_student`` hides it all (``held``: true) until
    the instructor releases the assessment's results."""
    s = conn.execute(select(sessions).where(sessions.c.id == session_id)).mappings().first()
    if s is None:
        raise RecordsError(f"unknown session '{session_id}'")
    if s["assessment_id"] is None:
        raise RecordsError(f"session '{session_id}' is not an assessment attempt")
    a = assessment(conn, s["assessment_id"])
    if as_student and a["released_at"] is None:
        return {"assessment": a["id"], "session": session_id, "held": True}
    rows = list(
        conn.execute(
            select(strokes.c.score, strokes.c.passed, strokes.c.peak_force_n)
            .where(strokes.c.session_id == session_id)
            .order_by(strokes.c.idx)
            .limit(a["strokes"])
        )
    )
    scores = np.array([r.score for r in rows], dtype=float)
    criteria: list[dict[str, Any]] = [
        _criterion("strokes", len(rows), a["strokes"], len(rows) >= a["strokes"], "at least"),
    ]
    mean = float(scores.mean()) if scores.size else None
    criteria.append(
        _criterion(
            "mean_score", mean, a["pass_score"], mean is not None and mean >= a["pass_score"]
        )
    )
    if a["pass_share"] is not None:
        share = float(np.mean([r.passed for r in rows])) if rows else None
        ok = share is not None and share >= a["pass_share"]
        criteria.append(_criterion("pass_share", share, a["pass_share"], ok))
    if a["max_cv_pct"] is not None:
        peaks = np.array([r.peak_force_n for r in rows], dtype=float)
        cv = float(100 * peaks.std(ddof=1) / peaks.mean()) if peaks.size >= 2 else None
        ok = cv is not None and cv <= a["max_cv_pct"]
        criteria.append(_criterion("peak_force_cv_pct", cv, a["max_cv_pct"], ok, "at most"))
    for item, minimum in json.loads(a["rubric"]).items():
        values = list(
            conn.execute(
                select(ratings.c.value).where(
                    ratings.c.session_id == session_id, ratings.c.item == item
                )
            ).scalars()
        )
        mean_rating = float(np.mean(values)) if values else None
        ok = mean_rating is not None and mean_rating >= float(minimum)
        criteria.append(_criterion(f"rubric:{item}", mean_rating, float(minimum), ok))
    # The block is taken under the assessment's feedback (normally none): an attempt practised
    # with the band on screen is not one.
    schedules = sorted(
        {str(b.get("feedback")) for b in json.loads(s["blocks"] or "[]") if b.get("feedback")}
        - {"unset"}
    )
    criteria.append(
        {
            "criterion": "feedback",
            "value": ", ".join(schedules) or None,
            "required": a["feedback"],
            "met": all(f == a["feedback"] for f in schedules),
        }
    )
    failed = [c["criterion"] for c in criteria if not c["met"]]
    return {
        "assessment": a["id"],
        "session": session_id,
        "held": False,
        "released": a["released_at"] is not None,
        "passed": not failed,
        "failed": failed,
        "criteria": criteria,
    }


def _criterion(
    name: str, value: float | None, limit: float, met: bool, kind: str = "at least"
) -> dict[str, Any]:
    shown = None if value is None or not math.isfinite(value) else round(float(value), 3)
    return {"criterion": name, "value": shown, kind.replace(" ", "_"): limit, "met": bool(met)}


def completeness(conn: Connection, course_id: str) -> list[dict[str, Any]]:
    """For each of the course's assessments and students: ``none`` (no attempt), ``partial``
    (fewer strokes than the block), ``several`` (more than one whole attempt) or ``complete``;
    with the attempts' session ids, oldest first."""
    course(conn, course_id)
    blocks = list(
        conn.execute(
            select(assessments)
            .where(assessments.c.course_id == course_id)
            .order_by(assessments.c.id)
        ).mappings()
    )
    people = course_students(conn, course_id)
    out = []
    for a in blocks:
        for p in people:
            attempts = list(
                conn.execute(
                    select(sessions.c.id, sessions.c.stroke_count, sessions.c.started_at)
                    .where(sessions.c.assessment_id == a["id"], sessions.c.student_pk == p["pk"])
                    .order_by(sessions.c.started_at)
                )
            )
            whole = [t for t in attempts if t.stroke_count >= a["strokes"]]
            if not attempts:
                state = "none"
            elif not whole:
                state = "partial"
            elif len(attempts) > 1:
                state = "several"
            else:
                state = "complete"
            out.append(
                {
                    "assessment": a["id"],
                    "student_id": p["student_id"],
                    "name": p["name"],
                    "state": state,
                    "attempts": [t.id for t in attempts],
                    "last": as_utc(attempts[-1].started_at).isoformat() if attempts else None,
                }
            )
    return out
