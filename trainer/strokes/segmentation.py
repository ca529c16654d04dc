"""The stroke detector: sample blocks in, strokes out, live or offline with the same object.

The pipeline (``docs/scoring.md``, section 1):

1. **Tare.** When the first ``initial_tare_s`` of data (2 s) are still, they give the starting
   baseline and the idle noise sigma, and detection starts after them. When they are not (the
   tool already moving), the baseline comes from the first still stretch of the data, or a low
   quantile of the force, and detection goes over the data from its first sample
   (``_start_up``): one bad start never costs the strokes after it. From then on a
   ``BaselineTracker`` follows drift while the tool is idle and is frozen during a stroke.
2. **Detection filter.** A causal Butterworth low-pass (20 Hz; below 0.4 x the rate on slow
   devices) with carried state.
3. **Hysteresis.** A stroke begins when the filtered force over the baseline stays above
   ``F_on = max(f_on_floor_n, noise_sigma_factor * sigma)`` for ``on_ms``; it comes down when it
   stays below ``f_off_ratio * F_on`` for ``off_ms``. Force that rises above ``F_on`` again within
   ``refractory_ms`` of coming down continues the same stroke (two touches 50 ms apart are one
   stroke, 300 ms apart are two).
4. **Boundaries.** When a stroke is complete, its raw samples (baseline removed) are filtered
   forwards and backwards (no delay) and the stroke is the contiguous run above
   ``boundary_fraction`` (5 %) of its peak that contains the detected contact, found by walking
   out from the detected contact after correcting it for the detection filter's group delay.
   ``start_s``/``end_s`` are the interpolated 5 % crossings; ``t_s``, ``force_n`` and
   ``angle_deg`` are the raw samples between them. Strokes shorter than ``min_stroke_ms`` are
   dropped (and counted).
5. **Drift across the stroke.** The baseline is frozen at the onset, but the zero goes on
   drifting, and a slow stroke's tail crosses 5 % of its peak gently (a few N/s): 0.1 N of drift
   moved its end by tens of milliseconds. So a stroke that has come down is held until the rest
   after it is seen (``_settle_pending``: the first 150 ms in which the filtered force neither
   falls nor rises, usually about 0.1 s past the tail, never more than ``_REST_WAIT_S`` after it
   settled), and its end is the 5 % crossing above a baseline drawn straight from the onset's at
   its start to the rest's level, the way force plates take drift out of an event. The start is
   the onset's alone, as the live start is (``current_stroke_start_s``). When no rest comes
   first (the next stroke begins, the data ends or breaks off, the force keeps moving) or the
   "rest" is a load held further off the baseline than the tail level (5 % of the peak, or 3
   noise sigmas), the end is measured against the onset's baseline alone. Live, a stroke's
   result therefore comes about 0.1 s later than its tail alone would allow.

Behaviour at the edges, all counted in ``StrokeSegmenter.counters``:

- **A held-still load is a baseline, not a stroke.** If the filtered force stays within
  ``rebaseline_band_n`` + 4 sigma for ``rebaseline_hold_ms`` (1 s), whether while idle but away
  from the baseline or during a "stroke" that got there as fast as a step (the still stretch
  begins within ``_STEP_SETTLE_PERIODS`` of the filter's cut-off after the onset) or has gone on
  too long, that level becomes the new baseline and any open stroke is discarded. A load cell's
  zero stepping, or the tool dropped onto the surface and left there, jumps; a stroke rises, and
  may then hold its force as steady as a step for seconds. Held well below the baseline while
  idle, ``_BELOW_HOLD_S`` (0.25 s) is enough: no stroke goes there. Set ``rebaseline_hold_ms``
  to 0 to turn this off.
- **Glitches.** A reading beyond ``ABSURD_FORCE_N`` is left out as if never sent (counted as
  ``absurd_samples``); the samples around it, and the stroke it fell in, are kept.
- **Trainees who never lift the tool** defeat threshold detection: contact never ends. When an open
  stroke has lasted ``valley_split_ms`` (5 s), it is cut at the valleys of its zero-phase force
  (``scipy.signal.find_peaks`` on the negated force, prominence ``valley_prominence_ratio`` of the
  peak, at least ``valley_min_distance_ms`` apart); every complete piece is emitted and the piece
  after the last valley stays open. This runs live and offline alike (offline segmentation is
  this same ``StrokeSegmenter`` fed the whole recording as one block, as
  ``trainer.offline.analysis.segment_recording`` does), so a never-lifting trainee still gets
  feedback every few seconds.
- **Too long.** A stroke that reaches ``max_stroke_ms`` (10 s) without a valley is not a stroke: it
  is discarded when it ends. This bounds the history the detector keeps, so memory is the same
  after eight hours as after one minute (about ``(max_stroke_ms + 4 s) * rate`` samples).
- **Gaps** (``mark_gap``, a pause longer than ``gap_ms`` between samples, time going backwards, or
  non-finite force): a stroke is never stitched across one. A stroke that had already come down is
  emitted with the data before the gap; one still in contact is discarded (after its complete
  valley pieces, if any); a stroke already in contact when data resumes is discarded as
  incomplete. The filter restarts after the gap; the baseline carries on.
- **End of data** (``flush``): the same as a gap. A stroke that has come back down is emitted even
  if its tail is short; one still in contact is dropped and counted as ``open_at_end``.

Exactly the same strokes come out whatever the sizes of the blocks fed (every decision is taken
at a sample determined by the data, never by a block boundary, and all state is carried): the
tests check this over random partitions.

This module must never import Qt, do I/O, or score strokes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from devices.samples import SampleBlock
from trainer.signals.baseline import BaselineTrace, BaselineTracker
from trainer.signals.errors import ConditioningError
from trainer.signals.filters import LowPass
from trainer.signals.loops import find_peaks, sosfilt_rows
from trainer.signals.median import median
from trainer.signals.tare import tare
from trainer.strokes.detection import DetectionSettings, SegmentationError
from trainer.strokes.stroke import Stroke

#: A force reading larger than this (newtons, either sign) is a glitch, not a force: no hand tool
#: comes near it (the simulated tool's range is 200 N). Such samples are left out.
ABSURD_FORCE_N = 10_000.0
#: Samples are processed in pieces of at most this many (bounds the history a piece can evict).
_CHUNK = 16384
#: A long block is fed in pieces of this many samples (``feed``).
_FEED_PIECE = 65536
#: Samples an onset or the end of a contact is looked for in at a time (a piece is just like a
#: block that ends there; looking further costs time on every call).
_LOOK_SPAN = 2048
#: Idle stretches up to this long are looked at whole, longer ones only up to a possible onset.
_IDLE_SPAN = 256
#: Samples the end of a stroke is first looked for in (more follow if it has not settled).
_ENDING_SPAN = 256
#: Rest windows after a stroke looked at together (``_flat_ends``).
_BAND_BATCH = 16
#: How far before the detected onset a stroke's 5 % crossing may lie (slow, light rises).
_LOOKBACK_S = 2.0
#: The force must stay near zero this long after a stroke before its end is settled.
_TAIL_HOLD_S = 0.03
#: The rest after a stroke: its end is measured against a baseline drawn straight from the one at
#: its onset to the level of the rest (the median of the later half of the first stretch this
#: long after it in which the filtered force neither falls nor rises: the means of its two halves
#: differ by at most ``_REST_TREND_SIGMAS`` idle-noise sigmas, at least ``_REST_TREND_N``; in
#: noise alone that difference has an SD of about 0.8 sigma at any rate well above the filter's
#: cut-off; and it stays within ``_REST_BAND_SIGMAS`` sigmas peak to peak: no bump inside) ...
_REST_S = 0.15
_REST_TREND_SIGMAS = 2.0
_REST_TREND_N = 0.005
_REST_BAND_SIGMAS = 8.0
#: ... looked for this long after the stroke settled (then its end is taken against the onset's
#: baseline alone, as it is when the next stroke begins first, or the data ends or breaks off).
_REST_WAIT_S = 0.5
#: How often the held-still check runs.
_STILL_STEP_S = 0.05
#: Band of the held-still check, in idle-noise sigmas, on top of ``rebaseline_band_n``.
_STILL_BAND_SIGMAS = 4.0
#: While idle, force held still this long well below the baseline becomes the baseline.
_BELOW_HOLD_S = 0.25
#: During a stroke, a held-still stretch means a zero step only if it began as soon after the
#: onset as the detection filter lets a step settle, or once the stroke is too long: two periods
#: of its cut-off (2 % of a step is left after 45 ms at 20 Hz, its ringing included), and never
#: later than this. A stroke's plateau is reached later: with 0.25 s here, a 1.7 s plateau-shaped
#: stroke that rose in 0.4 s and then held its force within 0.25 N for a second was taken for a
#: zero step at 80 Hz and lost.
_STEP_RISE_S = 0.25
_STEP_SETTLE_PERIODS = 2.0
#: After an unsuccessful valley search, try again this much later.
_VALLEY_RETRY_S = 1.0
#: Fewest samples the start-up tare needs (it also gives the sample rate).
_MIN_TARE_SAMPLES = 3
#: A start-up window that is not still: a still stretch is this long (and at least
#: ``_START_STILL_MIN_SAMPLES``), varies no more than the sensor's noise explains (or
#: ``_START_STILL_SD_N``) and sits near the low quantile of the force (``_still_start``).
_START_STILL_S = 0.25
_START_STILL_MIN_SAMPLES = 5
_START_STILL_SD_N = 0.01
_START_LOW_QUANTILE = 0.05
#: Without a still stretch yet, look again every this much more data ...
_START_STEP_S = 0.5
#: ... up to this long (or ``initial_tare_s`` + ``max_stroke_ms``, if shorter; a stroke cannot
#: last longer), then take the low quantile. Bounds the data held before detection starts.
_START_SEARCH_MAX_S = 30.0

_IDLE, _STROKE, _ENDING = "idle", "stroke", "ending"
#: History columns: time, raw force, angle, centre of pressure x and y, filtered force. The angle
#: and the CoP are carried along untouched (NaN where the device has none) for the stroke's own
#: samples; detection looks at force alone.
_T, _X, _A, _CX, _CY, _Y = 0, 1, 2, 3, 4, 5
_EXTRA = ("angle_deg", "cop_x_mm", "cop_y_mm")


class _History:
    """The newest samples, addressed by their absolute index; any window is one numpy view.

    Rows are written twice (at ``i`` and ``i + capacity``) so a window never wraps. Each channel
    is a row of the buffer, so a window is contiguous and writing a block is one copy per
    channel (writing rows of six interleaved channels took 40 ms of an hour at 1 kHz, this 20).
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.total = 0
        self._buf = np.zeros((6, 2 * capacity))

    def append(self, t: np.ndarray, x: np.ndarray, a: np.ndarray, y: np.ndarray) -> None:
        """Add samples given as columns (time, force, the extra channels, filtered force),
        written straight into place."""
        n = t.size
        if n > self.capacity:
            self.total += n - self.capacity
            t, x, a, y = (
                t[-self.capacity :],
                x[-self.capacity :],
                a[-self.capacity :],
                y[-self.capacity :],
            )
            n = self.capacity
        cap, head = self.capacity, self.total % self.capacity
        first = min(n, cap - head)
        for at in (head, head + cap):
            self._put(at, t[:first], x[:first], a[:first], y[:first])
        if first < n:
            for at in (0, cap):
                self._put(at, t[first:], x[first:], a[first:], y[first:])
        self.total += n

    def _put(self, at: int, t: np.ndarray, x: np.ndarray, a: np.ndarray, y: np.ndarray) -> None:
        cols = self._buf[:, at : at + t.size]
        cols[_T] = t
        cols[_X] = x
        cols[_A:_Y] = a.T
        cols[_Y] = y

    def window(self, lo: int, hi: int, col: int) -> np.ndarray:
        """Samples ``lo..hi`` (inclusive, absolute) of one column, as a view."""
        if lo < self.total - self.capacity or hi >= self.total or hi < lo:
            raise IndexError(f"samples {lo}..{hi} are not held (have {self.total})")
        pos = lo % self.capacity
        return self._buf[col, pos : pos + hi - lo + 1]

    def at(self, index: np.ndarray | int, col: int) -> np.ndarray:
        return self._buf[col, np.asarray(index) % self.capacity]

    @property
    def oldest(self) -> int:
        return max(0, self.total - self.capacity)


