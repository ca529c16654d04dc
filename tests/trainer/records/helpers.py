"""Building sessions for the records tests without scoring recordings: the stored figures are
chosen, so the progress and assessment figures the tests expect can be worked out by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from trainer.library.exercise import find_exercise
from trainer.records.sessions import NewSession, StrokeRow

START = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)  # a Monday: ISO week 2026-W37


def exercise_definition(exercise_id: str = "sweep") -> dict[str, Any]:
    return json.loads(json.dumps(find_exercise(exercise_id).to_dict()))


def make_session(
    student_id: str,
    scores: list[float],
    *,
    exercise_id: str = "sweep",
    mode: str = "practice",
    started: datetime = START,
    peaks: list[float] | None = None,
    assessment_id: str | None = None,
    course_id: str | None = None,
    recording: bytes | None = b"# iastm-trainer recording\ntime_s,force_n\n0.0,1.0\n",
    pass_mark: float = 70.0,
) -> NewSession:
    peaks = peaks or [10.0 + i % 3 for i in range(len(scores))]
    rows = [
        StrokeRow(
            idx=i + 1,
            block=1,
            start_s=2.0 * i,
            end_s=2.0 * i + 1.0,
            peak_force_n=peaks[i],
            mean_angle_deg=45.0,
            force_in_band_pct=80.0,
            angle_in_band_pct=None,
            force_error_pct=100.0 - s,
            angle_error_deg=(100.0 - s) / 10.0,
            score=s,
            passed=s >= pass_mark,
        )
        for i, s in enumerate(scores)
    ]
    mean = sum(scores) / len(scores) if scores else None
    return NewSession(
        student_id=student_id,
        exercise=exercise_definition(exercise_id),
        mode=mode,
        started_at=started,
        ended_at=started + timedelta(minutes=10),
        strokes=rows,
        summary={
            "strokes": len(scores),
            "mean_score": mean,
            "passed": mean is not None and mean >= pass_mark,
            "pass_rate_pct": 100.0 * sum(s >= pass_mark for s in scores) / max(1, len(scores)),
            "consistency": 80.0,
            "peak_force_cv_pct": 5.0,
        },
        blocks=[
            {
                "block": 1,
                "feedback": "terminal" if mode == "practice" else "none",
                "first_stroke": 1,
            }
        ],
        assessment_id=assessment_id,
        course_id=course_id,
        device="iastm-sim fw 1.0.0 serial SIM-1",
        firmware="1.0.0",
        serial="SIM-1",
        software_version="test",
        station="station-1",
        recording_name="r.csv",
        recording=recording,
        events=b'{"event": "tare"}\n' if recording else None,
    )
