"""The expert envelope: what a good stroke looks like, learned from an instructor's own strokes.

No published optimal force envelope exists for IASTM, so an envelope is always built from expert
recordings of one instrument and one stroke type. Every expert stroke is normalised to 0..100 %
of the stroke (``trainer.normalise``); the pointwise mean and standard deviation of force and angle
give a prediction band ``mu +- t(n-1, 0.975) sqrt(1 + 1/n) sigma`` (the range a further stroke of
the same expert falls in 95 % of the time; 3.04 sigma for 5 strokes, 2.37 for 10, 2.14 for 20),
never narrower than a floor (5 % of the mean peak force, 3 degrees) so that near-identical expert
strokes do not make a corridor nobody can stay in. Duration, time-to-peak, peak force, mean angle
and smoothness statistics travel with the envelope because the score uses them.

Building also reports, for the instructor, which expert strokes look like outliers (so that they
can be dropped) and how the experts' own strokes score against the others (leave-one-out), which
is the check that the envelope is neither too tight nor too loose.

The envelope file is human-readable JSON: arrays are plain lists rounded to what the sensors can
resolve. ``from_dict`` trusts nothing and names the field it rejects. Never imports Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

from trainer.normalise import DEFAULT_LOWPASS_HZ, POINTS, NormalisedStroke, normalise_many
from trainer.strokes import Stroke

if TYPE_CHECKING:
    from trainer.scoring import ScoringWeights

#: Fewest expert strokes an envelope is built from (a standard deviation needs some company).
MIN_STROKES = 3
#: Fewest strokes for the leave-one-out check (each stroke against an envelope of the others).
MIN_STROKES_FOR_CALIBRATION = MIN_STROKES + 1
REGISTRATIONS = ("linear", "peak")
DEFAULT_FORCE_FLOOR_FRAC = 0.05
DEFAULT_ANGLE_FLOOR_DEG = 3.0
#: Calibration targets: the experts' own leave-one-out median and 5th percentile.
MEDIAN_TARGET = 90.0
P5_TARGET = 75.0
#: Functional boxplot: fences are the central region widened by this many times its width, by
#: no less than this many envelope floors, and must be crossed for this many points (% of stroke).
FENCE_FACTOR = 1.5
FENCE_MIN_FLOORS = 2.0
FENCE_MIN_POINTS = 5
DURATION_MIN_REACH_FRAC = 0.25
#: Fewest strokes that outlier screening judges.
MIN_STROKES_FOR_OUTLIERS = 8

_FORCE_DECIMALS = 3
_ANGLE_DECIMALS = 2
_SCALAR_DECIMALS = 4


class EnvelopeError(Exception):
    """An envelope that cannot be built or read; the message names the field or the shortfall."""


def prediction_multiplier(n: int) -> float:
    """``t(n-1, 0.975) sqrt(1 + 1/n)``: the half-width of a 95 % prediction band, in sigmas."""
    if n < 2:
        raise EnvelopeError(f"a prediction band needs at least 2 strokes; got {n}")
    return float(stats.t.ppf(0.975, n - 1) * math.sqrt(1.0 + 1.0 / n))


@dataclass(frozen=True, eq=False)
class Envelope:
    """Pointwise mean, SD and band of force and angle over 0..100 % of the stroke, and scalars.

    Angle arrays are all NaN when the experts' device had no angle channel. ``lowpass_hz`` and
    ``registration`` record how the expert strokes were prepared; trainees' strokes are always
    normalised linearly with the same filter.
    """

    n_strokes: int
    force_mu_n: np.ndarray
    force_sigma_n: np.ndarray
    force_lo_n: np.ndarray
    force_hi_n: np.ndarray
    angle_mu_deg: np.ndarray
    angle_sigma_deg: np.ndarray
    angle_lo_deg: np.ndarray
    angle_hi_deg: np.ndarray
    band_multiplier: float
    duration_mean_s: float
    duration_sd_s: float
    time_to_peak_mean_frac: float
    time_to_peak_sd_frac: float
    peak_force_mean_n: float
    peak_force_sd_n: float
    mean_angle_mean_deg: float
    mean_angle_sd_deg: float
    sparc_mean: float
    sparc_sd: float
    force_floor_frac: float = DEFAULT_FORCE_FLOOR_FRAC
    angle_floor_deg: float = DEFAULT_ANGLE_FLOOR_DEG
    registration: str = "linear"
    lowpass_hz: float = DEFAULT_LOWPASS_HZ

    @property
    def has_angle(self) -> bool:
        return bool(np.all(np.isfinite(self.angle_mu_deg)))

    @property
    def force_floor_n(self) -> float:
        """The smallest half-width of the force band, in newtons."""
        return self.force_floor_frac * self.peak_force_mean_n

    def to_dict(self) -> dict[str, Any]:
        angle = self.has_angle
        return {
            "points": POINTS,
            "n_strokes": self.n_strokes,
            "registration": self.registration,
            "lowpass_hz": _num(self.lowpass_hz, _SCALAR_DECIMALS),
            "band_multiplier": _num(self.band_multiplier, _SCALAR_DECIMALS),
            "force_floor_frac": _num(self.force_floor_frac, _SCALAR_DECIMALS),
            "angle_floor_deg": _num(self.angle_floor_deg, _ANGLE_DECIMALS),
            "duration_mean_s": _num(self.duration_mean_s, _SCALAR_DECIMALS),
            "duration_sd_s": _num(self.duration_sd_s, _SCALAR_DECIMALS),
            "time_to_peak_mean_frac": _num(self.time_to_peak_mean_frac, _SCALAR_DECIMALS),
            "time_to_peak_sd_frac": _num(self.time_to_peak_sd_frac, _SCALAR_DECIMALS),
            "peak_force_mean_n": _num(self.peak_force_mean_n, _FORCE_DECIMALS),
            "peak_force_sd_n": _num(self.peak_force_sd_n, _FORCE_DECIMALS),
            "mean_angle_mean_deg": _num(self.mean_angle_mean_deg, _ANGLE_DECIMALS),
            "mean_angle_sd_deg": _num(self.mean_angle_sd_deg, _ANGLE_DECIMALS),
            "sparc_mean": _num(self.sparc_mean, _SCALAR_DECIMALS),
            "sparc_sd": _num(self.sparc_sd, _SCALAR_DECIMALS),
            "force_mu_n": _list(self.force_mu_n, _FORCE_DECIMALS),
            "force_sigma_n": _list(self.force_sigma_n, _FORCE_DECIMALS),
            "force_lo_n": _list(self.force_lo_n, _FORCE_DECIMALS),
            "force_hi_n": _list(self.force_hi_n, _FORCE_DECIMALS),
            "angle_mu_deg": _list(self.angle_mu_deg, _ANGLE_DECIMALS) if angle else None,
            "angle_sigma_deg": _list(self.angle_sigma_deg, _ANGLE_DECIMALS) if angle else None,
            "angle_lo_deg": _list(self.angle_lo_deg, _ANGLE_DECIMALS) if angle else None,
            "angle_hi_deg": _list(self.angle_hi_deg, _ANGLE_DECIMALS) if angle else None,
        }

    @classmethod
    def from_dict(cls, d: Any) -> Envelope:
        """An envelope from its dict form; ``EnvelopeError`` names the first bad field."""
        if not isinstance(d, dict):
            raise EnvelopeError("envelope: expected an object with the envelope's fields")
        points = d.get("points", POINTS)
        if points != POINTS:
            raise EnvelopeError(f"envelope field 'points' must be {POINTS}, not {points!r}")
        n = d.get("n_strokes")
        if isinstance(n, bool) or not isinstance(n, int) or n < MIN_STROKES:
            raise EnvelopeError(
                f"envelope field 'n_strokes' must be a whole number of at least {MIN_STROKES}"
            )
        registration = d.get("registration", "linear")
        if registration not in REGISTRATIONS:
            raise EnvelopeError(
                f"envelope field 'registration' must be one of {', '.join(REGISTRATIONS)}"
            )
        force = {
            k: _array(d, k) for k in ("force_mu_n", "force_sigma_n", "force_lo_n", "force_hi_n")
        }
        angle_keys = ("angle_mu_deg", "angle_sigma_deg", "angle_lo_deg", "angle_hi_deg")
        present = [d.get(k) is not None for k in angle_keys]
        if any(present) and not all(present):
            missing = angle_keys[present.index(False)]
            raise EnvelopeError(
                f"envelope field '{missing}' is missing; the four angle arrays go together "
                "(all null for a device without angle)"
            )
        if all(present):
            angle = {k: _array(d, k) for k in angle_keys}
        else:
            angle = {k: np.full(POINTS, np.nan) for k in angle_keys}
        _check_band(force, "force_mu_n", "force_sigma_n", "force_lo_n", "force_hi_n")
        if all(present):
            _check_band(angle, "angle_mu_deg", "angle_sigma_deg", "angle_lo_deg", "angle_hi_deg")
        env = cls(
            n_strokes=n,
            **force,
            **angle,
            band_multiplier=_scalar(d, "band_multiplier", minimum=0.0, strict=True),
            duration_mean_s=_scalar(d, "duration_mean_s", minimum=0.0, strict=True),
            duration_sd_s=_scalar(d, "duration_sd_s", minimum=0.0),
            time_to_peak_mean_frac=_scalar(d, "time_to_peak_mean_frac", minimum=0.0, maximum=1.0),
            time_to_peak_sd_frac=_scalar(d, "time_to_peak_sd_frac", minimum=0.0),
            peak_force_mean_n=_scalar(d, "peak_force_mean_n"),
            peak_force_sd_n=_scalar(d, "peak_force_sd_n", minimum=0.0),
            mean_angle_mean_deg=_scalar(d, "mean_angle_mean_deg", nullable=True),
            mean_angle_sd_deg=_scalar(d, "mean_angle_sd_deg", minimum=0.0, nullable=True),
            sparc_mean=_scalar(d, "sparc_mean", maximum=0.0, nullable=True),
            sparc_sd=_scalar(d, "sparc_sd", minimum=0.0, nullable=True),
            force_floor_frac=_scalar(
                d, "force_floor_frac", minimum=0.0, default=DEFAULT_FORCE_FLOOR_FRAC
            ),
            angle_floor_deg=_scalar(
                d, "angle_floor_deg", minimum=0.0, default=DEFAULT_ANGLE_FLOOR_DEG
            ),
            registration=registration,
            lowpass_hz=_scalar(
                d, "lowpass_hz", minimum=0.0, strict=True, default=DEFAULT_LOWPASS_HZ
            ),
        )
        return env


@dataclass(frozen=True)
class OutlierFlag:
    """One expert stroke's verdict from the functional boxplot; ``index`` is the stroke's own."""

    index: int
    outlier: bool
    depth: float
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "outlier": self.outlier,
            "depth": round(self.depth, 4),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class CalibrationReport:
    """Each expert stroke scored against the envelope of the others (leave-one-out).

    ``scores`` follow the strokes' order. With fewer than 4 strokes there is nothing to leave out
    and the figures are None; ``note`` says so.
    """

    scores: tuple[float, ...]
    median: float | None
    p5: float | None
    median_target: float = MEDIAN_TARGET
    p5_target: float = P5_TARGET
    note: str = ""

    @property
    def meets_median_target(self) -> bool | None:
        return None if self.median is None else self.median >= self.median_target

    @property
    def meets_p5_target(self) -> bool | None:
        return None if self.p5 is None else self.p5 >= self.p5_target

    @property
    def ok(self) -> bool:
        return bool(self.meets_median_target and self.meets_p5_target)

    def as_json(self) -> dict[str, Any]:
        return {
            "method": "leave-one-out",
            "strokes": len(self.scores),
            "scores": [round(s, 1) for s in self.scores],
            "median": None if self.median is None else round(self.median, 1),
            "p5": None if self.p5 is None else round(self.p5, 1),
            "median_target": self.median_target,
            "p5_target": self.p5_target,
            "meets_median_target": self.meets_median_target,
            "meets_p5_target": self.meets_p5_target,
            "note": self.note,
        }


@dataclass(frozen=True, eq=False)
class EnvelopeBuild:
    """An envelope with what the instructor needs to trust it: outlier flags (one per stroke, in
    order) and the leave-one-out calibration; ``normalised`` holds the experts' curves to plot."""

    envelope: Envelope
    flags: list[OutlierFlag]
    calibration: CalibrationReport
    normalised: list[NormalisedStroke] = field(default_factory=list)

    @property
    def outlier_indices(self) -> list[int]:
        return [f.index for f in self.flags if f.outlier]


