"""A simulated instrumented IASTM tool: a person's strokes, seen through an imperfect sensor.

The simulator stands in for the hardware wherever there is none: the demo, the shipped exercises'
synthetic references, and the tests of segmentation and scoring. It produces what a real tool
would send, ITP/1 bytes, so that simulated data always go through the real parser and link; the
same samples are also available as arrays, with the ground truth of every stroke (where it starts
and ends, its peak), so that tests can check what the trainer finds against what happened.

What it models, and why:
- the person: strokes drawn from ``devices.sim.stroke_models`` (type and skill), with lifts between;
- the sensor: a load cell that was not zeroed (tare offset), slow drift, Gaussian noise, an angle
  sensor with noise, a force plate's centre of pressure whose error grows as the load falls, an
  ADC that averages over its sample period (so a 10 Hz device does not alias the 8-12 Hz tremor
  into slow waves), a force range past which it reports overload;
- the firmware: sequence numbers and a microsecond clock that wrap as ITP/1 says, and the
  commands ``INFO``, ``TARE``, ``RATE <hz>``, ``START``, ``STOP``.

Seeded and deterministic: the same settings and seed give the same bytes, however the stream is
cut into chunks. Streaming keeps only the strokes around the current time, so a device may run
for a whole working day with constant memory.

A force plate is the same simulator with the channels ``force_n,cop_x_mm,cop_y_mm``
(``PLATE_CHANNELS``): the person's strokes then also move over the plate (each stroke type's path
from ``devices.sim.stroke_models``), and the ground truth gains each stroke's true path.

The plate's centre of pressure (CoP) is a moment over a force, so its error is the moment's noise
over the load: ``cop_noise_mm * COP_NOISE_REF_N / F`` (0.2 mm at 5 N, 1 mm at 1 N). Below
``COP_MIN_LOAD_N`` (1 N) of load the simulator sends what an unloaded plate computes: the ratio of
two noises, the moments' over the force's, about the plate's centre: a Cauchy-like scatter of tens
to thousands of millimetres (kept within ``COP_WILD_MM``). That was chosen over a quiet value at
the centre because a real plate does this, and a host that forgets to mask the CoP at low load
must show garbage, not a plausible path; and over a smooth blend from the path into the noise
because with a clean switch the CoP of a loaded plate has exactly the documented error, which
tests can check.

This module must never touch a port, a file or the wall clock (``devices.sim.protocol_sim`` paces
it), and never import Qt, ``trainer`` or ``ui``.
"""

from __future__ import annotations

import collections
import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from devices.protocols.itp import encode_info_line, encode_message_line, encode_sample_line
from devices.samples import DeviceError
from devices.sim.stroke_models import (
    MIN_GAP_S,
    PLATE_MM,
    SKILLS,
    STROKE_TYPES,
    DrawnStroke,
    SkillModel,
    StrokeModel,
    Tremor,
    draw_path,
    draw_stroke,
    draw_tremor,
    plate_lanes,
)

DEVICE_NAME = "iastm-sim"
FIRMWARE = "1.0.0"
MIN_RATE_HZ = 10.0
MAX_RATE_HZ = 2000.0
#: Channels the simulated tool can measure (names from the ITP/1 channel table).
SUPPORTED_CHANNELS: tuple[str, ...] = (
    "force_n",
    "angle_deg",
    "shear_n",
    "speed_mm_s",
    "roll_deg",
    "cop_x_mm",
    "cop_y_mm",
)
#: What a force plate sends: the vertical force and the centre of pressure, no tool angle.
PLATE_CHANNELS: tuple[str, ...] = ("force_n", "cop_x_mm", "cop_y_mm")
_COP_CHANNELS = ("cop_x_mm", "cop_y_mm")
#: The load at which the CoP's noise is ``cop_noise_mm`` (N); it grows as 1 / load below it.
COP_NOISE_REF_N = 5.0
#: Below this load (N) the plate's CoP is the ratio of noises, not a position.
COP_MIN_LOAD_N = 1.0
#: The load a plate needs for its CoP to be shown (N): ``StrokeTruth.loaded_path`` covers where the
#: hand loads the plate this much (the middle of the 1 to 2 N below which the literature masks).
PATH_TRUTH_LOAD_N = 1.5
#: An unloaded plate's CoP is clipped to this far from the centre (mm): as far as it prints.
COP_WILD_MM = 5000.0
#: Decimals the firmware prints per channel (finer than each sensor's noise).
_DECIMALS: dict[str, int] = {
    "force_n": 3,
    "shear_n": 3,
    "angle_deg": 2,
    "roll_deg": 2,
    "speed_mm_s": 1,
    "cop_x_mm": 2,
    "cop_y_mm": 2,
}
_OVERLOAD_LINE = encode_message_line("OVERLOAD force_n")
#: Resolution at which the ADC's averaging over one sample period is computed.
_INNER_RATE_HZ = 1000.0
#: Resolution of the ground truth (5 % crossings are interpolated between these steps).
_TRUTH_STEP_S = 0.0005
#: How far the tool tilts up while it is lifted and carried back between strokes.
_LIFT_TILT_DEG = 10.0
#: A live session's simulated person rests this long after power-up before the first stroke, as a
#: trainee waits for the tare: the host's start-up tare needs 2 s still, and a tare asked for
#: just after connecting (the T key) another 2 s from whenever it is pressed.
LIVE_REST_S = 6.0
#: A person who waits for the session (``wait_for_start``) begins this long after ``START``: a
#: trainee who pressed Space takes a moment to put the tool on the skin.
START_REST_S = 2.5
#: Ground truth kept while streaming: the latest strokes only.
_STREAM_TRUTH_KEPT = 100
_SEQ_MOD = 1 << 16
_T_US_MOD = 1 << 32


