"""Where a stroke went on a force plate: its path from the centre of pressure (CoP).

A plate gives no tool angle, but its CoP traces the stroke on the plate, which is what tells a
sweep (a long straight line along the fibres) from a fan (an arc about one still end) or a
J-stroke (a short line ending in a hook). Per stroke this module measures:

- ``path_length_mm``: the length of the CoP's path while the stroke loads the plate;
- ``direction_deg``: the direction of travel, from the path's first point to its last (0 = +x,
  90 = +y, -180 to 180);
- ``straightness``: the chord over the path length (1 for a straight line, less for a curve or a
  scan that comes back);
- ``speed_mm_s``: the mean speed along the path;
- ``turn_deg``: how far the direction of travel turns along the path, anticlockwise positive: 0
  for a straight line, the sweep angle of a fan's arc (the angle it subtends at its centre), the
  hook of a J-stroke.

The CoP is meaningless near zero load: the ratio of two small, noisy numbers. Samples below
``min_force_n`` (1.5 N by default, the middle of the 1 to 2 N the literature gives) are left out,
never drawn or measured as a path. The path is smoothed before it is measured (cubics fitted
over 0.15 s, where the rate allows), since sensor noise adds length to any path: 0.2 mm of CoP
noise at 1 kHz would add about a metre a second. Direction and turning are read from the path
resampled every ``STEP_MM`` along its length, so that they do not depend on the rate, nor on how
slowly the stroke moved.

Never imports Qt; never reads or writes files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from trainer.signals.savgol import savgol_smooth

#: Below this force the CoP is not used (N).
DEFAULT_MIN_FORCE_N = 1.5
#: The CoP path is smoothed over this long (s): hand movement along the skin is far slower.
SMOOTH_S = 0.15
#: Turning is measured between headings of path pieces this long (mm). Over 12 noisy fans of 70
#: degrees (0.2 mm of CoP noise) the turning came out within 2 degrees at 1 kHz and 5 at 80 to
#: 200 samples/s; 4 mm pieces gave 5 and 11. A hook of 120 degrees on a 10 mm radius reads 2 to 3
#: degrees short, since its last piece straddles the turn.
STEP_MM = 8.0
#: The CoP within this of a stroke's first or last point is standing still, not travelling (mm).
STILL_MM = 1.0
#: A path shorter than this has no meaningful direction or turning (mm).
MIN_PATH_MM = 2.0


@dataclass(frozen=True)
class PathFeatures:
    """What the CoP says about one stroke; None where it cannot say (too few loaded samples, or a
    path too short to have a direction)."""

    path_length_mm: float | None
    direction_deg: float | None
    straightness: float | None
    speed_mm_s: float | None
    turn_deg: float | None
    #: The loaded samples the features were measured on.
    samples: int

    def as_json(self) -> dict[str, float | None]:
        return {
            "path_length_mm": _round(self.path_length_mm, 1),
            "direction_deg": _round(self.direction_deg, 1),
            "straightness": _round(self.straightness, 3),
            "path_speed_mm_s": _round(self.speed_mm_s, 1),
            "turn_deg": _round(self.turn_deg, 1),
        }


NO_PATH = PathFeatures(None, None, None, None, None, 0)


def loaded(force_n: np.ndarray, min_force_n: float = DEFAULT_MIN_FORCE_N) -> np.ndarray:
    """Where the CoP means something: the force is at least ``min_force_n``."""
    with np.errstate(invalid="ignore"):
        return np.asarray(force_n, dtype=float) >= min_force_n


def masked_cop(
    force_n: np.ndarray,
    cop_x_mm: np.ndarray,
    cop_y_mm: np.ndarray,
    min_force_n: float = DEFAULT_MIN_FORCE_N,
) -> tuple[np.ndarray, np.ndarray]:
    """The CoP with NaN where the load is too low for it to mean anything (for plotting)."""
    keep = loaded(force_n, min_force_n)
    x = np.where(keep, np.asarray(cop_x_mm, dtype=float), np.nan)
    y = np.where(keep, np.asarray(cop_y_mm, dtype=float), np.nan)
    return x, y


def path_features(
    t_s: np.ndarray,
    force_n: np.ndarray,
    cop_x_mm: np.ndarray,
    cop_y_mm: np.ndarray,
    min_force_n: float = DEFAULT_MIN_FORCE_N,
) -> PathFeatures:
    """The path features of one stroke's samples (times, force, CoP)."""
    t = np.asarray(t_s, dtype=float)
    keep = loaded(force_n, min_force_n) & np.isfinite(cop_x_mm) & np.isfinite(cop_y_mm)
    idx = np.flatnonzero(keep)
    if idx.size < 3:
        return replace_samples(NO_PATH, int(idx.size))
    # The loaded stretch from its first to its last loaded sample; brief dips inside it (a
    # stroke that lightens mid-way) are bridged by the path's straight line between them.
    x = np.asarray(cop_x_mm, dtype=float)[idx]
    y = np.asarray(cop_y_mm, dtype=float)[idx]
    tk = t[idx]
    x, y = _smooth(tk, x), _smooth(tk, y)
    steps = np.hypot(np.diff(x), np.diff(y))
    length = float(np.sum(steps))
    elapsed = float(tk[-1] - tk[0])
    speed = length / elapsed if elapsed > 0 else None
    if length < MIN_PATH_MM:
        return PathFeatures(length, None, None, speed, None, int(idx.size))
    chord_x, chord_y = float(x[-1] - x[0]), float(y[-1] - y[0])
    chord = math.hypot(chord_x, chord_y)
    direction = math.degrees(math.atan2(chord_y, chord_x)) if chord >= MIN_PATH_MM else None
    return PathFeatures(
        path_length_mm=length,
        direction_deg=direction,
        straightness=min(1.0, chord / length),
        speed_mm_s=speed,
        turn_deg=_turning_deg(x, y),
        samples=int(idx.size),
    )


