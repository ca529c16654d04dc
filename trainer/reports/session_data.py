"""What a session report shows, gathered from the records into plain JSON-able data.

The records keep each stroke's figures; the sub-scores and the reasons in words are not stored
but scored again from the session's own recording against the exercise version it was scored
against (kept whole in the records), so the report says what the trainee was told. A session
stored without its recording gets the stored figures and a note saying why the rest is missing.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from trainer.library.exercise import Exercise
from trainer.offline.analysis import ScoreReport, score_recording
from trainer.recordings.reader import read_recording
from trainer.records.database import as_utc
from trainer.records.errors import RecordsError
from trainer.records.schema import (
    courses,
    exercise_versions,
    instructors,
    ratings,
    sessions,
    strokes,
    students,
)
from trainer.records.sessions import recording_of
from trainer.reports.plots import stroke_plot
from trainer.scoring.shown import score_text

SUB_SCORES = ("force", "angle", "tempo", "smoothness", "path")


def read_session(conn: Connection, session_id: str) -> dict[str, Any]:
    """The session's row, student, course, exercise version, strokes and ratings."""
    s = conn.execute(select(sessions).where(sessions.c.id == session_id)).mappings().first()
    if s is None:
        raise RecordsError(f"unknown session '{session_id}'")
    student = (
        conn.execute(select(students).where(students.c.pk == s["student_pk"])).mappings().one()
    )
    course = None
    if s["course_id"] is not None:
        course = (
            conn.execute(select(courses).where(courses.c.id == s["course_id"])).mappings().first()
        )
    version = (
        conn.execute(
            select(exercise_versions).where(exercise_versions.c.pk == s["exercise_version_pk"])
        )
        .mappings()
        .one()
    )
    rows = conn.execute(
        select(strokes).where(strokes.c.session_id == session_id).order_by(strokes.c.idx)
    ).mappings()
    rated = conn.execute(
        select(ratings, instructors.c.name.label("rater"))
        .join(instructors, instructors.c.pk == ratings.c.instructor_pk)
        .where(ratings.c.session_id == session_id)
        .order_by(ratings.c.stroke_idx, ratings.c.item, instructors.c.name)
    ).mappings()
    return {
        "session": dict(s),
        "student": dict(student),
        "course": None if course is None else dict(course),
        "exercise": json.loads(version["definition"]),
        "content_hash": version["content_hash"],
        "strokes": [dict(r) for r in rows],
        "ratings": [dict(r) for r in rated],
        "recording": recording_of(conn, session_id),
    }


def rescore(recording: tuple[bytes, bytes] | None, exercise: Exercise) -> ScoreReport | None:
    """The session's recording scored again, or None when it was stored without one."""
    if recording is None:
        return None
    csv, events = recording
    with tempfile.TemporaryDirectory(prefix="iastm-report-") as tmp:
        path = Path(tmp) / "session.csv"
        path.write_bytes(csv)
        if events:
            path.with_suffix(".events.jsonl").write_bytes(events)
        return score_recording(read_recording(path), exercise)


