"""Causal low-pass filters with carried state, and zero-phase filtering of many rows at once.

Each filter carries its own state, so that a stream cut into blocks of any size gives exactly the
same output as the whole recording processed at once; the segmenter relies on that. The detection
low-pass never goes above 0.4 x the sample rate. Never does I/O or imports Qt.

The filter is designed in ``butterworth.py`` and run by scipy's compiled ``lfilter`` and
``sosfilt`` loops, reached through ``loops.py`` without importing ``scipy.signal`` (0.7-0.8 s of
start-up, more than the whole budget of scoring a recording); the numbers are scipy's, bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

from trainer.signals import loops
from trainer.signals.butterworth import group_delay_samples, lowpass_sos, sosfilt_zi

#: The detection low-pass cut-off never goes above this fraction of the sample rate (20 Hz on an
#: 80 Hz HX711 is fine, on a 10 Hz one it becomes 4 Hz).
MAX_CUTOFF_FRACTION = 0.4


# -- the detection low-pass ------------------------------------------------------------------------


class LowPass:
    """Causal Butterworth low-pass with carried state: blocks of any size, one continuous output.

    The filter is designed as second-order sections (``butter(..., output="sos")``). Each section
    runs through ``lfilter`` with its own carried state rather than through ``sosfilt``: the same
    per-section direct form II transposed (its sums taken in another order, so equal only to
    rounding), but a call on a 10 ms block costs about 6 µs instead of 43 µs, which matters at 100
    blocks a second for hours. The state is seeded from the first sample (as if the signal had
    always been there), so a tool that starts loaded does not produce a start-up ramp.
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
        self.sos = lowpass_sos(self.order, self.cutoff_hz / (self.rate_hz / 2.0))
        self._sections = [(np.array(s[:3]), np.array(s[3:])) for s in self.sos]
        self._zi_unit = sosfilt_zi(self.sos)
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
            x, self._zi[k] = loops.lfilter(b, a, x, self._zi[k])
        return x

    @property
    def group_delay_s(self) -> float:
        """Delay of slow signal components (strokes), computed from the filter itself."""
        w_rad = 2.0 * math.pi * (self.cutoff_hz / 100.0) / self.rate_hz
        delay = sum(group_delay_samples(b, a, w_rad) for b, a in self._sections)
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
        forward = loops.sosfilt_from_rest(self.sos, ext, self._zi_unit)
        backward = loops.sosfilt_from_rest(self.sos, forward[:, ::-1], self._zi_unit)
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
    forward = loops.sosfilt_from_rest(sos, ext, zi)
    backward = np.zeros_like(forward)
    for r, e in enumerate(ends):
        backward[r, :e] = forward[r, e - 1 :: -1]
    backward = loops.sosfilt_from_rest(sos, backward, zi)
    return [
        backward[r, p : e - p][::-1].copy()
        for r, (e, p) in enumerate(zip(ends, padlens, strict=True))
    ]
