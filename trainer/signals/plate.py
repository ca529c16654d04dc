"""A force plate from its load cells: vertical force and centre of pressure, and the cells' gains.

Every published study of IASTM forces stroked over a laboratory force plate; a class can build one
from four load cells under a board (one HX711 amplifier per corner), or use any plate whose cells
are listed. A ``PlateProfile`` says where each cell sits (mm, plate coordinates, +x to the right,
+y away from the trainee) and which column of the device's lines it is; from the cells' raw
readings it gives

- ``Fz``, the sum of the cells' forces, each ``gain * (raw - zero)`` newtons, and
- the centre of pressure, the force-weighted mean of the cells' positions (the point about which
  the cells' moments balance).

The cells' gains come from ``fit_plate_gains``: a known mass placed at the centre and at each
corner gives, per placement, three equations (the weight, and the moments about x and y), solved
for every gain at once by least squares; the residuals are shown in newtons and millimetres, so
an instructor sees a cell that is loose or a mass that was not where it was said to be.

A plate that samples irregularly (a Wii Balance Board over Bluetooth) is put on a regular time axis
by ``window_average``: the mean of the samples inside each output sample's window, which averages
the noise the way a faster ADC would, where linear interpolation between two noisy samples would
pass their noise through untouched.

Never does I/O or imports Qt.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from devices.samples import SampleBlock
from trainer.fields import (
    FieldError,
    as_section,
    known_only,
    number,
    reported_as,
    text,
)
from trainer.signals.calibration import STANDARD_GRAVITY
from trainer.signals.errors import ConditioningError

#: Channels a plate profile turns cell readings into.
PLATE_CHANNELS: tuple[str, str, str] = ("force_n", "cop_x_mm", "cop_y_mm")
#: A calibration is refused when a placement's weight is missed by more than this share...
MAX_FORCE_RESIDUAL_FRACTION = 0.02
#: ...or its centre of pressure by more than this (mm).
MAX_COP_RESIDUAL_MM = 10.0


@dataclass(frozen=True)
class PlateCell:
    """One load cell: the device column that carries it, where it sits, and its raw-to-newton
    line (``gain`` newtons per raw unit above ``zero``, the unloaded reading)."""

    column: str
    x_mm: float
    y_mm: float
    gain: float = 1.0
    zero: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "x_mm": self.x_mm,
            "y_mm": self.y_mm,
            "gain": self.gain,
            "zero": self.zero,
        }


@dataclass(frozen=True)
class PlateProfile:
    """Where a plate's cells are and how their readings become Fz and the centre of pressure.

    ``width_mm`` and ``depth_mm`` are the plate's outline, centred on (0, 0), for drawing it.
    ``calibration`` is the fit that set the gains, kept with the profile (and so with every
    recording made with it).
    """

    name: str
    cells: tuple[PlateCell, ...]
    width_mm: float
    depth_mm: float
    calibration: PlateCalibration | None = None

    @classmethod
    def four_corners(
        cls,
        width_mm: float,
        depth_mm: float,
        columns: Sequence[str] = ("cell_1", "cell_2", "cell_3", "cell_4"),
        name: str = "four-cell plate",
    ) -> PlateProfile:
        """A rectangular plate on a cell at each corner: front left, front right, back right,
        back left (counter-clockwise from the trainee's left, as seen from above)."""
        if len(columns) != 4:
            raise ConditioningError(f"plate: a four-corner plate has 4 cells, not {len(columns)}")
        hx, hy = width_mm / 2.0, depth_mm / 2.0
        corners = ((-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy))
        cells = tuple(PlateCell(c, x, y) for c, (x, y) in zip(columns, corners, strict=True))
        return cls(name, cells, float(width_mm), float(depth_mm))

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.cells)

    def cell_forces(self, raw: np.ndarray) -> np.ndarray:
        """Each cell's force (N) from raw readings, one row per sample, one column per cell."""
        raw = np.asarray(raw, dtype=float)
        gain = np.array([c.gain for c in self.cells])
        zero = np.array([c.zero for c in self.cells])
        return (raw - zero) * gain

    def fz_cop(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Vertical force and centre of pressure (x, y in mm) per sample.

        The CoP is a ratio of two small numbers near zero load, so it is NaN where Fz is not
        positive; where Fz is small but positive it is returned as it is and left to the reader
        to mask (``trainer.strokes.path.masked_cop``), as the threshold is a setting.
        """
        f = self.cell_forces(raw)
        fz = f.sum(axis=1)
        x = np.array([c.x_mm for c in self.cells])
        y = np.array([c.y_mm for c in self.cells])
        with np.errstate(invalid="ignore", divide="ignore"):
            cop_x = np.where(fz > 0, (f @ x) / fz, np.nan)
            cop_y = np.where(fz > 0, (f @ y) / fz, np.nan)
        return fz, cop_x, cop_y

    def convert_block(self, block: SampleBlock) -> SampleBlock:
        """A block of cell readings as ``force_n, cop_x_mm, cop_y_mm`` (other channels kept).

        ``ConditioningError`` names the cells the block lacks."""
        missing = [c for c in self.columns if c not in block.channels]
        if missing:
            raise ConditioningError(
                f"plate '{self.name}': the device sends {', '.join(block.channels)}; the plate "
                f"profile needs {', '.join(missing)}"
            )
        idx = [block.channels.index(c) for c in self.columns]
        fz, cx, cy = self.fz_cop(block.values[:, idx])
        keep = [i for i, c in enumerate(block.channels) if c not in self.columns]
        values = np.column_stack([fz, cx, cy, block.values[:, keep]])
        channels = (*PLATE_CHANNELS, *(block.channels[i] for i in keep))
        return SampleBlock(block.t_s, values, channels)

    def with_calibration(self, calibration: PlateCalibration) -> PlateProfile:
        """The profile with the gains and zeros of ``calibration``."""
        cells = tuple(
            replace(c, gain=g, zero=z)
            for c, g, z in zip(self.cells, calibration.gains, calibration.zeros, strict=True)
        )
        return replace(self, cells=cells, calibration=calibration)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "width_mm": self.width_mm,
            "depth_mm": self.depth_mm,
            "cells": [c.to_dict() for c in self.cells],
        }
        if self.calibration is not None:
            d["calibration"] = self.calibration.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: Any) -> PlateProfile:
        """A stored profile (a plate file, a recording's metadata); ``ConditioningError`` names
        the first wrong field."""
        with reported_as(ConditioningError, "plate profile"):
            d = as_section(d, "plate")
            known_only(d, ("name", "width_mm", "depth_mm", "cells", "calibration"))
            raw_cells = d.get("cells")
            if not isinstance(raw_cells, list) or len(raw_cells) < 3:
                raise FieldError("cells", "must list at least 3 load cells")
            cells = []
            for i, item in enumerate(raw_cells):
                where = f"cells[{i}]"
                item = as_section(item, where)
                known_only(item, ("column", "x_mm", "y_mm", "gain", "zero"), within=where)
                gain = number(item, "gain", within=where, default=1.0)
                if gain == 0:
                    raise FieldError(f"{where}.gain", "must not be zero")
                cells.append(
                    PlateCell(
                        column=text(item, "column", within=where),
                        x_mm=number(item, "x_mm", within=where),
                        y_mm=number(item, "y_mm", within=where),
                        gain=gain,
                        zero=number(item, "zero", within=where, default=0.0),
                    )
                )
            columns = [c.column for c in cells]
            if len(set(columns)) != len(columns):
                raise FieldError("cells", "name a column twice")
            xy = np.array([(c.x_mm, c.y_mm) for c in cells])
            if np.linalg.matrix_rank(np.column_stack([np.ones(len(cells)), xy])) < 3:
                raise FieldError("cells", "lie on one line: the centre of pressure is not defined")
            calibration = None
            if d.get("calibration") is not None:
                calibration = PlateCalibration.from_dict(
                    as_section(d["calibration"], "calibration")
                )
            return cls(
                name=text(d, "name", default="plate"),
                cells=tuple(cells),
                width_mm=number(d, "width_mm", minimum=0.0, exclusive_minimum=True),
                depth_mm=number(d, "depth_mm", minimum=0.0, exclusive_minimum=True),
                calibration=calibration,
            )


# -- calibration -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """A known mass resting at a known point, and the cells' mean raw readings meanwhile."""

    mass_kg: float
    x_mm: float
    y_mm: float
    raw: tuple[float, ...]


@dataclass(frozen=True)
class PlateCalibration:
    """The cells' gains and zeros fitted from placements, with what each placement missed by."""

    gains: tuple[float, ...]
    zeros: tuple[float, ...]
    placements: tuple[Placement, ...] = ()
    force_residuals_n: tuple[float, ...] = ()
    cop_residuals_mm: tuple[float, ...] = ()
    g: float = STANDARD_GRAVITY
    created: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def max_force_residual_n(self) -> float:
        return max((abs(r) for r in self.force_residuals_n), default=0.0)

    @property
    def max_cop_residual_mm(self) -> float:
        return max((abs(r) for r in self.cop_residuals_mm), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "gains": list(self.gains),
            "zeros": list(self.zeros),
            "placements": [
                {"mass_kg": p.mass_kg, "x_mm": p.x_mm, "y_mm": p.y_mm, "raw": list(p.raw)}
                for p in self.placements
            ],
            "force_residuals_n": list(self.force_residuals_n),
            "cop_residuals_mm": list(self.cop_residuals_mm),
            "g": self.g,
            "created": self.created,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PlateCalibration:
        gains = d.get("gains")
        zeros = d.get("zeros")
        if not isinstance(gains, list) or not all(isinstance(v, int | float) for v in gains):
            raise FieldError("calibration.gains", "must be a list of numbers")
        if not isinstance(zeros, list) or len(zeros) != len(gains):
            raise FieldError("calibration.zeros", "must list one number per gain")
        return cls(
            gains=tuple(float(v) for v in gains),
            zeros=tuple(float(v) for v in zeros),
            force_residuals_n=tuple(float(v) for v in d.get("force_residuals_n", [])),
            cop_residuals_mm=tuple(float(v) for v in d.get("cop_residuals_mm", [])),
            g=number(d, "g", within="calibration", default=STANDARD_GRAVITY, minimum=1e-9),
            created=text(d, "created", within="calibration", default=""),
        )


def fit_plate_gains(
    profile: PlateProfile,
    zero_raw: Sequence[float],
    placements: Sequence[Placement],
    g: float = STANDARD_GRAVITY,
    created: str = "",
) -> PlateCalibration:
    """Every cell's gain at once from known masses placed at known points (least squares).

    Per placement: the cells' forces add up to the mass's weight, and their moments about the
    placement point cancel in x and in y. The moment equations are divided by the plate's half
    diagonal so that a newton and a newton-metre of error weigh alike. Refused, with the reason,
    when the placements cannot determine every gain (too few, or all at one point), when a gain
    comes out zero or negative (a cell wired backwards or not touching), or when a placement is
    missed by more than 2 % of its weight or 10 mm.
    """
    cells = profile.cells
    n = len(cells)
    zero = np.asarray(zero_raw, dtype=float)
    if zero.shape != (n,):
        raise ConditioningError(f"plate calibration: {zero.size} zero reading(s) for {n} cells")
    if not placements:
        raise ConditioningError("plate calibration: no placements of a known mass")
    x = np.array([c.x_mm for c in cells])
    y = np.array([c.y_mm for c in cells])
    scale = max(math.hypot(profile.width_mm, profile.depth_mm) / 2.0, 1.0)
    rows, rhs = [], []
    for k, p in enumerate(placements):
        r = np.asarray(p.raw, dtype=float)
        if r.shape != (n,) or not np.all(np.isfinite(r)):
            raise ConditioningError(
                f"plate calibration: placement {k + 1} has {r.size} reading(s) for {n} cells"
            )
        if not p.mass_kg > 0:
            raise ConditioningError(f"plate calibration: placement {k + 1} has no mass")
        d = r - zero
        weight = p.mass_kg * g
        rows += [d, d * (x - p.x_mm) / scale, d * (y - p.y_mm) / scale]
        rhs += [weight, 0.0, 0.0]
    a, b = np.array(rows), np.array(rhs)
    if np.linalg.matrix_rank(a) < n:
        raise ConditioningError(
            f"plate calibration: these placements cannot tell the {n} cells' gains apart; place "
            "the mass at the centre and at each corner"
        )
    gains, *_ = np.linalg.lstsq(a, b, rcond=None)
    if np.any(gains <= 0):
        bad = [cells[i].column for i in np.flatnonzero(gains <= 0)]
        raise ConditioningError(
            f"plate calibration: cell {', '.join(bad)} reads against the load (a gain of "
            f"{', '.join(f'{v:.3g}' for v in gains[gains <= 0])}): check its wiring and that it "
            "carries the plate"
        )
    fitted = replace(
        profile,
        cells=tuple(
            replace(c, gain=float(gv), zero=float(z))
            for c, gv, z in zip(cells, gains, zero, strict=True)
        ),
    )
    force_res, cop_res = [], []
    for p in placements:
        fz, cx, cy = fitted.fz_cop(np.asarray(p.raw, dtype=float)[None, :])
        force_res.append(float(fz[0] - p.mass_kg * g))
        cop_res.append(float(math.hypot(cx[0] - p.x_mm, cy[0] - p.y_mm)))
    calibration = PlateCalibration(
        gains=tuple(float(v) for v in gains),
        zeros=tuple(float(v) for v in zero),
        placements=tuple(placements),
        force_residuals_n=tuple(force_res),
        cop_residuals_mm=tuple(cop_res),
        g=g,
        created=created,
    )
    worst_f = max(abs(r) / (p.mass_kg * g) for r, p in zip(force_res, placements, strict=True))
    if (
        worst_f > MAX_FORCE_RESIDUAL_FRACTION
        or calibration.max_cop_residual_mm > MAX_COP_RESIDUAL_MM
    ):
        raise ConditioningError(
            f"plate calibration: the fit misses a placement by {100 * worst_f:.1f} % of its weight "
            f"and {calibration.max_cop_residual_mm:.0f} mm (at most "
            f"{100 * MAX_FORCE_RESIDUAL_FRACTION:.0f} % and {MAX_COP_RESIDUAL_MM:.0f} mm): was "
            "the mass still, and where it was said to be?"
        )
    return calibration


# -- irregular sampling ---------------------------------------------------------------------------


def window_average(
    t_s: np.ndarray, values: np.ndarray, rate_hz: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Irregular samples on a regular axis at ``rate_hz``: each output sample is the mean of the
    input samples within half a period of its time.

    Returns the output times, values (one row per output sample) and how many input samples
    each averaged. An output window that caught no sample holds the previous window's value (its
    count says 0), so that a dropped Bluetooth packet never draws a line through a stroke.
    """
    t = np.asarray(t_s, dtype=float)
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    if not rate_hz > 0 or not math.isfinite(rate_hz):
        raise ConditioningError(f"resampling: rate {rate_hz!r} Hz must be a positive number")
    if t.size == 0:
        return np.empty(0), np.empty((0, v.shape[1])), np.empty(0, dtype=int)
    period = 1.0 / rate_hz
    k0 = math.ceil(t[0] / period - 0.5)
    k = np.floor(t / period + 0.5).astype(np.int64) - k0
    k = np.maximum(k, 0)
    m = int(k[-1]) + 1
    counts = np.bincount(k, minlength=m)
    out = np.empty((m, v.shape[1]))
    for j in range(v.shape[1]):
        sums = np.bincount(k, weights=v[:, j], minlength=m)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, j] = sums / counts
    empty = counts == 0
    if empty.any():  # hold the last value seen
        idx = np.where(~empty, np.arange(m), 0)
        np.maximum.accumulate(idx, out=idx)
        out = out[idx]
    times = (np.arange(m) + k0) * period
    return times, out, counts
