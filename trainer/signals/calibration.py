"""Multi-point force calibration with known masses: fit, check, apply.

A cheap load cell's gain drifts between tools and over months; an instructor hangs a few known
masses, and a straight-line fit (refused when the masses do not lie on one) turns raw readings into
newtons. Never does I/O or imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from devices.samples import SampleBlock
from trainer.fields import FieldError, number, number_list, reported_as, text
from trainer.signals.errors import ConditioningError

#: Standard gravity, m/s².
STANDARD_GRAVITY = 9.80665


# -- calibration -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """A straight line from a channel's raw reading to physical units, with its provenance.

    Stored in the recording metadata next to the device serial, so a recording can always be
    traced to the calibration that produced its newtons. ``residuals`` are in output units.
    """

    gain: float
    offset: float
    channel: str = "force_n"
    unit: str = "N"
    raw_points: tuple[float, ...] = ()
    reference_points: tuple[float, ...] = ()
    residuals: tuple[float, ...] = ()
    r_squared: float = 1.0
    device_serial: str = ""
    created: str = ""
    g: float = STANDARD_GRAVITY

    def apply(self, values: np.ndarray | float) -> np.ndarray:
        """Physical values from raw readings (any shape)."""
        return self.gain * np.asarray(values, dtype=float) + self.offset

    def apply_to_block(self, block: SampleBlock) -> SampleBlock:
        """The block with this calibration's channel converted; other channels untouched."""
        col = block.channels.index(self.channel)
        values = block.values.copy()
        values[:, col] = self.apply(values[:, col])
        return SampleBlock(block.t_s, values, block.channels)

    @property
    def max_residual(self) -> float:
        return max((abs(r) for r in self.residuals), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "unit": self.unit,
            "gain": self.gain,
            "offset": self.offset,
            "raw_points": list(self.raw_points),
            "reference_points": list(self.reference_points),
            "residuals": list(self.residuals),
            "r_squared": self.r_squared,
            "g": self.g,
            "device_serial": self.device_serial,
            "created": self.created,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Calibration:
        """A stored calibration; ``ConditioningError`` names the first bad field."""
        if not isinstance(d, dict):
            raise ConditioningError("calibration: expected an object")
        with reported_as(ConditioningError, "calibration"):
            raw = number_list(d, "raw_points", default=[])
            ref = number_list(d, "reference_points", default=[])
            res = number_list(d, "residuals", default=[])
            if len(raw) != len(ref):
                raise FieldError(
                    "reference_points",
                    f"has {len(ref)} item(s) but 'raw_points' has {len(raw)}; they go in pairs",
                )
            gain = number(d, "gain")
            if gain == 0.0:
                raise FieldError("gain", "must not be zero")
            return cls(
                gain=gain,
                offset=number(d, "offset"),
                channel=text(d, "channel", default="force_n"),
                unit=text(d, "unit", default="N"),
                raw_points=tuple(raw),
                reference_points=tuple(ref),
                residuals=tuple(res),
                r_squared=number(d, "r_squared", default=1.0),
                g=number(d, "g", default=STANDARD_GRAVITY, minimum=1e-9),
                device_serial=text(d, "device_serial", default=""),
                created=text(d, "created", default=""),
            )


def fit_calibration(
    readings_raw: list[float],
    masses_kg: list[float],
    g: float = STANDARD_GRAVITY,
    *,
    channel: str = "force_n",
    device_serial: str = "",
    created: str | None = None,
    min_r_squared: float = 0.999,
    max_residual_fraction: float = 0.02,
) -> Calibration:
    """Least-squares line from raw readings to the weight of known masses (``m * g``, newtons).

    Include the unloaded reading as a mass of 0 kg. Two distinct points define the line; three or
    more also show whether the sensor is linear and the masses hung still: a fit is refused when
    r² falls below ``min_r_squared`` or a point misses the line by more than
    ``max_residual_fraction`` of the calibrated span.
    """
    raw = np.asarray(readings_raw, dtype=float)
    mass = np.asarray(masses_kg, dtype=float)
    if raw.ndim != 1 or raw.shape != mass.shape:
        raise ConditioningError(
            f"calibration: {raw.size} reading(s) for {mass.size} mass(es); "
            "give one reading per mass"
        )
    if not (np.all(np.isfinite(raw)) and np.all(np.isfinite(mass))):
        raise ConditioningError("calibration: a reading or a mass is not a number")
    if np.any(mass < 0):
        raise ConditioningError("calibration: a mass is negative")
    if np.unique(mass).size < 2:
        raise ConditioningError(
            "calibration needs at least two different known masses (0 kg counts)"
        )
    if np.unique(raw).size < 2:
        raise ConditioningError(
            "calibration: the readings do not change with the mass; is the load cell connected?"
        )
    force = mass * g
    design = np.column_stack([raw, np.ones_like(raw)])
    (gain, offset), *_ = np.linalg.lstsq(design, force, rcond=None)
    fitted = gain * raw + offset
    residuals = force - fitted
    ss_tot = float(np.sum((force - force.mean()) ** 2))
    r_squared = 1.0 - float(np.sum(residuals**2)) / ss_tot if ss_tot > 0 else 1.0
    span = float(np.ptp(force))
    worst = int(np.argmax(np.abs(residuals)))
    if r_squared < min_r_squared or abs(residuals[worst]) > max_residual_fraction * span:
        raise ConditioningError(
            f"calibration does not fit a straight line: r² = {r_squared:.5f} (need "
            f"{min_r_squared}); the reading for {mass[worst]:g} kg is off by "
            f"{residuals[worst]:+.3f} N. Check that each mass hung still and retry"
        )
    return Calibration(
        gain=float(gain),
        offset=float(offset),
        channel=channel,
        unit="N",
        raw_points=tuple(float(v) for v in raw),
        reference_points=tuple(float(v) for v in mass),
        residuals=tuple(float(v) for v in residuals),
        r_squared=r_squared,
        device_serial=device_serial,
        created=created if created is not None else datetime.now(UTC).isoformat(timespec="seconds"),
        g=float(g),
    )
