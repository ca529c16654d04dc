"""Learning over weeks: one student's sessions on one exercise, and the class as a whole.

Progress: each session's mean score, force error, angle error, consistency and pass rate, in
order, with practice and retention (no feedback) sessions told apart, since retention is what
learning is; and the same figures by ISO week. The class: each student's recent mean and trend,
who is behind, which exercises are hardest, and the spread of scores. Everything is read from the
stored session figures (one query each), never by re-scoring recordings, so the views draw
quickly on a semester's data. The window's charts and ``--json`` print the same numbers.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, select

from trainer.records.database import as_utc
from trainer.records.errors import RecordsError
from trainer.records.people import course, student
from trainer.records.schema import enrolments, exercise_versions, sessions, strokes, students

#: A student's recent figure is the mean of their last this many sessions.
RECENT_SESSIONS = 3

_FIGURES = ("mean_score", "force_error_pct", "angle_error_deg", "consistency", "pass_rate_pct")


def student_progress(
    conn: Connection, student_id: str, exercise_id: str | None = None
) -> dict[str, Any]:
    """``{"student_id", "exercises": {EX: {"sessions": [...], "weeks": [...]}}}``."""
    who = student(conn, student_id)
    q = (
        select(
            sessions.c.id,
            sessions.c.started_at,
            sessions.c.mode,
            sessions.c.stroke_count,
            sessions.c.passed,
            sessions.c.blocks,
            exercise_versions.c.exercise_id,
            *(sessions.c[f] for f in _FIGURES),
        )
        .join(exercise_versions, exercise_versions.c.pk == sessions.c.exercise_version_pk)
        .where(sessions.c.student_pk == who["pk"])
        .order_by(sessions.c.started_at)
    )
    if exercise_id is not None:
        q = q.where(exercise_versions.c.exercise_id == exercise_id)
    rows = list(conn.execute(q))
    # Sessions stored before their blocks carried figures: worked out from their strokes.
    older = [r.id for r in rows if not _has_figures(r.blocks)]
    per_block = _block_figures(conn, older) if older else {}
    by_exercise: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        started = as_utc(r.started_at)
        year, week, _ = local_calendar(started).isocalendar()
        by_exercise[r.exercise_id].append(
            {
                "session": r.id,
                "started": started.isoformat(),
                "week": f"{year}-W{week:02d}",
                "mode": r.mode,
                "strokes": r.stroke_count,
                "passed": bool(r.passed),
                **{f: _r(getattr(r, f)) for f in _FIGURES},
                "blocks": _blocks(r.blocks, per_block.get(r.id, {})),
            }
        )
    if exercise_id is not None and not by_exercise:
        raise RecordsError(f"student '{student_id}' has no sessions of exercise '{exercise_id}'")
    return {
        "student_id": student_id,
        "exercises": {
            ex: {"sessions": rows, "weeks": _weeks(rows)}
            for ex, rows in sorted(by_exercise.items())
        },
    }


def _has_figures(stored: str) -> bool:
    try:
        blocks = json.loads(stored or "[]")
        return bool(blocks) and all("strokes" in b for b in blocks)
    except (ValueError, TypeError):
        return False


def _block_figures(conn: Connection, session_ids: list[str]) -> dict[str, dict[int, Any]]:
    """Per session and block: strokes, mean score, force and angle error (one grouped query)."""
    q = (
        select(
            strokes.c.session_id,
            strokes.c.block,
            func.count().label("n"),
            func.avg(strokes.c.score).label("score"),
            func.avg(strokes.c.force_error_pct).label("force"),
            func.avg(strokes.c.angle_error_deg).label("angle"),
        )
        .where(strokes.c.session_id.in_(session_ids))
        .group_by(strokes.c.session_id, strokes.c.block)
    )
    out: dict[str, dict[int, Any]] = defaultdict(dict)
    for r in conn.execute(q):
        out[r.session_id][int(r.block)] = r
    return out


def _blocks(stored: str, figures: dict[int, Any]) -> list[dict[str, Any]]:
    """The session's blocks with their feedback schedules and figures: a practice session's
    no-feedback block is a retention test, drawn with the retention sessions."""
    try:
        declared = {int(b["block"]): b for b in json.loads(stored or "[]")}
    except (ValueError, KeyError, TypeError):
        declared = {}
    if not figures and declared and all("strokes" in d for d in declared.values()):
        return [
            {
                "block": number,
                "feedback": d.get("feedback"),
                "retention": d.get("feedback") == "none",
                "strokes": d["strokes"],
                "mean_score": _r(d.get("mean_score")),
                "force_error_pct": _r(d.get("force_error_pct")),
                "angle_error_deg": _r(d.get("angle_error_deg")),
            }
            for number, d in sorted(declared.items())
        ]
    out = []
    for number in sorted(set(declared) | set(figures)):
        f = figures.get(number)
        feedback = declared.get(number, {}).get("feedback")
        out.append(
            {
                "block": number,
                "feedback": feedback,
                "retention": feedback == "none",
                "strokes": int(f.n) if f is not None else 0,
                "mean_score": _r(float(f.score)) if f is not None and f.score is not None else None,
                "force_error_pct": _r(float(f.force))
                if f is not None and f.force is not None
                else None,
                "angle_error_deg": _r(float(f.angle))
                if f is not None and f.angle is not None
                else None,
            }
        )
    return out


def local_calendar(when: datetime) -> datetime:
    """``when`` on the calendar of the people looking: this computer's time zone. Times are
    stored in UTC, but a lab's week ends at its own midnight between Sunday and Monday: a session
    on Sunday evening in California is already Monday in UTC, and in UTC a Monday-morning class in
    Berlin or Sydney would still be last week's."""
    return when.astimezone()


