"""Signal conditioning: tare, multi-point calibration, the detection low-pass and the baseline.

These are the small numerical pieces between a device's numbers and the stroke detector. Each one
is causal and carries its own state, so that a stream cut into blocks of any size gives exactly the
same output as the whole recording processed at once; the segmenter relies on that.

This module must never do I/O, import Qt, or decide what a stroke is: it conditions signals only.
Problems a user can cause (a tool that was moving during a tare, calibration masses that do not fit
a straight line) raise ``ConditioningError`` with a message fit to show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from scipy import signal

from devices.samples import SampleBlock

#: Standard gravity, m/s².
STANDARD_GRAVITY = 9.80665

#: The detection low-pass cut-off never goes above this fraction of the sample rate (20 Hz on an
#: 80 Hz HX711 is fine, on a 10 Hz one it becomes 4 Hz).
MAX_CUTOFF_FRACTION = 0.4

#: Samples a baseline scan looks ahead at first (it doubles while nothing changes). Looking too
#: far costs a few ns a sample, a step of the scan some 20 µs, so the first look is generous.
_SCAN_SPAN = 1024


class ConditioningError(Exception):
    """A tare or calibration a user must redo; the message says what was wrong and by how much."""


# -- tare ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TareResult:
    """The zero of an unloaded tool, with the evidence that it was taken while still."""

    offset_n: float
    sd_n: float
    duration_s: float
    drift_n_per_s: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "offset_n": self.offset_n,
            "sd_n": self.sd_n,
            "duration_s": self.duration_s,
            "drift_n_per_s": self.drift_n_per_s,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TareResult:
        return cls(
            offset_n=_number(d, "offset_n", "tare"),
            sd_n=_number(d, "sd_n", "tare", minimum=0.0),
            duration_s=_number(d, "duration_s", "tare", minimum=0.0),
            drift_n_per_s=_number(d, "drift_n_per_s", "tare", default=0.0),
        )


def tare(
    force_n: np.ndarray,
    t_s: np.ndarray,
    min_duration_s: float = 2.0,
    max_sd_n: float = 0.3,
    max_drift_n_per_s: float = 0.25,
) -> TareResult:
    """The mean of a still, unloaded window, refused when the tool was not still.

    A tare taken while someone touches the tool shifts every later force by the touch, silently;
    so the window must be long enough, quiet (SD) and level (slope of a straight-line fit).
    """
    force = np.asarray(force_n, dtype=float)
    t = np.asarray(t_s, dtype=float)
    if force.shape != t.shape or force.ndim != 1:
        raise ValueError("force_n and t_s must be 1-D arrays of the same length")
    if force.size < 2:
        raise ConditioningError(
            f"the tare needs {min_duration_s:.1f} s of data with the tool still; got "
            f"{force.size} sample(s)"
        )
    if not (np.all(np.isfinite(force)) and np.all(np.isfinite(t))):
        raise ConditioningError("the tare window contains missing readings; hold still and retry")
    duration_s = float(t[-1] - t[0])
    if duration_s < min_duration_s:
        raise ConditioningError(
            f"the tare needs {min_duration_s:.1f} s with the tool still; got {duration_s:.2f} s"
        )
    offset_n = math.fsum(force) / force.size
    sd_n = math.sqrt(math.fsum((force - offset_n) ** 2) / force.size)
    slope = float(np.polyfit(t - t[0], force, 1)[0])
    if sd_n > max_sd_n:
        raise ConditioningError(
            f"the tool was not still: the force varied with SD {sd_n:.3f} N (at most "
            f"{max_sd_n:.3f} N allowed); put it down untouched and tare again"
        )
    if abs(slope) > max_drift_n_per_s:
        raise ConditioningError(
            f"the tool was not still: the force drifted by {slope:+.3f} N/s (at most "
            f"{max_drift_n_per_s:.3f} N/s allowed); let the sensor settle and tare again"
        )
    return TareResult(offset_n, sd_n, duration_s, slope)


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
        if not isinstance(d, dict):
            raise ConditioningError("calibration: expected an object")
        raw = _number_list(d, "raw_points")
        ref = _number_list(d, "reference_points")
        res = _number_list(d, "residuals")
        if len(raw) != len(ref):
            raise ConditioningError(
                "calibration: fields 'raw_points' and 'reference_points' differ in length"
            )
        gain = _number(d, "gain", "calibration")
        if gain == 0.0:
            raise ConditioningError("calibration: field 'gain' must not be zero")
        return cls(
            gain=gain,
            offset=_number(d, "offset", "calibration"),
            channel=_string(d, "channel", "force_n"),
            unit=_string(d, "unit", "N"),
            raw_points=tuple(raw),
            reference_points=tuple(ref),
            residuals=tuple(res),
            r_squared=_number(d, "r_squared", "calibration", default=1.0),
            g=_number(d, "g", "calibration", default=STANDARD_GRAVITY, minimum=1e-9),
            device_serial=_string(d, "device_serial", ""),
            created=_string(d, "created", ""),
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


# -- filter kernels --------------------------------------------------------------------------------


def _compiled_kernels() -> tuple[Any, Any] | None:
    """scipy's compiled loops behind ``lfilter`` and ``sosfilt``, if they give the same numbers.

    The public functions spend 3-20 µs a call checking and reshaping their arguments (array-API
    dispatch, ``moveaxis``, copies) around a loop that takes 1-2 µs on the few hundred samples the
    detector hands them, thousands of times a minute. The loops are private to scipy, so they are
    used only if they are found and reproduce the public functions bit for bit on a test signal;
    otherwise the public functions are called and only speed differs.
    """
    try:
        from scipy.signal._sigtools import _linear_filter
        from scipy.signal._sosfilt import _sosfilt
    except ImportError:
        return None
    try:
        x = np.sin(np.arange(64) * 0.37) + 0.01 * np.arange(64)
        b, a, zi = np.array([0.2]), np.array([1.0, -0.8]), np.array([0.3])
        y, zf = _linear_filter(b, a, x, -1, zi)
        y_ref, zf_ref = signal.lfilter(b, a, x, zi=zi)
        sos = signal.butter(2, 0.1, output="sos")
        rows = np.vstack([x, x[::-1]])
        zi2 = signal.sosfilt_zi(sos)[None, :, :] * rows[:, None, :1]
        y2 = rows.copy()
        _sosfilt(sos, y2, zi2.copy())
        y2_ref, _ = signal.sosfilt(sos, rows, zi=np.moveaxis(zi2, 0, 1))
    except Exception:  # any change in the private loops: use the public functions
        return None
    same = np.array_equal(y, y_ref) and np.array_equal(zf, zf_ref) and np.array_equal(y2, y2_ref)
    return (_linear_filter, _sosfilt) if same else None


_KERNELS = _compiled_kernels()


def lfilter_carried(
    b: np.ndarray, a: np.ndarray, x: np.ndarray, zi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``scipy.signal.lfilter(b, a, x, zi=zi)`` for float64 1-D arrays, at a fraction of the cost.

    ``b``, ``a`` and ``zi`` must be float64 arrays (``zi`` of length ``max(len(a), len(b)) - 1``)
    and ``x`` a float64 1-D array; the numbers are those of ``lfilter``.
    """
    if _KERNELS is not None:
        return _KERNELS[0](b, a, x, -1, zi)
    return signal.lfilter(b, a, x, zi=zi)