@dataclass
class _Open:
    """The stroke being detected. Indices are absolute sample numbers."""

    onset: int  # first sample of the on-run (filtered time)
    core_lo: int  # where the contact began in raw time (onset minus the filter delay)
    baseline_n: float
    f_on_n: float
    sigma_n: float
    peak_n: float  # highest filtered force over baseline so far
    next_check: int  # sample of the next length check (valley split / too long)
    overlong: bool = False
    off_start: int = -1  # first sample of the off-run, once it came down
    tail_level_n: float = 0.0


@dataclass
class _Pending:
    """A stroke that has come down and settled, held until the rest after it is seen: the level
    of that rest, against the baseline at its onset, is the drift its end is measured across."""

    lo: int  # the refinement window (``_emit``) as the stroke settled
    hi: int
    core_lo: int
    core_hi: int
    baseline_n: float
    hard_lo: bool  # the window begins where the data does (``_emit``'s incomplete check)
    trend_n: float  # "at rest": the halves' means this close ...
    band_n: float  # ... and the filtered force within this (peak to peak) ...
    limit_n: float  # ... no further than this from the onset's baseline
    last_end: int  # the last sample a rest window may end at
    next_end: int  # the first rest window end not yet looked at


class _Runs:
    """The runs of consecutive True in a mask, ``carried`` True before its first element.

    Looked up in the mask's bytes (``find`` and ``rfind`` run in C): the state machine asks only
    where a run first reaches a length and how long the run is at one sample, and a run length
    for every sample (a cumulative maximum) cost 0.06 s of segmenting an hour at 1 kHz.
    """

    __slots__ = ("_bytes", "_carried", "_lead")

    def __init__(self, mask: np.ndarray, carried: int) -> None:
        self._bytes = mask.tobytes()
        self._carried = carried
        lead = self._bytes.find(b"\x00")
        self._lead = len(self._bytes) if lead < 0 else lead  # the run carried in ends here

    def at(self, k: int) -> int:
        """Length of the run ending at element ``k`` (0 if it is False); -1: the last."""
        if k < 0:
            k += len(self._bytes)
        last_false = self._bytes.rfind(b"\x00", 0, k + 1)
        return k - last_false if last_false >= 0 else k + 1 + self._carried

    def reaching(self, length: int, start: int = 0) -> int:
        """The first element from ``start`` on whose run is at least ``length`` long, or -1."""
        k = max(start, length - self._carried - 1, 0)
        if k < self._lead:
            return k
        found = self._bytes.find(b"\x01" * length, max(start - length + 1, 0))
        return found + length - 1 if found >= 0 else -1


