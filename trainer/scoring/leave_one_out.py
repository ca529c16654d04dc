"""The leave-one-out check: how the experts' own strokes score against the others' envelope.

It is the check that an envelope is neither too tight (experts fail their own band) nor too loose
(anything passes): each stroke is scored against an envelope fitted without it. It sits above both
the envelope fit and the scorer, which is why it is its own module.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from trainer.scoring.envelope import MIN_STROKES
from trainer.scoring.envelope_fit import envelope_from_normalised
from trainer.scoring.path_score import PathEnvelope
from trainer.scoring.scorer import Scorer
from trainer.scoring.tolerances import ScoringTolerances
from trainer.scoring.weights import ScoringWeights
from trainer.strokes.normalise import NormalisedStroke
from trainer.strokes.stroke import Stroke

#: Fewest strokes for the leave-one-out check (each stroke against an envelope of the others).
MIN_STROKES_FOR_CALIBRATION = MIN_STROKES + 1
#: Calibration targets: the experts' own leave-one-out median and 5th percentile.
MEDIAN_TARGET = 90.0
P5_TARGET = 75.0


@dataclass(frozen=True)
class CalibrationReport:
    """Each expert stroke scored against the envelope of the others (leave-one-out).

    ``scores`` follow the strokes' order. With fewer than 4 strokes there is nothing to leave out
    and the figures are None; ``note`` says so.
    """

    scores: tuple[float, ...]
    median: float | None
    p5: float | None
    median_target: float = MEDIAN_TARGET
    p5_target: float = P5_TARGET
    note: str = ""

    @property
    def meets_median_target(self) -> bool | None:
        return None if self.median is None else self.median >= self.median_target

    @property
    def meets_p5_target(self) -> bool | None:
        return None if self.p5 is None else self.p5 >= self.p5_target

    @property
    def ok(self) -> bool:
        return bool(self.meets_median_target and self.meets_p5_target)

    def as_json(self) -> dict[str, Any]:
        return {
            "method": "leave-one-out",
            "strokes": len(self.scores),
            "scores": [round(s, 1) for s in self.scores],
            "median": None if self.median is None else round(self.median, 1),
            "p5": None if self.p5 is None else round(self.p5, 1),
            "median_target": self.median_target,
            "p5_target": self.p5_target,
            "meets_median_target": self.meets_median_target,
            "meets_p5_target": self.meets_p5_target,
            "note": self.note,
        }


def leave_one_out_check(
    strokes: list[Stroke],
    normalised: list[NormalisedStroke],
    settings: dict[str, Any],
    weights: ScoringWeights | None,
    tolerances: ScoringTolerances | None = None,
) -> CalibrationReport:

    n = len(strokes)
    if n < MIN_STROKES_FOR_CALIBRATION:
        return CalibrationReport(
            scores=(),
            median=None,
            p5=None,
            note=f"leave-one-out needs at least {MIN_STROKES_FOR_CALIBRATION} strokes; got {n}",
        )
    w = weights if weights is not None else ScoringWeights()
    on_plate = all(s.has_cop for s in strokes)
    scores = []
    for i in range(n):
        others = normalised[:i] + normalised[i + 1 :]
        envelope = envelope_from_normalised(others, **settings)
        if on_plate:  # the path is scored too, so it is checked against the others' paths too
            others_paths = [s.path for j, s in enumerate(strokes) if j != i]
            envelope = replace(envelope, path=PathEnvelope.from_features(others_paths))
        # The usual pass mark, so that a stroke beyond all the others scores as a trainee's would.
        scorer = Scorer(envelope, w, tolerances=tolerances)
        scores.append(scorer.score_normalised(strokes[i], normalised[i]).score)
    arr = np.array(scores)
    median = float(np.median(arr))
    p5 = float(np.percentile(arr, 5))
    notes = []
    if median < MEDIAN_TARGET:
        notes.append(
            f"the experts' own median is {median:.0f}, under {MEDIAN_TARGET:.0f}: the envelope "
            "is strict for its own experts (record more strokes or drop outliers)"
        )
    if p5 < P5_TARGET:
        notes.append(
            f"the experts' 5th percentile is {p5:.0f}, under {P5_TARGET:.0f}: some expert "
            "strokes fail their own envelope"
        )
    return CalibrationReport(
        scores=tuple(float(s) for s in scores),
        median=median,
        p5=p5,
        note="; ".join(notes) if notes else "the experts score as expected against each other",
    )