def build_envelope(
    strokes: list[Stroke],
    *,
    band_multiplier: float | None = None,
    force_floor_frac: float = DEFAULT_FORCE_FLOOR_FRAC,
    angle_floor_deg: float = DEFAULT_ANGLE_FLOOR_DEG,
    registration: str = "linear",
    lowpass_hz: float = DEFAULT_LOWPASS_HZ,
    weights: ScoringWeights | None = None,
) -> EnvelopeBuild:
    """The envelope of expert strokes, their outlier flags and the leave-one-out calibration.

    ``band_multiplier`` None means the prediction-band multiplier for this many strokes.
    ``registration="peak"`` warps each expert stroke piecewise-linearly so that its force peak
    falls at the experts' mean time-to-peak before averaging, which keeps the mean's peak sharp
    when experts vary in internal timing (trainees are still scored on linear time, so their
    timing errors stay visible and are scored by tempo). The calibration scores with ``weights``
    (the default weights if None); consistency plays no part in it.
    """
    if len(strokes) < MIN_STROKES:
        raise EnvelopeError(
            f"an envelope needs at least {MIN_STROKES} expert strokes; got {len(strokes)}. "
            f"Record {MIN_STROKES - len(strokes)} more (10 to 20 give a reliable envelope)."
        )
    if registration not in REGISTRATIONS:
        raise EnvelopeError(f"registration must be one of {', '.join(REGISTRATIONS)}")
    if band_multiplier is not None and not band_multiplier > 0:
        raise EnvelopeError("band multiplier must be greater than 0")
    settings = dict(
        band_multiplier=band_multiplier,
        force_floor_frac=force_floor_frac,
        angle_floor_deg=angle_floor_deg,
        registration=registration,
        lowpass_hz=lowpass_hz,
    )
    normalised = normalise_many(strokes, lowpass_hz)
    envelope = envelope_from_normalised(normalised, **settings)
    flags = _outlier_flags(strokes, normalised, envelope)
    calibration = _calibrate(strokes, normalised, settings, weights)
    return EnvelopeBuild(envelope, flags, calibration, normalised)