def sosfilt_rows_inplace(sos: np.ndarray, rows: np.ndarray, zi_unit: np.ndarray) -> None:
    """Filter each row of a C-contiguous float64 array in place, as ``sosfilt`` along the rows.

    Each row's state starts at ``zi_unit`` (``sosfilt_zi(sos)``) times its first sample, as
    ``sosfilt(sos, rows, zi=zi_unit[:, None, :] * rows[None, :, :1])`` would; same numbers.
    """
    if _KERNELS is not None:
        _KERNELS[1](sos, rows, zi_unit[None, :, :] * rows[:, None, :1])
        return
    rows[:], _ = signal.sosfilt(sos, rows, zi=zi_unit[:, None, :] * rows[None, :, :1])


# -- the detection low-pass ------------------------------------------------------------------------


class LowPass:
    """Causal Butterworth low-pass with carried state: blocks of any size, one continuous output.

    The filter is designed as second-order sections (``butter(..., output="sos")``). Each section
    runs through ``lfilter`` with its own carried state rather than through ``sosfilt``: the
    arithmetic is the same per-section direct form II transposed, but the call costs about 4 µs
    instead of 19 µs, which matters at 100 blocks a second for hours. The state is seeded from the
    first sample (as if the signal had always been there), so a tool that starts loaded does not
    produce a start-up ramp.
    """

    def __init__(self, cutoff_hz: float, rate_hz: float, order: int = 2) -> None:
        if rate_hz <= 0 or not math.isfinite(rate_hz):
            raise ValueError(f"rate_hz must be positive, not {rate_hz!r}")
        if cutoff_hz <= 0:
            raise ValueError(f"cutoff_hz must be positive, not {cutoff_hz!r}")
        self.rate_hz = float(rate_hz)
        self.requested_cutoff_hz = float(cutoff_hz)
        self.cutoff_hz = min(float(cutoff_hz), MAX_CUTOFF_FRACTION * self.rate_hz)
        self.order = int(order)
        self.sos = signal.butter(self.order, self.cutoff_hz, fs=self.rate_hz, output="sos")
        self._sections = [(np.array(s[:3]), np.array(s[3:])) for s in self.sos]
        self._zi_unit = signal.sosfilt_zi(self.sos)
        self._zi: list[np.ndarray] | None = None

    def reset(self) -> None:
        """Forget the past (after a gap): the next sample seeds the state again."""
        self._zi = None

    def process(self, values: np.ndarray) -> np.ndarray:
        """Filtered values for the next consecutive samples."""
        x = np.asarray(values, dtype=float)
        if x.size == 0:
            return x.copy()
        if self._zi is None:
            self._zi = [row * x[0] for row in self._zi_unit]
        for k, (b, a) in enumerate(self._sections):
            x, self._zi[k] = lfilter_carried(b, a, x, self._zi[k])
        return x

    @property
    def group_delay_s(self) -> float:
        """Delay of slow signal components (strokes), computed from the filter itself."""
        w = self.cutoff_hz / 100.0
        delay = 0.0
        for b, a in self._sections:
            _, gd = signal.group_delay((b, a), w=[w], fs=self.rate_hz)
            delay += float(gd[0])
        return delay / self.rate_hz

    def zero_phase(self, values: np.ndarray) -> np.ndarray:
        """The same filter run forwards and backwards (no delay), for whole stretches of data.

        This is ``scipy.signal.sosfiltfilt`` with its default padding, step for step, without
        working out the filter's initial state again on every call.
        """
        x = np.asarray(values, dtype=float)
        if x.size < 2:
            return x.copy()
        p = min(3 * (2 * len(self.sos) + 1), x.size - 1)
        # One row: the odd extension, forwards, reversed, backwards, reversed back.
        ext = np.empty((1, x.size + 2 * p))
        ext[0, p : p + x.size] = x
        np.subtract(2.0 * float(x[0]), x[p:0:-1], out=ext[0, :p])
        np.subtract(2.0 * float(x[-1]), x[-2 : -(p + 2) : -1], out=ext[0, p + x.size :])
        sosfilt_rows_inplace(self.sos, ext, self._zi_unit)
        backward = ext[:, ::-1].copy()
        sosfilt_rows_inplace(self.sos, backward, self._zi_unit)
        return backward[0, p : p + x.size][::-1].copy()


