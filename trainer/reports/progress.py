"""The progress report: one student's sessions on each exercise over a course, with a chart of
the mean score per session (practice and no-feedback sessions drawn apart, since retention is
what learning is) and each chart's text alternative in figures. The figures are the records'
own (``Records.progress``), so the report, the window's charts and ``progress --json`` agree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from trainer.files.atomic import write_atomic
from trainer.records.repository import Records
from trainer.reports.typeset import typeset

WIDTH, HEIGHT = 400.0, 140.0


def progress_report(records: Records, student_id: str) -> bytes:
    held = records.progress(student_id)
    who = next((s for s in records.students() if s["student_id"] == student_id), {})
    exercises = []
    for exercise_id, ex in sorted(held["exercises"].items()):
        rows = [
            {
                "started": s["started"][:16].replace("T", " "),
                "mode": s["mode"],
                "strokes": s["strokes"],
                "mean_score": _fmt(s.get("mean_score")),
                "force_error_pct": _fmt(s.get("force_error_pct")),
                "angle_error_deg": _fmt(s.get("angle_error_deg")),
                "pass_rate_pct": _fmt(s.get("pass_rate_pct"), 0),
                "passed": "yes" if s["passed"] else "no",
            }
            for s in ex["sessions"]
        ]
        svg, alt = _chart(exercise_id, ex["sessions"])
        exercises.append({"id": exercise_id, "sessions": rows, "svg": svg, "alt": alt})
    name = who.get("name") or student_id
    return typeset(
        "progress",
        {
            "title": f"Progress report: {name}",
            "student": {"id": student_id, "name": name, "course": who.get("course") or ""},
            "exercises": exercises,
        },
    )


def write_progress_report(
    records: Records, student_id: str, out: str | os.PathLike[str], *, overwrite: bool = True
) -> dict[str, Any]:
    pdf = progress_report(records, student_id)
    path = write_atomic(Path(out), pdf, overwrite=overwrite)
    return {"report": "student", "student": student_id, "out": str(path), "bytes": len(pdf)}


def _chart(exercise_id: str, sessions: list[dict[str, Any]]) -> tuple[str, str]:
    """Mean score 0-100 per session, in order: practice as a solid line with dots, sessions
    without feedback (retention, assessment) as open squares, readable in black and white."""
    n = len(sessions)
    xs = [28 + (WIDTH - 38) * (i / max(n - 1, 1)) for i in range(n)]

    def y(v: float) -> float:
        return HEIGHT - 15 - (HEIGHT - 25) * max(0.0, min(100.0, v)) / 100.0

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0f}" height="{HEIGHT:.0f}" '
        f'viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}"><rect width="{WIDTH:.0f}" '
        f'height="{HEIGHT:.0f}" fill="white" stroke="#444" stroke-width="0.5"/>'
    ]
    for level in (0, 50, 100):
        parts.append(
            f'<line x1="22" x2="{WIDTH - 10:.0f}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
            'stroke="#bbb" stroke-width="0.5"/>'
            f'<text x="17" y="{y(level) + 3:.1f}" font-size="8" text-anchor="end">{level}</text>'
        )
    practice = [(x, s) for x, s in zip(xs, sessions, strict=True) if s["mode"] == "practice"]
    scored = [(x, s["mean_score"]) for x, s in practice if s.get("mean_score") is not None]
    if len(scored) > 1:
        pts = " ".join(f"{x:.1f},{y(v):.1f}" for x, v in scored)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="black" stroke-width="1.2"/>')
    for x, s in zip(xs, sessions, strict=True):
        v = s.get("mean_score")
        if v is None:
            continue
        if s["mode"] == "practice":
            parts.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="2.5" fill="black"/>')
        else:
            parts.append(
                f'<rect x="{x - 3:.1f}" y="{y(v) - 3:.1f}" width="6" height="6" fill="white" '
                'stroke="black" stroke-width="1"/>'
            )
    parts.append("</svg>")
    scores = [s.get("mean_score") for s in sessions if s.get("mean_score") is not None]
    alt = f"Mean score per session on {exercise_id}, 0 to 100, {n} sessions in order"
    if scores:
        alt += (
            f": first {scores[0]:.0f}, last {scores[-1]:.0f}, lowest {min(scores):.0f}, "
            f"highest {max(scores):.0f}. Practice sessions are dots joined by a line; "
            "sessions without feedback are open squares."
        )
    return "".join(parts), alt


def _fmt(x: Any, decimals: int = 1) -> str | None:
    return None if x is None else f"{float(x):.{decimals}f}"