def envelope_from_normalised(
    normalised: list[NormalisedStroke],
    *,
    band_multiplier: float | None = None,
    force_floor_frac: float = DEFAULT_FORCE_FLOOR_FRAC,
    angle_floor_deg: float = DEFAULT_ANGLE_FLOOR_DEG,
    registration: str = "linear",
    lowpass_hz: float = DEFAULT_LOWPASS_HZ,
) -> Envelope:
    """The envelope of strokes already normalised (with ``lowpass_hz``)."""
    n = len(normalised)
    if n < MIN_STROKES:
        raise EnvelopeError(f"an envelope needs at least {MIN_STROKES} expert strokes; got {n}")
    ttp = np.array([s.time_to_peak_frac for s in normalised])
    ttp_mean = float(np.mean(ttp))
    forces = np.array([s.force_n for s in normalised])
    has_angle = all(s.has_angle for s in normalised)
    angles = np.array([s.angle_deg for s in normalised]) if has_angle else None
    if registration == "peak":
        forces = np.array(
            [register_on_peak(f, p, ttp_mean) for f, p in zip(forces, ttp, strict=True)]
        )
        if angles is not None:
            angles = np.array(
                [register_on_peak(a, p, ttp_mean) for a, p in zip(angles, ttp, strict=True)]
            )
    k = prediction_multiplier(n) if band_multiplier is None else float(band_multiplier)
    peaks = np.array([s.peak_force_n for s in normalised])
    peak_mean = float(np.mean(peaks))

    force_mu = forces.mean(axis=0)
    force_sigma = forces.std(axis=0, ddof=1)
    force_half = np.maximum(k * force_sigma, force_floor_frac * abs(peak_mean))
    if angles is not None:
        angle_mu = angles.mean(axis=0)
        angle_sigma = angles.std(axis=0, ddof=1)
        angle_half = np.maximum(k * angle_sigma, angle_floor_deg)
        mean_angles = np.array([s.mean_angle_deg for s in normalised])
        mean_angle_mean, mean_angle_sd = float(np.mean(mean_angles)), _sd(mean_angles)
    else:
        angle_mu = angle_sigma = angle_half = np.full(POINTS, np.nan)
        mean_angle_mean = mean_angle_sd = float("nan")
    durations = np.array([s.duration_s for s in normalised])
    sparcs = np.array([s.sparc for s in normalised])
    sparcs = sparcs[np.isfinite(sparcs)]
    return Envelope(
        n_strokes=n,
        force_mu_n=force_mu,
        force_sigma_n=force_sigma,
        force_lo_n=force_mu - force_half,
        force_hi_n=force_mu + force_half,
        angle_mu_deg=angle_mu,
        angle_sigma_deg=angle_sigma,
        angle_lo_deg=angle_mu - angle_half,
        angle_hi_deg=angle_mu + angle_half,
        band_multiplier=k,
        duration_mean_s=float(np.mean(durations)),
        duration_sd_s=_sd(durations),
        time_to_peak_mean_frac=ttp_mean,
        time_to_peak_sd_frac=_sd(ttp),
        peak_force_mean_n=peak_mean,
        peak_force_sd_n=_sd(peaks),
        mean_angle_mean_deg=mean_angle_mean,
        mean_angle_sd_deg=mean_angle_sd,
        sparc_mean=float(np.mean(sparcs)) if sparcs.size else float("nan"),
        sparc_sd=_sd(sparcs) if sparcs.size else float("nan"),
        force_floor_frac=force_floor_frac,
        angle_floor_deg=angle_floor_deg,
        registration=registration,
        lowpass_hz=lowpass_hz,
    )


