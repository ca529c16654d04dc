"""Butterworth low-pass design as second-order sections, its resting state, and its delay.

Why by hand: scipy's ``butter``, ``sosfilt_zi`` and ``group_delay`` are only reachable through
``import scipy.signal``, which costs 0.7-0.8 s of CPU (see ``loops.py``); a low-pass Butterworth
is a closed form. The sections are laid out as ``butter(order, wn, output="sos")`` lays them out
(the pole pair nearest the unit circle last, the gain in the first section, a real pole on its
own first-order section), and the tests compare every order and cut-off used with scipy's to
1e-13 (``tests/trainer/signals/test_butterworth.py``).
"""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=64)
def _lowpass_sos(order: int, wn: float) -> np.ndarray:
    # The analog prototype's poles on the unit circle's left half, scaled to the pre-warped
    # cut-off, then mapped by the bilinear transform at fs = 2 (so wn is a fraction of Nyquist).
    warped = 4.0 * np.tan(np.pi * np.float64(wn) / 2.0)
    m = np.arange(-order + 1, order, 2, dtype=np.float64)
    analog = -np.exp(1j * np.pi * m / (2 * order)) * warped
    gain = warped**order * np.real(1.0 / np.prod(4.0 - analog))
    digital = (4.0 + analog) / (4.0 - analog)
    # Poles and zeros are paired into sections as scipy's zpk2sos pairs them ("nearest"): the
    # pole nearest the unit circle first, into the last section, with the zeros nearest it. An
    # odd order adds a pole and a zero at 0, so that every section has two of each.
    poles: list[complex] = [complex(p) for p in digital if p.imag > 0]
    reals: list[float] = [float(p.real) for p in digital if p.imag == 0]
    zeros = [-1.0] * order
    if order % 2:
        reals.append(0.0)
        zeros.append(0.0)
    n_sections = (order + 1) // 2
    sos = np.zeros((n_sections, 6))
    for si in range(n_sections - 1, -1, -1):
        candidates = [*poles, *reals]
        worst = min(candidates, key=lambda p: abs(1.0 - abs(p)))
        if isinstance(worst, complex):
            poles.remove(worst)
            pair = [worst, worst.conjugate()]
        else:
            reals.remove(worst)
            other = min(reals, key=lambda p: abs(1.0 - abs(p)))
            reals.remove(other)
            pair = [worst, other]
        z1 = min(zeros, key=lambda z: abs(worst - z))
        zeros.remove(z1)
        z2 = min(zeros, key=lambda z: abs(worst - z))
        zeros.remove(z2)
        sos[si, :3] = np.poly([z1, z2])
        sos[si, 3:] = np.real(np.poly(pair))
    sos[0, :3] *= gain
    return sos


def lowpass_sos(order: int, wn: float) -> np.ndarray:
    """``scipy.signal.butter(order, wn, output="sos")``: a digital low-pass, ``wn`` the cut-off
    as a fraction of the Nyquist frequency (0 < wn < 1). Each call returns its own copy."""
    if order < 1 or int(order) != order:
        raise ValueError(f"order must be a positive whole number, not {order!r}")
    if not 0.0 < wn < 1.0:
        raise ValueError(f"the cut-off must lie between 0 and the Nyquist frequency, not {wn!r}")
    return _lowpass_sos(int(order), float(wn)).copy()


def sosfilt_zi(sos: np.ndarray) -> np.ndarray:
    """``scipy.signal.sosfilt_zi(sos)``: each section's state for a unit step that has always
    been there, so that filtering ``x`` from ``zi * x[0]`` starts without a transient."""
    zi = np.empty((len(sos), 2))
    scale = 1.0
    for k, section in enumerate(np.asarray(sos, dtype=np.float64)):
        b, a = section[:3] / section[3], section[3:] / section[3]
        # Direct form II transposed at rest under x = 1: I - A^T (A the companion of a) times zi
        # equals b[1:] - a[1:] b[0].
        lhs = np.array([[1.0 + a[1], -1.0], [a[2], 1.0]])
        zi[k] = scale * np.linalg.solve(lhs, b[1:] - a[1:] * b[0])
        scale *= float(np.sum(b) / np.sum(a))
    return zi


def group_delay_samples(b: np.ndarray, a: np.ndarray, w_rad: float) -> float:
    """The group delay of ``b / a`` at ``w_rad`` radians a sample, in samples: what
    ``scipy.signal.group_delay((b, a), w=[w_rad])`` returns."""
    c = np.convolve(b, np.conj(a[::-1]))
    weighted = c * np.arange(c.size)
    z = np.exp(-1j * w_rad)
    num = np.polyval(weighted[::-1], z)
    den = np.polyval(c[::-1], z)
    if abs(den) < 10 * np.finfo(float).eps:
        return 0.0  # a zero of the filter at w: scipy also answers 0 there
    return float(np.real(num / den)) - (a.size - 1)
