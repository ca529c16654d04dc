"""The stroke's path on a force plate, scored against the experts' paths.

Expert plate recordings give, besides the force band, the experts' path features (from
``trainer.strokes.path``) with their spread: how long a stroke is, which way it goes, and how
straight it is or, for a curved stroke (a fan, a J-stroke), how far it turns. A trainee's stroke
is scored on the same three, each 100 inside its inner tolerance and 0 beyond its outer one, and
the tolerances follow the experts (at least 2 and 4 of their SDs, as for the other sub-scores), so
a stroke is never marked down for varying as much as the experts do:

- length: abs(ln(length / experts' mean)), floors ln 1.15 and ln 1.5;
- direction: the angle between the stroke's direction and the experts' mean direction, floors 10
  and 30 degrees;
- shape: for a curved stroke (the experts turn 20 degrees or more), the difference in turning,
  floors 10 and 35 degrees; for a straight one, how much less straight (chord over path length)
  than the experts, floors 0.03 and 0.15.

The path sub-score is the mean of the three. Each lost mark comes with the words for it: "stroke
30 mm too short", "drifting 12 deg off the line of the fibres", "the fan opened 40 deg, the
expert's 70 deg". Never imports Qt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.fields import number, reported_as
from trainer.strokes.path import PathFeatures

#: Experts who turn at least this much make a curved stroke, scored on its turning (degrees).
CURVED_TURN_DEG = 20.0
LENGTH_FLOORS = (math.log(1.15), math.log(1.5))
DIRECTION_FLOORS_DEG = (10.0, 30.0)
TURN_FLOORS_DEG = (10.0, 35.0)
STRAIGHTNESS_FLOORS = (0.03, 0.15)
#: Fewer expert strokes with a path than this and the envelope learns no path.
MIN_PATH_STROKES = 3


class PathEnvelopeError(ValueError):
    """A stored path envelope that cannot be used; the message names the field."""


@dataclass(frozen=True)
class PathEnvelope:
    """The experts' path features: means and SDs (direction and turning in degrees)."""

    n_strokes: int
    length_mean_mm: float
    length_log_sd: float
    direction_mean_deg: float
    direction_sd_deg: float
    straightness_mean: float
    straightness_sd: float
    turn_mean_deg: float
    turn_sd_deg: float

    @property
    def curved(self) -> bool:
        return abs(self.turn_mean_deg) >= CURVED_TURN_DEG

    @classmethod
    def from_features(cls, features: Sequence[PathFeatures]) -> PathEnvelope | None:
        """The experts' path, or None when fewer than ``MIN_PATH_STROKES`` strokes have one."""
        usable = [
            f
            for f in features
            if f.path_length_mm
            and f.direction_deg is not None
            and f.straightness is not None
            and f.turn_deg is not None
        ]
        if len(usable) < MIN_PATH_STROKES:
            return None
        length = np.array([f.path_length_mm for f in usable], dtype=float)
        direction = np.radians([f.direction_deg for f in usable])
        # Directions are circular: their mean is that of unit vectors, their SD the circular one.
        c, s = float(np.mean(np.cos(direction))), float(np.mean(np.sin(direction)))
        resultant = min(1.0, math.hypot(c, s))
        circular_sd = math.degrees(math.sqrt(max(0.0, -2.0 * math.log(max(resultant, 1e-12)))))
        straight = np.array([f.straightness for f in usable], dtype=float)
        turn = np.array([f.turn_deg for f in usable], dtype=float)
        return cls(
            n_strokes=len(usable),
            length_mean_mm=float(np.exp(np.mean(np.log(length)))),
            length_log_sd=float(np.std(np.log(length), ddof=1)),
            direction_mean_deg=math.degrees(math.atan2(s, c)),
            direction_sd_deg=circular_sd,
            straightness_mean=float(np.mean(straight)),
            straightness_sd=float(np.std(straight, ddof=1)),
            turn_mean_deg=float(np.mean(turn)),
            turn_sd_deg=float(np.std(turn, ddof=1)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_strokes": self.n_strokes,
            "length_mean_mm": round(self.length_mean_mm, 2),
            "length_log_sd": round(self.length_log_sd, 4),
            "direction_mean_deg": round(self.direction_mean_deg, 2),
            "direction_sd_deg": round(self.direction_sd_deg, 2),
            "straightness_mean": round(self.straightness_mean, 4),
            "straightness_sd": round(self.straightness_sd, 4),
            "turn_mean_deg": round(self.turn_mean_deg, 2),
            "turn_sd_deg": round(self.turn_sd_deg, 2),
        }

    @classmethod
    def from_dict(cls, d: Any) -> PathEnvelope:
        if not isinstance(d, dict):
            raise PathEnvelopeError("envelope.path: expected an object")
        with reported_as(PathEnvelopeError, "envelope.path"):
            n = number(d, "n_strokes", minimum=MIN_PATH_STROKES)
            return cls(
                n_strokes=int(n),
                length_mean_mm=number(d, "length_mean_mm", minimum=0.0, exclusive_minimum=True),
                length_log_sd=number(d, "length_log_sd", minimum=0.0),
                direction_mean_deg=number(d, "direction_mean_deg", minimum=-180.0, maximum=180.0),
                direction_sd_deg=number(d, "direction_sd_deg", minimum=0.0),
                straightness_mean=number(d, "straightness_mean", minimum=0.0, maximum=1.0),
                straightness_sd=number(d, "straightness_sd", minimum=0.0),
                turn_mean_deg=number(d, "turn_mean_deg"),
                turn_sd_deg=number(d, "turn_sd_deg", minimum=0.0),
            )


@dataclass(frozen=True)
class PathScore:
    """A stroke's path sub-score and, per part that lost marks, its share of the loss and words."""

    score: float
    remarks: tuple[tuple[float, str], ...]


def _ramp(error: float, inner: float, outer: float) -> float:
    if error <= inner:
        return 100.0
    if error >= outer or outer <= inner:
        return 0.0
    return 100.0 * (outer - error) / (outer - inner)


def _tolerance(sd: float, floors: tuple[float, float], inner_sds: float, outer_sds: float):
    sd = sd if math.isfinite(sd) else 0.0
    return max(inner_sds * sd, floors[0]), max(outer_sds * sd, floors[1])


def angle_between_deg(a: float, b: float) -> float:
    """The signed smallest angle from ``b`` to ``a``, -180 to 180 degrees."""
    return (a - b + 180.0) % 360.0 - 180.0


def score_path(
    env: PathEnvelope,
    features: PathFeatures,
    stroke_type: str = "stroke",
    inner_sds: float = 2.0,
    outer_sds: float = 4.0,
) -> PathScore | None:
    """The path sub-score of one stroke, or None when its path cannot be measured (too little
    load, or it hardly moved). ``stroke_type`` names the stroke in the words ("the fan opened")."""
    if (
        not features.path_length_mm
        or features.direction_deg is None
        or features.straightness is None
        or features.turn_deg is None
    ):
        return None
    parts: list[tuple[float, str]] = []
    # Length.
    length_error = abs(math.log(features.path_length_mm / env.length_mean_mm))
    lo, hi = _tolerance(env.length_log_sd, LENGTH_FLOORS, inner_sds, outer_sds)
    length_score = _ramp(length_error, lo, hi)
    if length_score < 100.0:
        diff = features.path_length_mm - env.length_mean_mm
        word = "long" if diff > 0 else "short"
        parts.append((100.0 - length_score, f"stroke {abs(diff):.0f} mm too {word}"))
    # Direction.
    off = angle_between_deg(features.direction_deg, env.direction_mean_deg)
    lo, hi = _tolerance(env.direction_sd_deg, DIRECTION_FLOORS_DEG, inner_sds, outer_sds)
    direction_score = _ramp(abs(off), lo, hi)
    if direction_score < 100.0:
        parts.append(
            (
                100.0 - direction_score,
                f"drifting {abs(off):.0f} deg off the line of the experts' strokes",
            )
        )
    # Shape: turning for a curved stroke, straightness for a straight one.
    if env.curved:
        turn = abs(features.turn_deg) if env.turn_mean_deg > 0 else -features.turn_deg
        expert = abs(env.turn_mean_deg)
        lo, hi = _tolerance(env.turn_sd_deg, TURN_FLOORS_DEG, inner_sds, outer_sds)
        shape_score = _ramp(abs(turn - expert), lo, hi)
        if shape_score < 100.0:
            name = stroke_type.replace("_", "-")
            verb = "opened" if name == "fan" else "turned"
            parts.append(
                (
                    100.0 - shape_score,
                    f"the {name} {verb} {turn:.0f} deg, the expert's {expert:.0f} deg",
                )
            )
    else:
        deficit = max(0.0, env.straightness_mean - features.straightness)
        lo, hi = _tolerance(env.straightness_sd, STRAIGHTNESS_FLOORS, inner_sds, outer_sds)
        shape_score = _ramp(deficit, lo, hi)
        if shape_score < 100.0:
            parts.append(
                (
                    100.0 - shape_score,
                    f"a wavering line: {100 * features.straightness:.0f} % straight against the "
                    f"expert's {100 * env.straightness_mean:.0f} %",
                )
            )
    score = (length_score + direction_score + shape_score) / 3.0
    # Each part is a third of the sub-score: its share of the loss is a third of its lost marks.
    return PathScore(score, tuple((lost / 3.0, text) for lost, text in parts))
