"""A student's personal data: everything held about them, and taking it away.

Deleting a student blanks their student id, name, licence number and e-mail, drops their stored
recordings and the comments on their sessions, and keeps their sessions' figures (scores, strokes,
dates, the exercise) as an anonymous student's: a class's and an exercise's statistics stay true,
but nothing left names or identifies the person. Export gives one student everything held about
them, as JSON and CSV a person can open.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, select, update

from trainer.records.database import as_utc, utcnow
from trainer.records.people import student, student_courses
from trainer.records.schema import (
    exercise_versions,
    instructors,
    ratings,
    recordings,
    sessions,
    strokes,
    students,
)
from trainer.records.sessions import recording_of


def delete_student(conn: Connection, student_id: str) -> str:
    who = student(conn, student_id)
    conn.execute(
        update(students)
        .where(students.c.pk == who["pk"])
        .values(student_id=None, name=None, licence=None, email=None, deleted_at=utcnow())
    )
    ids = select(sessions.c.id).where(sessions.c.student_pk == who["pk"]).scalar_subquery()
    conn.execute(update(ratings).where(ratings.c.session_id.in_(ids)).values(comment=None))
    conn.execute(delete(recordings).where(recordings.c.session_id.in_(ids)))
    conn.execute(
        update(sessions)
        .where(sessions.c.student_pk == who["pk"])
        .values(recording_name=None, station=None)
    )
    return student_id


def student_data(conn: Connection, student_id: str) -> dict[str, Any]:
    """Everything held about one student, recordings aside (see ``export_student``)."""
    who = student(conn, student_id)
    out: dict[str, Any] = {
        "student": {
            "student_id": who["student_id"],
            "name": who["name"],
            "licence": who["licence"],
            "email": who["email"],
            "added": as_utc(who["created_at"]).isoformat(),
            "courses": student_courses(conn, who["pk"]),
        },
        "sessions": [],
        "strokes": [],
        "ratings": [],
    }
    q = (
        select(sessions, exercise_versions.c.exercise_id, exercise_versions.c.content_hash)
        .join(exercise_versions, exercise_versions.c.pk == sessions.c.exercise_version_pk)
        .where(sessions.c.student_pk == who["pk"])
        .order_by(sessions.c.started_at)
    )
    for s in conn.execute(q).mappings():
        row = {k: v for k, v in s.items() if k not in ("student_pk", "summary")}
        row["blocks"] = json.loads(s["blocks"])
        row["summary"] = json.loads(s["summary"])
        row["exercise_version_pk"] = None
        row["started_at"] = as_utc(s["started_at"]).isoformat()
        row["ended_at"] = as_utc(s["ended_at"]).isoformat()
        row["created_at"] = as_utc(s["created_at"]).isoformat()
        out["sessions"].append(row)
        for st in conn.execute(
            select(strokes).where(strokes.c.session_id == s["id"]).order_by(strokes.c.idx)
        ).mappings():
            out["strokes"].append(dict(st))
        for rt in conn.execute(
            select(ratings, instructors.c.name.label("rater"))
            .join(instructors, instructors.c.pk == ratings.c.instructor_pk)
            .where(ratings.c.session_id == s["id"])
        ).mappings():
            r = {k: v for k, v in rt.items() if k != "instructor_pk"}
            r["created_at"] = as_utc(rt["created_at"]).isoformat()
            out["ratings"].append(r)
    for row in out["sessions"]:
        row.pop("exercise_version_pk", None)
    return out


def export_student(conn: Connection, student_id: str, out_dir: Path) -> dict[str, Any]:
    """Write ``student.json`` (everything), ``sessions.csv``, ``strokes.csv``, ``ratings.csv``
    and each kept recording under ``recordings/`` into ``out_dir``. Returns what was written."""
    data = student_data(conn, student_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "student.json"]
    (out_dir / "student.json").write_text(json.dumps(data, indent=1, default=str), "utf-8")
    for name, rows in (
        ("sessions", data["sessions"]),
        ("strokes", data["strokes"]),
        ("ratings", data["ratings"]),
    ):
        path = out_dir / f"{name}.csv"
        _write_csv(path, rows)
        written.append(path)
    rec_dir = out_dir / "recordings"
    for s in data["sessions"]:
        files = recording_of(conn, s["id"])
        if files is None:
            continue
        rec_dir.mkdir(exist_ok=True)
        csv_bytes, events = files
        (rec_dir / f"{s['id']}.csv").write_bytes(csv_bytes)
        written.append(rec_dir / f"{s['id']}.csv")
        if events:
            (rec_dir / f"{s['id']}.events.jsonl").write_bytes(events)
    return {
        "student": student_id,
        "out": str(out_dir),
        "files": [str(p) for p in written],
        "sessions": len(data["sessions"]),
    }


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        if not rows:
            fh.write("")
            return
        fields = list(rows[0])
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow(
                {k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in r.items()}
            )