def register_on_peak(curve: np.ndarray, peak_frac: float, target_frac: float) -> np.ndarray:
    """Warp a 101-point curve piecewise-linearly so that ``peak_frac`` lands on ``target_frac``.

    Start and end stay in place; the rise and the fall are each stretched uniformly.
    """
    u = np.linspace(0.0, 1.0, curve.size)
    p = float(np.clip(peak_frac, 1e-6, 1 - 1e-6))
    q = float(np.clip(target_frac, 1e-6, 1 - 1e-6))
    source = np.where(u <= q, u / q * p, p + (u - q) / (1.0 - q) * (1.0 - p))
    return np.interp(source, u, curve)


def find_regions(
    mask: np.ndarray, merge_gap: int = 3, min_points: int = 3
) -> list[tuple[int, int]]:
    """Runs of True in a 101-point mask as (first, last) indices (= % of the stroke).

    Runs separated by at most ``merge_gap`` False points are merged (a curve grazing the band edge
    is one excursion, not several); runs shorter than ``min_points`` are dropped. Largest first.
    """
    idx = np.flatnonzero(np.asarray(mask, dtype=bool)).tolist()
    if not idx:
        return []
    runs: list[list[int]] = [[idx[0], idx[0]]]
    for i in idx[1:]:
        if i - runs[-1][1] - 1 <= merge_gap:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    kept = [(a, b) for a, b in runs if b - a + 1 >= min_points]
    return sorted(kept, key=lambda r: (-(r[1] - r[0]), r[0]))


