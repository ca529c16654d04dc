"""Smoothness of a stroke: the spectral arc length (SPARC).

SPARC (Balasubramanian et al. 2012, J NeuroEng Rehabil 9:31; 2015, J NeuroEng Rehabil 12:112)
measures smoothness as the length of the curve traced by the normalised Fourier magnitude spectrum
of a movement profile: a single smooth bump has a short, plain spectrum; tremor, hesitation and
re-pressing add spectral ripples and lengthen the arc. It is dimensionless, does not depend on the
amplitude, and is nearly independent of the duration, which is what a score across trainees needs.
The values are negative; closer to zero is smoother.

This module is pure numerics on one profile. It never filters, resamples or decides which profile
of a stroke is used (``trainer.strokes.normalise`` does, and says why).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: Frequency above which spectral content is ignored (the published default for human movement).
DEFAULT_CUTOFF_HZ = 10.0
#: Magnitude (relative to the maximum) below which the spectrum counts as noise.
DEFAULT_AMPLITUDE_THRESHOLD = 0.05
#: Zero padding: the FFT length is the next power of two times 2**padlevel.
DEFAULT_PADLEVEL = 4


def sparc(
    profile: np.ndarray,
    rate_hz: float,
    cutoff_hz: float = DEFAULT_CUTOFF_HZ,
    amplitude_threshold: float = DEFAULT_AMPLITUDE_THRESHOLD,
    padlevel: int = DEFAULT_PADLEVEL,
) -> float:
    """The spectral arc length of a uniformly sampled profile, as in Balasubramanian 2015.

    The spectrum is zero-padded (``padlevel``) so that the arc is measured on a finely sampled
    magnitude curve, normalised to its maximum, limited to ``cutoff_hz`` and then, adaptively, to
    the band between the first and last frequency whose magnitude reaches
    ``amplitude_threshold``; the frequency axis is normalised to that band. The reference example
    ``v = exp(-5 t**2)``, ``t = np.arange(-1, 1, 0.01)`` at 100 Hz gives -1.41403.

    The band never reaches past half the rate (the Nyquist frequency), whatever ``cutoff_hz``
    says: above it the FFT holds only the mirror image of the spectrum below, so a profile sampled
    at under twice the cut-off (a 101-point stroke longer than 5 s against 10 Hz) would otherwise
    add the mirrored low-frequency peak to its arc, and the same shape would read as far less
    smooth (-2.9 instead of -1.4 for a sin² pulse of 10 s) only for being slow.

    Returns NaN for a profile that has no shape to measure (fewer than 2 samples, all zero, or not
    finite), so that callers can leave smoothness out instead of scoring noise.
    """
    x = np.asarray(profile, dtype=float)
    return sparc_many(x.reshape(1, -1), [rate_hz], cutoff_hz, amplitude_threshold, padlevel)[0]


#: Profiles whose spectra are taken by one FFT call (bounds the memory: 256 x 2048 complex).
_BATCH_ROWS = 256


def sparc_many(
    profiles: np.ndarray,
    rates_hz: Sequence[float],
    cutoff_hz: float = DEFAULT_CUTOFF_HZ,
    amplitude_threshold: float = DEFAULT_AMPLITUDE_THRESHOLD,
    padlevel: int = DEFAULT_PADLEVEL,
) -> list[float]:
    """``sparc`` of each row of ``profiles`` (equally long) at its own rate, the same numbers.

    The spectra of many rows come from one FFT call, which takes about a third of the time of one
    call per row; numpy transforms each row exactly as it transforms it alone.
    """
    x = np.asarray(profiles, dtype=float)
    rows, size = x.shape
    out = [math.nan] * rows
    if size < 2:
        return out
    rates = [float(r) for r in rates_hz]
    ok = [k for k in range(rows) if rates[k] > 0 and math.isfinite(rates[k])]
    ok = [k for k, good in zip(ok, np.isfinite(x[ok]).all(axis=1).tolist(), strict=True) if good]
    nfft = int(2 ** (math.ceil(math.log2(size)) + padlevel))
    bins = np.arange(nfft)
    for lo in range(0, len(ok), _BATCH_ROWS):
        batch = ok[lo : lo + _BATCH_ROWS]
        magnitude = np.abs(np.fft.fft(x[batch], nfft, axis=1))
        peaks = np.max(magnitude, axis=1).tolist()
        for row, k, peak in zip(magnitude, batch, peaks, strict=True):
            if peak > 0.0:
                band_hz = min(cutoff_hz, rates[k] / 2.0)
                out[k] = _arc_length(
                    row / peak, bins * (rates[k] / nfft), band_hz, amplitude_threshold
                )
    return out


def _arc_length(
    magnitude: np.ndarray, freq_hz: np.ndarray, cutoff_hz: float, amplitude_threshold: float
) -> float:
    """The arc length of one normalised magnitude spectrum (see ``sparc``)."""
    in_band = freq_hz <= cutoff_hz
    f_sel = freq_hz[in_band]
    m_sel = magnitude[in_band]
    above = np.flatnonzero(m_sel >= amplitude_threshold)
    f_sel = f_sel[above[0] : above[-1] + 1]
    m_sel = m_sel[above[0] : above[-1] + 1]
    if f_sel.size < 2:
        # All the energy sits in one frequency bin: as smooth as this sampling can tell.
        return 0.0
    df = np.diff(f_sel) / (f_sel[-1] - f_sel[0])
    dm = np.diff(m_sel)
    return -float(np.sum(np.sqrt(df * df + dm * dm)))
