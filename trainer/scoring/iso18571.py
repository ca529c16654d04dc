"""The ISO/TS 18571 objective rating of a signal against a reference curve.

ISO/TS 18571 ("Road vehicles - Objective rating metric for non-ambiguous signals") rates how well
a signal matches a reference on four scores between 0 and 1, combined as
``R = 0.4 Z + 0.2 E_P + 0.2 E_M + 0.2 E_S``:

- corridor score Z: the mean over all points of 1 inside an inner corridor of half-width
  ``a0 * max|reference|``, 0 outside an outer one of half-width ``b0 * max|reference|``, and
  ``((outer - |d|) / (outer - inner)) ** k_Z`` in between (a0 = 0.05, b0 = 0.5, k_Z = 2);
- phase score E_P: the signal is shifted against the reference one sample at a time (left
  before right, each shift compared on the overlapping part only), up to
  ``floor(eps_P^max N)`` samples, and the shift ``n_eps`` with the largest Pearson correlation is
  kept. A shift replaces the best so far only when its correlation is larger by more than
  ``1e-12``, so that on a tie (exact in arithmetic, different only by rounding) the smallest
  shift wins, the lag before the lead. If the best shift would leave fewer than 9 overlapping
  samples (too few for the slope filter), the curves are compared unshifted instead. With
  ``eps_P^max = 0.2``: E_P = 1 for no shift, 0 for ``|n_eps| >= eps_P^max N``, else
  ``((eps_P^max N - |n_eps|) / (eps_P^max N)) ** k_P``. On 101 points the search stops at 20
  samples; a 5-sample shift gives (20.2 - 5) / 20.2 = 0.752;
- magnitude score E_M: the two phase-shifted curves are aligned by dynamic time warping (squared
  local cost, steps (1,0), (0,1), (1,1) of weight 1, a Sakoe-Chiba band of 10 % of the length,
  ties on the way back taken in that order) and ``e = ||s_w - r_w||_1 / ||r_w||_1`` is rated
  ``((eps_M^max - e) / eps_M^max) ** k_M``, 0 beyond ``eps_M^max = 0.5``;
- slope score E_S: the central-difference derivatives of the phase-shifted curves are smoothed
  by a 9-sample moving average (1, 3, 5 and 7 samples at the first and last four points) and
  ``e = ||s' - r'||_1 / ||r'||_1`` is rated ``((eps_S^max - e) / eps_S^max) ** k_S``, 0 beyond
  ``eps_S^max = 2``.

These conventions follow the standard as implemented by two independent public
implementations, ``objective-rating-metrics`` (VSI, TU Graz) and the open ISO18571 reference that
reproduces the standard's Annex cases; ``tests/trainer/scoring/test_iso18571_reference.py``
checks this module against the first on every score. Curves shorter than 9 samples, which neither
rates, are rated here unshifted with the mean derivative as their smoothed slope.

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
    return rate_many(ref, sig[None, :])[0]


def rate_many(reference: np.ndarray, signals: np.ndarray) -> list[IsoRating]:
    """``rate`` of each row of ``signals`` against one reference, all rows computed together.

    A recording's strokes are all rated against the same expert curve; doing the shift search,
    the time warping and the slopes for all of them at once, as array operations, is what makes
    rating a whole recording cheap.
    """
    ref = np.asarray(reference, dtype=float)
    sig = np.asarray(signals, dtype=float)
    if ref.ndim != 1 or sig.ndim != 2 or sig.shape[1] != ref.size:
        raise ValueError("each signal must be a 1-D array as long as the reference")
    if ref.size < 2 or not (np.all(np.isfinite(ref)) and np.all(np.isfinite(sig))):
        raise ValueError("reference and signal need at least 2 finite samples each")
    if sig.shape[0] == 0:
        return []
    z = _corridor_scores(ref, sig)
    shifts = _phase_shifts(ref, sig)
    x, y, lengths = _shifted_rows(ref, sig, shifts)
    e_m = _magnitude_scores(y, x, lengths)
    e_s = _slope_scores(y, x, lengths)
    w_z, w_p, w_m, w_s = WEIGHTS
    out = []
    for k, shift in enumerate(shifts.tolist()):
        e_p = phase_score(shift, ref.size)
        r = w_z * z[k] + w_p * e_p + w_m * e_m[k] + w_s * e_s[k]
        out.append(IsoRating(z=z[k], e_p=e_p, e_m=e_m[k], e_s=e_s[k], r=r, shift_samples=shift))
    return out


def phase_score(shift_samples: int, n: int) -> float:
    limit = EPS_P_MAX * n
    shift = abs(shift_samples)
    if shift == 0:
        return 1.0
    if shift >= limit:
        return 0.0
    return ((limit - shift) / limit) ** K_P


def magnitude_score(ref: np.ndarray, sig: np.ndarray) -> float:
    """E_M of two curves already phase-aligned (the same length)."""
    ref, sig = np.asarray(ref, float), np.asarray(sig, float)
    return _magnitude_scores(ref[None, :], sig[None, :], np.array([ref.size]))[0]


def _error_score(e: float, e_max: float, k: int) -> float:
    if e <= 0.0:
        return 1.0
    if e >= e_max:
        return 0.0
    return ((e_max - e) / e_max) ** k


def _ratio_score(num: float, den: float, e_max: float, k: int) -> float:
    if den == 0.0:
        return 1.0 if num == 0.0 else 0.0
    return _error_score(num / den, e_max, k)


# -- the four scores, all rows at once ------------------------------------------------------------


def _corridor_scores(ref: np.ndarray, sig: np.ndarray) -> list[float]:
    t_norm = float(np.max(np.abs(ref)))
    d = np.abs(sig - ref)
    if t_norm == 0.0:
        return np.mean(d == 0.0, axis=1).tolist()
    inner = A0 * t_norm
    outer = B0 * t_norm
    c = np.clip((outer - d) / (outer - inner), 0.0, 1.0) ** K_Z
    c[d < inner] = 1.0
    c[d > outer] = 0.0
    return np.mean(c, axis=1).tolist()


#: A later shift must beat the best correlation so far by more than this to replace it.
PHASE_TIE_TOLERANCE = 1e-12
#: The shortest overlap a phase shift may leave: the slope score's moving average is 9 wide.
MIN_SHIFTED_SAMPLES = 9


def _phase_shifts(ref: np.ndarray, sig: np.ndarray) -> np.ndarray:
    """Per row: the shift of largest Pearson correlation; on ties the smallest, lag first.

    The shifts are tried in the order 0, +1, -1, +2, -2, ... up to ``floor(eps_P^max N)``, and a
    later one wins only with a correlation larger by more than ``PHASE_TIE_TOLERANCE``. Two
    shifts whose correlations are equal in exact arithmetic differ by rounding alone (1e-16 or
    so, either way); without the tolerance that noise, not the rule, would pick the shift.
    """
    n = ref.size
    best_rho = _pearson_rows(ref, sig)
    best = np.zeros(sig.shape[0], dtype=np.int64)
    # floor(0.2 N) as the standard's implementations take it (the product in floating point).
    for m in range(1, min(n - 1, math.floor(n * EPS_P_MAX)) + 1):
        # The signal moved left by m: it lagged the reference.
        for shift, a, b in ((m, ref[:-m], sig[:, m:]), (-m, ref[m:], sig[:, :-m])):
            rho = _pearson_rows(a, b)
            better = rho > best_rho + PHASE_TIE_TOLERANCE
            best_rho = np.where(better, rho, best_rho)
            best[better] = shift
    best[n - np.abs(best) < MIN_SHIFTED_SAMPLES] = 0
    return best


def _pearson_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of ``a`` with each row of ``b``; 1 or 0 where a side is constant."""
    if a.size < 2:
        return np.where(np.all(b == a, axis=1), 1.0, 0.0)
    # The means as np.mean takes them (sum, then divide by the count), without its overhead.
    da = a - np.add.reduce(a) / a.size
    db = b - np.add.reduce(b, axis=1, keepdims=True) / b.shape[1]
    den = np.sqrt(float(np.dot(da, da)) * np.einsum("ij,ij->i", db, db))
    num = db @ da
    flat = den == 0.0
    if not np.any(flat):
        return num / den
    rho = np.where(np.all(b == a, axis=1), 1.0, 0.0)
    np.divide(num, den, out=rho, where=~flat)
    return rho


