"""Tare: the zero of an unloaded tool, refused when the tool was not still.

A tare taken while someone touches the tool shifts every later force by the touch, silently; so the
evidence that it was taken while still (SD, drift) travels with the offset. Never does I/O or
imports Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.fields import number, reported_as
from trainer.signals.errors import ConditioningError

# -- tare ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TareResult:
    """The zero of an unloaded tool, with the evidence that it was taken while still."""

    offset_n: float
    sd_n: float
    duration_s: float
    drift_n_per_s: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "offset_n": self.offset_n,
            "sd_n": self.sd_n,
            "duration_s": self.duration_s,
            "drift_n_per_s": self.drift_n_per_s,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TareResult:
        """A stored tare; ``ConditioningError`` names the first bad field."""
        with reported_as(ConditioningError, "tare"):
            return cls(
                offset_n=number(d, "offset_n"),
                sd_n=number(d, "sd_n", minimum=0.0),
                duration_s=number(d, "duration_s", minimum=0.0),
                drift_n_per_s=number(d, "drift_n_per_s", default=0.0),
            )


def tare(
    force_n: np.ndarray,
    t_s: np.ndarray,
    min_duration_s: float = 2.0,
    max_sd_n: float = 0.3,
    max_drift_n_per_s: float = 0.25,
) -> TareResult:
    """The mean of a still, unloaded window, refused when the tool was not still.

    A tare taken while someone touches the tool shifts every later force by the touch, silently;
    so the window must be long enough, quiet (SD) and level (slope of a straight-line fit).
    """
    force = np.asarray(force_n, dtype=float)
    t = np.asarray(t_s, dtype=float)
    if force.shape != t.shape or force.ndim != 1:
        raise ValueError("force_n and t_s must be 1-D arrays of the same length")
    if force.size < 2:
        raise ConditioningError(
            f"the tare needs {min_duration_s:.1f} s of data with the tool still; got "
            f"{force.size} sample(s)"
        )
    if not (np.all(np.isfinite(force)) and np.all(np.isfinite(t))):
        raise ConditioningError("the tare window contains missing readings; hold still and retry")
    duration_s = float(t[-1] - t[0])
    if duration_s < min_duration_s:
        raise ConditioningError(
            f"the tare needs {min_duration_s:.1f} s with the tool still; got {duration_s:.2f} s"
        )
    offset_n = math.fsum(force) / force.size
    sd_n = math.sqrt(math.fsum((force - offset_n) ** 2) / force.size)
    slope = float(np.polyfit(t - t[0], force, 1)[0])
    if sd_n > max_sd_n:
        raise ConditioningError(
            f"the tool was not still: the force varied with SD {sd_n:.3f} N (at most "
            f"{max_sd_n:.3f} N allowed); put it down untouched and tare again"
        )
    if abs(slope) > max_drift_n_per_s:
        raise ConditioningError(
            f"the tool was not still: the force drifted by {slope:+.3f} N/s (at most "
            f"{max_drift_n_per_s:.3f} N/s allowed); let the sensor settle and tare again"
        )
    return TareResult(offset_n, sd_n, duration_s, slope)
