"""Scoring a whole recording: the live segmenter fed the recording as one block, then the scorer.

The data are the truth and the metadata a hint: the sample rate used for detection comes from the
recording's time column (its median sample interval), never from its ``# rate_hz:`` line, which
may be stale (a file resampled or cut by another program). What the segmenter had to work around
(a start that was not still, glitching samples left out, a stated rate the data contradict) comes
back as ``ScoreReport.notes``, one sentence each.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from devices.samples import SampleBlock
from trainer.library.exercise import Exercise
from trainer.offline.beside import ScoringBeside, can_score_beside
from trainer.recordings.format import Recording
from trainer.scoring.scorer import StrokeScore
from trainer.scoring.summary import SessionSummary, summarise
from trainer.strokes.detection import DetectionSettings
from trainer.strokes.left_out import contacts_not_scored
from trainer.strokes.segmentation import ABSURD_FORCE_N, StrokeSegmenter
from trainer.strokes.stroke import Stroke


@dataclass
class ScoreReport:
    """A scored recording: what ``iastm-trainer score`` prints."""

    exercise: Exercise
    strokes: list[Stroke]
    scores: list[StrokeScore]
    summary: SessionSummary
    recording: Recording | None = None
    #: What segmentation had to work around, one sentence each (empty for a clean recording).
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise.id,
            "strokes": [s.as_json() for s in self.scores],
            "summary": self.summary.as_json(),
            "notes": list(self.notes),
        }


def data_rate_hz(recording: Recording) -> float | None:
    """The sample rate the time column shows (its median interval); None under two samples."""
    if recording.t_s.size < 2:
        return None
    return float(1.0 / np.median(np.diff(recording.t_s)))


def segment_recording(recording: Recording, settings: DetectionSettings) -> list[Stroke]:
    """The strokes of a recording, by the same streaming segmenter the live session uses."""
    return segment_recording_noted(recording, settings)[0]


def segment_recording_noted(
    recording: Recording,
    settings: DetectionSettings,
    found: Callable[[list[Stroke]], None] | None = None,
) -> tuple[list[Stroke], list[str]]:
    """The strokes of a recording and the notes on what segmentation had to work around.

    ``found`` is given the strokes of each piece of the recording as soon as they are settled
    (a piece is ``PIECE_SAMPLES`` long; any partition gives the same strokes)."""
    rate = data_rate_hz(recording)
    segmenter = StrokeSegmenter(settings, rate_hz=rate)
    block = recording.as_block()
    strokes: list[Stroke] = []
    step = PIECE_SAMPLES if found is not None else max(len(block), 1)
    for lo in range(0, len(block), step):
        piece = SampleBlock(block.t_s[lo : lo + step], block.values[lo : lo + step], block.channels)
        got = segmenter.feed(piece)
        if got and found is not None:
            found(got)
        strokes.extend(got)
    got = segmenter.flush()
    if got and found is not None:
        found(got)
    strokes.extend(got)
    notes: list[str] = []
    stated = _stated_rate_hz(recording)
    if stated is not None and rate is not None and abs(stated / rate - 1.0) > _RATE_TOLERANCE:
        notes.append(
            f"the recording states rate_hz {stated:g} but its samples are {rate:.4g} Hz apart: "
            "the time column's rate was used"
        )
    absurd = segmenter.counters["absurd_samples"]
    if absurd:
        notes.append(
            f"{absurd} sample(s) with an impossible force (beyond {ABSURD_FORCE_N:g} N, a "
            "glitching load cell) were left out"
        )
    if segmenter.tare_warning:
        notes.append(segmenter.tare_warning)
    notes += contacts_not_scored(segmenter.counters, settings)
    return strokes, notes


#: Samples segmented between hand-overs of the strokes found (``segment_recording_noted``).
PIECE_SAMPLES = 262144

#: A stated rate this far (relative) from the time column's is reported as stale.
_RATE_TOLERANCE = 0.01


def _stated_rate_hz(recording: Recording) -> float | None:
    try:
        stated = float(recording.metadata.get("rate_hz", ""))
    except ValueError:
        return None
    return stated if stated > 0 and math.isfinite(stated) else None


def score_recording(
    recording: Recording, exercise: Exercise, *, beside: bool = False
) -> ScoreReport:
    """Segment and score a recording. ``beside``: a long recording's strokes may be scored in a
    second process while the rest is segmented (``beside.py``; the same scores, sooner); only a
    command-line process asks for it, never one with a window."""
    scorer = exercise.scorer()
    if beside and can_score_beside(len(recording.t_s)):
        with ScoringBeside(scorer) as scoring:
            strokes, notes = segment_recording_noted(recording, exercise.detection, scoring.submit)
            scores = scoring.scores()
    else:
        strokes, notes = segment_recording_noted(recording, exercise.detection)
        scores = scorer.score_many(strokes)
    summary = summarise(scores, exercise.pass_mark, exercise.envelope, exercise.block)
    return ScoreReport(exercise, strokes, scores, summary, recording, notes)


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
