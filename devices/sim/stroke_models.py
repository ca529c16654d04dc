"""How one IASTM stroke moves: force and angle over a contact phase, by stroke type and skill.

The simulated tool needs strokes that look like a person's, so that the segmenter, the envelope
builder and the scores are exercised on realistic shapes rather than on ideal pulses. A
``StrokeModel`` holds what ``docs/domain.md`` gives for a stroke type (peak force, duration, stroke
rate, tool angle) and the shape of its force and angle over the stroke; a ``SkillModel`` holds how a
person of a given skill departs from it (stroke-to-stroke variability, a systematic bias,
jerkiness, tremor, timing errors). ``draw_stroke`` turns both and a random generator into one
concrete stroke, whose force and angle can then be evaluated at any times.

On a force plate a stroke also has a path: where the centre of pressure (CoP) goes. A
``PathModel`` gives each stroke type its geometry on the plate (a sweep's straight line along the
fibres, a scan out and back, a fan's arc about one still end, a J-stroke's hook); ``draw_path``
varies it by skill (length, direction, an unwanted drift off the line, how far a curve turns) and
places it on the plate beside the previous stroke, so that consecutive strokes are separate.

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

from devices.sim import SKILL_NAMES

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


# -- paths on a force plate ------------------------------------------------------------------------
#: The plate the simulated strokes are placed on (mm, x across the fibres, y along them), centred
#: at 0, 0: the size of a small laboratory plate or a home-made board with four load cells.
PLATE_MM: tuple[float, float] = (400.0, 300.0)
#: Strokes keep this far inside the plate's edge (mm), and side by side this far apart at least.
PLATE_MARGIN_MM = 20.0
LANE_SPACING_MM = 40.0
#: Most places side by side a session cycles through.
MAX_LANES = 8
#: Points per path table: positions in between are interpolated (0.6 mm apart on a 150 mm sweep;
#: on the tightest curve, a J-stroke's 10 mm hook, a straight piece is 0.0003 mm off the arc).
_PATH_POINTS = 257


@dataclass(frozen=True)
class PathModel:
    """Where a stroke type's centre of pressure goes on a plate, as an expert makes it.

    The path sets off from its start in ``heading_deg`` (90 = +y, along the fibres; 0 = +x,
    across them), runs ``length_mm`` in all, and its direction of travel turns by ``turn_deg``
    (anticlockwise positive) at a steady rate over the part of the path after ``turn_start`` (a
    fraction of the length): 0 turn is a straight line, ``turn_start`` 0 an arc, a late
    ``turn_start`` a straight run ending in a hook. ``legs`` 2 goes out half the length and comes
    back along the same line (a scan). Over the contact the CoP moves along each leg with the
    stroke's speed profile: a sin^2 bell, slow in and slow out, the profile of the simulated
    tool's ``speed_mm_s``.
    """

    length_mm: float
    heading_deg: float
    turn_deg: float = 0.0
    turn_start: float = 0.0
    legs: int = 1
    description: str = ""


def _hook(
    run_mm: float, radius_mm: float, turn_deg: float, heading_deg: float, description: str
) -> PathModel:
    """A straight run of ``run_mm`` ending in an arc of ``turn_deg`` on ``radius_mm``."""
    arc = radius_mm * math.radians(abs(turn_deg))
    return PathModel(
        length_mm=run_mm + arc,
        heading_deg=heading_deg,
        turn_deg=turn_deg,
        turn_start=run_mm / (run_mm + arc),
        description=description,
    )


#: Each stroke type's path. Lengths follow the stroke table's stroke length where the geometry
#: gives none of its own; no published figure exists for any of them.
_PATHS: dict[str, PathModel] = {
    # a straight line along the fibres
    "sweep": PathModel(150.0, 90.0, description="a straight line along the fibres"),
    # 100 mm along the fibres and back along the same line, slowing to a stop at the turn
    "scan": PathModel(200.0, 90.0, legs=2, description="100 mm along the fibres and back"),
    # a 20 mm run along the fibres ending in a hook of 120 degrees on a 10 mm radius
    "j_stroke": _hook(20.0, 10.0, 120.0, 90.0, "a 20 mm run, then a 120 degree hook"),
    # an arc of 70 degrees on a 100 mm radius about the still end (the arc's centre)
    "fan": PathModel(
        100.0 * math.radians(70.0),
        90.0,
        turn_deg=70.0,
        description="a 70 degree arc on a 100 mm radius about the still end",
    ),
    # short light strokes framing a bony prominence: a gentle 30 degree curve over 60 mm
    "brush": PathModel(60.0, 90.0, turn_deg=30.0, description="a gentle 30 degree curve, 60 mm"),
    # short deep strokes across the fibres: 25 mm straight along +x
    "strum": PathModel(25.0, 0.0, description="25 mm straight across the fibres"),
    # a short deep stroke along the fibres that curls 25 degrees as the tool scoops out at the end
    "scoop": PathModel(
        40.0, 90.0, turn_deg=25.0, turn_start=0.5, description="40 mm, curling 25 degrees late"
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
    shear for a tool with a shear channel. ``path`` is where the stroke goes on a force plate.
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
    path: PathModel = _PATHS["sweep"]


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
    path_length_cv: float = 0.05
    direction_sd_deg: float = 2.0
    drift_sd_deg: float = 2.0
    turn_cv: float = 0.05
    turn_bias: float = 1.0
    start_sd_mm: float = 3.0


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
        path=_PATHS[name],
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
            path_length_cv=0.05,
            direction_sd_deg=2.0,
            drift_sd_deg=2.0,
            turn_cv=0.05,
            turn_bias=1.0,
            start_sd_mm=3.0,
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
            path_length_cv=0.1,
            direction_sd_deg=5.0,
            drift_sd_deg=6.0,
            turn_cv=0.12,
            turn_bias=0.9,
            start_sd_mm=6.0,
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
            path_length_cv=0.2,
            direction_sd_deg=10.0,
            drift_sd_deg=15.0,
            turn_cv=0.25,
            turn_bias=0.75,
            start_sd_mm=12.0,
        ),
    )
}
if tuple(SKILLS) != SKILL_NAMES:  # the names the command line offers without importing this
    raise ImportError(f"devices.sim.SKILL_NAMES {SKILL_NAMES} differs from SKILLS {tuple(SKILLS)}")


# -- one drawn path --------------------------------------------------------------------------------
def _bell_progress(v: np.ndarray) -> np.ndarray:
    """Distance covered by a sin^2 speed bell, as a fraction of the whole: slow in, slow out."""
    v = np.clip(v, 0.0, 1.0)
    return v - np.sin(2.0 * np.pi * v) / (2.0 * np.pi)


@dataclass(frozen=True)
class DrawnPath:
    """One stroke's concrete path on the plate: a ``PathModel`` as one person made it once.

    ``turn_deg`` is the intended turning as made (a fan's arc, a hook); ``drift_deg`` unwanted
    turning spread evenly along the whole path (a line drifting off the fibres). Positions are in
    mm on the plate, evaluated with ``position(u)`` at fractions ``u`` of the contact.
    """

    start_x_mm: float
    start_y_mm: float
    heading_deg: float
    length_mm: float
    turn_deg: float
    drift_deg: float
    turn_start: float
    legs: int

    def heading_rad(self, r: np.ndarray) -> np.ndarray:
        """Direction of travel at fractions ``r`` of one leg's length (out, for a scan)."""
        r = np.clip(np.asarray(r, dtype=np.float64), 0.0, 1.0)
        ramp = np.clip((r - self.turn_start) / max(1.0 - self.turn_start, 1e-9), 0.0, 1.0)
        return np.radians(self.heading_deg + self.turn_deg * ramp + self.drift_deg * r)

    @cached_property
    def table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One leg as positions at evenly spaced fractions of its length: ``(r, x, y)``."""
        r = np.linspace(0.0, 1.0, _PATH_POINTS)
        piece = self.length_mm / self.legs / (_PATH_POINTS - 1)
        mid = self.heading_rad(0.5 * (r[1:] + r[:-1]))  # a piece of an arc runs along its middle
        x = self.start_x_mm + np.concatenate([[0.0], np.cumsum(piece * np.cos(mid))])
        y = self.start_y_mm + np.concatenate([[0.0], np.cumsum(piece * np.sin(mid))])
        return r, x, y

    def leg_fraction(self, u: np.ndarray) -> np.ndarray:
        """How far along the leg (0 to 1) the CoP is at fractions ``u`` of the contact: each leg
        with its own speed bell, so a scan stops at the far end before it comes back."""
        u = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
        k = np.minimum(np.floor(u * self.legs), self.legs - 1)
        s = _bell_progress(u * self.legs - k)
        return np.where(k % 2 == 0, s, 1.0 - s)

    def position(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The CoP (x, y mm) at fractions ``u`` of the contact."""
        r, x, y = self.table
        f = self.leg_fraction(u)
        return np.interp(f, r, x), np.interp(f, r, y)

    def shifted(self, dx_mm: float, dy_mm: float) -> DrawnPath:
        return DrawnPath(
            self.start_x_mm + dx_mm,
            self.start_y_mm + dy_mm,
            self.heading_deg,
            self.length_mm,
            self.turn_deg,
            self.drift_deg,
            self.turn_start,
            self.legs,
        )


def _nominal(path: PathModel, x_mm: float = 0.0, y_mm: float = 0.0) -> DrawnPath:
    return DrawnPath(
        x_mm, y_mm, path.heading_deg, path.length_mm, path.turn_deg, 0.0, path.turn_start, path.legs
    )


def plate_lanes(
    path: PathModel, plate_mm: tuple[float, float] = PLATE_MM
) -> list[tuple[float, float]]:
    """Start positions side by side across the plate for strokes of ``path``.

    The places lie on a line across the stroke's direction, ``LANE_SPACING_MM`` apart at least
    and at most ``MAX_LANES`` of them, each far enough in that the expert's path stays
    ``PLATE_MARGIN_MM`` inside the edge; along the stroke the path is centred on the plate. A
    session goes through them in turn, so consecutive strokes never lie on top of each other.
    """
    _, x, y = _nominal(path).table
    h = math.radians(path.heading_deg)
    hx, hy = math.cos(h), math.sin(h)
    ax, ay = hy, -hx  # across the stroke
    half_w, half_h = 0.5 * plate_mm[0], 0.5 * plate_mm[1]
    reach_a = abs(ax) * half_w + abs(ay) * half_h - PLATE_MARGIN_MM
    pa, ph = x * ax + y * ay, x * hx + y * hy
    lo, hi = -reach_a - float(pa.min()), reach_a - float(pa.max())
    centre_h = -0.5 * (float(ph.min()) + float(ph.max()))
    n = 1 if hi <= lo else min(MAX_LANES, int((hi - lo) // LANE_SPACING_MM) + 1)
    offsets = np.linspace(lo, hi, n) if n > 1 else np.array([0.5 * (lo + hi)])
    return [(float(o * ax + centre_h * hx), float(o * ay + centre_h * hy)) for o in offsets]


def draw_path(
    model: StrokeModel,
    skill: SkillModel,
    rng: np.random.Generator,
    place_mm: tuple[float, float],
    plate_mm: tuple[float, float] = PLATE_MM,
) -> DrawnPath:
    """One stroke's path by a person of ``skill``, starting about ``place_mm`` on the plate.

    Always consumes six normal draws, so a seed gives the same paths whatever the skill. The
    drawn path is moved back onto the plate if the person's scatter would take it over an edge:
    a person strokes the plate, not the table beside it.
    """
    path = model.path
    z = np.clip(rng.standard_normal(6), -3.0, 3.0)
    drawn = DrawnPath(
        start_x_mm=float(place_mm[0] + skill.start_sd_mm * z[4]),
        start_y_mm=float(place_mm[1] + skill.start_sd_mm * z[5]),
        heading_deg=float(path.heading_deg + skill.direction_sd_deg * z[1]),
        length_mm=float(path.length_mm * _lognormal_from(float(z[0]), skill.path_length_cv)),
        turn_deg=float(
            path.turn_deg * skill.turn_bias * _lognormal_from(float(z[3]), skill.turn_cv)
        ),
        drift_deg=float(skill.drift_sd_deg * z[2]),
        turn_start=path.turn_start,
        legs=path.legs,
    )
    _, x, y = drawn.table
    edge_x = 0.5 * plate_mm[0] - 0.25 * PLATE_MARGIN_MM
    edge_y = 0.5 * plate_mm[1] - 0.25 * PLATE_MARGIN_MM
    dx = _back_inside(float(x.min()), float(x.max()), edge_x)
    dy = _back_inside(float(y.min()), float(y.max()), edge_y)
    return drawn.shifted(dx, dy) if dx or dy else drawn


def _back_inside(lo: float, hi: float, edge: float) -> float:
    """The shift that brings ``[lo, hi]`` within ``[-edge, edge]`` (centred if it cannot fit)."""
    if hi - lo >= 2.0 * edge:
        return -0.5 * (lo + hi)
    if lo < -edge:
        return -edge - lo
    if hi > edge:
        return edge - hi
    return 0.0


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
    #: Where the stroke goes on a force plate (None: a stroke made without one).
    path: DrawnPath | None = None

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

    def cop_mm(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where the hand's load is on the plate: along the path over the contact, held at the
        path's ends outside it (where there is no load, so no centre of pressure to speak of)."""
        t_s = np.asarray(t_s, dtype=np.float64)
        if self.path is None:
            return np.zeros_like(t_s), np.zeros_like(t_s)
        return self.path.position((t_s - self.start_s) / self.duration_s)


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