def sosfiltfilt_rows(
    sos: np.ndarray, zi: np.ndarray, rows: list[np.ndarray], padlens: list[int], width: int
) -> list[np.ndarray]:
    """``scipy.signal.sosfiltfilt(sos, row, padlen=p)`` of each row, all through one array.

    ``zi`` is ``sosfilt_zi(sos)``, worked out once by the caller. The rows, odd-extended by their
    ``padlen`` as scipy does, are laid left-aligned in one zero-filled array ``width`` wide (at
    least the longest extended row) and filtered forwards by one ``sosfilt`` call, then each
    reversed and filtered again by another: a causal filter never sees what follows a row's end,
    and the arithmetic is ``sosfilt``'s, so every row comes out exactly as on its own.
    """
    ext = np.zeros((len(rows), width))
    ends = []
    for r, (x, p) in enumerate(zip(rows, padlens, strict=True)):
        n = x.size
        ext[r, p : p + n] = x
        if p:  # scipy's odd extension: 2 x[0] - x[p:0:-1] before, the mirror image after
            np.subtract(2.0 * float(x[0]), x[p:0:-1], out=ext[r, :p])
            np.subtract(2.0 * float(x[-1]), x[-2 : -(p + 2) : -1], out=ext[r, p + n : p + n + p])
        ends.append(n + 2 * p)
    sosfilt_rows_inplace(sos, ext, zi)
    forward = ext
    backward = np.zeros_like(forward)
    for r, e in enumerate(ends):
        backward[r, :e] = forward[r, e - 1 :: -1]
    sosfilt_rows_inplace(sos, backward, zi)
    return [
        backward[r, p : e - p][::-1].copy()
        for r, (e, p) in enumerate(zip(ends, padlens, strict=True))
    ]