def _flat_ends(y: np.ndarray, ends: np.ndarray, r: int, band_n: float) -> Iterator[int]:
    """Of ``ends`` (each one past a window ``r`` samples long), in order, those whose window of
    ``y`` spans at most ``band_n`` from its lowest to its highest value.

    The windows are looked at ``_BAND_BATCH`` at a time: a stroke's rest is usually found after
    some ten windows that were not flat, and one window at a time cost 0.07 s of an hour at 1 kHz
    (16 at a time: 0.03 s).
    """
    offsets = np.arange(-r, 0)
    for lo in range(0, ends.size, _BAND_BATCH):
        batch = ends[lo : lo + _BAND_BATCH]
        windows = y[batch[:, None] + offsets]
        wide = windows.max(axis=1) - windows.min(axis=1) > band_n
        yield from batch[~wide].tolist()


def _first(mask: np.ndarray) -> int:
    """Index of the first True, or -1 (one pass where ``any`` then ``argmax`` take two)."""
    if mask.size == 0:
        return -1
    k = int(np.argmax(mask))
    return k if mask[k] else -1


class StrokeSegmenter:
    """Cuts a force stream into strokes, block by block; ``flush()`` at the end of the data.

    ``rate_hz`` may be given; otherwise it comes from the median sample interval of the start-up
    tare. Properties for a live display: ``baseline_n``, ``threshold_n``, ``in_stroke``,
    ``current_stroke_start_s``, ``noise_sigma_n``. ``counters`` says what was seen, dropped and
    why; ``tare_warning`` holds a message when the tool was not still during the start-up tare
    (detection still runs, from a baseline found in the data: see ``_start_up``).
    """

    def __init__(
        self, settings: DetectionSettings | None = None, rate_hz: float | None = None
    ) -> None:
        self.settings = settings if settings is not None else DetectionSettings()
        #: The peak force a stroke is expected to reach (the experts' mean), if known. While a
        #: stroke is still rising, the live start is taken at ``boundary_fraction`` of this rather
        #: than of the peak so far, which is too low early on and starts the trace too soon.
        self.expected_peak_n: float | None = None
        if rate_hz is not None and not (rate_hz > 0 and math.isfinite(rate_hz)):
            raise SegmentationError(f"sample rate must be positive, not {rate_hz!r}")
        self._given_rate = rate_hz
        self._has_cop = False  # the stream carries a centre of pressure (a force plate)
        self.rate_hz: float | None = None
        self.tare_warning: str | None = None
        self.counters: dict[str, int] = dict.fromkeys(
            (
                "samples",
                "strokes",
                "dropped_short",
                "dropped_incomplete",
                "dropped_overlong",
                "cut_by_gap",
                "open_at_end",
                "baseline_steps",
                "dropped_held",
                "valley_splits",
                "gaps",
                "nonfinite_samples",
                "start_not_still",
                "absurd_samples",
            ),
            0,
        )
        self._warm: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._start_checks = 0  # start-up checkpoints passed without a still stretch
        self._ready = False
        self._last_t: float | None = None
        self._since_gap = 0
        self._out: list[Stroke] = []
        self._index = 0
        self._state = _IDLE
        self._open: _Open | None = None
        self._pending: _Pending | None = None
        self._on_run = self._off_run = self._tail_run = 0
        self._n = 0  # absolute index of the next sample
        self._lo_limit = 0  # no stroke may start before this sample
        self._lo_hard = True  # ... because data begins there (start, gap), not a stroke's end
        self._seg_start = 0  # first sample since the start-up tare or the last gap

    # -- public --------------------------------------------------------------------------------
    def feed(self, block: SampleBlock) -> list[Stroke]:
        """Take the next samples; return the strokes settled in them (possibly none): a stroke
        comes out once the rest after it is seen (about 0.1 s after its tail; module notes, 5)."""
        if len(block) == 0:
            return []
        try:
            force = np.asarray(block.channel("force_n"), dtype=float)
        except KeyError:
            raise SegmentationError(
                f"the stream has no 'force_n' channel (channels: {', '.join(block.channels)})"
            ) from None
        columns = [block.channel(name) if name in block.channels else None for name in _EXTRA]
        if "cop_x_mm" in block.channels and "cop_y_mm" in block.channels:
            self._has_cop = True
        t = np.asarray(block.t_s, dtype=float)
        self._out = []
        # A whole recording comes as one block. A piece at a time, the checks over it (finite,
        # no gap, no glitch) and the extra channels' copy stay in the cache and in memory the
        # process already has: over the whole hour at 1 kHz at once they took 0.05 s more.
        # Any partition of the samples gives the same strokes.
        for lo in range(0, force.size, _FEED_PIECE):
            hi = min(lo + _FEED_PIECE, force.size)
            extra = np.full((hi - lo, len(_EXTRA)), np.nan)
            for j, column in enumerate(columns):
                if column is not None:
                    extra[:, j] = column[lo:hi]
            self._feed_arrays(t[lo:hi], force[lo:hi], extra)
        return self._take_out()

    def mark_gap(self, t_s: float | None = None) -> list[Stroke]:
        """Data is missing after the samples fed so far (disconnect, lost samples, overflow).

        ``t_s`` (the last good sample's time) is informational: the gap is always placed after the
        last sample fed. Returns a stroke that had come down just before the gap, if any.
        """
        self._out = []
        self._gap(at_end=False)
        return self._take_out()

    def flush(self) -> list[Stroke]:
        """End of data: settle the stroke in progress (see the module notes)."""
        self._out = []
        self._gap(at_end=True)
        return self._take_out()

    @property
    def ready(self) -> bool:
        """True once the start-up tare is done and detection runs."""
        return self._ready

    @property
    def baseline_n(self) -> float:
        if not self._ready:
            return math.nan
        if self._open is not None:
            return self._open.baseline_n
        return self._tracker.baseline_n

    @property
    def noise_sigma_n(self) -> float:
        """The running estimate of the idle noise of the filtered force."""
        return self._tracker.sigma_n if self._ready else math.nan

    @property
    def threshold_n(self) -> float:
        """The force over baseline that starts a stroke (F_on), now."""
        if not self._ready:
            return math.nan
        if self._open is not None:
            return self._open.f_on_n
        s = self.settings
        return max(s.f_on_floor_n, s.noise_sigma_factor * self._tracker.sigma_n)

    @property
    def in_stroke(self) -> bool:
        """True while the tool is in contact (a stroke has begun and not yet come down)."""
        return self._state == _STROKE

    @property
    def current_stroke_start_s(self) -> float | None:
        """When the stroke in progress began, found the way its end will find it.

        The detection threshold is crossed well into a stroke's build-up (2 N on a stroke whose
        final start is at 5 % of its peak), so a live trace drawn from the threshold starts high
        and early on the expert's time axis and looks outside the band when it is not. Instead the
        recent history is filtered forwards and backwards and walked back from the contact to where
        it crosses ``boundary_fraction`` of the peak so far (of ``expected_peak_n`` while the
        stroke is still rising, if that is higher): the rule the finished stroke's start comes from,
        so the live trace at the stroke's end starts where the scored stroke does. Read from the
        display's thread: if the session's thread moves the history on under the read, the rough
        start (the contact, corrected for the filter's delay) is given instead.
        """
        o = self._open
        if self._state != _STROKE or o is None:
            return None
        hi = self._n - 1
        try:
            start = self._walked_back_start_s(o, hi)
        except (IndexError, ValueError):  # the session's thread moved the history on
            start = None
        return start if start is not None else self._rough_start_s(o, hi)

    def _rough_start_s(self, o: _Open, hi: int) -> float:
        """The contact, corrected for the detection filter's delay."""
        return float(self._hist.at(min(max(o.core_lo, self._lo_limit, self._hist.oldest), hi), _T))

    def _walked_back_start_s(self, o: _Open, hi: int) -> float | None:
        """Where the stroke so far rose through ``boundary_fraction`` of its peak; None when the
        history cannot say (too short, nothing above the level)."""
        lo = self._window_lo(o.core_lo, hi)
        t = self._hist.window(lo, hi, _T)
        smooth = self._lp.zero_phase(self._hist.window(lo, hi, _X) - o.baseline_n)
        if smooth.size != t.size or smooth.size < 2:
            return None
        cl = min(max(o.core_lo - lo, 0), smooth.size - 1)
        at_peak = cl + int(np.argmax(smooth[cl:]))
        peak = float(smooth[at_peak])
        if not peak > 0:
            return None
        rising = smooth.size - 1 - at_peak <= self._on_n + self._delay
        if rising and self.expected_peak_n is not None:
            # Once past its peak the stroke's own peak is its final one, and the start found from
            # it is the finished stroke's start: the hint only serves the build-up.
            peak = max(peak, float(self.expected_peak_n))
        threshold = self.settings.boundary_fraction * peak
        first = _rise_start((smooth > threshold).tobytes(), cl, smooth.size)
        if first is None:
            return None
        return _crossing(t, smooth, first - 1, threshold) if first > 0 else float(t[0])

    # -- input ---------------------------------------------------------------------------------
    def _take_out(self) -> list[Stroke]:
        out, self._out = self._out, []
        return out

    def _feed_arrays(self, t: np.ndarray, x: np.ndarray, a: np.ndarray) -> None:
        gap_s = self.settings.gap_ms / 1000.0
        absurd = np.abs(x) > ABSURD_FORCE_N
        if absurd.any():
            # A glitching load cell, not a force: the sample is left out as if never sent. The
            # samples either side are kept (a run of them longer than ``gap_ms`` is a gap), so
            # one glitch neither hides the stroke it falls in nor, through the filters, the
            # strokes after it.
            absurd &= np.isfinite(x)  # non-finite force stays a gap
            self.counters["absurd_samples"] += int(np.count_nonzero(absurd))
            keep = ~absurd
            t, x, a = t[keep], x[keep], a[keep]
            if t.size == 0:
                return
        # The usual case, checked cheaply: all finite, no gap before or inside the block.
        if (
            np.isfinite(x).all()
            and np.isfinite(t).all()
            and (self._last_t is None or 0 < t[0] - self._last_t <= gap_s)
        ):
            dt = t[1:] - t[:-1]
            if dt.size == 0 or (dt.min() > 0 and dt.max() <= gap_s):
                self._process_piece(t, x, a)
                return
        good = np.isfinite(x) & np.isfinite(t)
        idx = np.flatnonzero(good)
        n_bad = t.size - idx.size
        self.counters["nonfinite_samples"] += n_bad
        if idx.size == 0:
            self._gap(at_end=False)
            return
        tg = t[idx]
        prev = self._last_t if self._last_t is not None else tg[0]
        dt = np.diff(tg, prepend=prev)
        breaks = (dt > gap_s) | (dt <= 0)
        if self._last_t is None:
            breaks[0] = False
        # A run of non-finite samples before a good one is a gap too.
        skipped = np.diff(idx, prepend=-1) > 1
        breaks |= skipped
        starts = np.flatnonzero(breaks)
        bounds = [0, *starts.tolist(), idx.size]
        for k in range(len(bounds) - 1):
            lo, hi = bounds[k], bounds[k + 1]
            if k > 0 or breaks[0]:
                self._gap(at_end=False)
            if hi > lo:
                sel = idx[lo:hi]
                self._process_piece(tg[lo:hi], x[sel], a[sel])
        if not good[-1]:
            self._gap(at_end=False)

    def _process_piece(self, t: np.ndarray, x: np.ndarray, a: np.ndarray) -> None:
        """Consecutive finite samples with no gap inside."""
        self.counters["samples"] += t.size
        self._since_gap += t.size
        self._last_t = float(t[-1])
        if not self._ready:
            self._warm.append((t, x, a))
            if len(self._warm) > 1:
                t, x, a = (np.concatenate(cols) for cols in zip(*self._warm, strict=True))
            start = self._start_up(t, x, a)
            if start is None:
                self._warm = [(t.copy(), x.copy(), a.copy())]  # the caller may reuse its arrays
                return
            self._warm = []
            t, x, a = t[start:], x[start:], a[start:]
        for lo in range(0, t.size, _CHUNK):
            self._process_chunk(t[lo : lo + _CHUNK], x[lo : lo + _CHUNK], a[lo : lo + _CHUNK])

    def _start_up(self, t: np.ndarray, x: np.ndarray, a: np.ndarray) -> int | None:
        """The start-up tare, decided on the data buffered so far: the sample from which the
        state machine takes over, or None to wait for more data.

        A still start-up window (the usual case) is the baseline and the idle noise, and
        detection starts after it. A window that is not still (a stroke already under way) is no
        baseline: the baseline comes from the first still stretch of the data (``_still_start``),
        waiting for one up to ``_START_SEARCH_MAX_S``, else from a low quantile of the force;
        then detection goes over the data from its first sample, so strokes inside the start-up
        window are found and only one already in contact at the first sample is lost. Each
        decision is taken on the samples up to a checkpoint set by their own times (the end of
        ``initial_tare_s``, then every ``_START_STEP_S``), never by where a block ended.
        """
        s = self.settings
        limit_s = min(_START_SEARCH_MAX_S, s.initial_tare_s + s.max_stroke_ms / 1000.0)
        while True:
            due_s = s.initial_tare_s + self._start_checks * _START_STEP_S
            end = max(int(np.searchsorted(t, t[0] + due_s)), _MIN_TARE_SAMPLES)
            if end >= t.size:
                return None
            rate = self._given_rate or 1.0 / float(np.median(np.diff(t[:end])))
            # On the filtered force: a noisy sensor is not a moving tool.
            lp = LowPass(s.lowpass_hz, rate, int(s.lowpass_order))
            y = lp.process(x[:end])
            if self._start_checks == 0:
                try:
                    tare(y, t[:end], min_duration_s=0.0)
                except ConditioningError:
                    pass
                else:
                    self._setup(rate)
                    self._tracker.start(y)
                    self.tare_warning = None
                    self._hist.append(t[:end], x[:end], a[:end], y)
                    # Detection starts after the window, but a stroke may have begun in its last
                    # few tens of milliseconds (too little to unsettle the tare): its start is
                    # looked for in the window too, or it would be taken for one cut off by the
                    # start and lost (a trainee who began 1.95 s in lost that stroke).
                    self._n = self._seg_start = end
                    self._lo_limit = 0
                    return end
            found = _still_start(x[:end], y, lp, s.f_on_floor_n)
            if found is None and due_s < limit_s:
                self._start_checks += 1
                continue
            head = f"the tool was not still during the first {s.initial_tare_s:g} s"
            if found is not None:
                at, baseline_n, sigma_n = found
                where = f"the first still stretch (from {float(t[at]):.2f} s)"
            else:
                baseline_n = float(np.quantile(y, _START_LOW_QUANTILE))
                sigma_n = _quietest_sd(y, rate)
                where = (
                    f"the {100 * _START_LOW_QUANTILE:g}th percentile of the force (no still "
                    f"stretch in the first {due_s:g} s)"
                )
            self._setup(rate)
            self._tracker.start_at(baseline_n, sigma_n)
            self.tare_warning = f"{head}: the baseline ({baseline_n:.2f} N) was taken from {where}"
            self.counters["start_not_still"] += 1
            self._n = self._lo_limit = self._seg_start = 0
            return 0

    def _setup(self, rate: float) -> None:
        """The rate, the filter, the timings in samples, the baseline tracker and the history."""
        s = self.settings
        self.rate_hz = rate
        self._lp = LowPass(s.lowpass_hz, rate, int(s.lowpass_order))
        self._delay = round(self._lp.group_delay_s * rate)

        def n_of(ms: float, least: int = 0) -> int:
            return max(least, round(ms * rate / 1000.0))

        self._on_n = n_of(s.on_ms, 1)
        self._off_n = n_of(s.off_ms, 1)
        self._refractory_n = n_of(s.refractory_ms)
        self._tail_max_n = n_of(s.tail_max_ms)
        self._tail_hold_n = n_of(_TAIL_HOLD_S * 1000, 1)
        self._hold_n = n_of(s.rebaseline_hold_ms)
        self._below_hold_n = min(self._hold_n, n_of(_BELOW_HOLD_S * 1000, 1))
        self._still_step_n = n_of(_STILL_STEP_S * 1000, 1)
        settle_s = min(_STEP_RISE_S, _STEP_SETTLE_PERIODS / self._lp.cutoff_hz)
        self._step_rise_n = n_of(settle_s * 1000, 1)
        self._lookback_n = n_of(_LOOKBACK_S * 1000)
        self._max_stroke_n = n_of(s.max_stroke_ms, 1)
        self._split_n = n_of(s.valley_split_ms, 1)
        self._retry_n = n_of(_VALLEY_RETRY_S * 1000, 1)
        self._valley_dist_n = n_of(s.valley_min_distance_ms, 1)
        self._rest_n = n_of(_REST_S * 1000, 4)
        self._rest_wait_n = n_of(_REST_WAIT_S * 1000, 1)
        self._window_n = (
            self._lookback_n
            + self._max_stroke_n
            + max(self._tail_max_n, self._refractory_n + self._on_n)
            + self._on_n
            + self._off_n
            + 2 * self._delay
            + 16
        )
        self._tracker = BaselineTracker(
            rate,
            tau_s=s.baseline_tau_s,
            sigma_tau_s=s.noise_tau_s,
            gate_sigmas=s.baseline_gate_sigmas,
            gate_floor_n=s.baseline_gate_n,
        )
        # A settled stroke's window stays held while the rest after it is looked for.
        self._hist = _History(
            max(self._window_n + self._rest_wait_n + self._rest_n, self._hold_n) + _CHUNK + 16
        )
        self._lo_hard = True
        self._ready = True

    # -- gaps ----------------------------------------------------------------------------------
    def _gap(self, *, at_end: bool) -> None:
        if not self._ready:
            self._warm = []
            self._start_checks = 0
            self._since_gap = 0
            return
        if self._since_gap == 0 and not at_end:
            return
        o = self._open
        if self._state == _ENDING and o is not None:
            self._finish(self._n - 1, o.off_start - self._delay)
        self._settle_pending(self._n - 1, final=True)
        if self._state == _STROKE and o is not None:
            if self.settings.valley_fallback and not o.overlong:
                self._valley_split(self._n - 1)
            self.counters["open_at_end" if at_end else "cut_by_gap"] += 1
        if self._since_gap and not at_end:
            self.counters["gaps"] += 1
        self._open = None
        self._state = _IDLE
        self._on_run = self._off_run = self._tail_run = 0
        self._lp.reset()
        self._tracker.interrupt()
        self._lo_limit = self._seg_start = self._n
        self._lo_hard = True
        self._since_gap = 0

    # -- the state machine ---------------------------------------------------------------------
    def _process_chunk(self, t: np.ndarray, x: np.ndarray, a: np.ndarray) -> None:
        y = self._lp.process(x)
        self._hist.append(t, x, a, y)
        base = self._n
        i = 0
        while i < y.size:
            if self._state == _IDLE:
                i = self._idle(y, base, i)
            elif self._state == _STROKE:
                i = self._in_stroke(y, base, i)
            else:
                i = self._ending(y, base, i)
        self._n = base + y.size
        if self._pending is not None:
            self._settle_pending(self._n - 1, final=False)

    def _idle(self, y: np.ndarray, base: int, i: int) -> int:
        s = self.settings
        # The baseline is worked out only up to where a stroke may begin: a piece is just like a
        # block that ends there.
        seg = y[i : self._idle_end(y, i)]
        trace = self._tracker.scan(seg)
        sigma = trace.sigma_before_n
        f_on = np.maximum(s.f_on_floor_n, s.noise_sigma_factor * sigma)
        excess = seg - trace.baseline_before_n
        run = _Runs(excess > f_on, self._on_run)
        c = run.reaching(self._on_n)
        limit = c if c >= 0 else seg.size
        if self._hold_n:
            r, level = self._still(base + i, limit, excess, sigma, idle=trace)
            # Held well below the baseline: a stroke never goes there, so the baseline was wrong
            # (taken while the tool was pressed, or the zero stepped down); no need to wait long.
            r_low, low = self._still(base + i, limit, excess, sigma, idle=trace, below=True)
            if r_low >= 0 and (r < 0 or r_low < r):
                r, level = r_low, low
            if r >= 0:
                self._tracker.commit(trace, r)
                self._tracker.set_baseline(level)
                self.counters["baseline_steps"] += 1
                self._on_run = 0
                return i + r + 1
        if c < 0:
            self._tracker.commit(trace, seg.size - 1)
            self._on_run = run.at(-1)
            return i + seg.size
        self._tracker.commit(trace, c)
        self._begin(
            base + i + c, float(trace.baseline_before_n[c]), float(f_on[c]), float(sigma[c])
        )
        return i + c + 1

    def _idle_end(self, y: np.ndarray, i: int) -> int:
        """Where the idle piece from ``i`` should end: a little after the first sample at which
        a stroke could begin, or the end of ``y``.

        The baseline only ever moves towards the samples it learns from, so before sample ``j``
        it is at least the lowest of the baseline now and the samples up to ``j``; a stroke
        cannot begin where the force is not ``f_on_floor_n`` above that. Short stretches (the
        live blocks) are taken whole: the bound would cost more than it saves.
        """
        if y.size - i <= _IDLE_SPAN:
            return y.size
        rest = y[i : i + _LOOK_SPAN]
        lowest = np.minimum.accumulate(rest)
        np.minimum(lowest, self._tracker.baseline_n, out=lowest)
        lowest += self.settings.f_on_floor_n
        j = _first(rest > lowest)
        return i + rest.size if j < 0 else min(y.size, i + j + 2 * self._on_n)

    def _begin(self, confirm: int, baseline_n: float, f_on_n: float, sigma_n: float) -> None:
        s = self.settings
        onset = confirm - self._on_n + 1
        if self._pending is not None:
            # The next stroke began before the rest after the last one was seen.
            self._settle_pending(onset - 1, final=True)
        core_lo = onset - self._delay
        peak = float(np.max(self._hist.window(max(onset, self._hist.oldest), confirm, _Y)))
        first_check = self._split_n if s.valley_fallback else self._max_stroke_n
        self._open = _Open(
            onset=onset,
            core_lo=core_lo,
            baseline_n=baseline_n,
            f_on_n=f_on_n,
            sigma_n=sigma_n,
            peak_n=peak - baseline_n,
            next_check=core_lo + first_check,
        )
        self._state = _STROKE
        self._off_run = 0

    def _in_stroke(self, y: np.ndarray, base: int, i: int) -> int:
        s = self.settings
        o = self._open
        assert o is not None
        seg = y[i : i + _LOOK_SPAN]
        excess = seg - o.baseline_n
        run = _Runs(excess < s.f_off_ratio * o.f_on_n, self._off_run)
        e = run.reaching(self._off_n)
        check = o.next_check - (base + i)
        check = -1 if o.overlong or check >= seg.size else max(check, 0)
        limit = min(v for v in (e, check, seg.size) if v >= 0)
        if self._hold_n:
            latest = None if o.overlong else o.onset + self._step_rise_n
            r, level = self._still(base + i, limit, excess, o.sigma_n, starts=(o.onset, latest))
            if r >= 0:
                # A still load, not a stroke: it becomes the baseline; the "stroke" is discarded.
                self._tracker.set_baseline(level)
                self.counters["baseline_steps"] += 1
                self.counters["dropped_held"] += 1
                self._open = None
                self._state = _IDLE
                self._on_run = 0
                self._lo_limit = base + i + r - self._hold_n + 1
                self._lo_hard = False
                return i + r + 1
        upto = limit if limit < seg.size else seg.size - 1
        o.peak_n = max(o.peak_n, float(np.max(excess[: upto + 1])))
        if check >= 0 and (e < 0 or check < e):
            self._off_run = run.at(check)
            self._length_check(base + i + check)
            return i + check + 1
        if e < 0:
            self._off_run = run.at(-1)
            return i + seg.size
        off_start = base + i + e - self._off_n + 1
        o.off_start = off_start
        o.tail_level_n = max(s.boundary_fraction * o.peak_n, 3.0 * o.sigma_n)
        self._state = _ENDING
        self._on_run = self._tail_run = 0
        return i + e + 1

    def _ending(self, y: np.ndarray, base: int, i: int) -> int:
        o = self._open
        assert o is not None
        # The force usually settles within a few tens of milliseconds: look that far first.
        seg = y[i : i + _ENDING_SPAN]
        excess = seg - o.baseline_n
        on_run = _Runs(excess > o.f_on_n, self._on_run)
        c = on_run.reaching(self._on_n)
        tail_run = _Runs(excess <= o.tail_level_n, self._tail_run)
        merge_last = o.off_start + self._refractory_n - 1  # last on-run start that merges
        earliest = max(o.off_start + self._off_n, merge_last + self._on_n - 1)
        cap = o.off_start + max(self._tail_max_n, self._refractory_n + self._on_n)
        # Settled: held near zero long enough, not before ``earliest``; or waited until ``cap``.
        f = tail_run.reaching(self._tail_hold_n, start=max(0, earliest - (base + i)))
        cap_at = max(0, cap - (base + i))
        if cap_at < seg.size and (f < 0 or cap_at < f):
            f = cap_at
        if c >= 0 and (f < 0 or c <= f):
            run_start = base + i + c - self._on_n + 1
            if run_start <= merge_last:
                # Back up within the refractory time: the same stroke goes on.
                o.peak_n = max(o.peak_n, float(np.max(excess[: c + 1])))
                o.off_start = -1
                self._state = _STROKE
                self._off_run = 0
                return i + c + 1
            # A new stroke before the force settled: cut at the valley between the two.
            valley_y = self._hist.window(o.off_start, run_start, _Y)
            cut = o.off_start + int(np.argmin(valley_y)) - self._delay
            self._finish(cut, o.off_start - self._delay)
            self._lo_limit = max(self._lo_limit, cut + 1)
            self._begin(base + i + c, o.baseline_n, o.f_on_n, o.sigma_n)
            return i + c + 1
        if f >= 0:
            self._finish(base + i + f, o.off_start - self._delay)
            self._open = None
            self._state = _IDLE
            self._on_run = 0
            return i + f + 1
        self._on_run = on_run.at(-1)
        self._tail_run = tail_run.at(-1)
        return i + seg.size

    def _still(
        self,
        start: int,
        limit: int,
        excess: np.ndarray,
        sigma: np.ndarray | float,
        idle: BaselineTrace | None = None,
        starts: tuple[int, int | None] = (0, None),
        below: bool = False,
    ) -> tuple[int, float]:
        """First check sample (relative, < ``limit``) at which the force has been held still.

        Still: the filtered force stayed within ``rebaseline_band_n`` + 4 ``sigma`` for
        ``rebaseline_hold_ms``, in a window that starts between ``starts`` (absolute samples;
        None: no limit). While idle (``idle`` is the baseline trace of the piece, ``sigma`` its
        noise per sample) it must also sit away from the baseline by at least the tracker's gate
        (else the tracker follows it anyway). ``below`` (idle only): held below the baseline, for
        the shorter ``_BELOW_HOLD_S``. Returns the sample and the held level.
        """
        s = self.settings
        step = self._still_step_n
        hold = self._below_hold_n if below else self._hold_n
        # Check samples are the multiples of ``step`` whose window lies in the allowed stretch.
        lowest = max(start, max(self._seg_start, starts[0]) + hold - 1)
        highest = start + limit - 1
        if starts[1] is not None:
            highest = min(highest, starts[1] + hold - 1)
        first = -(-lowest // step) * step
        if first > highest:
            return -1, 0.0
        rel = np.arange(first - start, highest - start + 1, step)
        if idle is not None:
            # While idle, far enough from the baseline first: this rules out nearly every sample.
            sigma_at = np.asarray(sigma)[rel]
            band_at = s.rebaseline_band_n + _STILL_BAND_SIGMAS * sigma_at
            gate_at = s.baseline_gate_sigmas * sigma_at + s.baseline_gate_n
            off = -excess[rel] if below else np.abs(excess[rel])
            away = off >= gate_at - band_at
            if not away.any():
                return -1, 0.0
            rel, band_at = rel[away], band_at[away]
        else:
            band_at = np.full(rel.size, s.rebaseline_band_n + _STILL_BAND_SIGMAS * sigma)
        # ... and the two ends of the window within the band.
        ends = self._hist.at(start + rel - hold + 1, _Y)
        cand = np.abs(self._hist.at(start + rel, _Y) - ends) <= band_at
        for r, b in zip(rel[cand].tolist(), band_at[cand].tolist(), strict=True):
            window = self._hist.window(start + r - hold + 1, start + r, _Y)
            if float(np.ptp(window)) > b:
                continue
            level = math.fsum(window) / window.size
            if idle is not None:
                sigma_r = float(np.asarray(sigma)[r])
                gate = s.baseline_gate_sigmas * sigma_r + s.baseline_gate_n
                off_r = float(idle.baseline_before_n[r]) - level
                if (off_r if below else abs(off_r)) < gate:
                    continue
            return r, level
        return -1, 0.0

    # -- long strokes --------------------------------------------------------------------------
    def _length_check(self, at: int) -> None:
        o = self._open
        assert o is not None
        s = self.settings
        if s.valley_fallback and self._valley_split(at):
            o.next_check = o.core_lo + self._split_n
            return
        if at >= o.core_lo + self._max_stroke_n:
            o.overlong = True
            return
        if s.valley_fallback:
            o.next_check = min(at + self._retry_n, o.core_lo + self._max_stroke_n)
        else:
            o.next_check = o.core_lo + self._max_stroke_n

    def _valley_split(self, at: int) -> bool:
        """Emit the complete pieces of an open stroke, cut at force valleys; True if any."""
        o = self._open
        assert o is not None
        s = self.settings
        lo = self._window_lo(o.core_lo, at)
        force = self._hist.window(lo, at, _X) - o.baseline_n
        smooth = self._lp.zero_phase(force)
        first = min(max(o.core_lo - lo, 0), smooth.size - 1)
        part = smooth[first:]
        peak = float(np.max(part))
        if not peak > 0:
            return False
        valleys = find_peaks(
            -part, prominence=s.valley_prominence_ratio * peak, distance=self._valley_dist_n
        )
        if valleys.size == 0:
            return False
        self.counters["valley_splits"] += int(valleys.size)
        core_lo = o.core_lo
        for v in (lo + first + valleys).tolist():
            piece_lo = max(self._window_lo(core_lo, v), lo)
            self._emit(piece_lo, v, core_lo, v, o.baseline_n, smooth[piece_lo - lo : v - lo + 1])
            self._lo_limit, self._lo_hard = v + 1, False
            core_lo = v + 1
        o.core_lo = core_lo
        o.onset = max(o.onset, core_lo)
        rest = self._hist.window(min(core_lo, at), at, _Y)
        o.peak_n = float(np.max(rest)) - o.baseline_n
        return True

    # -- boundaries ----------------------------------------------------------------------------
    def _window_lo(self, core_lo: int, hi: int) -> int:
        return max(
            self._lo_limit, core_lo - self._lookback_n, hi - self._window_n + 1, self._hist.oldest
        )

    def _finish(self, hi: int, core_hi: int) -> None:
        """The open stroke is complete up to sample ``hi``: emit it (or count why not)."""
        o = self._open
        assert o is not None
        if o.overlong:
            self.counters["dropped_overlong"] += 1
            self._lo_limit, self._lo_hard = hi + 1, False
            return
        lo = self._window_lo(o.core_lo, hi)
        # Emitted once the rest after it is seen (``_settle_pending``). Until then nothing reads
        # ``_lo_limit``: the next stroke's ``_begin`` settles this one first.
        self._pending = _Pending(
            lo=lo,
            hi=hi,
            core_lo=o.core_lo,
            core_hi=core_hi,
            baseline_n=o.baseline_n,
            hard_lo=self._lo_hard and lo == self._lo_limit,
            trend_n=max(_REST_TREND_N, _REST_TREND_SIGMAS * o.sigma_n),
            band_n=max(_REST_TREND_N, _REST_BAND_SIGMAS * o.sigma_n),
            limit_n=o.tail_level_n,
            last_end=hi + self._rest_wait_n,
            next_end=hi,
        )
        self._lo_limit, self._lo_hard = hi + 1, False

    def _settle_pending(self, upto: int, *, final: bool) -> None:
        """Look for the rest after the settled stroke in the filtered force up to sample
        ``upto``; emit the stroke once it is found, or when it can no longer be (``final``: the
        next stroke began or the data ended or broke off; or ``_REST_WAIT_S`` has passed).

        At rest: the first window ``_REST_S`` long, ending at or after the sample the stroke
        settled at, in which the filtered force has no trend (``trend_n``) and no bump
        (``band_n``); its median is the baseline after the stroke, unless it lies further than
        ``limit_n`` from the onset's (a load, not drift). Every window end is looked at, so
        where the blocks end never matters.
        """
        p = self._pending
        if p is None:
            return
        stop = min(upto, p.last_end)
        rest: tuple[int, int, float] | None = None
        if stop >= p.next_end:
            h = self._rest_n // 2
            r = 2 * h
            # Every window's sums from one running sum that starts at the same sample whatever
            # the blocks were: the same windows pass, live or offline.
            a = max(p.hi - r + 1, self._hist.oldest)
            first = max(p.next_end, a + r - 1)
            if first <= stop:
                y = self._hist.window(a, stop, _Y)
                c = np.concatenate(([0.0], np.cumsum(y)))
                ends = np.arange(first - a + 1, stop - a + 2)  # one past each window's end
                trend = np.abs(c[ends] - 2.0 * c[ends - h] + c[ends - r])
                for j in _flat_ends(y, ends[trend <= p.trend_n * h], r, p.band_n):
                    window = y[j - r : j]
                    # The later half: the last of a slow tail is in the earlier one.
                    level = median(window[h:])
                    k = a + j - 1  # the window's last sample
                    if abs(level - p.baseline_n) <= p.limit_n:
                        # the raw samples' time of the level (the filtered force lags them)
                        rest = (k, k - (h - 1) // 2 - self._delay, level)
                    else:
                        stop = k  # a held load: no rest to measure drift by
                        final = True
                    break
            p.next_end = stop + 1
        if rest is None and not final and stop < p.last_end:
            return  # look again in the next samples
        self._pending = None
        end = self._emit(
            p.lo, p.hi, p.core_lo, p.core_hi, p.baseline_n, None, hard_lo=p.hard_lo, rest=rest
        )
        self._lo_limit = max(self._lo_limit, (end if end is not None else p.hi) + 1)

    def _emit(
        self,
        lo: int,
        hi: int,
        core_lo: int,
        core_hi: int,
        baseline_n: float,
        smooth: np.ndarray | None,
        *,
        hard_lo: bool | None = None,
        rest: tuple[int, int, float] | None = None,
    ) -> int | None:
        """Refine one stroke's boundaries in samples ``lo..hi``; emit it; return its last sample.

        ``hard_lo``: the window begins where the data does (default: worked out now). ``rest``:
        the last sample of the rest window after the stroke and its level (``_settle_pending``);
        the end is then the crossing above a baseline drawn straight from ``baseline_n`` at the
        start to that level at the rest, the way force plates take out drift over an event.
        """
        s = self.settings
        if hi <= lo:
            self.counters["dropped_short"] += 1
            return None
        force = self._hist.window(lo, hi, _X) - baseline_n
        through_rest: tuple[np.ndarray, np.ndarray] | None = None
        if smooth is None and rest is not None:
            # One zero-phase pass through the rest serves the stroke and its end over the drift
            # (two passes cost 0.4 s of 1.2 s segmenting an hour at 1 kHz). The stroke's part
            # differs from a pass over the stroke alone only where the backward pass starts,
            # beyond the stroke, and by 1e-10 of it by the stroke's start.
            ext = self._hist.window(lo, max(hi, rest[0]), _X) - baseline_n
            through_rest = (ext, self._lp.zero_phase(ext))
            smooth = through_rest[1][: force.size]
        elif smooth is None:
            smooth = self._lp.zero_phase(force)
        n = smooth.size
        cl = min(max(core_lo - lo, 0), n - 1)
        ch = min(max(core_hi - lo, cl), n - 1)
        peak = float(np.max(smooth[cl : ch + 1]))
        if not peak > 0:
            self.counters["dropped_short"] += 1
            return None
        threshold = s.boundary_fraction * peak
        above = (smooth > threshold).tobytes()  # searched in C (module notes on ``_Runs``)
        b = above.rfind(b"\x01", cl, ch + 1)  # the contact's last sample above the level
        first = _rise_start(above, cl, ch + 1)
        assert first is not None  # the peak itself is above its own fraction
        last = _fall_end(above, b)
        t = self._hist.window(lo, hi, _T)
        # The start, from the onset's baseline alone: the live start walks back the same way.
        start_s = _crossing(t, smooth, first - 1, threshold) if first > 0 else float(t[0])
        if rest is not None:
            ended = self._end_over_drift(
                lo, hi, cl, ch, baseline_n, threshold, start_s, rest, through_rest
            )
            if ended is not None and ended[3] >= first:
                t, force, smooth, last = ended
                n = smooth.size
        if hard_lo is None:
            hard_lo = self._lo_hard and lo == self._lo_limit
        if first == 0 and hard_lo:
            self.counters["dropped_incomplete"] += 1  # already in contact when data began
            return lo + last
        end_s = _crossing(t, smooth, last, threshold) if last < n - 1 else float(t[last])
        if (end_s - start_s) * 1000.0 < s.min_stroke_ms:
            self.counters["dropped_short"] += 1
            return lo + last
        if (end_s - start_s) * 1000.0 > s.max_stroke_ms:
            self.counters["dropped_overlong"] += 1
            return lo + last
        self._index += 1
        self.counters["strokes"] += 1
        self._out.append(
            Stroke(
                index=self._index,
                start_s=start_s,
                end_s=end_s,
                t_s=t[first : last + 1].copy(),
                force_n=force[first : last + 1].copy(),
                angle_deg=self._hist.window(lo + first, lo + last, _A).copy(),
                baseline_n=baseline_n,
                cop_x_mm=self._hist.window(lo + first, lo + last, _CX).copy()
                if self._has_cop
                else None,
                cop_y_mm=self._hist.window(lo + first, lo + last, _CY).copy()
                if self._has_cop
                else None,
            )
        )
        return lo + last

    def _end_over_drift(
        self,
        lo: int,
        hi: int,
        cl: int,
        ch: int,
        baseline_n: float,
        threshold: float,
        start_s: float,
        rest: tuple[int, int, float],
        through_rest: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int] | None:
        """The stroke's end above a baseline that drifts linearly from ``baseline_n`` at
        ``start_s`` to the rest's level at the rest (``_emit``), over the samples ``lo`` to the
        rest: their times, force over the onset's baseline, drift-free zero-phase force, and the
        last sample of the stroke. None when the stroke's end cannot be found that way.

        A slow stroke's tail crosses 5 % of its peak gently (a few N/s), so a tenth of a newton
        of drift between its onset and its end moves that crossing by tens of milliseconds."""
        k, mid, level = rest
        hi2 = max(hi, k)
        t = self._hist.window(lo, hi2, _T)
        if through_rest is None:
            force = self._hist.window(lo, hi2, _X) - baseline_n
            zero = self._lp.zero_phase(force)
        else:  # already through the rest (``_emit``)
            force, zero = through_rest
        at = min(max(mid - lo, 0), t.size - 1)
        span = float(t[at]) - start_s
        if not span > 0:
            return None
        ramp = (level - baseline_n) * np.clip((t - start_s) / span, 0.0, 1.0)
        smooth = zero - ramp
        above = (smooth > threshold).tobytes()
        b = above.rfind(b"\x01", cl, ch + 1)
        if b < 0:
            return None
        return t, force, smooth, _fall_end(above, b)


def _rise_start(above: bytes, contact: int, end: int) -> int | None:
    """First sample of the run above the boundary level that the contact's first sample above it
    (before ``end``) belongs to: the walk back from the contact to where the stroke rose through
    the level. Shared by the finished stroke and the live start, so the two cannot disagree.
    ``above`` is the mask's bytes (1: above). None: nothing above."""
    a = above.find(b"\x01", contact, end)
    if a < 0:
        return None
    return above.rfind(b"\x00", 0, a) + 1  # 0 when it was above from the first sample


def _fall_end(above: bytes, b: int) -> int:
    """Last sample of the run above the level that sample ``b`` (above it) belongs to."""
    fall = above.find(b"\x00", b + 1)
    return fall - 1 if fall >= 0 else len(above) - 1


def _crossing(t: np.ndarray, f: np.ndarray, k: int, level: float) -> float:
    """Time at which ``f`` crosses ``level`` between samples ``k`` and ``k + 1``."""
    f0, f1 = float(f[k]), float(f[k + 1])
    frac = (level - f0) / (f1 - f0) if f1 != f0 else 0.5
    return float(t[k] + frac * (t[k + 1] - t[k]))


def _window_stats(
    y: np.ndarray, rate: float, x: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Mean and SD of ``y`` in every window a still stretch long, and the SD of ``x - y`` there
    (the raw force's fast part: the sensor's noise where the tool rests), when ``x`` is given."""
    m = min(y.size, max(_START_STILL_MIN_SAMPLES, round(_START_STILL_S * rate)))

    def rolling(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ref = float(np.median(v))  # sums of the deviations keep the precision
        d = v - ref
        c1 = np.concatenate(([0.0], np.cumsum(d)))
        c2 = np.concatenate(([0.0], np.cumsum(d * d)))
        mean = (c1[m:] - c1[:-m]) / m
        var = np.maximum((c2[m:] - c2[:-m]) / m - mean * mean, 0.0)
        return mean + ref, np.sqrt(var)

    mean, sd = rolling(y)
    return mean, sd, None if x is None else rolling(x - y)[1]


def _quietest_sd(y: np.ndarray, rate: float) -> float:
    """The SD of the quietest stretch of ``y``: the sensor's noise, if the tool rested at all."""
    return float(np.min(_window_stats(y, rate)[1]))


def _still_start(
    x: np.ndarray, y: np.ndarray, lp: LowPass, floor_n: float
) -> tuple[int, float, float] | None:
    """The first still stretch of the force (``x`` raw, ``y`` through ``lp``): its first sample,
    and the mean and SD of ``y`` there. None if there is none.

    Still: ``y`` varies no more than the sensor's noise explains (3 x its SD through the filter,
    the noise measured as the SD of ``x - y`` in the same stretch, where a resting tool leaves
    only noise and a moving one a smooth lag), or ``_START_STILL_SD_N``. A stroke's slow, steady
    part or its last tail moves more than that. The stretch must also lie within ``floor_n`` of
    the force's low quantile: a steady press is no baseline.
    """
    mean, sd, sd_fast = _window_stats(y, lp.rate_hz, x)
    assert sd_fast is not None
    impulse = np.zeros(max(64, round(20.0 * lp.rate_hz / lp.cutoff_hz)))
    impulse[0] = 1.0
    response = sosfilt_rows(lp.sos, impulse[None, :], np.zeros((len(lp.sos), 1, 2)))
    gain = float(np.sqrt(np.sum(response**2)))
    # the fast part holds the share of the noise the filter stops
    noise = sd_fast / math.sqrt(max(1.0 - gain * gain, 1e-6))
    ok = sd <= np.maximum(_START_STILL_SD_N, 3.0 * gain * noise)
    ok &= mean <= float(np.quantile(y, _START_LOW_QUANTILE)) + floor_n
    k = _first(ok)
    return None if k < 0 else (k, float(mean[k]), float(sd[k]))