def modified_band_depth(curves: np.ndarray) -> np.ndarray:
    """Modified band depth (Lopez-Pintado and Romo 2009, bands of 2 curves) of each curve.

    The share of time a curve spends inside the band of a pair of curves, averaged over all
    pairs: central curves score high, curves on the edge of the bundle (or crossing it) low.
    Ties are counted as inside.
    """
    n = curves.shape[0]
    pairs = n * (n - 1) / 2.0
    # below[j, t] / above[j, t]: how many curves lie strictly below / above curve j at t,
    # by binary search in each sorted column (n log n, so hundreds of strokes stay cheap).
    ordered = np.sort(curves, axis=0)
    below = np.empty(curves.shape, dtype=float)
    above = np.empty(curves.shape, dtype=float)
    for t in range(curves.shape[1]):
        below[:, t] = np.searchsorted(ordered[:, t], curves[:, t], side="left")
        above[:, t] = n - np.searchsorted(ordered[:, t], curves[:, t], side="right")
    outside = below * (below - 1) / 2.0 + above * (above - 1) / 2.0
    return np.mean((pairs - outside) / pairs, axis=1)


def _outlier_flags(
    strokes: list[Stroke], normalised: list[NormalisedStroke], envelope: Envelope
) -> list[OutlierFlag]:
    """Functional boxplot screening (Sun and Genton 2011), each stroke against the others.

    For each stroke, the others' central region is the pointwise range of their deepest half by
    modified band depth of the force; the fences lie 1.5 times that region's width beyond it,
    and never closer than twice the envelope's floor half-width (10 % of the mean peak force,
    6 degrees), so that a tight central region does not flag ordinary variation. A stroke is
    flagged when its force or its angle stays beyond a fence for at least 5 % of the stroke.

    Why against the others and not the classic rule (a stroke of low depth outside fences drawn
    from the deepest half of all strokes): band depth averages over the whole stroke, so a stroke
    that is typical except for one odd excursion (a second press, a dip at the peak) ranks as
    central, widens the central region itself and is never caught. Its depth is still reported,
    as a ranking of how typical each stroke is.

    Time normalisation hides duration, so a stroke whose duration lies beyond Tukey's fences
    (1.5 IQR beyond the quartiles, and at least 25 % of the median) is flagged too. With fewer
    than 8 strokes there is not enough spread to judge by, and no stroke is flagged.
    """
    n = len(normalised)
    forces = np.array([s.force_n for s in normalised])
    depth = modified_band_depth(forces)
    rank = np.empty(n, dtype=int)
    rank[np.argsort(-depth, kind="stable")] = np.arange(1, n + 1)
    reasons: list[list[str]] = [[] for _ in range(n)]
    if n >= MIN_STROKES_FOR_OUTLIERS:
        channels = [("force", forces, envelope.force_floor_n, "harder", "lighter")]
        if envelope.has_angle:
            angles = np.array([s.angle_deg for s in normalised])
            channels.append(("angle", angles, envelope.angle_floor_deg, "steeper", "flatter"))
        for i in range(n):
            others_depth = modified_band_depth(np.delete(forces, i, axis=0))
            deepest = np.argsort(-others_depth, kind="stable")[: math.ceil((n - 1) / 2)]
            for name, curves, floor, high_word, low_word in channels:
                others = np.delete(curves, i, axis=0)
                lo = others[deepest].min(axis=0)
                hi = others[deepest].max(axis=0)
                reach = np.maximum(FENCE_FACTOR * (hi - lo), FENCE_MIN_FLOORS * floor)
                for mask, word in (
                    (curves[i] > hi + reach, high_word),
                    (curves[i] < lo - reach, low_word),
                ):
                    regions = find_regions(mask, min_points=FENCE_MIN_POINTS)
                    if regions:
                        a, b = regions[0]
                        reasons[i].append(
                            f"{name} {word} than the other strokes from {a} to {b} % of the stroke"
                        )
        durations = np.array([s.duration_s for s in normalised])
        q1, med, q3 = np.percentile(durations, [25, 50, 75])
        reach_s = max(FENCE_FACTOR * (q3 - q1), DURATION_MIN_REACH_FRAC * med)
        for i, d in enumerate(durations):
            if d > q3 + reach_s or d < q1 - reach_s:
                word = "longer" if d > med else "shorter"
                reasons[i].append(
                    f"{word} than the others: {d:.2f} s against a median of {med:.2f} s"
                )
    flags = []
    for i, stroke in enumerate(strokes):
        depth_note = f"band depth {depth[i]:.2f}, {rank[i]} of {n} from the most typical"
        if reasons[i]:
            reason = "; ".join(reasons[i]) + f" ({depth_note})"
        elif n < MIN_STROKES_FOR_OUTLIERS:
            reason = (
                f"not screened: outlier screening needs at least {MIN_STROKES_FOR_OUTLIERS} "
                f"strokes ({depth_note})"
            )
        else:
            reason = f"typical ({depth_note})"
        flags.append(OutlierFlag(stroke.index, bool(reasons[i]), float(depth[i]), reason))
    return flags