def _shifted_rows(
    ref: np.ndarray, sig: np.ndarray, shifts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's overlap after its phase shift: signal and reference, left-aligned, and length.

    Past a row's length the values are repeats that nothing reads.
    """
    n = ref.size
    lengths = n - np.abs(shifts)
    col = np.arange(n)
    sig_col = np.minimum(col[None, :] + np.maximum(shifts, 0)[:, None], n - 1)
    ref_col = np.minimum(col[None, :] + np.maximum(-shifts, 0)[:, None], n - 1)
    x = np.take_along_axis(sig, sig_col, axis=1)
    y = ref[ref_col]
    return x, y, lengths


#: Rows are time-warped in batches of this many (bounds the memory of the cost arrays).
_DTW_BATCH_ROWS = 1024
#: Up to this many rows, the way back along the warping path is walked row by row.
_DTW_FEW_ROWS = 4


def _magnitude_scores(y: np.ndarray, x: np.ndarray, lengths: np.ndarray) -> list[float]:
    """E_M per row; rows are warped in batches that share one band radius."""
    radius = np.minimum(lengths, np.maximum(1, np.ceil(DTW_BAND_FRACTION * lengths))).astype(int)
    num = np.empty(x.shape[0])
    den = np.empty(x.shape[0])
    order = np.argsort(radius, kind="stable")
    firsts = np.flatnonzero(np.diff(radius[order], prepend=-1))
    for lo_group, hi_group in zip(firsts, [*firsts[1:], order.size], strict=True):
        for lo in range(lo_group, hi_group, _DTW_BATCH_ROWS):
            rows = order[lo : min(lo + _DTW_BATCH_ROWS, hi_group)]
            num[rows], den[rows] = _dtw_path_sums(
                x[rows], y[rows], lengths[rows], int(radius[rows[0]])
            )
    return [
        _ratio_score(a, b, EPS_M_MAX, K_M) for a, b in zip(num.tolist(), den.tolist(), strict=True)
    ]


def _dtw_path_sums(
    x: np.ndarray, y: np.ndarray, lengths: np.ndarray, radius: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, along its DTW path: the sum of ``|x_w - y_w|`` and the sum of ``|y_w|``.

    The warping is the classic one (squared local cost, steps (1,0), (0,1), (1,1) of weight 1,
    a Sakoe-Chiba band ``|i - j| < radius``, ties on the way back taken in the order (i-1, j),
    (i, j-1), (i-1, j-1)). The accumulated costs are filled one anti-diagonal ``i + j = d`` at
    a time for all rows at once: every cell still adds its own cost to the minimum of the same
    three neighbours, so the values are exactly those of the cell-by-cell recurrence.

    Storage is ``acc[d + 2, s + 1, row]``: two leading diagonals of +inf stand for "before the
    start", ``s = i - d // 2 + half`` numbers the cells of a diagonal (one +inf border slot on
    each side), rows last so each diagonal is one contiguous block. Moving to the previous
    diagonal, the same ``i`` keeps its slot when ``d`` is odd and moves one slot up when ``d``
    is even. Cells outside the band, or past a row's length, cost +inf and never win a minimum:
    they read a signal of +inf against a reference of -inf.
    """
    rows, width = x.shape
    half = (radius - 1) // 2 + 1
    slots = radius + 1
    diagonals = 2 * int(lengths.max()) - 1
    d = np.arange(diagonals)[:, None]
    i_idx = d // 2 + np.arange(slots)[None, :] - half
    j_idx = d - i_idx
    outside = (i_idx < 0) | (j_idx < 0) | (np.abs(i_idx - j_idx) >= radius) | (i_idx >= width)
    outside |= j_idx >= width
    i_idx[outside] = width
    j_idx[outside] = width
    past = np.arange(width + 1)[:, None] >= lengths[None, :]
    x_t = np.full((width + 1, rows), np.inf)
    y_t = np.full((width + 1, rows), -np.inf)
    np.copyto(x_t[:width], x.T, where=~past[:width])
    np.copyto(y_t[:width], y.T, where=~past[:width])
    cost = x_t[i_idx]
    cost -= y_t[j_idx]
    cost *= cost

    acc = np.full((diagonals + 2, slots + 2, rows), np.inf)
    acc[2, 1:-1] = cost[0]
    best = np.empty((slots, rows))
    for dd in range(1, diagonals):
        prev = acc[dd + 1]
        if dd % 2:
            np.minimum(prev[:-2], prev[1:-1], out=best)
        else:
            np.minimum(prev[1:-1], prev[2:], out=best)
        np.minimum(best, acc[dd, 1:-1], out=best)
        np.add(cost[dd], best, out=acc[dd + 2, 1:-1])

    ends = lengths - 1
    if rows <= _DTW_FEW_ROWS:
        return _walk_back_each(acc, x, y, ends, half)
    return _walk_back_together(acc, x, y, ends, half)


def _walk_back_together(
    acc: np.ndarray, x: np.ndarray, y: np.ndarray, ends: np.ndarray, half: int
) -> tuple[np.ndarray, np.ndarray]:
    """The way back from (n-1, n-1) to (0, 0), all rows in step; a row that arrived stays."""
    _, slots2, rows = acc.shape
    width = x.shape[1]
    flat, x_flat, y_flat = acc.ravel(), x.ravel(), y.ravel()
    step_slot, step_d = rows, slots2 * rows
    start = np.arange(rows) * width + ends
    pos = (2 * ends + 2) * step_d + (half + 1) * step_slot + np.arange(rows)
    x_pos, y_pos = start.copy(), start.copy()
    num = np.abs(x_flat[x_pos] - y_flat[y_pos])
    den = np.abs(y_flat[y_pos])
    d = 2 * ends  # i + j
    while True:
        moving = d > 0
        if not moving.any():
            return num, den
        up = pos - step_d - (d & 1) * step_slot  # (i-1, j)
        left = up + step_slot  # (i, j-1)
        diag = pos - 2 * step_d  # (i-1, j-1)
        v_up, v_left = flat[up], flat[left]
        go_left = v_left < v_up
        go_diag = flat[diag] < np.minimum(v_up, v_left)
        di = (go_diag | ~go_left) & moving
        dj = (go_diag | go_left) & moving
        pos = np.where(moving, np.where(go_diag, diag, np.where(go_left, left, up)), pos)
        x_pos -= di
        y_pos -= dj
        d -= di
        d -= dj
        y_w = y_flat[y_pos]
        num += np.abs(x_flat[x_pos] - y_w) * moving
        den += np.abs(y_w) * moving


def _walk_back_each(
    acc: np.ndarray, x: np.ndarray, y: np.ndarray, ends: np.ndarray, half: int
) -> tuple[np.ndarray, np.ndarray]:
    """``_walk_back_together`` one row at a time, in plain Python (quicker for a few rows)."""
    num = np.zeros(len(ends))
    den = np.zeros(len(ends))
    for r, end in enumerate(ends.tolist()):
        a = acc[: 2 * end + 3, :, r].tolist()
        xs, ys = x[r].tolist(), y[r].tolist()
        i = j = end
        s = half + 1
        total, ref_total = abs(xs[i] - ys[j]), abs(ys[j])
        while i > 0 or j > 0:
            dd = i + j + 2
            s_up = s - 1 if (i + j) % 2 else s
            v_up, v_left, v_diag = a[dd - 1][s_up], a[dd - 1][s_up + 1], a[dd - 2][s]
            if v_diag < min(v_up, v_left):
                i, j, s = i - 1, j - 1, s
            elif v_left < v_up:
                j, s = j - 1, s_up + 1
            else:
                i, s = i - 1, s_up
            total += abs(xs[i] - ys[j])
            ref_total += abs(ys[j])
        num[r], den[r] = total, ref_total
    return num, den


def _slope_scores(y: np.ndarray, x: np.ndarray, lengths: np.ndarray) -> list[float]:
    d_ref = _smoothed_derivatives(y, lengths)
    d_sig = _smoothed_derivatives(x, lengths)
    inside = np.arange(x.shape[1])[None, :] < lengths[:, None]
    num = np.where(inside, np.abs(d_sig - d_ref), 0.0).sum(axis=1)
    den = np.where(inside, np.abs(d_ref), 0.0).sum(axis=1)
    return [
        _ratio_score(a, b, EPS_S_MAX, K_S) for a, b in zip(num.tolist(), den.tolist(), strict=True)
    ]


#: The moving average that smooths the derivative, and the shorter ones at the ends.
_SMOOTHING = 9
_EDGE_WIDTHS = (1, 3, 5, 7)


def _smoothed_derivatives(v: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per row, over its length: the central-difference derivative (unit spacing), smoothed."""
    rows, width = v.shape
    row = np.arange(rows)
    last = lengths - 1
    d = np.zeros_like(v)
    d[:, 1:-1] = (v[:, 2:] - v[:, :-2]) / 2.0
    d[:, 0] = v[:, 1] - v[:, 0]
    d[row, last] = v[row, last] - v[row, last - 1]
    out = np.zeros_like(v)
    if width >= _SMOOTHING:
        windows = np.lib.stride_tricks.sliding_window_view(d, _SMOOTHING, axis=1)
        out[:, 4 : width - 4] = windows @ np.full(_SMOOTHING, 1.0 / _SMOOTHING)
        for k, w in enumerate(_EDGE_WIDTHS):
            out[:, k] = np.mean(d[:, :w], axis=1)
            tail = np.maximum(last[:, None] - np.arange(w)[None, ::-1], 0)
            out[row, np.maximum(last - k, 0)] = np.mean(d[row[:, None], tail], axis=1)
    short = np.flatnonzero(lengths < _SMOOTHING)
    for r in short.tolist():
        n = int(lengths[r])
        out[r, :n] = float(np.mean(d[r, :n]))
    return out
