"""The ISO/TS 18571 objective rating of a signal against a reference curve.

ISO/TS 18571 ("Road vehicles - Objective rating metric for non-ambiguous signals") rates how well
a signal matches a reference on four scores between 0 and 1, combined as
``R = 0.4 Z + 0.2 E_P + 0.2 E_M + 0.2 E_S``:

- corridor score Z: the mean over all points of 1 inside an inner corridor of half-width
  ``a0 * max|reference|``, 0 outside an outer one of half-width ``b0 * max|reference|``, and
  ``((outer - |d|) / (outer - inner)) ** k_Z`` in between (a0 = 0.05, b0 = 0.5, k_Z = 2);
- phase score E_P: the signal is shifted against the reference one sample at a time (left
  before right, each shift compared on the overlapping part only) and the shift ``n_eps`` with
  the largest Pearson correlation is kept, the smallest shift winning ties. With
  ``eps_P^max = 0.2`` of the N points: E_P = 1 for no shift, 0 for ``|n_eps| >= eps_P^max N``,
  else ``((eps_P^max N - |n_eps|) / (eps_P^max N)) ** k_P``. On 101 points a 5-sample shift gives
  (20.2 - 5) / 20.2 = 0.752;
- magnitude score E_M: the two phase-shifted curves are aligned by dynamic time warping (squared
  local cost, steps (1,0), (0,1), (1,1) of weight 1, a Sakoe-Chiba band of 10 % of the length,
  ties on the way back taken in that order) and ``e = ||s_w - r_w||_1 / ||r_w||_1`` is rated
  ``((eps_M^max - e) / eps_M^max) ** k_M``, 0 beyond ``eps_M^max = 0.5``;
- slope score E_S: the central-difference derivatives of the phase-shifted curves are smoothed
  by a 9-sample moving average (1, 3, 5 and 7 samples at the first and last four points) and
  ``e = ||s' - r'||_1 / ||r'||_1`` is rated ``((eps_S^max - e) / eps_S^max) ** k_S``, 0 beyond
  ``eps_S^max = 2``.

These conventions follow the standard as implemented publicly by the OpenVT / TU Graz reference
code that is checked against the standard's Annex cases. One point is ours: shifts are tried up to
``ceil(eps_P^max N)`` samples. Where ``eps_P^max N`` is a whole number (as in the Annex signals)
that is exactly the standard's range; where it is not (20.2 on 101 points) the one extra shift
lets a curve displaced by 21 samples or more rate E_P = 0, as the formula intends, instead of the
residue (20.2 - 20) / 20.2 that a window stopping at 20 would report.

The rating is not offset-invariant and it rewards shape over level, so the application shows it
for researchers beside the score, never as the score. This module knows nothing of strokes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

A0 = 0.05
B0 = 0.5
K_Z = 2
EPS_P_MAX = 0.2
K_P = 1
EPS_M_MAX = 0.5
K_M = 1
EPS_S_MAX = 2.0
K_S = 1
DTW_BAND_FRACTION = 0.1
WEIGHTS = (0.4, 0.2, 0.2, 0.2)


@dataclass(frozen=True)
class IsoRating:
    """The four ISO/TS 18571 scores, the overall rating and the phase shift found (in samples;
    positive when the signal lags the reference)."""

    z: float
    e_p: float
    e_m: float
    e_s: float
    r: float
    shift_samples: int

    def as_json(self) -> dict[str, float | int]:
        return {
            "R": round(self.r, 4),
            "Z": round(self.z, 4),
            "E_P": round(self.e_p, 4),
            "E_M": round(self.e_m, 4),
            "E_S": round(self.e_s, 4),
            "shift_samples": self.shift_samples,
        }


def rate(reference: np.ndarray, signal: np.ndarray) -> IsoRating:
    """Rate ``signal`` against ``reference`` (same length, uniformly sampled, same time axis)."""
    ref = np.asarray(reference, dtype=float)
    sig = np.asarray(signal, dtype=float)
    if ref.shape != sig.shape or ref.ndim != 1:
        raise ValueError("reference and signal must be 1-D arrays of the same length")
    if ref.size < 2 or not (np.all(np.isfinite(ref)) and np.all(np.isfinite(sig))):
        raise ValueError("reference and signal need at least 2 finite samples each")
    z = corridor_score(ref, sig)
    shift = phase_shift(ref, sig)
    e_p = phase_score(shift, ref.size)
    ref_s, sig_s = _shifted(ref, sig, shift)
    e_m = magnitude_score(ref_s, sig_s)
    e_s = slope_score(ref_s, sig_s)
    w_z, w_p, w_m, w_s = WEIGHTS
    r = w_z * z + w_p * e_p + w_m * e_m + w_s * e_s
    return IsoRating(z=z, e_p=e_p, e_m=e_m, e_s=e_s, r=r, shift_samples=shift)


def corridor_score(ref: np.ndarray, sig: np.ndarray) -> float:
    t_norm = float(np.max(np.abs(ref)))
    d = np.abs(sig - ref)
    if t_norm == 0.0:
        return float(np.mean(d == 0.0))
    inner = A0 * t_norm
    outer = B0 * t_norm
    c = np.clip((outer - d) / (outer - inner), 0.0, 1.0) ** K_Z
    c[d < inner] = 1.0
    c[d > outer] = 0.0
    return float(np.mean(c))


def phase_shift(ref: np.ndarray, sig: np.ndarray) -> int:
    """The shift (samples; positive: signal lags) of largest correlation, smallest on ties."""
    n = ref.size
    best_rho = _pearson(ref, sig)
    best = 0
    for m in range(1, min(n - 2, math.ceil(EPS_P_MAX * n - 1e-9)) + 1):
        # The signal moved left by m: it lagged the reference.
        rho = _pearson(ref[:-m], sig[m:])
        if rho > best_rho:
            best_rho, best = rho, m
        rho = _pearson(ref[m:], sig[:-m])
        if rho > best_rho:
            best_rho, best = rho, -m
    return best


def phase_score(shift_samples: int, n: int) -> float:
    limit = EPS_P_MAX * n
    shift = abs(shift_samples)
    if shift == 0:
        return 1.0
    if shift >= limit:
        return 0.0
    return ((limit - shift) / limit) ** K_P


def magnitude_score(ref: np.ndarray, sig: np.ndarray) -> float:
    sig_w, ref_w = _dtw_warped(sig, ref)
    num = float(np.sum(np.abs(sig_w - ref_w)))
    den = float(np.sum(np.abs(ref_w)))
    if den == 0.0:
        return 1.0 if num == 0.0 else 0.0
    return _error_score(num / den, EPS_M_MAX, K_M)


def slope_score(ref: np.ndarray, sig: np.ndarray) -> float:
    # The sample interval cancels in the ratio; unit spacing is used.
    d_ref = _smoothed_derivative(ref)
    d_sig = _smoothed_derivative(sig)
    num = float(np.sum(np.abs(d_sig - d_ref)))
    den = float(np.sum(np.abs(d_ref)))
    if den == 0.0:
        return 1.0 if num == 0.0 else 0.0
    return _error_score(num / den, EPS_S_MAX, K_S)


def _error_score(e: float, e_max: float, k: int) -> float:
    if e <= 0.0:
        return 1.0
    if e >= e_max:
        return 0.0
    return ((e_max - e) / e_max) ** k


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 2:
        return 1.0 if np.array_equal(a, b) else 0.0
    da = a - a.mean()
    db = b - b.mean()
    den = math.sqrt(float(np.dot(da, da)) * float(np.dot(db, db)))
    if den == 0.0:
        return 1.0 if np.array_equal(a, b) else 0.0
    return float(np.dot(da, db)) / den


def _shifted(ref: np.ndarray, sig: np.ndarray, shift: int) -> tuple[np.ndarray, np.ndarray]:
    if shift > 0:
        return ref[:-shift], sig[shift:]
    if shift < 0:
        return ref[-shift:], sig[:shift]
    return ref, sig


def _dtw_warped(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both curves along the DTW path (squared cost, band ``|i - j| < ceil(0.1 n)``)."""
    n = x.size
    radius = min(n, max(1, math.ceil(DTW_BAND_FRACTION * n)))
    inf = math.inf
    xs = x.tolist()
    ys = y.tolist()
    acc = [[inf] * n for _ in range(n)]
    for i in range(n):
        row = acc[i]
        prev = acc[i - 1] if i > 0 else None
        xi = xs[i]
        for j in range(max(0, i - radius + 1), min(n, i + radius)):
            cost = (xi - ys[j]) ** 2
            if i == 0 and j == 0:
                row[j] = cost
                continue
            best = inf
            if prev is not None:
                best = prev[j]
                if j > 0 and prev[j - 1] < best:
                    best = prev[j - 1]
            if j > 0 and row[j - 1] < best:
                best = row[j - 1]
            row[j] = cost + best
    i = j = n - 1
    path_i = [i]
    path_j = [j]
    while i > 0 or j > 0:
        # Predecessors in the order (i-1, j), (i, j-1), (i-1, j-1); the first minimum wins.
        options = []
        if i > 0:
            options.append((acc[i - 1][j], i - 1, j))
        if j > 0:
            options.append((acc[i][j - 1], i, j - 1))
        if i > 0 and j > 0:
            options.append((acc[i - 1][j - 1], i - 1, j - 1))
        _, i, j = min(options, key=lambda o: o[0])
        path_i.append(i)
        path_j.append(j)
    idx_i = np.array(path_i[::-1])
    idx_j = np.array(path_j[::-1])
    return x[idx_i], y[idx_j]


def _smoothed_derivative(x: np.ndarray) -> np.ndarray:
    d = np.gradient(x)
    out = np.empty_like(d)
    n = d.size
    if n < 9:
        return np.full_like(d, float(np.mean(d)))
    for k, width in enumerate((1, 3, 5, 7)):
        out[k] = float(np.mean(d[:width]))
        out[n - 1 - k] = float(np.mean(d[n - width :]))
    out[4 : n - 4] = np.convolve(d, np.ones(9) / 9.0, mode="valid")
    return out