def _calibrate(
    strokes: list[Stroke],
    normalised: list[NormalisedStroke],
    settings: dict[str, Any],
    weights: ScoringWeights | None,
) -> CalibrationReport:
    # Imported here: scoring depends on the Envelope type defined above.
    from trainer.scoring import Scorer, ScoringWeights

    n = len(strokes)
    if n < MIN_STROKES_FOR_CALIBRATION:
        return CalibrationReport(
            scores=(),
            median=None,
            p5=None,
            note=f"leave-one-out needs at least {MIN_STROKES_FOR_CALIBRATION} strokes; got {n}",
        )
    w = weights if weights is not None else ScoringWeights()
    scores = []
    for i in range(n):
        others = normalised[:i] + normalised[i + 1 :]
        envelope = envelope_from_normalised(others, **settings)
        scorer = Scorer(envelope, w, pass_mark=0.0)
        scores.append(scorer.score_normalised(strokes[i], normalised[i]).score)
    arr = np.array(scores)
    median = float(np.median(arr))
    p5 = float(np.percentile(arr, 5))
    notes = []
    if median < MEDIAN_TARGET:
        notes.append(
            f"the experts' own median is {median:.0f}, under {MEDIAN_TARGET:.0f}: the envelope "
            "is strict for its own experts (record more strokes or drop outliers)"
        )
    if p5 < P5_TARGET:
        notes.append(
            f"the experts' 5th percentile is {p5:.0f}, under {P5_TARGET:.0f}: some expert "
            "strokes fail their own envelope"
        )
    return CalibrationReport(
        scores=tuple(float(s) for s in scores),
        median=median,
        p5=p5,
        note="; ".join(notes) if notes else "the experts score as expected against each other",
    )


