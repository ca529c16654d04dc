"""The class report: a course's students with their recent mean score and trend, who is behind
(and the line they are behind), the exercises from hardest, and the spread of recent scores.
The figures are the records' class view (``Records.class_view``), the same the window shows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from trainer.files.atomic import write_atomic
from trainer.records.repository import Records
from trainer.reports.typeset import typeset


def class_report(records: Records, course_id: str) -> bytes:
    view = records.class_view(course_id)
    behind = set(view["behind"])
    students = sorted(
        view["students"],
        key=lambda p: (p["recent_mean_score"] is None, p["recent_mean_score"] or 0.0),
    )
    return typeset(
        "class",
        {
            "title": f"Class report: {course_id}",
            "course": course_id,
            "behind_below": _fmt(view["behind_below"]),
            "behind_count": len(behind),
            "students": [
                {
                    "id": p["student_id"] or "(deleted)",
                    "name": p["name"] or "(personal data deleted)",
                    "sessions": p["sessions"],
                    "recent": _fmt(p["recent_mean_score"]),
                    "mean": _fmt(p["mean_score"]),
                    "trend": _fmt(p["trend_per_week"], 2),
                    "behind": "behind" if p["student_id"] in behind else "",
                }
                for p in students
            ],
            "exercises": [
                {
                    "id": e["exercise"],
                    "sessions": e["sessions"],
                    "mean": _fmt(e["mean_score"]),
                    "passed": _fmt(100 * e["passed_share"], 0),
                }
                for e in view["exercises"]
            ],
            "spread": None
            if view["spread"] is None
            else {k: _fmt(v) for k, v in view["spread"].items()},
        },
    )


def write_class_report(
    records: Records, course_id: str, out: str | os.PathLike[str], *, overwrite: bool = True
) -> dict[str, Any]:
    pdf = class_report(records, course_id)
    path = write_atomic(Path(out), pdf, overwrite=overwrite)
    return {"report": "course", "course": course_id, "out": str(path), "bytes": len(pdf)}


def _fmt(x: Any, decimals: int = 1) -> str | None:
    return None if x is None else f"{float(x):.{decimals}f}"
