"""The stroke detector's settings: thresholds, timings and their limits, as an exercise stores them.

Kept apart from the detector so that the exercise file format, the CLI and the application can read
and check settings without the detector's machinery. ``DetectionSettings.from_dict`` trusts
nothing and names the field it rejects (``detection.on_ms``). Never imports Qt.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from trainer.fields import (
    FieldError,
    as_bool,
    as_number,
    as_section,
    known_only,
    path_of,
    reported_as,
)


class SegmentationError(ValueError):
    """A bad detection setting or a stream the detector cannot use; the message names it."""


@dataclass(frozen=True)
class DetectionSettings:
    """Every threshold of stroke detection; stored in exercise files under ``detection``.

    Defaults are those of ``docs/scoring.md``. Light techniques (brushing) lower ``f_on_floor_n`` to
    about 1 N. Times are in milliseconds unless the name says otherwise.
    """

    f_on_floor_n: float = 2.0  # F_on never goes below this (newtons over the baseline)
    noise_sigma_factor: float = 6.0  # ... nor below this many idle-noise sigmas
    f_off_ratio: float = 0.5  # F_off = f_off_ratio * F_on
    on_ms: float = 10.0  # above F_on this long to start a stroke
    off_ms: float = 10.0  # below F_off this long to come down
    min_stroke_ms: float = 150.0  # shorter strokes are dropped
    refractory_ms: float = 100.0  # rising again this soon continues the same stroke
    max_stroke_ms: float = 10_000.0  # longer "strokes" are dropped; bounds memory
    tail_max_ms: float = 1000.0  # longest wait for the force to settle after coming down
    lowpass_hz: float = 20.0  # detection filter cut-off (capped at 0.4 x the sample rate)
    lowpass_order: int = 2
    boundary_fraction: float = 0.05  # a stroke is the run above this fraction of its peak
    baseline_tau_s: float = 1.0  # time constant of the idle baseline
    noise_tau_s: float = 5.0  # time constant of the idle-noise estimate
    baseline_gate_sigmas: float = 3.0  # the baseline learns within this many sigmas ...
    baseline_gate_n: float = 0.5  # ... plus this many newtons of itself
    initial_tare_s: float = 2.0  # start-up tare; nothing is detected before it ends
    rebaseline_hold_ms: float = 1000.0  # a load held this still becomes the baseline (0: never)
    rebaseline_band_n: float = 0.2  # "still": within this band (+ 4 sigma)
    valley_fallback: bool = True  # cut strokes that never come down at force valleys
    valley_split_ms: float = 5000.0  # ... once they last this long
    valley_prominence_ratio: float = 0.3  # a valley is at least this fraction of the peak deep
    valley_min_distance_ms: float = 300.0  # valleys at least this far apart
    gap_ms: float = 250.0  # a longer pause between samples is a gap in the data

    def __post_init__(self) -> None:
        with reported_as(SegmentationError):
            for f in dataclasses.fields(self):
                value = getattr(self, f.name)
                path = path_of(f.name, "detection")
                if f.type in ("bool", bool):
                    as_bool(value, path)
                    continue
                low, high, low_open = _LIMITS.get(f.name, (0.0, math.inf, False))
                as_number(
                    value,
                    path,
                    minimum=low,
                    maximum=None if high == math.inf else high,
                    exclusive_minimum=low_open,
                )
            if self.lowpass_order != int(self.lowpass_order):
                raise FieldError(
                    "detection.lowpass_order", f"must be a whole number, not {self.lowpass_order!r}"
                )
            if self.max_stroke_ms < self.min_stroke_ms:
                raise FieldError(
                    "detection.max_stroke_ms",
                    f"must be at least 'min_stroke_ms' ({self.min_stroke_ms:g}), "
                    f"not {self.max_stroke_ms!r}",
                )

    def to_dict(self) -> dict[str, float | bool]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> DetectionSettings:
        """Settings from an exercise file; missing fields take their defaults, unknown ones fail."""
        with reported_as(SegmentationError):
            as_section(d, "detection")
            known_only(d, (f.name for f in dataclasses.fields(cls)), within="detection")
        return cls(**d)  # type: ignore[arg-type]


#: (lowest, highest, lowest excluded) for the settings whose range is not [0, inf).
_LIMITS: dict[str, tuple[float, float, bool]] = {
    "f_on_floor_n": (0.0, math.inf, True),
    "f_off_ratio": (0.0, 1.0, True),
    "max_stroke_ms": (0.0, 600_000.0, True),
    "lowpass_hz": (0.0, math.inf, True),
    "lowpass_order": (1.0, 8.0, False),
    "boundary_fraction": (0.0, 1.0, True),
    "baseline_tau_s": (0.0, math.inf, True),
    "noise_tau_s": (0.0, math.inf, True),
    "initial_tare_s": (0.0, 600.0, True),
    "valley_split_ms": (0.0, math.inf, True),
    "valley_prominence_ratio": (0.0, 1.0, True),
    "valley_min_distance_ms": (0.0, math.inf, True),
    "gap_ms": (0.0, math.inf, True),
}