def session_report_data(held: dict[str, Any]) -> dict[str, Any]:
    """The report's data from ``read_session``'s result."""
    s, student, course = held["session"], held["student"], held["course"]
    exercise = Exercise.from_dict(held["exercise"])
    report = rescore(held["recording"], exercise)
    scored = {sc.index: sc for sc in report.scores} if report else {}
    stroke_rows = []
    plots = []
    for r in held["strokes"]:
        sc = scored.get(r["idx"])
        row = {
            "idx": r["idx"],
            "block": r["block"],
            "score": _shown(r["score"], exercise.pass_mark, 0),
            "passed": bool(r["passed"]),
            "peak_force_n": _fixed(r["peak_force_n"], 2),
            "mean_angle_deg": _num(r["mean_angle_deg"], 1),
            "force_in_band_pct": _num(r["force_in_band_pct"], 0),
            "sub_scores": {k: None for k in SUB_SCORES},
            "explanation": [],
        }
        if sc is not None:
            row["sub_scores"] = {k: _num(sc.sub_scores.get(k), 0) for k in SUB_SCORES}
            row["explanation"] = list(sc.explanation)
            plots.append(stroke_plot(sc, exercise.envelope))
        stroke_rows.append(row)
    used = [k for k in SUB_SCORES if any(r["sub_scores"][k] is not None for r in stroke_rows)]
    blocks = json.loads(s["blocks"] or "[]")
    summary = json.loads(s["summary"] or "{}")
    prov = exercise.provenance
    return {
        "title": f"Session report: {student['name'] or 'deleted student'}, {exercise.name}",
        "session": s["id"],
        "student": {
            "id": student["student_id"] or "(deleted)",
            "name": student["name"] or "(personal data deleted)",
            "licence": student["licence"] or "",
        },
        "course": None if course is None else {"id": course["id"], "name": course["name"]},
        "exercise": {
            "id": exercise.id,
            "name": exercise.name,
            "version": exercise.version,
            "technique": exercise.technique,
            "body_region": exercise.body_region,
            "instrument": exercise.instrument,
            "pass_mark": exercise.pass_mark,
            "content_hash": held["content_hash"],
            "provenance": prov.describe(),
            "synthetic": prov.is_synthetic,
        },
        "mode": s["mode"],
        "started": as_utc(s["started_at"]).strftime("%Y-%m-%d %H:%M UTC"),
        "ended": as_utc(s["ended_at"]).strftime("%Y-%m-%d %H:%M UTC"),
        "device": {
            "device": s["device"] or "not recorded",
            "firmware": s["firmware"] or "",
            "serial": s["serial"] or "",
            "calibration": s["calibration"] or "not recorded",
            "software": s["software_version"] or "",
        },
        "result": {
            "strokes": s["stroke_count"],
            "mean_score": _shown(s["mean_score"], exercise.pass_mark, 1),
            "passed": bool(s["passed"]),
            "pass_rate_pct": _num(s["pass_rate_pct"], 0),
            "consistency": _num(s["consistency"], 2),
            "peak_force_cv_pct": _num(s["peak_force_cv_pct"], 1),
        },
        "blocks": [
            {
                "block": b.get("block", i + 1),
                "feedback": str(b.get("feedback", "unset")),
                "mode": str(b.get("mode", s["mode"])),
                "strokes": b.get("strokes"),
                "mean_score": _num(b.get("mean_score"), 1),
                "force_error_pct": _num(b.get("force_error_pct"), 1),
                "angle_error_deg": _num(b.get("angle_error_deg"), 1),
            }
            for i, b in enumerate(blocks)
        ],
        "summary_notes": [str(n) for n in summary.get("notes", []) if isinstance(n, str)],
        "sub_score_names": used,
        "strokes": stroke_rows,
        "plots": plots,
        "ratings": [
            {
                "stroke": r["stroke_idx"],
                "item": r["item"],
                "value": _num(r["value"], 1),
                "rater": r["rater"],
                "comment": r["comment"] or "",
            }
            for r in held["ratings"]
        ],
        "rescored": report is not None,
    }


def _shown(score: Any, pass_mark: float, decimals: int) -> float | int | None:
    """A score rounded for print without crossing the pass mark (``trainer.scoring.shown``)."""
    if score is None or not math.isfinite(float(score)):
        return None
    text = score_text(float(score), pass_mark, decimals)
    return float(text) if "." in text else int(text)


def _num(x: Any, decimals: int) -> float | int | None:
    """A figure rounded for print, None for a missing or non-finite one."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return round(x) if decimals == 0 else round(x, decimals)


def _fixed(x: Any, decimals: int) -> str | None:
    """A figure as text with a fixed number of decimals, so a column's figures line up."""
    value = _num(x, decimals)
    return None if value is None else f"{value:.{decimals}f}"
