"""Causal low-pass filters with carried state, and zero-phase filtering of many rows at once.

Each filter carries its own state, so that a stream cut into blocks of any size gives exactly the
same output as the whole recording processed at once; the segmenter relies on that. The detection
low-pass never goes above 0.4 x the sample rate. Never does I/O or imports Qt.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import signal

#: The detection low-pass cut-off never goes above this fraction of the sample rate (20 Hz on an
#: 80 Hz HX711 is fine, on a 10 Hz one it becomes 4 Hz).
MAX_CUTOFF_FRACTION = 0.4


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
