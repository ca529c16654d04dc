"""An exercise in the making: what an instructor fills in around the envelope, and the exercise it
becomes with the expert strokes.

The instructor's window, the ``envelope`` command and the shipped library's build all make
exercises this one way, so every exercise carries the same provenance and leave-one-out check.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from trainer.library.exercise import Exercise, Provenance
from trainer.scoring.envelope_build import EnvelopeBuild, build_envelope
from trainer.scoring.tolerances import ScoringTolerances
from trainer.scoring.weights import BlockCriteria, ScoringWeights
from trainer.strokes.detection import DetectionSettings
from trainer.strokes.stroke import Stroke


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
    block: BlockCriteria = field(default_factory=BlockCriteria)
    tolerances: ScoringTolerances = field(default_factory=ScoringTolerances)
    synthetic: bool = False
    note: str = ""


def build_exercise(
    draft: ExerciseDraft,
    strokes: list[Stroke],
    source_files: tuple[str, ...] = (),
    keep: list[bool] | None = None,
) -> tuple[Exercise, EnvelopeBuild]:
    """An exercise from expert strokes; ``keep`` drops strokes the instructor rejected."""
    chosen = [s for s, k in zip(strokes, keep or [True] * len(strokes), strict=True) if k]
    build = build_envelope(chosen, weights=draft.weights, tolerances=draft.tolerances)
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
        block=draft.block,
        tolerances=draft.tolerances,
        calibration=build.calibration.as_json(),
    )
    return exercise, build
