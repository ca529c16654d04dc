"""The expert envelope: what a good stroke looks like, learned from an instructor's own strokes.

No published optimal force envelope exists for IASTM, so an envelope is always built from expert
recordings of one instrument and one stroke type (``trainer.scoring.envelope_build``). This module
is the envelope itself: the pointwise band of force and angle over 0..100 % of the stroke, the
duration, time-to-peak, peak force, mean angle and smoothness statistics the score uses, and the
prediction multiplier ``t(n-1, 0.975) sqrt(1 + 1/n)`` that turns the experts' spread into a band
(the range a further stroke of the same expert falls in 95 % of the time).

The experts' own spread of duration (also as the SD of ln(duration), the unit tempo uses), time to
peak and smoothness is stored too, with ``tolerance_inner_sds`` and ``tolerance_outer_sds`` (2 and
4): the tempo and smoothness tolerances are at least that many of those SDs, so that nobody is
marked down for varying as much as the experts do. Envelopes written before these fields existed
load with the defaults.

The envelope file is human-readable JSON: arrays are plain lists rounded to what the sensors can
resolve. ``from_dict`` trusts nothing and names the field it rejects (``trainer.fields``).
Never imports Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.fields import FieldError, choice, integer, number, number_array, reported_as, shown
from trainer.scoring.path_score import PathEnvelope, PathEnvelopeError
from trainer.strokes.normalise import DEFAULT_LOWPASS_HZ, POINTS

#: Fewest expert strokes an envelope is built from (a standard deviation needs some company).
MIN_STROKES = 3
REGISTRATIONS = ("linear", "peak")
DEFAULT_FORCE_FLOOR_FRAC = 0.05
DEFAULT_ANGLE_FLOOR_DEG = 3.0
#: The tempo and smoothness tolerances are at least this many of the experts' own SDs of that
#: feature (full marks -> zero), so that nobody is marked down for varying as the experts do.
DEFAULT_TOLERANCE_INNER_SDS = 2.0
DEFAULT_TOLERANCE_OUTER_SDS = 4.0

_FORCE_DECIMALS = 3
_ANGLE_DECIMALS = 2
_SCALAR_DECIMALS = 4


class EnvelopeError(Exception):
    """An envelope that cannot be built or read; the message names the field or the shortfall."""


def prediction_multiplier(n: int) -> float:
    """``t(n-1, 0.975) sqrt(1 + 1/n)``: the half-width of a 95 % prediction band, in sigmas."""
    if n < 2:
        raise EnvelopeError(f"a prediction band needs at least 2 strokes; got {n}")
    from scipy import special  # not scipy.stats, whose import alone costs about 1 s

    return float(special.stdtrit(n - 1, 0.975) * math.sqrt(1.0 + 1.0 / n))


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
    duration_log_sd: float = math.nan
    tolerance_inner_sds: float = DEFAULT_TOLERANCE_INNER_SDS
    tolerance_outer_sds: float = DEFAULT_TOLERANCE_OUTER_SDS
    #: The experts' path on a force plate (``trainer.scoring.path_score``); None without a CoP.
    path: PathEnvelope | None = None

    @property
    def has_angle(self) -> bool:
        return bool(np.all(np.isfinite(self.angle_mu_deg)))

    @property
    def force_floor_n(self) -> float:
        """The smallest half-width of the force band, in newtons."""
        return self.force_floor_frac * self.peak_force_mean_n

    @property
    def duration_spread(self) -> float:
        """The experts' SD of ln(duration), the unit tempo's duration error is in. Envelopes
        written before it was stored give the duration's CV, which is close to it."""
        if math.isfinite(self.duration_log_sd):
            return self.duration_log_sd
        return self.duration_sd_s / self.duration_mean_s if self.duration_mean_s > 0 else 0.0

    @property
    def sparc_spread(self) -> float:
        """The experts' SD of SPARC as a fraction of their mean (0 when unknown), the unit of the
        smoothness deficit."""
        if not (math.isfinite(self.sparc_sd) and math.isfinite(self.sparc_mean)):
            return 0.0
        return self.sparc_sd / abs(self.sparc_mean) if self.sparc_mean != 0 else 0.0

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
            "duration_log_sd": _num(self.duration_log_sd, _SCALAR_DECIMALS),
            "time_to_peak_mean_frac": _num(self.time_to_peak_mean_frac, _SCALAR_DECIMALS),
            "time_to_peak_sd_frac": _num(self.time_to_peak_sd_frac, _SCALAR_DECIMALS),
            "peak_force_mean_n": _num(self.peak_force_mean_n, _FORCE_DECIMALS),
            "peak_force_sd_n": _num(self.peak_force_sd_n, _FORCE_DECIMALS),
            "mean_angle_mean_deg": _num(self.mean_angle_mean_deg, _ANGLE_DECIMALS),
            "mean_angle_sd_deg": _num(self.mean_angle_sd_deg, _ANGLE_DECIMALS),
            "sparc_mean": _num(self.sparc_mean, _SCALAR_DECIMALS),
            "sparc_sd": _num(self.sparc_sd, _SCALAR_DECIMALS),
            "tolerance_inner_sds": _num(self.tolerance_inner_sds, _SCALAR_DECIMALS),
            "tolerance_outer_sds": _num(self.tolerance_outer_sds, _SCALAR_DECIMALS),
            "force_mu_n": _list(self.force_mu_n, _FORCE_DECIMALS),
            "force_sigma_n": _list(self.force_sigma_n, _FORCE_DECIMALS),
            "force_lo_n": _list(self.force_lo_n, _FORCE_DECIMALS),
            "force_hi_n": _list(self.force_hi_n, _FORCE_DECIMALS),
            "angle_mu_deg": _list(self.angle_mu_deg, _ANGLE_DECIMALS) if angle else None,
            "angle_sigma_deg": _list(self.angle_sigma_deg, _ANGLE_DECIMALS) if angle else None,
            "angle_lo_deg": _list(self.angle_lo_deg, _ANGLE_DECIMALS) if angle else None,
            "angle_hi_deg": _list(self.angle_hi_deg, _ANGLE_DECIMALS) if angle else None,
            **({"path": self.path.to_dict()} if self.path is not None else {}),
        }

    @classmethod
    def from_dict(cls, d: Any) -> Envelope:
        """An envelope from its dict form; ``EnvelopeError`` names the first bad field."""
        if not isinstance(d, dict):
            raise EnvelopeError("envelope: expected an object with the envelope's fields")
        with reported_as(EnvelopeError, "envelope"):
            points = d.get("points", POINTS)
            if points != POINTS:
                raise FieldError("points", f"must be {POINTS}, not {shown(points)}")
            n = integer(d, "n_strokes", minimum=MIN_STROKES)
            registration = choice(d, "registration", REGISTRATIONS, default="linear")
            force_keys = ("force_mu_n", "force_sigma_n", "force_lo_n", "force_hi_n")
            force = {k: number_array(d, k, POINTS) for k in force_keys}
            angle_keys = ("angle_mu_deg", "angle_sigma_deg", "angle_lo_deg", "angle_hi_deg")
            present = [d.get(k) is not None for k in angle_keys]
            if any(present) and not all(present):
                raise FieldError(
                    angle_keys[present.index(False)],
                    "is missing or null while the other angle arrays are given; the four go "
                    "together (all null for a device without angle)",
                )
            if all(present):
                angle = {k: number_array(d, k, POINTS) for k in angle_keys}
            else:
                angle = {k: np.full(POINTS, np.nan) for k in angle_keys}
            _check_band(force, *force_keys)
            inner_sds = number(
                d, "tolerance_inner_sds", minimum=0.0, default=DEFAULT_TOLERANCE_INNER_SDS
            )
            outer_sds = number(
                d, "tolerance_outer_sds", minimum=0.0, default=DEFAULT_TOLERANCE_OUTER_SDS
            )
            if outer_sds < inner_sds:
                raise FieldError(
                    "tolerance_outer_sds", f"must not be below 'tolerance_inner_sds' ({inner_sds})"
                )
            if all(present):
                _check_band(angle, *angle_keys)
            return cls(
                n_strokes=n,
                **force,
                **angle,
                band_multiplier=number(d, "band_multiplier", minimum=0.0, exclusive_minimum=True),
                duration_mean_s=number(d, "duration_mean_s", minimum=0.0, exclusive_minimum=True),
                duration_sd_s=number(d, "duration_sd_s", minimum=0.0),
                duration_log_sd=number(
                    d, "duration_log_sd", minimum=0.0, nullable=True, default=math.nan
                ),
                time_to_peak_mean_frac=number(
                    d, "time_to_peak_mean_frac", minimum=0.0, maximum=1.0
                ),
                time_to_peak_sd_frac=number(d, "time_to_peak_sd_frac", minimum=0.0),
                peak_force_mean_n=number(d, "peak_force_mean_n"),
                peak_force_sd_n=number(d, "peak_force_sd_n", minimum=0.0),
                mean_angle_mean_deg=number(d, "mean_angle_mean_deg", nullable=True),
                mean_angle_sd_deg=number(d, "mean_angle_sd_deg", minimum=0.0, nullable=True),
                sparc_mean=number(d, "sparc_mean", maximum=0.0, nullable=True),
                sparc_sd=number(d, "sparc_sd", minimum=0.0, nullable=True),
                force_floor_frac=number(
                    d, "force_floor_frac", minimum=0.0, default=DEFAULT_FORCE_FLOOR_FRAC
                ),
                angle_floor_deg=number(
                    d, "angle_floor_deg", minimum=0.0, default=DEFAULT_ANGLE_FLOOR_DEG
                ),
                registration=registration,
                tolerance_inner_sds=inner_sds,
                tolerance_outer_sds=outer_sds,
                lowpass_hz=number(
                    d,
                    "lowpass_hz",
                    minimum=0.0,
                    exclusive_minimum=True,
                    default=DEFAULT_LOWPASS_HZ,
                ),
                path=_path_of(d),
            )


def _path_of(d: dict[str, Any]) -> PathEnvelope | None:
    if d.get("path") is None:
        return None
    try:
        return PathEnvelope.from_dict(d["path"])
    except PathEnvelopeError as exc:
        raise FieldError("path", str(exc).removeprefix("envelope.path: ")) from None


def _num(value: float, decimals: int) -> float | None:
    return round(float(value), decimals) if math.isfinite(value) else None


def _list(values: np.ndarray, decimals: int) -> list[float]:
    return [round(float(v), decimals) for v in values]


def _check_band(arrays: dict[str, np.ndarray], mu: str, sigma: str, lo: str, hi: str) -> None:
    tol = 1e-6
    if np.any(arrays[sigma] < 0):
        raise FieldError(sigma, "must not be negative")
    if np.any(arrays[lo] > arrays[mu] + tol):
        raise FieldError(lo, f"must not lie above '{mu}'")
    if np.any(arrays[hi] < arrays[mu] - tol):
        raise FieldError(hi, f"must not lie below '{mu}'")
