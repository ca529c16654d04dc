"""How one IASTM stroke moves: force and angle over a contact phase, by stroke type and skill.

The simulated tool needs strokes that look like a person's, so that the segmenter, the envelope
builder and the scores are exercised on realistic shapes rather than on ideal pulses. A
``StrokeModel`` holds what ``docs/domain.md`` gives for a stroke type (peak force, duration, stroke
rate, tool angle) and the shape of its force and angle over the stroke; a ``SkillModel`` holds how a
person of a given skill departs from it (stroke-to-stroke variability, a systematic bias,
jerkiness, tremor, timing errors). ``draw_stroke`` turns both and a random generator into one
concrete stroke, whose force and angle can then be evaluated at any times.

Where ``docs/domain.md`` gives no figure (durations, stroke lengths, the size of a novice's bias),
the numbers here are plausible defaults, not norms: every field can be replaced with
``dataclasses.replace``.

This module is pure numpy: it must never do I/O, keep mutable global state, or import Qt,
``trainer`` or ``ui``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

ShapeFn = Callable[[np.ndarray], np.ndarray]

#: Shortest contact a drawn stroke may have: the segmenter drops strokes under 150 ms at 5 % of
#: peak, and a simulated person should not produce strokes that cannot be seen.
MIN_CONTACT_S = 0.25
#: Shortest lift between strokes: the segmenter needs the force back at the baseline in between.
MIN_GAP_S = 0.35

_GRID = np.linspace(0.0, 1.0, 4001)


# -- shapes ----------------------------------------------------------------------------------------
def _smoothstep(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    x = np.clip((u - lo) / (hi - lo), 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _plateau(u: np.ndarray, taper: float) -> np.ndarray:
    """A flat top with sin^2 (raised-cosine) flanks of ``taper`` of the stroke at each end."""
    rise = np.sin(0.5 * np.pi * np.clip(u / taper, 0.0, 1.0)) ** 2
    fall = np.sin(0.5 * np.pi * np.clip((1.0 - u) / taper, 0.0, 1.0)) ** 2
    return rise * fall


def _skewed(u: np.ndarray, a: float, b: float) -> np.ndarray:
    """A smooth single hump whose peak sits at a / (a + b) of the stroke."""
    x = np.clip(u, 0.0, 1.0)
    return x**a * (1.0 - x) ** b


def _gauss(u: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.exp(-0.5 * ((u - centre) / width) ** 2)


def _peak_one(fn: ShapeFn) -> ShapeFn:
    """Scale a force shape so that its maximum over the stroke is exactly 1."""
    scale = 1.0 / float(np.max(fn(_GRID)))

    def shape(u: np.ndarray) -> np.ndarray:
        return fn(np.clip(u, 0.0, 1.0)) * scale

    return shape


def _mean_zero(fn: ShapeFn) -> ShapeFn:
    """Shift an angle shape so that its mean over the stroke is 0: the model's angle is the mean."""
    offset = float(np.mean(fn(_GRID)))

    def shape(u: np.ndarray) -> np.ndarray:
        return fn(np.clip(u, 0.0, 1.0)) - offset

    return shape


_SHAPES: dict[str, tuple[ShapeFn, ShapeFn]] = {
    # smooth sin^2 flanks and a long plateau: a steady pass along the fibres
    "sweep": (_peak_one(lambda u: _plateau(u, 0.3)), _mean_zero(lambda u: -u)),
    # a light first half, then deeper: two levels joined smoothly
    "scan": (
        _peak_one(lambda u: _plateau(u, 0.2) * (0.45 + 0.55 * _smoothstep(u, 0.35, 0.65))),
        _mean_zero(lambda u: -_smoothstep(u, 0.35, 0.65)),
    ),
    # a short body, then a push as the tool hooks round at the end, with the angle turning up
    "j_stroke": (
        _peak_one(lambda u: np.sin(np.pi * u) ** 2 * (0.75 + 0.6 * _gauss(u, 0.72, 0.1))),
        _mean_zero(lambda u: _smoothstep(u, 0.6, 0.95)),
    ),
    # one end pivots, the other sweeps: most load early, a long tapering tail
    "fan": (_peak_one(lambda u: _skewed(u, 1.8, 3.2)), _mean_zero(lambda u: u)),
    # light and even
    "brush": (_peak_one(lambda u: np.sin(np.pi * u) ** 2), _mean_zero(lambda u: 0.0 * u)),
    # short and deep, across the fibres
    "strum": (_peak_one(lambda u: np.sin(np.pi * u) ** 2), _mean_zero(lambda u: np.sin(np.pi * u))),
    # deep with a quick rise, then the tool rolls up towards vertical as it scoops
    "scoop": (
        _peak_one(lambda u: _skewed(u, 1.4, 3.0)),
        _mean_zero(lambda u: _smoothstep(u, 0.2, 1)),
    ),
}


