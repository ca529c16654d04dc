"""Whether a student may be certified for a course, and the facts the certificate states.

A certificate is issued only when the student passed every assessment of the course by its own
criteria (``trainer.records.assessments.result``: strokes, mean score, share passed, force CV,
rubric, feedback), on at least one whole attempt; otherwise ``RecordsError`` says which
assessment was not passed and which criteria the best attempt failed.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from trainer.records.assessments import result
from trainer.records.errors import RecordsError
from trainer.records.people import course, student
from trainer.records.schema import assessments, exercise_versions, sessions


def certificate_facts(
    conn: Connection, student_id: str, course_id: str, *, instructor: str, today: date
) -> dict[str, Any]:
    """The facts a continuing-education board asks for, or ``RecordsError`` with the reason."""
    c = course(conn, course_id)
    s = student(conn, student_id)
    tests = list(
        conn.execute(
            select(assessments)
            .where(assessments.c.course_id == course_id)
            .order_by(assessments.c.id)
        ).mappings()
    )
    if not tests:
        raise RecordsError(
            f"course '{course_id}' has no assessment: a certificate needs one passed"
        )
    results = []
    objectives = []
    for a in tests:
        attempts = list(
            conn.execute(
                select(sessions.c.id, sessions.c.started_at)
                .where(sessions.c.assessment_id == a["id"], sessions.c.student_pk == s["pk"])
                .order_by(sessions.c.started_at)
            )
        )
        if not attempts:
            raise RecordsError(
                f"student '{student_id}' has no attempt at assessment '{a['id']}' of course "
                f"'{course_id}': no certificate"
            )
        outcomes = [result(conn, row.id) for row in attempts]
        passed = [o for o in outcomes if o["passed"]]
        if not passed:
            best = min(outcomes, key=lambda o: len(o["failed"]))
            why = "; ".join(_criterion_text(k) for k in best["criteria"] if not k["met"])
            raise RecordsError(
                f"student '{student_id}' has not passed assessment '{a['id']}' of course "
                f"'{course_id}' ({len(outcomes)} attempt(s); closest: {why}): no certificate"
            )
        mean = next(k for k in passed[-1]["criteria"] if k["criterion"] == "mean_score")
        results.append(
            {
                "assessment": a["id"],
                "title": a["title"],
                "session": passed[-1]["session"],
                "mean_score": round(float(mean["value"]), 1),
                "pass_score": float(a["pass_score"]),
            }
        )
        objectives.append(_objective(conn, a))
    return {
        "kind": "iastm-trainer certificate",
        "student_id": student_id,
        "participant": s["name"],
        "licence": s["licence"] or "",
        "course_id": course_id,
        "course": c["name"],
        "provider": c["provider"] or "",
        "approval": c["approval"] or "",
        "hours": c["hours"],
        "date": today.isoformat(),
        "objectives": objectives,
        "result": "passed",
        "assessments": results,
        "instructor": instructor,
    }


def _objective(conn: Connection, a: Any) -> str:
    name = conn.execute(
        select(exercise_versions.c.name)
        .where(exercise_versions.c.exercise_id == a["exercise_id"])
        .order_by(exercise_versions.c.version.desc())
    ).scalar()
    rubric = json.loads(a["rubric"] or "{}")
    text = (
        f"Perform {a['strokes']} {name or a['exercise_id']} strokes with feedback "
        f"'{a['feedback']}', scoring a mean of at least {a['pass_score']:g} against the "
        "experts' force and angle envelope"
    )
    if a["max_cv_pct"] is not None:
        text += f", peak force varying by at most {a['max_cv_pct']:g} %"
    if rubric:
        text += ", rated by an instructor on " + ", ".join(sorted(rubric))
    return text


def _criterion_text(k: dict[str, Any]) -> str:
    value = k["value"]
    shown = f"{value:.1f}" if isinstance(value, float) else str(value)
    for kind in ("at_least", "at_most", "required"):
        if kind in k:
            limit = k[kind]
            return f"{k['criterion']} {shown}, needs {kind.replace('_', ' ')} {limit}".replace(
                "needs required", "needs"
            )
    return f"{k['criterion']} {shown}"
