"""The weights of the sub-scores in a stroke's total, and the block criteria, as an exercise stores
them.

A small module of its own so that envelopes, exercises and the scorer can all name the weights
without importing one another. ``from_dict`` trusts nothing and names the field it rejects.

Consistency is not a weight here: a stroke's score depends on that stroke and the envelope only
(the same stroke scores the same wherever it falls in a session), so consistency is a figure of a
block of strokes (``BlockCriteria``, ``trainer.scoring.summary``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from trainer.fields import (
    FieldError,
    as_number,
    as_section,
    known_only,
    number,
    path_of,
    reported_as,
)

#: The sub-scores a stroke's total is made of, in the order they are shown.
SUB_SCORES = ("force", "angle", "tempo", "smoothness", "path")
#: The keys of a stroke's ``sub_scores`` in its JSON: ``consistency`` stays (always null) so that
#: scripts written against the earlier contract keep working.
STROKE_SUB_SCORE_KEYS = (*SUB_SCORES, "consistency")
#: Without an angle channel (a force plate): force 0.60, tempo 0.25, smoothness 0.15.
FORCE_ONLY_DEFAULTS = {
    "force": 0.60,
    "angle": 0.0,
    "tempo": 0.25,
    "smoothness": 0.15,
    "path": 0.0,
}
#: A force plate whose exercise learned the experts' path (``trainer.scoring.path_score``): where
#: the stroke went takes the quarter of the total that the tool's angle had.
PLATE_DEFAULTS = {"force": 0.45, "angle": 0.0, "tempo": 0.20, "smoothness": 0.10, "path": 0.25}

BLOCK_FIELDS = ("consistency_weight", "consistency_pass_mark")
DEFAULT_CONSISTENCY_WEIGHT = 0.15
DEFAULT_CONSISTENCY_PASS_MARK = 50.0


class ScoringError(ValueError):
    """Scoring settings that cannot be used; the message names the field."""


@dataclass(frozen=True)
class ScoringWeights:
    """How much each sub-score counts. Any non-negative numbers with a positive sum; they are
    stored normalised to sum to 1, so 40/30/18/12 and 0.40/0.30/... are the same weights."""

    force: float = 0.40
    angle: float = 0.30
    tempo: float = 0.18
    smoothness: float = 0.12
    #: The path on a force plate; 0 by default, so a tool's scores are as they were, and a plate
    #: exercise with the default weights uses ``PLATE_DEFAULTS``.
    path: float = 0.0

    def __post_init__(self) -> None:
        with reported_as(ScoringError):
            values = {
                f.name: as_number(getattr(self, f.name), path_of(f.name, "weights"), minimum=0.0)
                for f in fields(self)
            }
        total = sum(values.values())
        if not total > 0:
            raise ScoringError("the scoring weights must not all be zero")
        for name, v in values.items():
            # Rounded far below any meaning, so that 40/30/18/12 and 0.4/0.3/... compare equal.
            object.__setattr__(self, name, round(v / total, 12))

    @property
    def is_default(self) -> bool:
        """The default weights (to rounding), which have their own force-only counterpart."""
        defaults = {f.name: f.default for f in fields(self)}
        return all(math.isclose(getattr(self, k), v, abs_tol=1e-6) for k, v in defaults.items())

    def as_mapping(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in SUB_SCORES}

    def without_angle(self) -> dict[str, float]:
        """The weights for a stroke with no angle: the design's force-only set (0.60, 0.25,
        0.15) for the default weights, otherwise these with angle's share spread over the rest."""
        if self.is_default:
            return dict(FORCE_ONLY_DEFAULTS)
        w = self.as_mapping()
        w["angle"] = 0.0
        total = sum(w.values())
        return {k: v / total for k, v in w.items()} if total > 0 else w

    def on_plate(self) -> dict[str, float]:
        """The weights for a plate stroke with a path to score: ``PLATE_DEFAULTS`` for the
        default weights, otherwise these without angle (the instructor's path weight as set)."""
        return dict(PLATE_DEFAULTS) if self.is_default else self.without_angle()

    def to_dict(self) -> dict[str, float]:
        # A zero path weight is left out, so that tool exercises are written as they always were.
        return {
            name: round(v, 4) for name, v in self.as_mapping().items() if name != "path" or v > 0
        }

    @classmethod
    def from_dict(cls, d: Any) -> ScoringWeights:
        """Weights from a dict; missing names take their default share before normalising."""
        with reported_as(ScoringError):
            section = as_section(d, "weights")
            if "consistency" in section:
                raise FieldError(
                    "weights.consistency",
                    "is not a stroke weight: consistency is judged over a block of strokes "
                    "(set 'block.consistency_weight' instead)",
                )
            known_only(section, SUB_SCORES, within="weights")
        return cls(**d)


@dataclass(frozen=True)
class BlockCriteria:
    """What a block of strokes (a session, an assessment block) is judged on besides its scores.

    ``consistency_pass_mark``: the block's consistency (0 to 100, ``trainer.scoring.summary``)
    it must reach. ``consistency_weight``: the share consistency takes beside the mean stroke
    score when an assessment block combines them; an exercise written with a consistency weight
    among the stroke weights keeps that share here.
    """

    consistency_weight: float = DEFAULT_CONSISTENCY_WEIGHT
    consistency_pass_mark: float = DEFAULT_CONSISTENCY_PASS_MARK

    def __post_init__(self) -> None:
        with reported_as(ScoringError):
            as_number(
                self.consistency_weight,
                path_of("consistency_weight", "block"),
                minimum=0.0,
                maximum=1.0,
            )
            as_number(
                self.consistency_pass_mark,
                path_of("consistency_pass_mark", "block"),
                minimum=0.0,
                maximum=100.0,
            )

    def to_dict(self) -> dict[str, float]:
        return {
            "consistency_weight": round(self.consistency_weight, 4),
            "consistency_pass_mark": round(self.consistency_pass_mark, 2),
        }

    @classmethod
    def from_dict(cls, d: Any) -> BlockCriteria:
        """Criteria from a dict; a missing field takes its default."""
        with reported_as(ScoringError):
            section = as_section(d, "block")
            known_only(section, BLOCK_FIELDS, within="block")
            return cls(
                consistency_weight=number(
                    section,
                    "consistency_weight",
                    within="block",
                    minimum=0.0,
                    maximum=1.0,
                    default=DEFAULT_CONSISTENCY_WEIGHT,
                ),
                consistency_pass_mark=number(
                    section,
                    "consistency_pass_mark",
                    within="block",
                    minimum=0.0,
                    maximum=100.0,
                    default=DEFAULT_CONSISTENCY_PASS_MARK,
                ),
            )