# -- models ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StrokeModel:
    """A stroke type as a trained clinician performs it (the expert's target).

    ``angle_deg`` is the mean tool angle during contact; the angle moves by about
    ``angle_change_deg`` over the stroke along ``angle_shape``. ``stroke_rate_hz`` is strokes per
    second (start to start). ``angle_range_deg`` is ``docs/domain.md``'s angle for the type;
    ``duration_range_s`` a plausibility bound (no published figure exists) that tests use to
    catch a model changed into something no hand does. ``friction`` turns normal force into
    shear for a tool with a shear channel.
    """

    name: str
    description: str
    peak_force_n: float
    duration_s: float
    stroke_rate_hz: float
    angle_deg: float
    angle_change_deg: float
    stroke_length_mm: float
    friction: float
    duration_range_s: tuple[float, float]
    angle_range_deg: tuple[float, float]
    force_shape: ShapeFn = field(repr=False, compare=False, default=_SHAPES["sweep"][0])
    angle_shape: ShapeFn = field(repr=False, compare=False, default=_SHAPES["sweep"][1])


@dataclass(frozen=True)
class SkillModel:
    """How a person of one skill level departs from the stroke model.

    Variability is stroke to stroke (coefficients of variation, or an SD for the angle); biases are
    systematic (``force_bias`` 1.4 is 40 % too hard, ``angle_bias_deg`` +10 is too steep,
    ``tempo_bias`` 0.8 rushes every stroke and gap by 20 %). ``wobble`` is the relative size of a
    slow 1.5-5 Hz waver in force (jerkiness, which lowers smoothness); an extra force peak appears
    in a stroke with ``extra_peak_probability``. Tremor is a small 8-12 Hz oscillation.
    """

    name: str
    force_cv: float
    duration_cv: float
    angle_sd_deg: float
    force_bias: float
    angle_bias_deg: float
    tempo_bias: float
    timing_cv: float
    peak_timing_sd: float
    wobble: float
    extra_peak_probability: float
    extra_peak_size: float
    tremor_n: float
    tremor_deg: float


#: name, peak force N, contact s, strokes/s, mean angle deg, angle change deg, stroke length mm,
#: allowed angle range deg, description
_STROKE_TABLE: tuple[tuple, ...] = (
    ("sweep", 7.5, 1.2, 0.5, 45, 6, 150, (30, 60), "long pass along the fibres, two hands"),
    ("scan", 7.0, 1.6, 0.4, 45, 5, 200, (30, 60), "along the fibres both ways, light then deeper"),
    ("j_stroke", 6.0, 0.5, 1.0, 45, 15, 40, (30, 60), "short hooked stroke, pencil grip"),
    ("fan", 6.5, 1.0, 0.6, 40, 6, 100, (30, 60), "one end still, the other sweeps an arc"),
    ("brush", 2.5, 0.6, 1.0, 20, 3, 60, (10, 30), "light desensitising strokes, low angle"),
    ("strum", 12.0, 0.4, 1.0, 75, 5, 25, (60, 90), "short deep strokes across the fibres"),
    ("scoop", 13.0, 0.6, 0.75, 86, 10, 40, (75, 100), "deep scooping stroke, tool near vertical"),
)


def _stroke(row: tuple) -> StrokeModel:
    name, peak_n, duration_s, rate_hz, angle_deg, change_deg, length_mm, angle_range, text = row
    force_shape, angle_shape = _SHAPES[name]
    return StrokeModel(
        name=name,
        description=text,
        peak_force_n=float(peak_n),
        duration_s=float(duration_s),
        stroke_rate_hz=float(rate_hz),
        angle_deg=float(angle_deg),
        angle_change_deg=float(change_deg),
        stroke_length_mm=float(length_mm),
        friction=0.35,
        # wide enough for a novice's rush and scatter, narrow enough to catch a wrong model
        duration_range_s=(0.15, 2.2 * duration_s),
        angle_range_deg=(float(angle_range[0]), float(angle_range[1])),
        force_shape=force_shape,
        angle_shape=angle_shape,
    )


#: The shipped stroke types. Forces follow the measured clinician range (peak 6.7 N, 2.6 to 14 N);
#: angles the stroke table of docs/domain.md; rates the 0.25 to 1 Hz of treatment studies.
STROKE_TYPES: dict[str, StrokeModel] = {row[0]: _stroke(row) for row in _STROKE_TABLE}

