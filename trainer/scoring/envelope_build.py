"""Building an exercise's envelope from expert strokes: normalise, flag outliers, fit, check.

What the instructor sees while recording a demonstration: every stroke normalised
(``trainer.strokes.normalise``), the outlier flags (``trainer.scoring.outliers``), the fitted band
(``trainer.scoring.envelope_fit``) and the leave-one-out check (``trainer.scoring.leave_one_out``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from trainer.scoring.envelope import (
    DEFAULT_ANGLE_FLOOR_DEG,
    DEFAULT_FORCE_FLOOR_FRAC,
    MIN_STROKES,
    REGISTRATIONS,
    Envelope,
    EnvelopeError,
)
from trainer.scoring.envelope_fit import envelope_from_normalised
from trainer.scoring.leave_one_out import CalibrationReport, leave_one_out_check
from trainer.scoring.outliers import OutlierFlag, flag_outliers
from trainer.scoring.path_score import PathEnvelope
from trainer.scoring.tolerances import ScoringTolerances
from trainer.scoring.weights import ScoringWeights
from trainer.strokes.normalise import DEFAULT_LOWPASS_HZ, NormalisedStroke, normalise_many
from trainer.strokes.stroke import Stroke


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
    tolerances: ScoringTolerances | None = None,
) -> EnvelopeBuild:
    """The envelope of expert strokes, their outlier flags and the leave-one-out calibration.

    ``band_multiplier`` None means the prediction-band multiplier for this many strokes.
    ``registration="peak"`` warps each expert stroke piecewise-linearly so that its force peak
    falls at the experts' mean time-to-peak before averaging, which keeps the mean's peak sharp
    when experts vary in internal timing (trainees are still scored on linear time, so their
    timing errors stay visible and are scored by tempo). The calibration scores with ``weights``
    and ``tolerances`` (the defaults if None), as trainees will be; consistency plays no part.
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
    if all(s.has_cop for s in strokes):  # expert plate recordings: learn their path too
        envelope = replace(envelope, path=PathEnvelope.from_features([s.path for s in strokes]))
    flags = flag_outliers(strokes, normalised, envelope)
    calibration = leave_one_out_check(strokes, normalised, settings, weights, tolerances)
    return EnvelopeBuild(envelope, flags, calibration, normalised)