@dataclass(frozen=True)
class PathTruth:
    """Where one stroke's centre of pressure really went, measured as ``trainer.strokes.path``
    measures a recorded one, on the exact path.

    ``path_length_mm`` along the CoP's way; ``direction_deg`` of the chord from first to last
    point (0 = +x, 90 = +y, along the fibres; None where the chord is under 2 mm, as on a scan
    that comes back to where it began); ``straightness`` the chord over the length;
    ``speed_mm_s`` the length over the time; ``turn_deg`` how far the direction of travel turns,
    anticlockwise positive (a fan's arc, a J-stroke's hook, a sweep's drift), leaving out a
    scan's about-turn at its far end; ``heading_deg`` the direction the stroke set off in and
    ``start_x_mm``/``start_y_mm`` where, on the plate.
    """

    path_length_mm: float
    direction_deg: float | None
    straightness: float | None
    speed_mm_s: float | None
    turn_deg: float
    heading_deg: float
    start_x_mm: float
    start_y_mm: float


@dataclass(frozen=True)
class StrokeTruth:
    """What really happened in one simulated stroke (the hand's force, before the sensor).

    ``start_s``/``end_s`` are where the force crosses 5 % of the stroke's peak, around the peak:
    the boundaries the trainer's segmenter is specified to find. ``contact_start_s`` and
    ``contact_end_s`` are first and last contact (force above zero).

    ``path`` is the stroke's true path on a force plate over the same ``start_s`` to ``end_s``;
    ``loaded_path`` the part of it where the hand's load is at least ``PATH_TRUTH_LOAD_N``, which
    is all a plate that masks its CoP at low load can show: a light stroke's ends, or a fan's
    long tapering tail, fall below it (a fan's arc reads about 5 degrees and 10 mm less there).
    """

    index: int
    start_s: float
    end_s: float
    contact_start_s: float
    contact_end_s: float
    peak_force_n: float
    peak_s: float
    mean_angle_deg: float
    path: PathTruth | None = None
    loaded_path: PathTruth | None = None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def _truth_of(stroke: DrawnStroke, index: int) -> StrokeTruth:
    n = max(math.ceil(stroke.duration_s / _TRUTH_STEP_S), 8) + 1
    t = np.linspace(stroke.start_s, stroke.end_s, n)
    f = stroke.force_n(t)
    i_peak = int(np.argmax(f))
    peak = float(f[i_peak])
    level = 0.05 * peak
    below = f < level
    left = np.flatnonzero(below[:i_peak])
    right = np.flatnonzero(below[i_peak:])
    i0 = int(left[-1]) if left.size else 0  # last sample below, before the peak
    i1 = i_peak + int(right[0]) if right.size else n - 1  # first sample below, after the peak

    def cross(a: int, b: int) -> float:
        if f[b] == f[a]:
            return float(t[a])
        return float(t[a] + (level - f[a]) * (t[b] - t[a]) / (f[b] - f[a]))

    start = cross(i0, i0 + 1) if left.size else float(t[0])
    end = cross(i1 - 1, i1) if right.size else float(t[-1])
    inside = (t >= start) & (t <= end)
    heavy = np.flatnonzero(f >= PATH_TRUTH_LOAD_N)
    loaded = t[heavy[0] : heavy[-1] + 1] if heavy.size >= 2 else t[:0]
    return StrokeTruth(
        index=index,
        start_s=start,
        end_s=end,
        contact_start_s=stroke.start_s,
        contact_end_s=stroke.end_s,
        peak_force_n=peak,
        peak_s=float(t[i_peak]),
        mean_angle_deg=float(np.mean(stroke.angle_deg(t[inside]))),
        path=_path_truth(stroke, t[inside]),
        loaded_path=_path_truth(stroke, loaded),
    )


