"""Smoothness of a stroke: the spectral arc length (SPARC).

SPARC (Balasubramanian et al. 2012, J NeuroEng Rehabil 9:31; 2015, J NeuroEng Rehabil 12:112)
measures smoothness as the length of the curve traced by the normalised Fourier magnitude spectrum
of a movement profile: a single smooth bump has a short, plain spectrum; tremor, hesitation and
re-pressing add spectral ripples and lengthen the arc. It is dimensionless, does not depend on the
amplitude, and is nearly independent of the duration, which is what a score across trainees needs.
The values are negative; closer to zero is smoother.

This module is pure numerics on one profile. It never filters, resamples or decides which profile
of a stroke is used (``trainer.normalise`` does, and says why).
"""

from __future__ import annotations

import math

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

    Returns NaN for a profile that has no shape to measure (fewer than 2 samples, all zero, or not
    finite), so that callers can leave smoothness out instead of scoring noise.
    """
    x = np.asarray(profile, dtype=float)
    if x.size < 2 or not np.all(np.isfinite(x)) or not (rate_hz > 0 and math.isfinite(rate_hz)):
        return float("nan")
    nfft = int(2 ** (math.ceil(math.log2(x.size)) + padlevel))
    freq_hz = np.arange(nfft) * (rate_hz / nfft)
    magnitude = np.abs(np.fft.fft(x, nfft))
    peak = float(np.max(magnitude))
    if peak <= 0.0:
        return float("nan")
    magnitude = magnitude / peak
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
