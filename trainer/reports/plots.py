"""A stroke against the envelope as a small SVG, with the text alternative a screen reader reads.

Drawn for black-and-white print: the experts' band is a light grey area between two thin lines,
the stroke a solid black line, so nothing depends on colour. The text alternative says what the
picture shows in figures: how much of the stroke lay inside the band, the peak against the
experts' and where the stroke left the band.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from trainer.scoring.envelope import Envelope
from trainer.scoring.scorer import StrokeScore

WIDTH, HEIGHT = 120.0, 70.0


def stroke_plot(score: StrokeScore, envelope: Envelope) -> dict[str, Any]:
    """``{"idx", "svg", "alt"}`` for one scored stroke."""
    force = np.asarray(score.normalised.force_n, dtype=float)
    lo = np.asarray(envelope.force_lo_n, dtype=float)
    hi = np.asarray(envelope.force_hi_n, dtype=float)
    top = float(np.nanmax(np.concatenate([force, hi, [1e-6]]))) * 1.08
    x = np.linspace(0.0, WIDTH, force.size)

    def y(v: np.ndarray) -> np.ndarray:
        return HEIGHT - np.clip(np.nan_to_num(v, nan=0.0), 0.0, top) / top * HEIGHT

    def points(xs: np.ndarray, ys: np.ndarray) -> str:
        return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys, strict=True))

    band = points(np.concatenate([x, x[::-1]]), np.concatenate([y(hi), y(lo)[::-1]]))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0f}" height="{HEIGHT:.0f}" '
        f'viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}">'
        f'<rect width="{WIDTH:.0f}" height="{HEIGHT:.0f}" fill="white" stroke="#444" '
        'stroke-width="0.5"/>'
        f'<polygon points="{band}" fill="#d9d9d9" stroke="none"/>'
        f'<polyline points="{points(x, y(hi))}" fill="none" stroke="#777" stroke-width="0.5"/>'
        f'<polyline points="{points(x, y(lo))}" fill="none" stroke="#777" stroke-width="0.5"/>'
        f'<polyline points="{points(x, y(force))}" fill="none" stroke="black" '
        'stroke-width="1.2"/></svg>'
    )
    return {"idx": score.index, "svg": svg, "alt": _alt(score, envelope, force, lo, hi)}


def _alt(
    score: StrokeScore, envelope: Envelope, force: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> str:
    inside = float(score.force_in_band_pct)
    text = (
        f"Stroke {score.index}: force against the experts' band over the stroke, 0 to 100 %. "
        f"Inside the band for {inside:.0f} % of the stroke; peak {score.peak_force_n:.1f} N "
        f"against the experts' {envelope.peak_force_mean_n:.1f} N."
    )
    above = np.flatnonzero(force > hi)
    below = np.flatnonzero(force < lo)
    for name, where in (("above", above), ("below", below)):
        if where.size:
            first = 100.0 * where[0] / max(force.size - 1, 1)
            last = 100.0 * where[-1] / max(force.size - 1, 1)
            text += f" {name.capitalize()} it from {first:.0f} to {last:.0f} % of the stroke."
    if not math.isfinite(inside):
        text = f"Stroke {score.index}: no force curve to show."
    return text
