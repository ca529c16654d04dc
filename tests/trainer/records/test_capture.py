"""A scored recording turned into what the records keep: force and angle errors against the
experts' mean, the blocks and their feedback schedules, the device, and the raw files."""

from __future__ import annotations

from pathlib import Path

from trainer.library.exercise import find_exercise
from trainer.offline.analysis import score_recording
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording
from trainer.records.capture import blocks_from_events, session_from_scores
from trainer.records.sessions import NewSession


def _session(tmp_path: Path, skill: str, seed: int) -> tuple[NewSession, Path]:
    path = tmp_path / f"{skill}.csv"
    simulate_recording(path, skill=skill, strokes=8, seed=seed, rate_hz=500.0)
    exercise = find_exercise("sweep")
    recording = read_recording(path)
    report = score_recording(recording, exercise)
    return session_from_scores(
        student_id="s1",
        exercise=exercise,
        scores=report.scores,
        summary=report.summary,
        recording=recording,
        mode="retention",
    ), path


def test_an_experts_errors_are_smaller_than_a_novices(tmp_path: Path) -> None:
    expert, path = _session(tmp_path, "expert", 1)
    novice, _ = _session(tmp_path, "novice", 2)
    assert len(expert.strokes) == 8

    def mean(values: list[float | None]) -> float:
        finite = [v for v in values if v is not None]
        return sum(finite) / len(finite)

    assert mean([s.force_error_pct for s in expert.strokes]) < mean(
        [s.force_error_pct for s in novice.strokes]
    )
    assert mean([s.angle_error_deg for s in expert.strokes]) < mean(
        [s.angle_error_deg for s in novice.strokes]
    )
    assert expert.mean_score > novice.mean_score
    # The station's facts and the raw files travel with the session.
    assert (expert.firmware, expert.serial) == ("1.0.0", "SIM-1")
    assert expert.recording == path.read_bytes()
    assert expert.events == path.with_suffix(".events.jsonl").read_bytes()
    assert expert.exercise["id"] == "sweep"
    # A retention session is practised without feedback unless told otherwise.
    assert expert.blocks == [{"block": 1, "feedback": "none", "first_stroke": 1}]
    assert (expert.ended_at - expert.started_at).total_seconds() > 8


def test_blocks_come_from_the_recordings_block_marks() -> None:
    events = [
        {"event": "tare"},
        {"event": "block_start", "block": 1, "schedule": "concurrent", "first_stroke": 1},
        {"event": "block_end", "block": 1},
        {"event": "block_start", "block": 2, "schedule": "none", "first_stroke": 21},
    ]
    assert blocks_from_events(events, "unset") == [
        {"block": 1, "feedback": "concurrent", "first_stroke": 1},
        {"block": 2, "feedback": "none", "first_stroke": 21},
    ]