def replace_samples(features: PathFeatures, samples: int) -> PathFeatures:
    return PathFeatures(
        features.path_length_mm,
        features.direction_deg,
        features.straightness,
        features.speed_mm_s,
        features.turn_deg,
        samples,
    )


def _smooth(t: np.ndarray, v: np.ndarray) -> np.ndarray:
    """One CoP coordinate smoothed, where the data allow it: a Savitzky-Golay filter (cubics
    over ``SMOOTH_S``), whose ends are fitted, not padded, so that the direction of travel at a
    stroke's first and last millimetres stays true (a zero-phase low-pass padded by reflection
    straightened the ends of a fan's arc and lost 7 of its 70 degrees).

    The rate is taken from the samples' own times (irregular data included); where a window
    would hold fewer than 7 samples there is nothing to smooth and ``v`` is returned as it is.
    """
    dt = np.diff(t)
    dt = dt[dt > 0]
    if dt.size == 0:
        return v
    window = round(SMOOTH_S / float(np.median(dt))) | 1
    window = min(window, (v.size - 1) | 1 if v.size % 2 == 0 else v.size)
    if window < 7:
        return v
    return savgol_smooth(v, window, 3)


def _turning_deg(x: np.ndarray, y: np.ndarray) -> float | None:
    """The signed turning of the direction of travel, from the path cut into equal pieces about
    STEP_MM long.

    A piece's heading is the axis of the samples that fall in it (a straight-line fit through
    them, pointing the way the piece goes), which is the path's direction near the piece's
    middle; the first and last half pieces are added at the curvature of their neighbours, which
    is exact for an arc and keeps a hook at the very end of a stroke. Fitting through every sample
    of a piece, not joining its two ends, matters at a stroke's slow start and finish: there
    many samples sit within a millimetre, and a heading from two of them swung a fan's 70 degrees
    by up to 17 at 80 samples/s and 0.2 mm of noise.
    """
    x, y = _moving(x, y)
    steps = np.hypot(np.diff(x), np.diff(y))
    along = np.concatenate([[0.0], np.cumsum(steps)])
    length = float(along[-1])
    if x.size < 3 or length < MIN_PATH_MM:
        return None
    n = max(2, round(length / max(STEP_MM, length / 200.0)))
    piece = np.minimum((along / length * n).astype(int), n - 1)
    heading = np.empty(n)
    for k in range(n):
        sel = np.flatnonzero(piece == k)
        heading[k] = _piece_heading(x, y, sel, along, length * k / n, length * (k + 1) / n)
    heading = np.unwrap(heading)
    inner = heading[-1] - heading[0]
    ends = 0.5 * ((heading[1] - heading[0]) + (heading[-1] - heading[-2]))
    return float(math.degrees(inner + ends))


def _moving(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The path without its still ends: from where the CoP last leaves a ``STILL_MM`` circle
    round its first point to where it first enters one round its last. A stroke starts and
    finishes slowly, and there the CoP's noise wanders back and forth within a millimetre: a
    heading read there pointed anywhere (a fan's 70 degrees measured as 59 to 87 at 80
    samples/s and 0.2 mm of noise)."""
    start = np.flatnonzero(np.hypot(x - x[0], y - y[0]) <= STILL_MM)
    end = np.flatnonzero(np.hypot(x - x[-1], y - y[-1]) <= STILL_MM)
    first = int(start[-1]) if start.size else 0
    last = int(end[0]) if end.size else x.size - 1
    if last - first < 2:
        return x, y
    return x[first : last + 1], y[first : last + 1]


def _piece_heading(
    x: np.ndarray, y: np.ndarray, sel: np.ndarray, along: np.ndarray, start: float, end: float
) -> float:
    """The heading of one piece of the path (radians): the principal axis of its samples, turned
    to point from the piece's start to its end; the chord where it holds too few samples."""
    sx = np.interp([start, end], along, x)
    sy = np.interp([start, end], along, y)
    chord = math.atan2(float(sy[1] - sy[0]), float(sx[1] - sx[0]))
    if sel.size < 4:
        return chord
    px, py = x[sel] - x[sel].mean(), y[sel] - y[sel].mean()
    sxx, syy, sxy = float(px @ px), float(py @ py), float(px @ py)
    axis = 0.5 * math.atan2(2.0 * sxy, sxx - syy)
    if math.cos(axis - chord) < 0:
        axis += math.pi
    return math.atan2(math.sin(axis), math.cos(axis))


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)
