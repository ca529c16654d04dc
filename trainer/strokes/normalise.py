"""Prepare one stroke for scoring: zero-phase filtered and resampled to 0..100 % of the stroke.

Experts' strokes (when an envelope is built) and trainees' strokes (when they are scored) pass
through this one function, so that both are compared on exactly the same footing whatever the
device's sample rate, its regularity, or how the stroke was found.

Force stays in newtons and is never amplitude-normalised: how hard the tool presses is the skill
being taught. Angle stays in degrees and is only ever taken from the contact phase.

This module never segments, scores or builds envelopes, and never imports Qt.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trainer.signals.butterworth import lowpass_sos, sosfilt_zi
from trainer.signals.filters import sosfiltfilt_rows
from trainer.signals.median import median
from trainer.signals.sparc import sparc_many
from trainer.strokes.stroke import Stroke

#: Points of a normalised stroke: 0, 1, ..., 100 % of the contact phase.
POINTS = 101
#: Default zero-phase low-pass cut-off (the design asks for 10 to 15 Hz).
DEFAULT_LOWPASS_HZ = 12.0
#: The cut-off is kept below this fraction of the sample rate (an 80 Hz HX711 gets 12 Hz, a 10 Hz
#: device 4 Hz), so that the filter stays well defined on slow devices.
MAX_CUTOFF_FRACTION_OF_RATE = 0.4
#: With fewer samples than this a stroke is too short to filter meaningfully; it is used as is.
MIN_SAMPLES_TO_FILTER = 6
#: Butterworth order of each pass (filtfilt doubles it).
FILTER_ORDER = 2
#: Edge padding for the zero-phase filter, in periods of the cut-off. Padding by a fixed time, not
#: by scipy's default handful of samples, keeps edge transients the same at any sample rate (the
#: same curve at 500 and 2000 samples then normalises to within 1e-3 N, against 0.4 N with the
#: default padding). The padding is scipy's odd extension: of the usual choices it bends a stroke's
#: sloping ends least (0.03 N on a 30 N pulse, against 0.2 to 0.4 N for even or constant), at the
#: price that noise on the very first and last samples survives in the outer few % of the stroke.
PAD_PERIODS_OF_CUTOFF = 1.2


@dataclass(frozen=True, eq=False)
class NormalisedStroke:
    """A stroke on the common 101-point axis, plus the scalars that scoring compares.

    ``angle_deg`` is all NaN when the device has no angle channel (or sent no finite angle during
    the stroke). ``peak_force_n`` and ``time_to_peak_frac`` come from the filtered signal at the
    device's own rate, so that a narrow peak is not clipped by the 101-point grid. The time to
    peak is the centre of the stroke's top (``top_centre``), not its highest sample: on a
    plateau that sample falls anywhere, moved by noise and drift. ``sparc`` is NaN when the
    stroke has no shape to measure.
    """

    force_n: np.ndarray
    angle_deg: np.ndarray
    duration_s: float
    time_to_peak_frac: float
    peak_force_n: float
    mean_angle_deg: float
    sparc: float

    @property
    def has_angle(self) -> bool:
        return bool(np.all(np.isfinite(self.angle_deg)))

    @property
    def pct(self) -> np.ndarray:
        """The x axis for plotting: 0 to 100 % of the stroke."""
        return np.linspace(0.0, 100.0, POINTS)


def normalise(stroke: Stroke, lowpass_hz: float = DEFAULT_LOWPASS_HZ) -> NormalisedStroke:
    """Filter a stroke without phase lag and resample its contact phase to 101 points.

    The samples are first put on a uniform grid at the stroke's median sample interval (linear
    interpolation on the stroke's own time axis, which also copes with irregular sampling), then
    low-pass filtered forwards and backwards (``sosfiltfilt``; no delay, so boundaries and time to
    peak stay put), then interpolated to 101 points from ``start_s`` to ``end_s``.

    Raises ``ValueError`` for a stroke with no samples or with time that does not increase: the
    segmenter never produces one, so meeting one is a programming error.
    """
    return normalise_many([stroke], lowpass_hz)[0]


def normalise_many(
    strokes: Sequence[Stroke], lowpass_hz: float = DEFAULT_LOWPASS_HZ
) -> list[NormalisedStroke]:
    """``normalise`` of each stroke, with the filtering of all of them done together.

    A recording holds hundreds of strokes; filtering them as rows of a few arrays instead of one
    call each makes whole-recording scoring several times faster, with the same numbers.
    """
    grids = [_on_grid(s) for s in strokes]
    rows: list[np.ndarray] = []
    designs: list[tuple[int, float, int]] = []
    slots: list[tuple[int, int]] = []  # (row of the force, row of the angle); -1: unfiltered
    for g in grids:
        slot = []
        for values in (g.force_u, g.angle_u):
            design = _design_key(values, g.rate_hz, lowpass_hz)
            if values is None or design is None:
                slot.append(-1)
            else:
                slot.append(len(rows))
                rows.append(values)
                designs.append(design)
        slots.append((slot[0], slot[1]))
    filtered = _zero_phase_rows(rows, designs)
    parts = []
    for g, (f_row, a_row) in zip(grids, slots, strict=True):
        force_f = filtered[f_row] if f_row >= 0 else g.force_u
        angle_f = filtered[a_row] if a_row >= 0 else g.angle_u
        parts.append(_resampled(g, force_f, angle_f))
    smoothness = _force_sparcs([p[0] for p in parts], [p[2] for p in parts])
    return [NormalisedStroke(*p, sparc=v) for p, v in zip(parts, smoothness, strict=True)]


@dataclass(frozen=True, eq=False)
class _Grid:
    """A stroke on its uniform grid, before filtering."""

    start_s: float
    end_s: float
    grid_s: np.ndarray
    force_u: np.ndarray
    angle_u: np.ndarray | None
    rate_hz: float


def _on_grid(stroke: Stroke) -> _Grid:
    t_s = np.asarray(stroke.t_s, dtype=float)
    force_n = np.asarray(stroke.force_n, dtype=float)
    angle_deg = np.asarray(stroke.angle_deg, dtype=float)
    if t_s.size == 0:
        raise ValueError(f"stroke {stroke.index} has no samples")
    if not (t_s.size == force_n.size == angle_deg.size):
        raise ValueError(f"stroke {stroke.index}: t_s, force_n and angle_deg differ in length")
    dt_s = t_s[1:] - t_s[:-1]
    if np.any(dt_s <= 0):
        raise ValueError(f"stroke {stroke.index}: time does not increase")

    start_s, end_s = float(stroke.start_s), float(stroke.end_s)
    if not end_s > start_s:
        start_s, end_s = float(t_s[0]), float(t_s[-1])
    grid_s, force_u, rate_hz = _uniform(t_s, force_n, dt_s)
    angle_u = _uniform_angle(t_s, angle_deg, grid_s)
    return _Grid(start_s, end_s, grid_s, force_u, angle_u, rate_hz)


#: The top of a stroke, for when it peaks: the force above this share of its peak.
TOP_LEVEL = 0.95


def top_centre(t_s: np.ndarray, force_n: np.ndarray, k_peak: int) -> float:
    """When a stroke is at its peak: the centre of its force above ``TOP_LEVEL`` of the peak,
    weighted by how far above that level it is.

    On a peaked stroke this is the peak (a little towards the slower side of a skewed one); on a
    plateau it is the plateau's middle, wherever noise or a drifting zero puts the highest
    sample, and it moves smoothly as the top tilts. With the highest sample, the shipped sweep's
    experts "peaked" anywhere from 25 to 75 % of the stroke (SD 0.154 of it, noise and not
    technique; 0.022 now), and a steady trainee was told the peak came too early or too late.
    Tried and not kept: the middle of the stretch within 5 % of the peak jumps when a tilted top
    leaves that band (the sweep's own experts' leave-one-out p5 fell from 88.3 to 83.7; 88.3
    with this); a centre taken over the top 20 % drifts towards the slow side of a skewed stroke
    (0.36 for a peak at 0.30), and no longer tells a late peak from a plateau."""
    peak = float(force_n[k_peak])
    above = np.clip(force_n - TOP_LEVEL * peak, 0.0, None)
    total = float(np.sum(above))
    if not peak > 0 or not total > 0:
        return float(t_s[k_peak])
    return float(np.dot(above, t_s) / total)


def _resampled(
    g: _Grid, force_f: np.ndarray, angle_f: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, float, float, float, float]:
    """The fields of the ``NormalisedStroke`` but its smoothness, in the order declared."""
    start_s, end_s = g.start_s, g.end_s
    duration_s = end_s - start_s
    k_peak = int(np.argmax(force_f))
    peak_force_n = float(force_f[k_peak])
    time_to_peak_frac = (
        min(max(float(top_centre(g.grid_s, force_f, k_peak) - start_s) / duration_s, 0.0), 1.0)
        if duration_s > 0
        else 0.0
    )

    axis_s = _linspace(start_s, end_s, POINTS)
    force_101 = np.interp(axis_s, g.grid_s, force_f)
    if angle_f is None:
        angle_101 = np.full(POINTS, np.nan)
        mean_angle_deg = float("nan")
    else:
        angle_101 = np.interp(axis_s, g.grid_s, angle_f)
        mean_angle_deg = float(np.add.reduce(angle_101) / angle_101.size)  # np.mean's way

    return force_101, angle_101, duration_s, time_to_peak_frac, peak_force_n, mean_angle_deg


def force_sparc(force_101_n: np.ndarray, duration_s: float) -> float:
    """SPARC of a stroke's force profile, the smoothness measure used throughout.

    Why force: it is the quantity this skill is about and the one every supported device measures
    (no device here measures the tool's speed, the profile SPARC was first defined on). A clean
    stroke presses in one smooth bump, much as a reaching movement has one bell-shaped speed
    profile; hesitation, tremor and re-pressing put extra bumps into the force exactly as they do
    into speed.

    Why the straight line joining the two ends is taken off first: SPARC assumes a profile that
    starts and ends at zero, as the speed of a discrete movement does. A stroke's force starts and
    ends at the detection threshold, not at zero, and a pedestal would add the ripples of a
    rectangular window to the spectrum: smoothness would then depend on how hard the stroke was,
    which force accuracy already scores. The profile's time scale is the stroke's own (101 points
    over its duration), so the 10 Hz cut-off means the same in every stroke. Those 101 points are
    sampled at 100 / duration Hz: past 5 s that is under twice the cut-off, and the band stops at
    half the rate instead (``sparc`` does so), so that a slow stroke is not marked rough for its
    spectrum's mirror image.
    """
    return _force_sparcs([np.asarray(force_101_n, dtype=float)], [duration_s])[0]


def _force_sparcs(forces_n: Sequence[np.ndarray], durations_s: Sequence[float]) -> list[float]:
    """``force_sparc`` of many equally long force profiles, their spectra taken together."""
    out = [math.nan] * len(forces_n)
    ok = [k for k, d in enumerate(durations_s) if d > 0]
    if not ok or forces_n[ok[0]].size < 2:
        return out
    force = np.array([forces_n[k] for k in ok])
    ends = np.linspace(force[:, 0], force[:, -1], force.shape[1], axis=1)
    rates_hz = [(force.shape[1] - 1) / durations_s[k] for k in ok]
    for k, value in zip(ok, sparc_many(force - ends, rates_hz), strict=True):
        out[k] = value
    return out


def _uniform(
    t_s: np.ndarray, values: np.ndarray, dt_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """The samples on a uniform grid at the median interval, and that grid's rate."""
    if t_s.size == 1:
        return t_s.copy(), values.copy(), float("nan")
    median_dt_s = median(dt_s)
    count = max(2, round((t_s[-1] - t_s[0]) / median_dt_s) + 1)
    grid_s = _linspace(float(t_s[0]), float(t_s[-1]), count)
    rate_hz = (count - 1) / (t_s[-1] - t_s[0])
    return grid_s, np.interp(grid_s, t_s, values), rate_hz


def _linspace(start: float, stop: float, num: int) -> np.ndarray:
    """``np.linspace(start, stop, num)`` for numbers and ``num`` >= 2, the same values, without
    its several microseconds of argument handling (it runs twice for every stroke scored)."""
    out = np.arange(num, dtype=float)
    step = (stop - start) / (num - 1)
    if step == 0:
        return np.linspace(start, stop, num)
    out *= step
    out += start
    out[-1] = stop
    return out


def _uniform_angle(t_s: np.ndarray, angle_deg: np.ndarray, grid_s: np.ndarray) -> np.ndarray | None:
    """Angle on the uniform grid from its finite samples only; None with no finite angle."""
    finite = np.isfinite(angle_deg)
    if finite.all():
        return np.interp(grid_s, t_s, angle_deg)
    if not finite.any():
        return None
    return np.interp(grid_s, t_s[finite], angle_deg[finite])


def _design_key(
    values: np.ndarray | None, rate_hz: float, lowpass_hz: float
) -> tuple[int, float, int] | None:
    """(order, normalised cut-off, edge padding) of a stretch's zero-phase filter; None: unfiltered.

    Slow devices are guarded (the cut-off stays below 0.4 x the rate) and very short strokes are
    used as they are. The normalised cut-off is rounded to 12 significant digits so that strokes
    whose grid rates differ only by rounding (1000 Hz and 1000.0000000000006 Hz) share one filter
    design; that moves the filtered force by less than 1e-12 of itself.
    """
    if values is None:
        return None
    if values.size < MIN_SAMPLES_TO_FILTER or not math.isfinite(rate_hz) or not lowpass_hz > 0:
        return None
    cutoff_hz = min(lowpass_hz, MAX_CUTOFF_FRACTION_OF_RATE * rate_hz)
    padlen = min(values.size - 1, round(PAD_PERIODS_OF_CUTOFF / cutoff_hz * rate_hz))
    return FILTER_ORDER, float(f"{2.0 * cutoff_hz / rate_hz:.12g}"), padlen


@functools.lru_cache(maxsize=64)
def _design(order: int, cutoff_nyquist: float) -> tuple[np.ndarray, np.ndarray]:
    """A Butterworth low-pass as second-order sections, and its unit-step initial state."""
    sos = lowpass_sos(order, cutoff_nyquist)
    return sos, sosfilt_zi(sos)


#: Rows are filtered in batches of about this many samples (bounds the memory a batch takes).
_BATCH_SAMPLES = 1 << 20


def _zero_phase_rows(
    rows: list[np.ndarray], designs: list[tuple[int, float, int]]
) -> list[np.ndarray]:
    """Each row filtered forwards and backwards, exactly as ``sosfiltfilt`` with odd padding.

    Rows sharing a design go through ``sosfilt`` together, as the rows of one array, left-aligned
    and zero-filled to the longest (a causal filter never sees what follows a row's end).
    """
    out: list[np.ndarray] = [np.empty(0)] * len(rows)
    by_design: dict[tuple[int, float], list[int]] = {}
    for k, (order, cutoff, _) in enumerate(designs):
        by_design.setdefault((order, cutoff), []).append(k)
    for (order, cutoff), members in by_design.items():
        sos, zi = _design(order, cutoff)
        members.sort(key=lambda k: rows[k].size + 2 * designs[k][2])
        lo = 0
        while lo < len(members):
            hi = lo + 1
            longest = rows[members[lo]].size + 2 * designs[members[lo]][2]
            while hi < len(members):
                width = rows[members[hi]].size + 2 * designs[members[hi]][2]
                if width * (hi - lo + 1) > _BATCH_SAMPLES:
                    break
                longest = width
                hi += 1
            batch = members[lo:hi]
            filtered = sosfiltfilt_rows(
                sos, zi, [rows[k] for k in batch], [designs[k][2] for k in batch], longest
            )
            for k, y in zip(batch, filtered, strict=True):
                out[k] = y
            lo = hi
    return out
