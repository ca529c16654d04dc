"""The force baseline while the tool is idle: followed through drift, frozen during a stroke.

The segmenter detects a stroke as force above this baseline; a baseline that followed a stroke's
own force would hide it, one that ignored drift would invent strokes. Causal, with carried state:
any block partition gives the same trace. Never does I/O or imports Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from trainer.signals.loops import lfilter

#: Samples a baseline scan looks ahead at first (it doubles while nothing changes). Looking too
#: far costs a few ns a sample, a step of the scan some 20 µs, so the first look is generous.
_SCAN_SPAN = 1024


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

    def start_at(self, baseline_n: float, sigma_n: float) -> None:
        """Initialise from a level and a noise SD found some other way (a start that was not
        still: the first still stretch, or a low quantile of the force)."""
        if not (math.isfinite(baseline_n) and math.isfinite(sigma_n) and sigma_n >= 0):
            raise ValueError(f"cannot start the baseline at {baseline_n!r} N, SD {sigma_n!r} N")
        self._baseline_n = self._mean_n = float(baseline_n)
        self._last_accepted = False
        self._var = float(sigma_n) ** 2

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
            b_seq, _ = lfilter(bb, ba, seg, np.array([bc * b]))
            b_prev = _delayed(b_seq, b)
            dev = np.abs(seg - b_prev)
            if not last_ok:
                mean = float(seg[0])  # a new accepted stretch: its own local mean
            m_seq, _ = lfilter(mb, ma, seg, np.array([mc * mean]))
            wiggle = seg - _delayed(m_seq, mean)
            wiggle2 = wiggle * wiggle
            q = 0
            while q < seg.size:
                dev_q = dev[q:]
                v_seq, _ = lfilter(vb, va, wiggle2[q:], np.array([vc * v]))
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