#: Skill levels. Experts vary about 10 % in peak force stroke to stroke (within-clinician CV is
#: 14 to 31 % on a force plate; the shipped expert is a steady one); novices 30 % and more, press
#: too hard and too steep, rush, and waver.
SKILLS: dict[str, SkillModel] = {
    s.name: s
    for s in (
        SkillModel(
            "expert",
            force_cv=0.1,
            duration_cv=0.06,
            angle_sd_deg=2.0,
            force_bias=1.0,
            angle_bias_deg=0.0,
            tempo_bias=1.0,
            timing_cv=0.05,
            peak_timing_sd=0.03,
            wobble=0.015,
            extra_peak_probability=0.0,
            extra_peak_size=0.0,
            tremor_n=0.03,
            tremor_deg=0.15,
        ),
        SkillModel(
            "competent",
            force_cv=0.16,
            duration_cv=0.12,
            angle_sd_deg=4.0,
            force_bias=1.12,
            angle_bias_deg=3.0,
            tempo_bias=0.95,
            timing_cv=0.12,
            peak_timing_sd=0.08,
            wobble=0.05,
            extra_peak_probability=0.1,
            extra_peak_size=0.2,
            tremor_n=0.08,
            tremor_deg=0.4,
        ),
        SkillModel(
            "novice",
            force_cv=0.32,
            duration_cv=0.28,
            angle_sd_deg=8.0,
            force_bias=1.4,
            angle_bias_deg=10.0,
            tempo_bias=0.8,
            timing_cv=0.3,
            peak_timing_sd=0.15,
            wobble=0.12,
            extra_peak_probability=0.4,
            extra_peak_size=0.35,
            tremor_n=0.2,
            tremor_deg=1.0,
        ),
    )
}


# -- one drawn stroke ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tremor:
    """A person's physiological tremor: one frequency for the session, phase continuous in time."""

    hz: float
    force_n: float
    angle_deg: float
    force_phase: float
    angle_phase: float

    def angle_offset_deg(self, t_s: np.ndarray) -> np.ndarray:
        return self.angle_deg * np.sin(2.0 * np.pi * self.hz * t_s + self.angle_phase)


def draw_tremor(skill: SkillModel, rng: np.random.Generator) -> Tremor:
    return Tremor(
        hz=float(rng.uniform(8.0, 12.0)),
        force_n=skill.tremor_n,
        angle_deg=skill.tremor_deg,
        force_phase=float(rng.uniform(0, 2 * np.pi)),
        angle_phase=float(rng.uniform(0, 2 * np.pi)),
    )


@dataclass(frozen=True)
class DrawnStroke:
    """One concrete stroke: where it starts, how long, how hard, and its individual flaws.

    ``start_s`` is the moment of first contact on the session's time axis; ``gap_s`` the lift that
    follows it. Evaluate with ``force_n(t_s)`` and ``angle_deg(t_s)`` at absolute times inside
    ``[start_s, end_s]``.
    """

    model: StrokeModel = field(repr=False)
    tremor: Tremor = field(repr=False)
    start_s: float
    duration_s: float
    gap_s: float
    peak_force_n: float
    mean_angle_deg: float
    peak_shift: float
    wobble_hz: tuple[float, float]
    wobble_phase: tuple[float, float]
    wobble_amp: tuple[float, float]
    extra_peak: tuple[float, float, float] | None  # centre, width (fractions), size (of peak)

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    @cached_property
    def first_angle_deg(self) -> float:
        """Angle at first contact (where the carry between strokes must arrive)."""
        return float(self.angle_deg(np.array([self.start_s]))[0])

    @cached_property
    def last_angle_deg(self) -> float:
        """Angle at the lift (where the carry to the next stroke starts)."""
        return float(self.angle_deg(np.array([self.end_s]))[0])

    def _phase(self, t_s: np.ndarray) -> np.ndarray:
        """Fraction of the stroke, warped so that a timing error moves the peak, not the ends."""
        u = np.clip((np.asarray(t_s, dtype=np.float64) - self.start_s) / self.duration_s, 0, 1)
        gamma = math.log(0.5) / math.log(0.5 + self.peak_shift)
        return u**gamma

    def _wobble(self, t_s: np.ndarray) -> np.ndarray:
        tr = np.asarray(t_s, dtype=np.float64) - self.start_s
        w = np.zeros_like(tr)
        for hz, phase, amp in zip(self.wobble_hz, self.wobble_phase, self.wobble_amp, strict=True):
            w += amp * np.sin(2.0 * np.pi * hz * tr + phase)
        return w

    def force_n(self, t_s: np.ndarray) -> np.ndarray:
        """Force the hand applies (no sensor effects); 0 outside the contact."""
        t_s = np.asarray(t_s, dtype=np.float64)
        u = np.clip((t_s - self.start_s) / self.duration_s, 0.0, 1.0)
        inside = (t_s >= self.start_s) & (t_s <= self.end_s)
        shape = self.model.force_shape(self._phase(t_s))
        if self.extra_peak is not None:
            centre, width, size = self.extra_peak
            shape = shape + size * _gauss(u, centre, width) * np.sin(np.pi * u)
        force = self.peak_force_n * shape * (1.0 + self._wobble(t_s))
        # tremor rides on the contact, fading out where the tool barely touches
        weight = np.clip(shape / 0.2, 0.0, 1.0)
        tremor = self.tremor.force_n * np.sin(
            2.0 * np.pi * self.tremor.hz * t_s + self.tremor.force_phase
        )
        return np.where(inside, np.maximum(force + weight * tremor, 0.0), 0.0)

    def angle_deg(self, t_s: np.ndarray) -> np.ndarray:
        """Tool angle during the contact (tremor excluded: it goes on while the tool is lifted)."""
        shape = self.model.angle_shape(self._phase(t_s))
        # jerky hands waver in angle too: about 15 degrees per unit of relative force wobble
        return self.mean_angle_deg + self.model.angle_change_deg * shape + 15.0 * self._wobble(t_s)

    def speed_mm_s(self, t_s: np.ndarray) -> np.ndarray:
        """Speed along the skin: a bell over the contact whose mean covers the stroke length."""
        t_s = np.asarray(t_s, dtype=np.float64)
        u = (t_s - self.start_s) / self.duration_s
        inside = (u >= 0.0) & (u <= 1.0)
        mean = self.model.stroke_length_mm / self.duration_s
        return np.where(inside, 2.0 * mean * np.sin(np.pi * np.clip(u, 0, 1)) ** 2, 0.0)


