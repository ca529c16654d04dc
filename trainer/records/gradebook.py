"""Grades out: a course's assessment results in each learning management system's own import
layout, and as xAPI statements for a learning record store.

A student's grade for an assessment is the mean score (0 to 100) over the block's strokes of
their latest whole attempt; a student without one gets an empty cell (not a zero: the LMS then
shows the grade as missing, which the completeness check explains). The layouts:

- Canvas: ``Student, ID, SIS User ID, SIS Login ID, Section``, one column per assessment named
  ``Title (id)``, and a ``Points Possible`` row second.
- Moodle: ``ID number``, ``Email address``, then one column per assessment.
- Brightspace: ``OrgDefinedId, Username``, ``<Item> Points Grade`` per assessment, and
  ``End-of-Line Indicator`` holding ``#``.
- Blackboard: ``Username`` and one column per assessment, every field quoted.
- csv: student id, name, e-mail, then each assessment's score and whether it passed.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from trainer.records.assessments import result
from trainer.records.database import as_utc
from trainer.records.errors import RecordsError
from trainer.records.people import course, course_students
from trainer.records.schema import assessments, sessions

FORMATS = ("canvas", "moodle", "brightspace", "blackboard", "csv", "xapi")
POINTS = 100
XAPI_PASSED = "http://adlnet.gov/expapi/verbs/passed"
XAPI_FAILED = "http://adlnet.gov/expapi/verbs/failed"
XAPI_HOME = "urn:iastm-trainer"


def grades(conn: Connection, course_id: str) -> dict[str, Any]:
    """``{"course", "assessments": [{"id", "title"}], "students": [{"student_id", "name",
    "email", "grades": {A: {"score", "passed", "session", "when"} | None}}]}``."""
    c = course(conn, course_id)
    blocks = list(
        conn.execute(
            select(assessments)
            .where(assessments.c.course_id == course_id)
            .order_by(assessments.c.created_at, assessments.c.id)
        ).mappings()
    )
    people = []
    for p in course_students(conn, course_id):
        row: dict[str, Any] = {
            "student_id": p["student_id"],
            "name": p["name"],
            "email": p["email"],
            "grades": {},
        }
        for a in blocks:
            latest = conn.execute(
                select(sessions.c.id, sessions.c.started_at)
                .where(
                    sessions.c.assessment_id == a["id"],
                    sessions.c.student_pk == p["pk"],
                    sessions.c.stroke_count >= a["strokes"],
                )
                .order_by(sessions.c.started_at.desc(), sessions.c.id.desc())
                .limit(1)
            ).first()
            if latest is None:
                row["grades"][a["id"]] = None
                continue
            res = result(conn, latest.id)
            mean = next(x["value"] for x in res["criteria"] if x["criterion"] == "mean_score")
            row["grades"][a["id"]] = {
                "score": None if mean is None else round(float(mean), 1),
                "passed": res["passed"],
                "failed": res["failed"],
                "session": latest.id,
                "when": as_utc(latest.started_at).isoformat(),
            }
        people.append(row)
    return {
        "course": course_id,
        "course_name": c["name"],
        "assessments": [{"id": a["id"], "title": a["title"]} for a in blocks],
        "students": people,
    }


def write_gradebook(conn: Connection, course_id: str, fmt: str, out: Path) -> dict[str, Any]:
    if fmt not in FORMATS:
        raise RecordsError(f"--format {fmt}: use one of {', '.join(FORMATS)}")
    data = grades(conn, course_id)
    text = _xapi(data) if fmt == "xapi" else _table(data, fmt)
    try:
        out.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise RecordsError(f"--out {out}: cannot write: {exc.strerror}") from None
    return {
        "out": str(out),
        "format": fmt,
        "students": len(data["students"]),
        "assessments": len(data["assessments"]),
    }


def _score(cell: dict[str, Any] | None) -> str:
    return "" if cell is None or cell["score"] is None else f"{cell['score']:g}"


def _table(data: dict[str, Any], fmt: str) -> str:
    blocks = data["assessments"]
    buf = io.StringIO()
    w = csv.writer(
        buf,
        quoting=csv.QUOTE_ALL if fmt == "blackboard" else csv.QUOTE_MINIMAL,
        lineterminator="\r\n",
    )
    people = data["students"]
    if fmt == "canvas":
        w.writerow(
            [
                "Student",
                "ID",
                "SIS User ID",
                "SIS Login ID",
                "Section",
                *(f"{a['title']} ({a['id']})" for a in blocks),
            ]
        )
        w.writerow(["Points Possible", "", "", "", "", *([POINTS] * len(blocks))])
        for p in people:
            w.writerow(
                [
                    p["name"],
                    "",
                    p["student_id"],
                    p["email"] or p["student_id"],
                    data["course"],
                    *(_score(p["grades"][a["id"]]) for a in blocks),
                ]
            )
    elif fmt == "moodle":
        w.writerow(["ID number", "Email address", *(a["title"] for a in blocks)])
        for p in people:
            w.writerow(
                [p["student_id"], p["email"] or "", *(_score(p["grades"][a["id"]]) for a in blocks)]
            )
    elif fmt == "brightspace":
        w.writerow(
            [
                "OrgDefinedId",
                "Username",
                *(f"{a['title']} Points Grade" for a in blocks),
                "End-of-Line Indicator",
            ]
        )
        for p in people:
            w.writerow(
                [
                    p["student_id"],
                    p["email"] or p["student_id"],
                    *(_score(p["grades"][a["id"]]) for a in blocks),
                    "#",
                ]
            )
    elif fmt == "blackboard":
        w.writerow(["Username", *(a["title"] for a in blocks)])
        for p in people:
            w.writerow([p["student_id"], *(_score(p["grades"][a["id"]]) for a in blocks)])
    else:
        w.writerow(
            [
                "student_id",
                "name",
                "email",
                *(f"{a['id']} {k}" for a in blocks for k in ("score", "passed")),
            ]
        )
        for p in people:
            cells = []
            for a in blocks:
                g = p["grades"][a["id"]]
                cells += [_score(g), "" if g is None else ("yes" if g["passed"] else "no")]
            w.writerow([p["student_id"], p["name"], p["email"] or "", *cells])
    return buf.getvalue()


def _xapi(data: dict[str, Any]) -> str:
    """One statement per graded attempt: actor, verb (passed / failed), object (the
    assessment), result (``score.scaled`` 0 to 1, ``success``), timestamp."""
    statements = []
    titles = {a["id"]: a["title"] for a in data["assessments"]}
    for p in data["students"]:
        actor: dict[str, Any] = {"objectType": "Agent", "name": p["name"]}
        if p["email"]:
            actor["mbox"] = f"mailto:{p['email']}"
        else:
            actor["account"] = {"homePage": XAPI_HOME, "name": p["student_id"]}
        for aid, g in p["grades"].items():
            if g is None or g["score"] is None:
                continue
            verb = XAPI_PASSED if g["passed"] else XAPI_FAILED
            statements.append(
                {
                    "id": g["session"],
                    "actor": actor,
                    "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[1]}},
                    "object": {
                        "objectType": "Activity",
                        "id": f"{XAPI_HOME}:assessment:{data['course']}/{aid}",
                        "definition": {"name": {"en-US": titles[aid]}},
                    },
                    "result": {
                        "score": {
                            "scaled": round(g["score"] / POINTS, 4),
                            "raw": g["score"],
                            "min": 0,
                            "max": POINTS,
                        },
                        "success": g["passed"],
                        "completion": True,
                    },
                    "timestamp": g["when"],
                    "stored": datetime.now(UTC).isoformat(),
                }
            )
    return json.dumps(statements, indent=1)