# -- the baseline ----------------------------------------------------------------------------------


@dataclass
class BaselineTrace:
    """What ``BaselineTracker.scan`` saw, sample by sample, before anything is committed.

    ``*_before`` hold the state each sample was judged against; ``*_after`` the state after it.
    """

    baseline_before_n: np.ndarray
    var_before: np.ndarray
    baseline_after_n: np.ndarray
    var_after: np.ndarray
    accepted: np.ndarray
    mean_after_n: np.ndarray

    @property
    def sigma_before_n(self) -> np.ndarray:
        return np.sqrt(self.var_before)


@dataclass
class BaselineTracker:
    """Idle-gated moving average of the force baseline, with a running idle-noise estimate.

    Why gated: a baseline taken from a fixed window before each stroke overlaps the previous stroke
    when strokes come quickly; a baseline that only learns from samples near itself (within
    ``gate_sigmas`` sigma + ``gate_floor_n``) follows slow drift but ignores strokes. While
    ``frozen`` (during a stroke) it learns nothing at all.

    The update is an exponential average with time constant ``tau_s``. The noise variance (time
    constant ``sigma_tau_s``) learns only from samples within ``gate_sigmas`` sigma (+ a tenth of
    the floor) of the baseline, measured around a fast running mean of the accepted samples (time
    constant ``noise_detrend_s``, restarted after every rejected stretch) rather than around the
    baseline: otherwise the edges of strokes and slow pushes, which the baseline lags, would read
    as noise, widen the gate, and be swallowed.
    Everything is evaluated per block with ``lfilter`` over runs of accepted samples, and the
    result does not depend on how the stream is cut into blocks.
    """

    rate_hz: float
    tau_s: float = 1.0
    sigma_tau_s: float = 5.0
    gate_sigmas: float = 3.0
    gate_floor_n: float = 0.5
    noise_detrend_s: float = 0.1
    frozen: bool = False
    _baseline_n: float = field(default=math.nan, init=False)
    _var: float = field(default=0.0, init=False)
    _mean_n: float = field(default=math.nan, init=False)
    _last_accepted: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if min(self.rate_hz, self.tau_s, self.sigma_tau_s, self.noise_detrend_s) <= 0:
            raise ValueError("rate_hz and the time constants must be positive")
        self._b_coef = self._ema(self.tau_s)
        self._v_coef = self._ema(self.sigma_tau_s)
        self._m_coef = self._ema(self.noise_detrend_s)
        self._noise_floor_n = 0.1 * self.gate_floor_n

    def _ema(self, tau_s: float) -> tuple[np.ndarray, np.ndarray, float]:
        """lfilter coefficients of an exponential average, and the factor that seeds its state."""
        alpha = -math.expm1(-1.0 / (self.rate_hz * tau_s))
        return np.array([alpha]), np.array([1.0, alpha - 1.0]), 1.0 - alpha

    # -- state ---------------------------------------------------------------------------------
    @property
    def initialized(self) -> bool:
        return not math.isnan(self._baseline_n)

    @property
    def baseline_n(self) -> float:
        return self._baseline_n

    @property
    def sigma_n(self) -> float:
        return math.sqrt(self._var)

    @property
    def gate_n(self) -> float:
        return self.gate_sigmas * self.sigma_n + self.gate_floor_n

    def start(self, values: np.ndarray) -> None:
        """Initialise from an unloaded stretch (the session's first seconds): mean and SD."""
        x = np.asarray(values, dtype=float)
        if x.size == 0:
            raise ValueError("no samples to start the baseline from")
        mean = math.fsum(x) / x.size
        self._baseline_n = self._mean_n = mean
        self._last_accepted = False
        self._var = math.fsum((x - mean) ** 2) / x.size

    def set_baseline(self, baseline_n: float) -> None:
        """Jump to a new level (a re-tare, or a step the caller has recognised as one)."""
        self._baseline_n = self._mean_n = float(baseline_n)
        self._last_accepted = False

    def interrupt(self) -> None:
        """The data had a gap: the noise estimate restarts its local mean at the next sample."""
        self._last_accepted = False

    # -- updating ------------------------------------------------------------------------------
    def update(self, values: np.ndarray) -> BaselineTrace:
        """Learn from a block (unless frozen) and return the per-sample trace."""
        trace = self.scan(values)
        if trace.accepted.size:
            self.commit(trace, trace.accepted.size - 1)
        return trace

    def scan(self, values: np.ndarray) -> BaselineTrace:
        """The trace a block would produce, without changing the tracker (see ``commit``)."""
        if not self.initialized:
            raise RuntimeError("start() the baseline before feeding it")
        y = np.asarray(values, dtype=float)
        n = y.size
        b_before = np.empty(n)
        v_before = np.empty(n)
        b_after = np.empty(n)
        v_after = np.empty(n)
        accepted = np.zeros(n, dtype=bool)
        b, v = self._baseline_n, self._var
        if self.frozen:
            b_before[:] = b_after[:] = b
            v_before[:] = v_after[:] = v
            m_after = np.full(n, self._mean_n)
            return BaselineTrace(b_before, v_before, b_after, v_after, accepted, m_after)
        bb, ba, bc = self._b_coef
        vb, va, vc = self._v_coef
        mb, ma, mc = self._m_coef
        gs, floor, noise_floor = self.gate_sigmas, self.gate_floor_n, self._noise_floor_n
        m_after = np.empty(n)
        mean, last_ok = self._mean_n, self._last_accepted
        i, span = 0, _SCAN_SPAN
        while i < n:
            # Three kinds of run, each with the state carried exactly: "learn" (baseline and noise
            # update), "near" (inside the baseline gate but too far out to be noise: only the
            # baseline updates) and "out" (nothing updates). The baseline and the local mean
            # follow the same averages through learn and near runs alike, so they are worked out
            # once for a stretch of ``span`` samples that is assumed accepted throughout; only
            # the noise estimate restarts at each change between learn and near. The span grows
            # while stretches are long, so a block costs O(n) however often the kind changes.
            seg = y[i : i + span]
            b_seq, _ = lfilter_carried(bb, ba, seg, np.array([bc * b]))
            b_prev = _delayed(b_seq, b)
            dev = np.abs(seg - b_prev)
            if not last_ok:
                mean = float(seg[0])  # a new accepted stretch: its own local mean
            m_seq, _ = lfilter_carried(mb, ma, seg, np.array([mc * mean]))
            wiggle = seg - _delayed(m_seq, mean)
            wiggle2 = wiggle * wiggle
            q = 0
            while q < seg.size:
                dev_q = dev[q:]
                v_seq, _ = lfilter_carried(vb, va, wiggle2[q:], np.array([vc * v]))
                v_prev = _delayed(v_seq, v)
                learn = dev_q < gs * np.sqrt(v_prev) + noise_floor
                k = _first_false(learn)
                if k == 0:
                    sigma = math.sqrt(v)
                    if not dev_q[0] < gs * sigma + floor:
                        break  # an "out" run starts here
                    near = (dev_q < gs * sigma + floor) & (dev_q >= gs * sigma + noise_floor)
                    k = _first_false(near)
                    v_before[i + q : i + q + k] = v_after[i + q : i + q + k] = v
                else:
                    v_before[i + q : i + q + k] = v_prev[:k]
                    v_after[i + q : i + q + k] = v_seq[:k]
                    v = float(v_seq[k - 1])
                q += k
            if q:
                sl = slice(i, i + q)
                b_before[sl], b_after[sl], m_after[sl] = b_prev[:q], b_seq[:q], m_seq[:q]
                accepted[sl] = True
                b, mean = float(b_seq[q - 1]), float(m_seq[q - 1])
                last_ok = True
            i += q
            if q == seg.size:
                span = min(2 * span, 1 << 16)
                continue
            span = _SCAN_SPAN
            # An "out" run from i: nothing learns until a sample comes back inside the gate.
            out = y[i : i + span]
            inside = np.abs(out - b) < gs * math.sqrt(v) + floor
            k = _first_false(~inside)
            sl = slice(i, i + k)
            b_before[sl] = b_after[sl] = b
            v_before[sl] = v_after[sl] = v
            m_after[sl] = mean
            last_ok = False
            i += k
            if k == out.size:
                span = min(2 * span, 1 << 16)
        return BaselineTrace(b_before, v_before, b_after, v_after, accepted, m_after)

    def commit(self, trace: BaselineTrace, index: int) -> None:
        """Adopt the state the trace reached after sample ``index`` (and nothing after it)."""
        if self.frozen:
            return
        self._baseline_n = float(trace.baseline_after_n[index])
        self._var = float(trace.var_after[index])
        self._mean_n = float(trace.mean_after_n[index])
        self._last_accepted = bool(trace.accepted[index])


