"""TODO trainer.offline.analysis (from trainer.offline.analysis)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trainer.library.exercise import Exercise
from trainer.recordings.format import Recording
from trainer.scoring.scorer import Scorer, StrokeScore
from trainer.scoring.summary import SessionSummary, summarise
from trainer.strokes.detection import DetectionSettings
from trainer.strokes.segmentation import StrokeSegmenter
from trainer.strokes.stroke import Stroke


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
