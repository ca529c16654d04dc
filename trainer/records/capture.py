"""A finished, scored session turned into what the records keep (``NewSession``).

Used by ``iastm-trainer sessions add`` after scoring a recording and by a training window when
its session stops: both hand over the exercise, the stroke scores, the summary and the recording
file, and get the same rows. Force and angle errors are taken against the envelope's mean here,
once, so progress charts read stored numbers instead of re-scoring old recordings.
"""

from __future__ import annotations

import json
import math
import platform
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from trainer.library.exercise import Exercise
from trainer.recordings.format import Recording
from trainer.records.errors import RecordsError
from trainer.records.sessions import NewSession, StrokeRow
from trainer.scoring.scorer import StrokeScore
from trainer.scoring.summary import SessionSummary


def stroke_errors(score: StrokeScore, exercise: Exercise) -> tuple[float | None, float | None]:
    """Force error (RMS distance from the experts' mean curve, % of their mean peak force) and
    angle error (mean absolute distance from their mean angle curve, degrees) of one stroke."""
    env = exercise.envelope
    norm = score.normalised
    force_err = None
    if env.peak_force_mean_n > 0 and norm.force_n.size == env.force_mu_n.size:
        diff = norm.force_n - env.force_mu_n
        force_err = float(100.0 * np.sqrt(np.mean(diff * diff)) / env.peak_force_mean_n)
    angle_err = None
    if norm.has_angle and np.all(np.isfinite(env.angle_mu_deg)):
        angle_err = float(np.mean(np.abs(norm.angle_deg - env.angle_mu_deg)))
    return force_err, angle_err


def block_of_strokes(blocks: list[dict[str, Any]], index: int) -> int:
    number = 1
    for b in blocks:
        if b.get("first_stroke", 1) <= index:
            number = int(b.get("block", number))
    return number


def blocks_from_events(events: list[dict[str, Any]], default_schedule: str) -> list[dict[str, Any]]:
    """The blocks and their feedback schedules, from the recording's ``block_start`` events."""
    found = [
        {
            "block": int(e.get("block", i + 1)),
            "feedback": str(e.get("schedule", default_schedule)),
            "first_stroke": int(e.get("first_stroke", 1)),
        }
        for i, e in enumerate(x for x in events if x.get("event") == "block_start")
    ]
    return found or [{"block": 1, "feedback": default_schedule, "first_stroke": 1}]


def session_from_scores(
    *,
    student_id: str,
    exercise: Exercise,
    scores: list[StrokeScore],
    summary: SessionSummary,
    recording: Recording,
    mode: str = "practice",
    course_id: str | None = None,
    assessment_id: str | None = None,
    feedback: str | None = None,
    software_version: str | None = None,
    session_id: str | None = None,
) -> NewSession:
    """The session as the records keep it. The recording file (and its events sidecar) are read
    as bytes from ``recording.path``; its start time from its events' wall clock, else from the
    file's modification time less its length."""
    default_feedback = feedback or ("none" if mode != "practice" else "unset")
    blocks = blocks_from_events(recording.events, default_feedback)
    rows = []
    for s in scores:
        f_err, a_err = stroke_errors(s, exercise)
        rows.append(
            StrokeRow(
                idx=int(s.index),
                block=block_of_strokes(blocks, int(s.index)),
                start_s=float(s.start_s),
                end_s=float(s.end_s),
                peak_force_n=float(s.peak_force_n),
                mean_angle_deg=_finite(s.mean_angle_deg),
                force_in_band_pct=_finite(s.force_in_band_pct),
                angle_in_band_pct=_finite(s.angle_in_band_pct),
                force_error_pct=f_err,
                angle_error_deg=a_err,
                score=float(s.score),
                passed=bool(s.passed),
            )
        )
    raw, events_raw, started = _raw_files(recording)
    device = recording.metadata.get("device")
    kwargs: dict[str, Any] = {}
    if session_id is not None:
        kwargs["id"] = session_id
    return NewSession(
        student_id=student_id,
        exercise=json.loads(json.dumps(exercise.to_dict())),
        mode=mode,
        started_at=started,
        ended_at=started + timedelta(seconds=recording.duration_s),
        strokes=rows,
        summary=summary.as_json(),
        blocks=blocks,
        course_id=course_id,
        assessment_id=assessment_id,
        device=device,
        firmware=_after(device, "fw"),
        serial=recording.metadata.get("device_serial") or _after(device, "serial"),
        calibration=recording.metadata.get("calibration"),
        software_version=software_version,
        station=platform.node() or None,
        recording_name=recording.path.name if recording.path else None,
        recording=raw,
        events=events_raw,
        **kwargs,
    )


def _raw_files(recording: Recording) -> tuple[bytes | None, bytes | None, datetime]:
    path = recording.path
    if path is None:
        return None, None, datetime.now(UTC) - timedelta(seconds=recording.duration_s)
    try:
        raw = Path(path).read_bytes()
        mtime = Path(path).stat().st_mtime
    except OSError as exc:
        raise RecordsError(f"{path}: cannot read the recording: {exc.strerror}") from None
    sidecar = Path(path).with_suffix(".events.jsonl")
    events = sidecar.read_bytes() if sidecar.is_file() else None
    started = datetime.fromtimestamp(mtime, UTC) - timedelta(seconds=recording.duration_s)
    for e in recording.events:
        wall = e.get("wall_time")
        if isinstance(wall, str):
            try:
                t = datetime.strptime(wall, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
            except ValueError:
                continue
            started = t - timedelta(seconds=float(e.get("t_s") or 0.0))
            break
    return raw, events, started


def _after(text: str | None, word: str) -> str | None:
    """``"iastm-sim fw 1.0.0 serial SIM-1"`` -> ``"1.0.0"`` for ``"fw"``."""
    if not text:
        return None
    parts = text.split()
    for i, p in enumerate(parts[:-1]):
        if p == word:
            return parts[i + 1]
    return None


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)
