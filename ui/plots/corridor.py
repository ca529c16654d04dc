"""The numbers behind the stroke plots: corridors, live traces and where they leave the band.

Kept apart from the widgets so that the arithmetic (time normalisation of a stroke in progress,
binning, out-of-band masks) is tested without a display, and so that the widgets depend on one
small ``Corridor`` type rather than on the envelope's storage.

A stroke in progress is placed on the expert's time axis: x = (t - stroke start) / expert mean
duration x 100, so 100 % is where an expert would have finished. A trainee who is slow runs past
100 %; one who is fast stops short: the timing error is visible, not normalised away.

Pure numpy; never imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainer.scoring.band import inside_band
from trainer.scoring.envelope import Envelope

#: Live traces are averaged into bins this wide on the % axis: 150 points over the plot's 150 %,
#: a point every 4 to 6 px, smooth for a force that changes over tenths of a second.
TRACE_BIN_PCT = 1.0


@dataclass(frozen=True)
class Corridor:
    """One quantity's expert corridor over 0 to 100 % of the stroke."""

    x_pct: np.ndarray
    lo: np.ndarray
    mu: np.ndarray
    hi: np.ndarray
    label: str
    unit: str

    def bounds_at(self, x_pct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Band edges at ``x_pct``; outside 0 to 100 % the band does not exist (NaN)."""
        x = np.asarray(x_pct, dtype=np.float64)
        lo = np.interp(x, self.x_pct, self.lo, left=np.nan, right=np.nan)
        hi = np.interp(x, self.x_pct, self.hi, left=np.nan, right=np.nan)
        return lo, hi

    def outside(self, x_pct: np.ndarray, y: np.ndarray) -> np.ndarray:
        """True where the trace is above or below the band, or past the end of the expert stroke."""
        lo, hi = self.bounds_at(x_pct)
        out = ~inside_band(np.asarray(y, dtype=np.float64), lo, hi)
        # Past 100 % the expert had lifted off: any contact there is outside the corridor.
        return out | (np.asarray(x_pct) > self.x_pct[-1])

    def typical_band(self) -> tuple[float, float]:
        """The band over the middle of the stroke (20 to 80 %), for a single target read-out."""
        mid = (self.x_pct >= 20.0) & (self.x_pct <= 80.0)
        if not mid.any():
            mid = np.ones_like(self.x_pct, dtype=bool)
        return float(np.median(self.lo[mid])), float(np.median(self.hi[mid]))


def bin_mean(
    x: np.ndarray, y: np.ndarray, bin_width: float = TRACE_BIN_PCT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean x and y of each run of samples in the same ``bin_width``-wide bin of x, and each
    run's bin number. ``x`` must not decrease (a stroke's time axis).

    Averaging (not picking a sample per bin) keeps sensor noise from aliasing into a jagged line.
    The bins are fixed on the axis, so a bin whose samples have all arrived never changes: a
    growing stroke's drawn line stays still except at its newest end, frame after frame.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(x) == 0:
        return x, y, np.zeros(0, dtype=np.int64)
    bins = np.floor(x / bin_width).astype(np.int64)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(bins)) + 1))
    counts = np.diff(np.append(starts, len(x)))
    return (
        np.add.reduceat(x, starts) / counts,
        np.add.reduceat(y, starts) / counts,
        bins[starts],
    )


def stroke_x_pct(t_s: np.ndarray, stroke_start_s: float, expected_duration_s: float) -> np.ndarray:
    """Time since the stroke began as a percentage of the expert's mean stroke duration."""
    if expected_duration_s <= 0:
        raise ValueError("the expected stroke duration must be positive")
    return (np.asarray(t_s, dtype=np.float64) - stroke_start_s) / expected_duration_s * 100.0


def pct_axis(n: int = 101) -> np.ndarray:
    return np.linspace(0.0, 100.0, n)


def force_corridor(envelope: Envelope) -> Corridor:
    return Corridor(
        pct_axis(len(envelope.force_mu_n)),
        envelope.force_lo_n,
        envelope.force_mu_n,
        envelope.force_hi_n,
        "force",
        "N",
    )


def angle_corridor(envelope: Envelope) -> Corridor | None:
    """None when the experts' tool had no angle channel."""
    if not envelope.has_angle:
        return None
    return Corridor(
        pct_axis(len(envelope.angle_mu_deg)),
        envelope.angle_lo_deg,
        envelope.angle_mu_deg,
        envelope.angle_hi_deg,
        "angle",
        "°",
    )