def _path_truth(stroke: DrawnStroke, t: np.ndarray) -> PathTruth | None:
    """The true path features of a stroke over the times ``t`` (finely spaced)."""
    path = stroke.path
    if path is None or t.size < 2:
        return None
    x, y = stroke.cop_mm(t)
    length = float(np.sum(np.hypot(np.diff(x), np.diff(y))))
    dx, dy = float(x[-1] - x[0]), float(y[-1] - y[0])
    chord = math.hypot(dx, dy)
    r = path.leg_fraction((t[[0, -1]] - stroke.start_s) / stroke.duration_s)
    turn = path.heading_rad(r)
    elapsed = float(t[-1] - t[0])
    return PathTruth(
        path_length_mm=length,
        direction_deg=math.degrees(math.atan2(dy, dx)) if chord >= 2.0 else None,
        straightness=min(1.0, chord / length) if length > 0 else None,
        speed_mm_s=length / elapsed if elapsed > 0 else None,
        turn_deg=math.degrees(float(turn[1] - turn[0])),
        heading_deg=path.heading_deg,
        start_x_mm=path.start_x_mm,
        start_y_mm=path.start_y_mm,
    )


class _Timeline:
    """The person's strokes around the current time: planned ahead, forgotten behind.

    Keeps at most a few ``DrawnStroke`` objects, whatever the session length.
    """

    def __init__(
        self,
        model: StrokeModel,
        skill: SkillModel,
        rng: np.random.Generator,
        tremor: Tremor,
        lead_in_s: float,
        max_strokes: int | None,
        truth_kept: int | None,
        path_rng: np.random.Generator | None,
    ) -> None:
        self._model = model
        self._skill = skill
        self._rng = rng
        # Paths draw from a generator of their own: the strokes' force and angle are the same
        # with or without a plate. Without one (None) the strokes have no path.
        self._path_rng = path_rng
        self._lanes = plate_lanes(model.path)
        self.tremor = tremor
        self._next_start_s = lead_in_s
        self._last_start_s = -math.inf
        self._max_strokes = max_strokes
        #: The person holds the tool still, off the skin, until ``release`` (a session starting).
        self.held = False
        self.planned = 0
        self.window: collections.deque[DrawnStroke] = collections.deque()
        self.truths: collections.deque[StrokeTruth] = collections.deque(maxlen=truth_kept)

    def _plan_one(self) -> bool:
        if self._max_strokes is not None and self.planned >= self._max_strokes:
            return False
        stroke = draw_stroke(self._model, self._skill, self._rng, self._next_start_s, self.tremor)
        if self._path_rng is not None:
            place = self._lanes[self.planned % len(self._lanes)]
            path = draw_path(self._model, self._skill, self._path_rng, place)
            stroke = dataclasses.replace(stroke, path=path)
        self.planned += 1
        self.window.append(stroke)
        self.truths.append(_truth_of(stroke, self.planned))
        self._last_start_s = stroke.start_s
        self._next_start_s = stroke.end_s + stroke.gap_s
        return True

    def plan_all(self) -> None:
        """Plan every stroke up front (offline use with a stroke count)."""
        while self._plan_one():
            pass

    def cover(self, t_min_s: float, t_max_s: float) -> None:
        """Make the window hold every stroke that touches ``[t_min_s, t_max_s]``, the one before
        and the one after (the angle while lifted moves between them); forget older ones.

        Planning always runs one stroke ahead of ``t_max_s`` so that a sample's value never
        depends on how the stream was cut into chunks."""
        if self.held:
            self._forget_before(t_min_s)
            return
        while self._last_start_s <= t_max_s and self._plan_one():
            self._forget_before(t_min_s)
        self._forget_before(t_min_s)

    def _forget_before(self, t_s: float) -> None:
        while len(self.window) >= 2 and self.window[1].end_s < t_s:
            self.window.popleft()

    def release(self, t_s: float, rest_s: float) -> None:
        """A held person starts: the first stroke ``rest_s`` after ``t_s``."""
        if self.held:
            self.held = False
            self._next_start_s = max(self._next_start_s, t_s + rest_s)

    def jump_to(self, t_s: float) -> None:
        """Time passed unobserved (streaming stopped, output blocked): the person paused."""
        self._forget_before(t_s)
        if self.window and self.window[-1].end_s < t_s:
            self.window.clear()
        if self._next_start_s < t_s + MIN_GAP_S:
            self._next_start_s = t_s + MIN_GAP_S

    # -- the hand, at given (sorted) times -------------------------------------------------------
    # Each stroke is evaluated on its own slice of the times only, so an offline session of
    # thousands of strokes costs the same per sample as a short one.
    def force_n(self, t_s: np.ndarray) -> np.ndarray:
        out = np.zeros_like(t_s)
        for s in self.window:
            i0, i1 = np.searchsorted(t_s, (s.start_s, s.end_s), side="left")
            if i1 > i0:
                out[i0:i1] = s.force_n(t_s[i0:i1])
        return out

    def speed_mm_s(self, t_s: np.ndarray) -> np.ndarray:
        out = np.zeros_like(t_s)
        for s in self.window:
            i0, i1 = np.searchsorted(t_s, (s.start_s, s.end_s), side="left")
            if i1 > i0:
                out[i0:i1] = s.speed_mm_s(t_s[i0:i1])
        return out

    def cop_moments(self, t_s: np.ndarray, force_n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The hand's moments about the plate's centre (force times CoP, N mm): 0 off contact.

        Moments, not positions, are what a plate's cells add up, and what its ADC averages over
        a sample period; the CoP is their ratio to the force."""
        mx, my = np.zeros_like(t_s), np.zeros_like(t_s)
        for s in self.window:
            i0, i1 = np.searchsorted(t_s, (s.start_s, s.end_s), side="left")
            if i1 > i0:
                x, y = s.cop_mm(t_s[i0:i1])
                mx[i0:i1] = force_n[i0:i1] * x
                my[i0:i1] = force_n[i0:i1] * y
        return mx, my

    def angle_deg(self, t_s: np.ndarray) -> np.ndarray:
        """Angle in contact from the stroke; while lifted, a smooth carry from the last stroke's
        end angle to the next one's start angle with a small tilt up; tremor throughout."""
        strokes = list(self.window)
        out = np.full_like(t_s, self._model.angle_deg)
        if strokes:
            out[: np.searchsorted(t_s, strokes[0].start_s, side="left")] = strokes[
                0
            ].first_angle_deg
        for i, s in enumerate(strokes):
            last = i + 1 == len(strokes)
            if last:
                gap_end, a_next = s.end_s + s.gap_s, s.last_angle_deg
            else:
                gap_end, a_next = strokes[i + 1].start_s, strokes[i + 1].first_angle_deg
            i0 = np.searchsorted(t_s, s.start_s, side="left")
            i1 = np.searchsorted(t_s, s.end_s, side="right")
            i2 = np.searchsorted(t_s, gap_end, side="left")
            if i1 > i0:
                out[i0:i1] = s.angle_deg(t_s[i0:i1])
            if i2 > i1:
                v = (t_s[i1:i2] - s.end_s) / (gap_end - s.end_s)
                carry = v * v * (3.0 - 2.0 * v)
                lift = _LIFT_TILT_DEG * np.sin(np.pi * v) ** 2
                out[i1:i2] = s.last_angle_deg + (a_next - s.last_angle_deg) * carry + lift
            if last:
                out[i2:] = a_next
        return out + self.tremor.angle_offset_deg(t_s)


def _check_rate(rate_hz: float) -> float:
    rate = float(rate_hz)
    if not (MIN_RATE_HZ <= rate <= MAX_RATE_HZ) or not math.isfinite(rate):
        raise DeviceError(
            f"simulator rate {rate_hz!r} Hz is outside {MIN_RATE_HZ:g} to {MAX_RATE_HZ:g} Hz"
        )
    return rate


class _Stream:
    """One run of the device from power-up: its clock, counters, tare and the person's timeline."""

    def __init__(
        self,
        sim: StrokeSimulator,
        max_strokes: int | None,
        truth_kept: int | None,
        lead_in_s: float,
    ):
        # spawn(4)'s first three are spawn(3)'s: the tool's samples are as they were before the
        # plate's paths got their own generator
        seeds = np.random.SeedSequence(sim.seed).spawn(4)
        person_rng, noise_rng, session_rng, path_rng = (np.random.default_rng(s) for s in seeds)
        self.sim = sim
        self.tremor = draw_tremor(sim.skill_model, session_rng)
        self.roll_phase = float(session_rng.uniform(0.0, 2.0 * np.pi))
        self.noise_rng = noise_rng
        self.timeline = _Timeline(
            sim.stroke_model,
            sim.skill_model,
            person_rng,
            self.tremor,
            lead_in_s,
            max_strokes,
            truth_kept,
            path_rng if sim.plate else None,
        )
        self.timeline.held = sim.wait_for_start and max_strokes is None
        self.rate_hz = sim.rate_hz
        self.base_t_s = 0.0  # time of sample k = 0 at the current rate
        self.k = 0  # samples taken since the last rate change
        self.t_s = 0.0  # the device's time: every sample before it has been taken
        self.seq = 0
        self.zero_n = 0.0  # subtracted from force by the firmware after TARE
        self.streaming = True
        self.overloaded = False
        self.pending = bytearray(encode_info_line(sim.info(self.rate_hz, self.zero_n)))

    # -- sampling ----------------------------------------------------------------------------------
    def _advance(self, duration_s: float) -> tuple[int, int]:
        """Move the device's time on; the sample numbers (since the last rate change) it passed."""
        t_end = self.t_s + max(float(duration_s), 0.0)
        k_end = max(math.ceil((t_end - self.base_t_s) * self.rate_hz - 1e-9), self.k)
        k0, self.k, self.t_s = self.k, k_end, t_end
        return k0, k_end

    def _sample_times(self, duration_s: float) -> np.ndarray:
        k0, k1 = self._advance(duration_s)
        return self.base_t_s + np.arange(k0, k1, dtype=np.float64) / self.rate_hz

    def _hand(self, t_s: np.ndarray) -> dict[str, np.ndarray]:
        """What the sensors see, averaged over each sample period as an integrating ADC does."""
        m = max(1, math.ceil(_INNER_RATE_HZ / self.rate_hz - 1e-9))
        tt = t_s
        if m > 1:
            offsets = ((np.arange(m) + 0.5) / m - 0.5) / self.rate_hz
            tt = (t_s[:, None] + offsets[None, :]).ravel()
        self.timeline.cover(float(tt[0]), float(tt[-1]))
        wanted = set(self.sim.channels)
        hand: dict[str, np.ndarray] = {"force_n": self.timeline.force_n(tt)}
        if "angle_deg" in wanted:
            hand["angle_deg"] = self.timeline.angle_deg(tt)
        if "speed_mm_s" in wanted:
            hand["speed_mm_s"] = self.timeline.speed_mm_s(tt)
        if "roll_deg" in wanted:
            hand["roll_deg"] = 3.0 * np.sin(2.0 * np.pi * 0.05 * tt + self.roll_phase)
        if wanted.intersection(_COP_CHANNELS):
            hand["moment_x"], hand["moment_y"] = self.timeline.cop_moments(tt, hand["force_n"])
        if m > 1:
            hand = {k: v.reshape(-1, m).mean(axis=1) for k, v in hand.items()}
        if "moment_x" in hand:
            with np.errstate(divide="ignore", invalid="ignore"):
                f = hand["force_n"]
                hand["cop_x_mm"] = np.where(f > 0, hand.pop("moment_x") / f, 0.0)
                hand["cop_y_mm"] = np.where(f > 0, hand.pop("moment_y") / f, 0.0)
        return hand

    def raw_force_n(self, t_s: np.ndarray, hand_force_n: np.ndarray) -> np.ndarray:
        """The load cell's reading before noise and the firmware's tare."""
        return hand_force_n + self.sim.tare_offset_n + self.sim.drift_n_per_s * t_s

    def take(self, duration_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sample the next ``duration_s``: times, values (a column per channel), overload flags."""
        t = self._sample_times(duration_s)
        n_ch = len(self.sim.channels)
        if t.size == 0:
            return t, np.empty((0, n_ch)), np.zeros(0, dtype=bool)
        sim = self.sim
        hand = self._hand(t)
        # One draw more per sample for a plate (its force noise, under the CoP of an unloaded
        # plate), taken with the others so that the samples do not depend on the chunking.
        noise = self.noise_rng.standard_normal((t.size, n_ch + int(sim.plate)))
        values = np.empty((t.size, n_ch))
        over = np.zeros(t.size, dtype=bool)
        for j, name in enumerate(sim.channels):
            if name == "force_n":
                raw = self.raw_force_n(t, hand["force_n"]) + sim.noise_n * noise[:, j]
                over = np.abs(raw) > sim.force_range_n
                values[:, j] = np.clip(raw, -sim.force_range_n, sim.force_range_n) - self.zero_n
            elif name == "shear_n":
                shear = sim.stroke_model.friction * hand["force_n"]
                values[:, j] = shear + sim.noise_n * noise[:, j]
            elif name == "angle_deg":
                values[:, j] = hand["angle_deg"] + sim.angle_noise_deg * noise[:, j]
            elif name == "roll_deg":
                values[:, j] = hand["roll_deg"] + sim.angle_noise_deg * noise[:, j]
            elif name in _COP_CHANNELS:
                values[:, j] = self._cop(hand["force_n"], hand[name], noise[:, j], noise[:, -1])
            else:  # speed_mm_s: integrated from an IMU, so noisy and never below zero
                values[:, j] = np.abs(hand["speed_mm_s"] + 2.0 * noise[:, j])
        return t, values, over

    def _cop(
        self, force_n: np.ndarray, cop_mm: np.ndarray, noise: np.ndarray, force_noise: np.ndarray
    ) -> np.ndarray:
        """One CoP coordinate as the plate computes it (see the module's docstring)."""
        sim = self.sim
        moment_sd = sim.cop_noise_mm * COP_NOISE_REF_N  # N mm
        loaded = force_n >= COP_MIN_LOAD_N
        good = cop_mm + moment_sd * noise / np.maximum(force_n, COP_MIN_LOAD_N)
        # unloaded: the moments' noise over the force's, never exactly zero
        denominator = force_n + max(sim.noise_n, 0.001) * force_noise
        denominator = np.where(np.abs(denominator) < 1e-9, 1e-9, denominator)
        wild = np.clip(moment_sd * noise / denominator, -COP_WILD_MM, COP_WILD_MM)
        return np.where(loaded, good, wild)

    def skip(self, duration_s: float, lost: bool) -> int:
        """Let time pass without sending; returns the samples taken but never sent."""
        k0, k1 = self._advance(duration_s)  # no arrays: a skip may span hours
        self.timeline.jump_to(self.t_s)
        if lost:
            self.seq = (self.seq + k1 - k0) % _SEQ_MOD
            return k1 - k0
        return 0

    def encode(self, t_s: np.ndarray, values: np.ndarray, over: np.ndarray) -> bytes:
        t_us = (self.sim.clock_start_us + np.round(t_s * 1e6).astype(np.int64)) % _T_US_MOD
        out = bytearray(self.pending)
        self.pending.clear()
        printed = np.empty_like(values)
        for j, name in enumerate(self.sim.channels):
            printed[:, j] = np.round(values[:, j], _DECIMALS[name])
        rows = printed.tolist()
        t_list = t_us.tolist()
        seq = self.seq
        was_over = self.overloaded
        for i, row in enumerate(rows):
            if over[i] and not was_over:
                out += _OVERLOAD_LINE
            was_over = bool(over[i])
            out += encode_sample_line(seq, t_list[i], row)
            seq = (seq + 1) % _SEQ_MOD
        self.seq = seq
        self.overloaded = was_over
        return bytes(out)

    # -- commands ----------------------------------------------------------------------------------
    def command(self, line: str) -> bytes:
        words = line.strip().split()
        if not words:
            return b""
        verb = words[0].upper()
        if verb == "INFO" and len(words) == 1:
            pass
        elif verb == "TARE" and len(words) == 1:
            # the firmware zeroes whatever the load cell reads now (pressing while taring zeroes
            # the press too, as on a real tool)
            now = np.array([self.t_s])
            self.timeline.cover(self.t_s, self.t_s)
            self.zero_n = float(self.raw_force_n(now, self.timeline.force_n(now))[0])
        elif verb == "RATE":
            try:
                rate = _check_rate(float(words[1])) if len(words) == 2 else None
            except (ValueError, DeviceError):
                rate = None
            if rate is None:
                return b"!ERR bad rate\n"
            # the next sample at the old rate becomes the first one at the new rate
            self.base_t_s = self.base_t_s + self.k / self.rate_hz
            self.k = 0
            self.rate_hz = rate
        elif verb == "START" and len(words) == 1:
            self.streaming = True
            # A person waiting for the session begins once the host starts it.
            self.timeline.release(self.t_s, START_REST_S)
        elif verb == "STOP" and len(words) == 1:
            self.streaming = False
        else:
            return b"!ERR unknown command\n"
        return encode_info_line(self.sim.info(self.rate_hz, self.zero_n, self.streaming))


class StrokeSimulator:
    """A simulated tool held by a simulated person.

    ``stroke_type`` and ``skill`` are names from ``STROKE_TYPES`` and ``SKILLS`` or models of
    your own. ``tare_offset_n`` is the load cell's offset at power-up (drawn from the seed, 0.5 to
    3 N, when ``None``); ``drift_n_per_s`` its slow drift; ``noise_n`` and ``angle_noise_deg`` the
    sensors' Gaussian noise (SD per sample); ``cop_noise_mm`` a force plate's CoP noise at
    ``COP_NOISE_REF_N`` of load (it grows as the load falls). ``lead_in_s`` is the idle time
    before the first stroke of ``generate_strokes`` (the host's tare needs about 2 s unloaded);
    ``rest_s`` the same for a live session (streaming, and ``generate``, which is its offline
    twin), long enough that a tare asked for right after connecting finds the tool still;
    ``tail_s`` the idle time that ends ``generate_strokes``. ``clock_start_us`` is the device
    clock at the first sample.
    ``wait_for_start``: streaming, the person rests (tool still, off the skin) until the host sends
    ``START``, then strokes from ``START_REST_S`` after it: a trainee connects, tares, and only
    then begins, so the application can be tried the way it is meant to be used.

    Offline, ``generate``/``generate_strokes`` each simulate a fresh session from power-up and set
    ``truth``/``strokes``. Streaming, ``next_chunk`` continues one session for as long as wanted.
    """

    def __init__(
        self,
        stroke_type: str | StrokeModel = "sweep",
        skill: str | SkillModel = "expert",
        seed: int = 0,
        rate_hz: float = 1000.0,
        channels: Sequence[str] = ("force_n", "angle_deg"),
        tare_offset_n: float | None = None,
        drift_n_per_s: float = 0.001,
        noise_n: float = 0.03,
        angle_noise_deg: float = 0.2,
        lead_in_s: float = 2.0,
        tail_s: float = 2.0,
        rest_s: float = LIVE_REST_S,
        clock_start_us: int = 1_500_000,
        force_range_n: float = 200.0,
        wait_for_start: bool = False,
        cop_noise_mm: float = 0.2,
    ) -> None:
        self.stroke_model = self._pick(stroke_type, STROKE_TYPES, StrokeModel, "stroke type")
        self.skill_model = self._pick(skill, SKILLS, SkillModel, "skill")
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise DeviceError(f"simulator seed {seed!r} must be a whole number, 0 or more")
        self.seed = int(seed)
        self.rate_hz = _check_rate(rate_hz)
        self.channels = tuple(channels)
        unknown = [c for c in self.channels if c not in SUPPORTED_CHANNELS]
        if unknown or not self.channels or len(set(self.channels)) != len(self.channels):
            raise DeviceError(
                f"simulator channels {','.join(self.channels)!r}: use distinct names from "
                f"{', '.join(SUPPORTED_CHANNELS)}"
            )
        if tare_offset_n is None:
            seq = np.random.SeedSequence([self.seed, 7])
            tare_offset_n = float(np.random.default_rng(seq).uniform(0.5, 3.0))
        self.tare_offset_n = float(tare_offset_n)
        self.drift_n_per_s = float(drift_n_per_s)
        for name, value in (
            ("noise_n", noise_n),
            ("angle_noise_deg", angle_noise_deg),
            ("cop_noise_mm", cop_noise_mm),
        ):
            if not value >= 0.0:
                raise DeviceError(f"simulator {name} {value!r} must be 0 or more")
        self.noise_n = float(noise_n)
        self.angle_noise_deg = float(angle_noise_deg)
        self.cop_noise_mm = float(cop_noise_mm)
        self.lead_in_s = float(lead_in_s)
        self.rest_s = float(rest_s)
        for name, value in (("lead_in_s", self.lead_in_s), ("rest_s", self.rest_s)):
            if not (value >= 0.0 and math.isfinite(value)):
                raise DeviceError(f"simulator {name} {value!r} must be 0 or more")
        self.tail_s = float(tail_s)
        self.clock_start_us = int(clock_start_us) % _T_US_MOD
        self.force_range_n = float(force_range_n)
        self.wait_for_start = bool(wait_for_start)
        self.truth: list[tuple[float, float]] = []
        self.strokes: list[StrokeTruth] = []
        self._stream = _Stream(self, None, _STREAM_TRUTH_KEPT, self.rest_s)

    @staticmethod
    def _pick(value, registry: dict, kind: type, what: str):
        if isinstance(value, kind):
            return value
        try:
            return registry[value]
        except (KeyError, TypeError):
            raise DeviceError(
                f"unknown simulator {what} {value!r} (use {', '.join(registry)})"
            ) from None

    @property
    def plate(self) -> bool:
        """A force plate: it sends a centre of pressure, and its strokes go somewhere on it."""
        return any(c in _COP_CHANNELS for c in self.channels)

    # -- description -------------------------------------------------------------------------------
    def info(
        self, rate_hz: float | None = None, tare_n: float = 0.0, streaming: bool = True
    ) -> dict:
        """The device's info line as a dict (what ``INFO`` answers)."""
        rate = self.rate_hz if rate_hz is None else rate_hz
        info = {
            "proto": "ITP/1",
            "device": DEVICE_NAME,
            "fw": FIRMWARE,
            "serial": f"SIM-{self.seed}",
            "rate_hz": int(rate) if float(rate).is_integer() else rate,
            "channels": list(self.channels),
            "stroke": self.stroke_model.name,
            "skill": self.skill_model.name,
            "tare_n": round(tare_n, 4),
            "streaming": streaming,
        }
        if self.plate:
            info["plate_mm"] = list(PLATE_MM)  # the plate's size, centred at 0, 0
        return info

    # -- offline -----------------------------------------------------------------------------------
    def generate(self, seconds: float) -> tuple[np.ndarray, np.ndarray]:
        """``seconds`` of a fresh session: ``round(seconds * rate_hz)`` samples from t = 0.

        ``truth``/``strokes`` are set to the strokes that end within the data.
        """
        stream = _Stream(self, None, None, self.rest_s)
        n = round(float(seconds) * self.rate_hz)
        t, values, _ = stream.take(n / self.rate_hz)
        self._keep_truth(stream, float(t[-1]) if t.size else 0.0)
        return t, values

    def generate_strokes(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """A fresh session: ``lead_in_s`` idle, ``n`` strokes with their lifts, ``tail_s`` idle."""
        if n < 0:
            raise ValueError("the number of strokes cannot be negative")
        stream = _Stream(self, n, None, self.lead_in_s)
        stream.timeline.plan_all()
        last = stream.timeline.truths[-1].contact_end_s if n else self.lead_in_s
        t, values, _ = stream.take(last + self.tail_s)
        self._keep_truth(stream, float(t[-1]) if t.size else 0.0)
        return t, values

    def _keep_truth(self, stream: _Stream, t_last_s: float) -> None:
        self.strokes = [s for s in stream.timeline.truths if s.contact_end_s <= t_last_s]
        self.truth = [(s.start_s, s.end_s) for s in self.strokes]

    def itp_bytes(self, t_s: np.ndarray, values: np.ndarray) -> bytes:
        """Samples as the device sends them from power-up: the info line, then one line each."""
        values = np.asarray(values, dtype=np.float64)
        over = np.zeros(len(values), dtype=bool)
        if "force_n" in self.channels:  # a fresh session has no tare: clipped means overloaded
            over = np.abs(values[:, self.channels.index("force_n")]) >= self.force_range_n
        return _Stream(self, 0, 0, self.lead_in_s).encode(
            np.asarray(t_s, dtype=np.float64), values, over
        )

    # -- streaming ---------------------------------------------------------------------------------
    @property
    def stream_time_s(self) -> float:
        """How far the streaming session has run, on its own time axis."""
        return self._stream.t_s

    @property
    def streaming(self) -> bool:
        """False after ``STOP``: time goes on, nothing is sent."""
        return self._stream.streaming

    @property
    def stream_rate_hz(self) -> float:
        """The streaming rate (``RATE`` changes it; ``rate_hz`` stays the configured one)."""
        return self._stream.rate_hz

    @property
    def stream_truth(self) -> list[StrokeTruth]:
        """Ground truth of the latest strokes of the streaming session (bounded; some may lie
        ahead of ``stream_time_s``: the person plans a stroke before it starts)."""
        return list(self._stream.timeline.truths)

    def next_samples(self, duration_s: float) -> tuple[np.ndarray, np.ndarray]:
        """The next ``duration_s`` of the streaming session as arrays (empty while stopped)."""
        t, values, _ = self._take(duration_s)
        return t, values

    def next_chunk(self, duration_s: float) -> bytes:
        """The next ``duration_s`` of the streaming session as the bytes the device sends.

        The first chunk starts with the power-up info line.
        """
        t, values, over = self._take(duration_s)
        return self._stream.encode(t, values, over)

    def _take(self, duration_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        stream = self._stream
        if not stream.streaming:
            stream.skip(duration_s, lost=False)
            return np.empty(0), np.empty((0, len(self.channels))), np.zeros(0, dtype=bool)
        return stream.take(duration_s)

    def skip(self, duration_s: float) -> int:
        """Time passes while the device cannot send (its output is blocked): the samples are
        taken and numbered but dropped, as a real device's would be. Returns how many."""
        if not self._stream.streaming:
            self._stream.skip(duration_s, lost=False)
            return 0
        return self._stream.skip(duration_s, lost=True)

    def command(self, line: str | bytes) -> bytes:
        """Handle one host command line; returns the device's answer (an info or ``!ERR`` line)."""
        if isinstance(line, bytes | bytearray):
            line = bytes(line).decode("ascii", errors="replace")
        return self._stream.command(line)

    def info_line(self) -> bytes:
        """The info line the device would send now, without changing anything."""
        s = self._stream
        return encode_info_line(self.info(s.rate_hz, s.zero_n, s.streaming))

    def restart(self) -> None:
        """Power the device off and on: a fresh session, clock and counters from zero."""
        self._stream = _Stream(self, None, _STREAM_TRUTH_KEPT, self.rest_s)


def register() -> None:
    """Make ``sim://`` URLs work in ``serial.serial_for_url`` (idempotent)."""
    import serial

    if "devices.sim" not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append("devices.sim")


__all__ = [
    "COP_MIN_LOAD_N",
    "COP_NOISE_REF_N",
    "DEVICE_NAME",
    "FIRMWARE",
    "LIVE_REST_S",
    "MAX_RATE_HZ",
    "MIN_RATE_HZ",
    "PATH_TRUTH_LOAD_N",
    "PLATE_CHANNELS",
    "START_REST_S",
    "SUPPORTED_CHANNELS",
    "PathTruth",
    "StrokeSimulator",
    "StrokeTruth",
    "register",
]
