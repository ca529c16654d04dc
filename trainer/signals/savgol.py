"""The Savitzky-Golay smoother with fitted ends, in numpy.

This is ``scipy.signal.savgol_filter(x, window, polyorder, mode="interp")`` worked out with
numpy's least squares, convolution and polynomial fit, equal to scipy's to rounding (a test
compares them to 1e-12 of the signal's range). Why not call scipy's: its module lives in
``scipy.signal``, whose import costs 0.4-0.8 s of CPU (see ``loops.py``); on a force plate the
path of every stroke is smoothed with it, so the first plate stroke of a session, and every
``score`` of a plate recording, paid that import (a 20-stroke plate recording scored in 0.72-0.91
s, most of it the import). Its compiled parts are a convolution and a small least-squares solve,
which numpy does in C as well. Never does I/O or imports Qt.
"""

from __future__ import annotations

import numpy as np


def savgol_coeffs(window: int, polyorder: int) -> np.ndarray:
    """The smoothing weights of a centred window (``scipy.signal.savgol_coeffs(window,
    polyorder)``): the value at the centre of the least-squares polynomial through the window."""
    _check(window, polyorder)
    half = window // 2
    x = np.arange(-half, window - half, dtype=float)[::-1]  # reversed: weights for convolution
    powers = x ** np.arange(polyorder + 1).reshape(-1, 1)
    unit = np.zeros(polyorder + 1)
    unit[0] = 1.0
    coeffs, *_ = np.linalg.lstsq(powers, unit, rcond=None)
    return coeffs


def savgol_smooth(x: np.ndarray, window: int, polyorder: int) -> np.ndarray:
    """``x`` smoothed by cubics (or ``polyorder``) over ``window`` samples; the first and last
    ``window // 2`` samples are the values of one polynomial fitted to the first and last window,
    not of a padded signal, so that a path keeps its true direction at its ends.

    ``window`` is odd and at most ``len(x)``; ``polyorder`` is less than ``window``.
    """
    values = np.asarray(x, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"savgol_smooth takes one row, not shape {values.shape}")
    if window > values.size:
        raise ValueError(f"window {window} is longer than the {values.size} samples")
    y = np.convolve(values, savgol_coeffs(window, polyorder), mode="same")
    half = window // 2
    n = values.size
    y[:half] = _edge(values[:window], polyorder, 0, half)
    y[n - half :] = _edge(values[n - window :], polyorder, window - half, window)
    return y


def _edge(piece: np.ndarray, polyorder: int, start: int, stop: int) -> np.ndarray:
    """The polynomial fitted to one end's window, taken at positions ``start`` to ``stop``."""
    positions = np.arange(piece.size)
    return np.polyval(np.polyfit(positions, piece, polyorder), positions[start:stop])


def _check(window: int, polyorder: int) -> None:
    if window < 1 or window % 2 == 0:
        raise ValueError(f"the window must be a positive odd number of samples, not {window}")
    if not 0 <= polyorder < window:
        raise ValueError(f"polyorder must be at least 0 and under the window, not {polyorder}")