def _delayed(seq: np.ndarray, before: float) -> np.ndarray:
    """``seq`` one sample late: ``before``, then all of ``seq`` but its last value."""
    out = np.empty(seq.size)
    out[0] = before
    out[1:] = seq[:-1]
    return out


def _first_false(mask: np.ndarray) -> int:
    """Index of the first False in a non-empty mask, or its length if there is none."""
    k = int(np.argmin(mask))
    return mask.size if mask[k] else k


# -- field helpers for from_dict -------------------------------------------------------------------


_MISSING = object()


def _number(
    d: dict[str, Any], key: str, where: str, default: Any = _MISSING, minimum: float | None = None
) -> float:
    value = d.get(key, default)
    if value is _MISSING:
        raise ConditioningError(f"{where}: field '{key}' is missing")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConditioningError(f"{where}: field '{key}' must be a number, not {value!r}")
    if minimum is not None and value < minimum:
        raise ConditioningError(f"{where}: field '{key}' must be at least {minimum}")
    return float(value)


def _number_list(d: dict[str, Any], key: str) -> list[float]:
    value = d.get(key, [])
    if not isinstance(value, list):
        raise ConditioningError(f"calibration: field '{key}' must be a list of numbers")
    return [_number({key: v}, key, "calibration") for v in value]


def _string(d: dict[str, Any], key: str, default: str) -> str:
    value = d.get(key, default)
    if not isinstance(value, str):
        raise ConditioningError(f"calibration: field '{key}' must be text, not {value!r}")
    return value
