"""Fitting the band to normalised expert strokes: registered on the peak, mean +- k sigma.

The pointwise mean and standard deviation of force and angle give a prediction band
``mu +- t(n-1, 0.975) sqrt(1 + 1/n) sigma`` (3.04 sigma for 5 strokes, 2.37 for 10, 2.14 for 20),
never narrower than a floor (5 % of the mean peak force, 3 degrees) so that near-identical expert
strokes do not make a corridor nobody can stay in. Used by the builder and by the leave-one-out
check, which refits without each stroke in turn.
"""

from __future__ import annotations

import numpy as np

from trainer.scoring.envelope import (
    DEFAULT_ANGLE_FLOOR_DEG,
    DEFAULT_FORCE_FLOOR_FRAC,
    MIN_STROKES,
    Envelope,
    EnvelopeError,
    prediction_multiplier,
)
from trainer.strokes.normalise import DEFAULT_LOWPASS_HZ, POINTS, NormalisedStroke


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
        duration_log_sd=_sd(np.log(durations)) if np.all(durations > 0) else float("nan"),
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


def _sd(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if values.size > 1 else 0.0