def _sd(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if values.size > 1 else 0.0


def _num(value: float, decimals: int) -> float | None:
    return round(float(value), decimals) if math.isfinite(value) else None


def _list(values: np.ndarray, decimals: int) -> list[float]:
    return [round(float(v), decimals) for v in values]


def _array(d: dict[str, Any], key: str) -> np.ndarray:
    value = d.get(key)
    if not isinstance(value, list) or len(value) != POINTS:
        raise EnvelopeError(f"envelope field '{key}' must be a list of {POINTS} numbers")
    try:
        arr = np.array([_finite(v) for v in value], dtype=float)
    except (TypeError, ValueError):
        raise EnvelopeError(f"envelope field '{key}' must hold only finite numbers") from None
    return arr


def _finite(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ValueError(v)
    return float(v)


def _scalar(
    d: dict[str, Any],
    key: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
    nullable: bool = False,
    default: float | None = None,
) -> float:
    if key not in d:
        if default is not None:
            return default
        raise EnvelopeError(f"envelope field '{key}' is missing")
    value = d[key]
    if value is None and nullable:
        return float("nan")
    try:
        x = _finite(value)
    except ValueError:
        raise EnvelopeError(f"envelope field '{key}' must be a finite number") from None
    if minimum is not None and (x < minimum or (strict and x == minimum)):
        relation = "greater than" if strict else "at least"
        raise EnvelopeError(f"envelope field '{key}' must be {relation} {minimum:g}")
    if maximum is not None and x > maximum:
        raise EnvelopeError(f"envelope field '{key}' must be at most {maximum:g}")
    return x


def _check_band(arrays: dict[str, np.ndarray], mu: str, sigma: str, lo: str, hi: str) -> None:
    tol = 1e-6
    if np.any(arrays[sigma] < 0):
        raise EnvelopeError(f"envelope field '{sigma}' must not be negative")
    if np.any(arrays[lo] > arrays[mu] + tol):
        raise EnvelopeError(f"envelope field '{lo}' must not lie above '{mu}'")
    if np.any(arrays[hi] < arrays[mu] - tol):
        raise EnvelopeError(f"envelope field '{hi}' must not lie below '{mu}'")