def draw_stroke(
    model: StrokeModel,
    skill: SkillModel,
    rng: np.random.Generator,
    start_s: float,
    tremor: Tremor,
) -> DrawnStroke:
    """One stroke by a person of ``skill``, starting contact at ``start_s``.

    Always consumes the same number of random draws, whatever the skill, so that a seed gives the
    same stroke sequence however the strokes are later sampled.
    """
    d = rng.random(11)
    z = rng.standard_normal(4)
    duration = model.duration_s * skill.tempo_bias * _lognormal_from(z[0], skill.duration_cv)
    duration = max(duration, MIN_CONTACT_S)
    period = (1.0 / model.stroke_rate_hz) * skill.tempo_bias
    period *= _lognormal_from(z[1], skill.timing_cv)
    gap = max(period - duration, MIN_GAP_S)
    peak = model.peak_force_n * skill.force_bias * _lognormal_from(z[2], skill.force_cv)
    angle = model.angle_deg + skill.angle_bias_deg
    angle += skill.angle_sd_deg * float(np.clip(z[3], -3.0, 3.0))
    shift = float(np.clip(skill.peak_timing_sd * math.sqrt(3.0) * (2 * d[0] - 1), -0.2, 0.2))
    wobble_hz = (1.5 + 3.5 * float(d[1]), 1.5 + 3.5 * float(d[2]))
    wobble_phase = (2 * np.pi * float(d[3]), 2 * np.pi * float(d[4]))
    wobble_amp = (skill.wobble * (0.5 + 0.5 * d[5]), skill.wobble * (0.5 + 0.5 * d[6]))
    extra = None
    if d[7] < skill.extra_peak_probability:
        extra = (
            0.25 + 0.5 * float(d[8]),
            0.04 + 0.04 * float(d[9]),
            skill.extra_peak_size * (0.6 + 0.4 * float(d[10])),
        )
    return DrawnStroke(
        model=model,
        tremor=tremor,
        start_s=float(start_s),
        duration_s=float(duration),
        gap_s=float(gap),
        peak_force_n=float(peak),
        mean_angle_deg=float(angle),
        peak_shift=shift,
        wobble_hz=wobble_hz,
        wobble_phase=wobble_phase,
        wobble_amp=wobble_amp,
        extra_peak=extra,
    )


def _lognormal_from(z: float, cv: float) -> float:
    """A positive factor with mean about 1 and coefficient of variation ``cv``, kept sane.

    ``z`` is a standard normal draw taken by the caller, so that every stroke uses the same draws.
    """
    sigma = math.sqrt(math.log1p(cv * cv))
    return float(np.clip(math.exp(-0.5 * sigma * sigma + sigma * float(z)), 0.35, 2.5))


def stroke_model(name: str) -> StrokeModel:
    """The stroke model called ``name``, or a ``KeyError`` that lists the known ones."""
    try:
        return STROKE_TYPES[name]
    except KeyError:
        raise KeyError(f"unknown stroke type {name!r} (use {', '.join(STROKE_TYPES)})") from None


def skill_model(name: str) -> SkillModel:
    """The skill model called ``name``, or a ``KeyError`` that lists the known ones."""
    try:
        return SKILLS[name]
    except KeyError:
        raise KeyError(f"unknown skill {name!r} (use {', '.join(SKILLS)})") from None
