"""Offline work on whole recordings: score one, or build an exercise from experts' ones.

The CLI, the application's review screen and the instructor's envelope builder all call these, so
a recording scored offline gets exactly the strokes and scores it got live: the segmenter is the
same streaming object, fed one block.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer.envelope import EnvelopeBuild, build_envelope
from trainer.exercise import Exercise, Provenance
from trainer.recording import Recording
from trainer.scoring import Scorer, ScoringWeights, StrokeScore
from trainer.segmentation import DetectionSettings, StrokeSegmenter
from trainer.strokes import Stroke
from trainer.summary import SessionSummary, summarise


@dataclass
class ScoreReport:
    """A scored recording: what ``iastm-trainer score`` prints."""

    exercise: Exercise
    strokes: list[Stroke]
    scores: list[StrokeScore]
    summary: SessionSummary
    recording: Recording | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise.id,
            "strokes": [s.as_json() for s in self.scores],
            "summary": self.summary.as_json(),
        }


def segment_recording(recording: Recording, settings: DetectionSettings) -> list[Stroke]:
    """The strokes of a recording, by the same streaming segmenter the live session uses."""
    segmenter = StrokeSegmenter(settings, rate_hz=recording.rate_hz)
    strokes = segmenter.feed(recording.as_block())
    strokes.extend(segmenter.flush())
    return strokes


def score_recording(recording: Recording, exercise: Exercise) -> ScoreReport:
    strokes = segment_recording(recording, exercise.detection)
    scorer = Scorer(exercise.envelope, exercise.weights, exercise.pass_mark)
    scores = scorer.score_many(strokes)
    return ScoreReport(exercise, strokes, scores, summarise(scores, exercise.pass_mark), recording)


@dataclass
class ExerciseDraft:
    """What an instructor fills in around the envelope."""

    id: str
    name: str
    stroke_type: str = "sweep"
    body_region: str = "unspecified"
    instrument: str = "unspecified"
    description: str = ""
    recorded_by: str = ""
    pass_mark: float = 70.0
    detection: DetectionSettings = field(default_factory=DetectionSettings)
    weights: ScoringWeights = field(default_factory=ScoringWeights)
    synthetic: bool = False
    note: str = ""


def strokes_of_recordings(recordings: list[Recording], settings: DetectionSettings) -> list[Stroke]:
    """All strokes of several expert recordings, numbered through from 1."""
    out: list[Stroke] = []
    for rec in recordings:
        for s in segment_recording(rec, settings):
            out.append(_renumber(s, len(out) + 1))
    return out


def _renumber(stroke: Stroke, index: int) -> Stroke:
    from dataclasses import replace

    return replace(stroke, index=index)


def build_exercise(
    draft: ExerciseDraft,
    strokes: list[Stroke],
    source_files: tuple[str, ...] = (),
    keep: list[bool] | None = None,
) -> tuple[Exercise, EnvelopeBuild]:
    """An exercise from expert strokes; ``keep`` drops strokes the instructor rejected."""
    chosen = [s for s, k in zip(strokes, keep or [True] * len(strokes), strict=True) if k]
    build = build_envelope(chosen, weights=draft.weights)
    provenance = Provenance(
        kind="synthetic" if draft.synthetic else "expert",
        recorded_by=draft.recorded_by,
        recorded_on=_dt.date.today().isoformat(),
        strokes=len(chosen),
        source_files=tuple(Path(f).name for f in source_files),
        note=draft.note,
    )
    exercise = Exercise(
        id=draft.id,
        name=draft.name,
        stroke_type=draft.stroke_type,
        body_region=draft.body_region,
        instrument=draft.instrument,
        description=draft.description,
        envelope=build.envelope,
        provenance=provenance,
        detection=draft.detection,
        weights=draft.weights,
        pass_mark=draft.pass_mark,
        calibration=build.calibration.as_json(),
    )
    return exercise, build
