"""The outer tolerances an exercise scores with: the least error at which a sub-score reaches zero
and a critical feature fails the stroke, before the experts' own spread widens it.

The design's values (scoring.md section 3) are the defaults: force accuracy reaches zero at 25 %
of the experts' peak force away from their mean (or 3 of their SDs at that point, whichever is
wider), angle accuracy at 10 degrees (or 3 SDs), tempo at a duration 1.5 times the experts' (or
1/1.5) and a time of peak 20 % of the stroke away, smoothness at a SPARC 50 % worse than theirs;
each widened to 4 of the experts' SDs of that feature where they spread more (``Envelope``'s
``tolerance_outer_sds``).

They are the instructor's to change for an exercise, as the design asks of every threshold: how
far a trainee may stray in pace before the stroke fails is a teaching decision, not a number the
software can know. A narrower floor makes the score stricter only where the experts themselves
are more consistent than the floor; the experts' spread still widens it.

A small module of its own, as the weights are, so that exercises, the envelope builder and the
scorer can all name the tolerances without importing one another. ``from_dict`` trusts nothing
and names the field it rejects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from trainer.fields import as_number, as_section, known_only, path_of, reported_as
from trainer.scoring.weights import ScoringError

#: Each field: its default (the design's), its lowest (excluded) and highest allowed value.
_LIMITS: dict[str, tuple[float, float, float]] = {
    "force_frac_of_peak": (0.25, 0.0, 1.0),
    "angle_deg": (10.0, 0.0, 45.0),
    "duration_ratio": (1.5, 1.0, 4.0),
    "peak_shift_frac": (0.20, 0.0, 1.0),
    "smoothness_deficit_frac": (0.5, 0.0, 5.0),
}
TOLERANCE_FIELDS = tuple(_LIMITS)


@dataclass(frozen=True)
class ScoringTolerances:
    """The outer tolerances: the least error that scores zero on each sub-score (widened by the
    experts' spread; ``trainer.scoring.scorer``).

    ``force_frac_of_peak``: the force's distance from the experts' mean, as a share of their peak
    force. ``angle_deg``: the angle's, in degrees. ``duration_ratio``: the stroke's duration over
    the experts' mean (or its inverse), above 1. ``peak_shift_frac``: the shift of the time of
    peak force, as a share of the stroke. ``smoothness_deficit_frac``: how much worse the SPARC is
    than the experts' mean, as a share of it.
    """

    force_frac_of_peak: float = _LIMITS["force_frac_of_peak"][0]
    angle_deg: float = _LIMITS["angle_deg"][0]
    duration_ratio: float = _LIMITS["duration_ratio"][0]
    peak_shift_frac: float = _LIMITS["peak_shift_frac"][0]
    smoothness_deficit_frac: float = _LIMITS["smoothness_deficit_frac"][0]

    def __post_init__(self) -> None:
        with reported_as(ScoringError):
            for f in fields(self):
                _, low, high = _LIMITS[f.name]
                value = as_number(
                    getattr(self, f.name),
                    path_of(f.name, "tolerances"),
                    minimum=low,
                    maximum=high,
                    exclusive_minimum=True,
                )
                object.__setattr__(self, f.name, value)

    @property
    def duration_log(self) -> float:
        """The duration tolerance in the unit tempo's error is in: ln(``duration_ratio``)."""
        return math.log(self.duration_ratio)

    @property
    def is_default(self) -> bool:
        """The design's tolerances (an exercise file then needs no ``tolerances`` section)."""
        return all(math.isclose(getattr(self, name), limits[0]) for name, limits in _LIMITS.items())

    def to_dict(self) -> dict[str, float]:
        return {f.name: round(getattr(self, f.name), 4) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: Any) -> ScoringTolerances:
        """Tolerances from a dict; a missing field takes the design's value. Each value is
        checked once, by the constructor, which names it as ``tolerances.NAME``."""
        with reported_as(ScoringError):
            section = as_section(d, "tolerances")
            known_only(section, TOLERANCE_FIELDS, within="tolerances")
        return cls(**{name: section.get(name, limits[0]) for name, limits in _LIMITS.items()})