def _weeks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per ISO week and mode: sessions, mean of each figure, and the SD of session scores (how
    steady the student is from one session to the next)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["week"], row["mode"])].append(row)
    out = []
    for (week, mode), group in sorted(groups.items()):
        scores = [g["mean_score"] for g in group if g["mean_score"] is not None]
        out.append(
            {
                "week": week,
                "mode": mode,
                "sessions": len(group),
                **{f: _mean([g[f] for g in group]) for f in _FIGURES},
                "score_sd": _r(float(np.std(scores, ddof=1))) if len(scores) >= 2 else None,
            }
        )
    return out


def class_view(
    conn: Connection, course_id: str, behind_below: float | None = None
) -> dict[str, Any]:
    """The class: per student their sessions, recent mean score and trend (points a week);
    ``behind``: students whose recent mean is under ``behind_below`` (default: the class's lower
    quartile, or the pass mark when that is higher); ``exercises``: per exercise the mean score
    and the share of sessions passed, hardest first; ``spread``: quartiles of students' means."""
    course(conn, course_id)
    q = (
        select(
            students.c.student_id,
            students.c.name,
            sessions.c.started_at,
            sessions.c.mean_score,
            sessions.c.passed,
            exercise_versions.c.exercise_id,
            exercise_versions.c.pass_mark,
        )
        .join(enrolments, enrolments.c.student_pk == students.c.pk)
        .join(sessions, sessions.c.student_pk == students.c.pk)
        .join(exercise_versions, exercise_versions.c.pk == sessions.c.exercise_version_pk)
        .where(enrolments.c.course_id == course_id, students.c.student_id.is_not(None))
        .where((sessions.c.course_id == course_id) | sessions.c.course_id.is_(None))
        .order_by(students.c.student_id, sessions.c.started_at)
    )
    per_student: dict[str, list[Any]] = defaultdict(list)
    per_exercise: dict[str, list[Any]] = defaultdict(list)
    names: dict[str, str] = {}
    pass_marks: list[float] = []
    for r in conn.execute(q):
        per_student[r.student_id].append(r)
        names[r.student_id] = r.name
        pass_marks.append(float(r.pass_mark))
    # The exercises' figures count every session of the course, a deleted student's included.
    ex_q = (
        select(sessions.c.mean_score, sessions.c.passed, exercise_versions.c.exercise_id)
        .join(exercise_versions, exercise_versions.c.pk == sessions.c.exercise_version_pk)
        .where(sessions.c.course_id == course_id)
    )
    for r in conn.execute(ex_q):
        per_exercise[r.exercise_id].append(r)
    people = []
    for sid, rows in per_student.items():
        scores = [r.mean_score for r in rows if r.mean_score is not None]
        recent = _mean(scores[-RECENT_SESSIONS:])
        people.append(
            {
                "student_id": sid,
                "name": names[sid],
                "sessions": len(rows),
                "recent_mean_score": recent,
                "mean_score": _mean(scores),
                "trend_per_week": _trend(rows),
            }
        )
    recents = np.array(
        [p["recent_mean_score"] for p in people if p["recent_mean_score"] is not None]
    )
    if behind_below is None and recents.size:
        behind_below = float(np.percentile(recents, 25))
        if pass_marks:
            behind_below = max(behind_below, float(np.median(pass_marks)))
    behind = [
        p["student_id"]
        for p in sorted(people, key=lambda p: p["recent_mean_score"] or 0.0)
        if behind_below is not None
        and (p["recent_mean_score"] is None or p["recent_mean_score"] < behind_below)
    ]
    exercises = []
    for ex, rows in per_exercise.items():
        scores = [r.mean_score for r in rows if r.mean_score is not None]
        exercises.append(
            {
                "exercise": ex,
                "sessions": len(rows),
                "mean_score": _mean(scores),
                "passed_share": _r(float(np.mean([bool(r.passed) for r in rows])), 3),
            }
        )
    exercises.sort(key=lambda e: e["mean_score"] if e["mean_score"] is not None else -1.0)
    spread = None
    if recents.size:
        q0, q1, q2, q3, q4 = np.percentile(recents, [0, 25, 50, 75, 100])
        spread = {"min": _r(q0), "q1": _r(q1), "median": _r(q2), "q3": _r(q3), "max": _r(q4)}
    return {
        "course": course_id,
        "students": people,
        "behind": behind,
        "behind_below": _r(behind_below),
        "exercises": exercises,
        "spread": spread,
    }


def _trend(rows: list[Any]) -> float | None:
    """Least-squares slope of session mean score against weeks since the first session."""
    pts = [(as_utc(r.started_at), r.mean_score) for r in rows if r.mean_score is not None]
    if len(pts) < 3:
        return None
    t0 = pts[0][0]
    x = np.array([(t - t0).total_seconds() / (7 * 86400) for t, _ in pts])
    y = np.array([s for _, s in pts], dtype=float)
    if np.ptp(x) == 0:
        return None
    return _r(float(np.polyfit(x, y, 1)[0]), 2)


def _mean(values: list[Any]) -> float | None:
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    return _r(sum(finite) / len(finite)) if finite else None


def _r(x: float | None, decimals: int = 1) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), decimals)
