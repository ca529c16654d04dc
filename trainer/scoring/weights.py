"""The weights of the sub-scores in a stroke's total, as an exercise stores them.

A small module of its own so that envelopes, exercises and the scorer can all name the weights
without importing one another. ``from_dict`` trusts nothing and names the field it rejects.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from trainer.fields import as_number, as_section, known_only, path_of, reported_as

SUB_SCORES = ("force", "angle", "tempo", "smoothness", "consistency")


class ScoringError(ValueError):
    """Scoring settings that cannot be used; the message names the field."""


@dataclass(frozen=True)
class ScoringWeights:
    """How much each sub-score counts. Any non-negative numbers with a positive sum; they are
    stored normalised to sum to 1, so 35/25/15/10/15 and 0.35/0.25/... are the same weights."""

    force: float = 0.35
    angle: float = 0.25
    tempo: float = 0.15
    smoothness: float = 0.10
    consistency: float = 0.15

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
            object.__setattr__(self, name, v / total)

    def as_mapping(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in SUB_SCORES}

    def to_dict(self) -> dict[str, float]:
        return {name: round(v, 4) for name, v in self.as_mapping().items()}

    @classmethod
    def from_dict(cls, d: Any) -> ScoringWeights:
        """Weights from a dict; missing names take their default share before normalising."""
        with reported_as(ScoringError):
            known_only(as_section(d, "weights"), SUB_SCORES, within="weights")
        return cls(**d)
