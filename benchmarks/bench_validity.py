"""Can the score be trusted to grade with? Strokes of known deviation, scored the way a user does.

A generator of its own (apart from the simulator's stroke models, so that the scorer is not
checked against the assumptions it was tuned on) draws strokes of a chosen shape (a plateau with
sin^2 flanks, a sin^2 hump or a skewed hump) for three groups:

- an expert population with natural variability (about 10 % in peak force, duration and the
  timing of the peak, 2 degrees in angle), whose recording builds the exercise through the real
  builder (``build_exercise``);
- held-out trainee strokes with known deviations of graded size from the experts' mean stroke,
  five steps each way (0 to 5): force scale 1 +- 0.1k (0.5x to 1.5x: steps equal in newtons
  each way, as the score's force error is, scoring.md section 3), angle offset +-4k degrees (0 to
  20), duration 2^(+-k/5) (0.5x to 2x) and all three at once; held-out expert-like strokes from
  the same population (not in the envelope); and far-off strokes (3x or 0.4x force, 30 degrees
  off, 3x or 0.35x duration, a double hump, all at once).

Each group is written as one whole recording (``write_recording``: strokes apart by rest, a
load-cell offset, baseline drift, white noise and mains hum) at three rates (1 kHz, 80 Hz and an
irregular ~200 Hz with jittered sample times, whose file states no rate), read back
(``read_recording``) and scored by the offline path (``score_recording``), so segmentation is part
of what is measured. Found strokes are matched to the true ones by overlap in time. A true stroke
starts and ends where its noiseless force crosses 5 % of its peak (the segmenter's definition).

Printed per rate, with the targets:
- strokes found / true (missed and extra);
- Spearman's rank correlation between the true size of the deviation and the points lost (100 -
  score), within each family and overall: target at least 0.95. A stroke's true deviation is how
  far its drawn peak force, mean angle and ln(duration) lie from the mean of the expert strokes
  that built the envelope, each in those experts' own SD, combined as the root sum of squares:
  the one scale on which a force, an angle and a tempo fault can be ranked together, measured
  against the experts the trainee is compared with (15 strokes' SDs differ from the population's
  by about a fifth either way);
- the lowest score of an expert-like stroke against the pass mark: every one must pass. An
  expert-like stroke is drawn from the experts' population and lies within 2 of the envelope
  experts' SDs on every feature (``LIKE_SDS``); the draws beyond that are printed apart;
- the highest score of a far-off stroke: every one must fail;
- boundary errors against the truth (start and end, median and largest, ms): target within 20 ms
  at 1 kHz.
Every misjudged expert-like or far-off stroke is listed with its sub-scores and explanation;
``--verbose`` lists every stroke. Exit status is 0 whatever the figures.

Run: python benchmarks/bench_validity.py [--seed 1] [--shape skewed] [--experts 15] [--verbose]
     [--duration-ratio 1.5]

``--duration-ratio`` scores with an exercise whose duration tolerance an instructor has set
(``scoring.tolerances.duration_ratio``; the design's 1.5 by default).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from trainer.library.draft import ExerciseDraft, build_exercise
from trainer.library.exercise import Exercise
from trainer.offline.analysis import score_recording, strokes_of_recordings
from trainer.recordings.reader import read_recording
from trainer.recordings.writer import write_recording
from trainer.scoring.scorer import StrokeScore
from trainer.scoring.tolerances import ScoringTolerances

#: Targets.
SPEARMAN_TARGET = 0.95
BOUNDARY_TARGET_MS = 20.0
#: The segmenter's stroke boundary: the run above this fraction of the stroke's peak.
BOUNDARY_FRACTION = 0.05

#: The experts' mean stroke and their natural variability (relative SD unless in degrees).
PEAK_N = 8.0
DURATION_S = 0.9
ANGLE_DEG = 40.0
ANGLE_TILT_DEG = 4.0  # the angle rises this much over a stroke
PEAK_SD_FRAC = 0.10
DURATION_SD_FRAC = 0.10
TIMING_SD_FRAC = 0.10
ANGLE_SD_DEG = 2.0
TILT_SD_DEG = 1.0
#: Held-out graded strokes carry this share of the experts' variability (a steady trainee).
TRAINEE_SPREAD = 0.25
#: Graded deviations: STEPS steps each way; the largest is 2x (or 0.5x) and 20 degrees.
STEPS = 5
ANGLE_STEP_DEG = 4.0
#: A force step: 10 % of the experts' mean peak force, up or down (equal in newtons either way).
FORCE_STEP = 0.1
EXPERT_LIKE = 12
#: An expert-like stroke varies as much as the envelope's experts do: every feature within this
#: many of their SDs of their mean (the design's inner tolerance; 95 % of the experts). Drawn from
#: the same population, some land further out than the 15 experts that built the envelope
#: (whose SDs are a fifth smaller or larger than the population's): those are reported apart,
#: at "the experts' edge", with no target: a stroke 3 of the experts' SDs too light throughout
#: is outside their band and told so, and whether it passes depends on the stroke's shape.
LIKE_SDS = 2.0
EDGE = "experts' edge"

#: Recording: rest before the first stroke (the start-up tare needs 2 s), between and after.
LEAD_IN_S = 4.0
REST_S = (1.2, 2.2)
TAIL_S = 2.0
REST_ANGLE_DEG = 65.0  # the tool's angle in the hand between strokes
ANGLE_BLEND_S = 0.2  # the angle turns to and from the stroke's over this time, off the skin

SHAPES = ("plateau", "sin2", "skewed")
#: Nominal timing of each shape: the rise's share of the stroke, or where the peak sits.
NOMINAL_TIMING = {"plateau": 0.25, "sin2": 0.45, "skewed": 0.40}

FAMILIES = ("force", "angle", "tempo", "combined")


@dataclass(frozen=True)
class StrokeSpec:
    """One stroke to draw, and what is known about it."""

    group: str  # "expert", "expert-like", EDGE, "far-off" or a family of FAMILIES
    label: str
    size: float  # the deviation's nominal size (its true size: ``true_deviation``)
    step: int  # the step of a graded deviation (0 to STEPS)
    shape: str
    peak_n: float
    duration_s: float
    timing: float
    angle_offset_deg: float
    tilt_deg: float


@dataclass
class Truth:
    spec: StrokeSpec
    start_s: float
    end_s: float
    #: The stroke's mean angle as drawn, off the experts' nominal one: its offset plus the hand's
    #: slow wander over the stroke's time (noise left out). The score sees this angle, so the
    #: yardstick takes it, not the offset asked for: the wander moves it by up to 1.5 degrees,
    #: as much as the smallest combined step.
    angle_drawn_deg: float


# -- shapes ----------------------------------------------------------------------------------------
def shape_curve(shape: str, u: np.ndarray, timing: float) -> np.ndarray:
    """A force shape on the stroke's own time u in [0, 1], 0 at both ends, peak 1."""
    u = np.clip(u, 0.0, 1.0)
    if shape == "plateau":  # sin^2 rise over ``timing`` of the stroke, flat top, sin^2 fall
        rise = np.sin(0.5 * np.pi * np.clip(u / timing, 0.0, 1.0)) ** 2
        fall = np.sin(0.5 * np.pi * np.clip((1.0 - u) / 0.2, 0.0, 1.0)) ** 2
        return rise * fall
    if shape == "sin2":  # sin^2 hump on a time warp that puts its peak at ``timing``
        v = u ** (math.log(0.5) / math.log(timing))
        return np.sin(np.pi * v) ** 2
    if shape == "skewed":  # u^a (1-u)^b with its peak at a / (a + b) = ``timing``
        a, b = 5.0 * timing, 5.0 * (1.0 - timing)
        return (u**a * (1.0 - u) ** b) / (timing**a * (1.0 - timing) ** b)
    raise ValueError(shape)


def _double_hump(u: np.ndarray) -> np.ndarray:
    """A sin^2 hump with a dip in the middle (a far-off shape), not yet scaled to peak 1."""
    u = np.clip(u, 0.0, 1.0)
    return np.sin(np.pi * u) ** 2 * (1.0 - 0.75 * np.exp(-(((u - 0.5) / 0.1) ** 2)))


_GRID = np.linspace(0.0, 1.0, 20001)
_DOUBLE_MAX = float(np.max(_double_hump(_GRID)))


def force_shape(spec: StrokeSpec, u: np.ndarray) -> np.ndarray:
    """The stroke's force shape (peak 1) at its own times u in [0, 1]."""
    if spec.shape == "double":
        return _double_hump(u) / _DOUBLE_MAX
    return shape_curve(spec.shape, u, spec.timing)


def boundary_fracs(spec: StrokeSpec) -> tuple[float, float]:
    """Where the noiseless force first and last reaches 5 % of its peak, as shares of the stroke."""
    above = np.flatnonzero(force_shape(spec, _GRID) >= BOUNDARY_FRACTION)
    return float(_GRID[above[0]]), float(_GRID[above[-1]])


# -- the population and the held-out strokes ------------------------------------------------------
def mean_stroke(shape: str, group: str, label: str, size: float = 0.0, step: int = 0) -> StrokeSpec:
    return StrokeSpec(
        group, label, size, step, shape, PEAK_N, DURATION_S, NOMINAL_TIMING[shape], 0.0, 0.0
    )


def true_deviation(stroke: Truth, experts: list[Truth]) -> float:
    """How far a drawn stroke lies from the experts who built the envelope, in their own SDs: peak
    force, mean angle as drawn and ln(duration), as the root sum of squares."""
    z2 = 0.0
    for value in (
        lambda e: e.spec.peak_n,
        lambda e: e.angle_drawn_deg,
        lambda e: math.log(e.spec.duration_s),
    ):
        pool = np.array([value(e) for e in experts])
        z2 += ((value(stroke) - pool.mean()) / pool.std(ddof=1)) ** 2
    return math.sqrt(z2)


def beyond_the_experts(stroke: Truth, experts: list[Truth]) -> float:
    """How far, in the envelope experts' own SDs, the stroke's furthest feature lies from their
    mean: peak force, mean angle as drawn, ln(duration) and the timing of the peak."""
    worst = 0.0
    for value in (
        lambda e: e.spec.peak_n,
        lambda e: e.angle_drawn_deg,
        lambda e: math.log(e.spec.duration_s),
        lambda e: e.spec.timing,
    ):
        pool = np.array([value(e) for e in experts])
        worst = max(worst, abs(value(stroke) - pool.mean()) / pool.std(ddof=1))
    return worst


def varied(spec: StrokeSpec, rng: np.random.Generator, spread: float = 1.0) -> StrokeSpec:
    """``spec`` with the experts' natural variability (times ``spread``)."""
    z = rng.standard_normal(5).clip(-2.5, 2.5) * spread
    timing = spec.timing * (1.0 + TIMING_SD_FRAC * z[2])
    return replace(
        spec,
        peak_n=spec.peak_n * (1.0 + PEAK_SD_FRAC * z[0]),
        duration_s=spec.duration_s * (1.0 + DURATION_SD_FRAC * z[1]),
        timing=float(np.clip(timing, 0.1, 0.9)),
        angle_offset_deg=spec.angle_offset_deg + ANGLE_SD_DEG * z[3],
        tilt_deg=spec.tilt_deg + TILT_SD_DEG * z[4],
    )


def expert_strokes(shape: str, n: int, rng: np.random.Generator) -> list[StrokeSpec]:
    return [varied(mean_stroke(shape, "expert", f"expert {i + 1}"), rng) for i in range(n)]


def held_out_strokes(shape: str, rng: np.random.Generator) -> list[StrokeSpec]:
    """Graded deviations, expert-like strokes and far-off strokes, in a shuffled order."""
    out: list[StrokeSpec] = []
    for family in FAMILIES:
        out.append(varied(mean_stroke(shape, family, f"{family} none"), rng, TRAINEE_SPREAD))
        for k in range(1, STEPS + 1):
            for sign in (-1, 1):
                s = varied(mean_stroke(shape, family, "", step=k), rng, TRAINEE_SPREAD)
                factor = 2.0 ** (sign * k / STEPS)
                if family == "force":
                    scale = 1.0 + sign * FORCE_STEP * k
                    s = replace(s, peak_n=s.peak_n * scale, size=abs(scale - 1.0))
                    s = replace(s, label=f"force x{scale:.2f}")
                elif family == "angle":
                    off = sign * ANGLE_STEP_DEG * k
                    s = replace(s, angle_offset_deg=s.angle_offset_deg + off, size=abs(off))
                    s = replace(s, label=f"angle {off:+.0f} deg")
                elif family == "tempo":
                    s = replace(s, duration_s=s.duration_s * factor, size=abs(math.log(factor)))
                    s = replace(s, label=f"tempo x{factor:.2f}")
                else:
                    signs = rng.choice([-1, 1], size=3)
                    f_force = 1.0 + signs[0] * FORCE_STEP * k / 2
                    off = signs[1] * ANGLE_STEP_DEG * k / 2
                    f_tempo = 2.0 ** (signs[2] * k / STEPS / 2)
                    s = replace(
                        s,
                        peak_n=s.peak_n * f_force,
                        angle_offset_deg=s.angle_offset_deg + off,
                        duration_s=s.duration_s * f_tempo,
                        size=float(k),
                        label=f"force x{f_force:.2f} angle {off:+.0f} tempo x{f_tempo:.2f}",
                    )
                out.append(s)
    for i in range(EXPERT_LIKE):
        out.append(varied(mean_stroke(shape, "expert-like", f"expert-like {i + 1}"), rng))
    far = mean_stroke(shape, "far-off", "")
    out += [
        replace(far, label="force x3", peak_n=3.0 * PEAK_N),
        replace(far, label="force x0.4", peak_n=0.4 * PEAK_N),
        replace(far, label="angle +30 deg", angle_offset_deg=30.0),
        replace(far, label="angle -30 deg", angle_offset_deg=-30.0),
        replace(far, label="tempo x3", duration_s=3.0 * DURATION_S),
        replace(far, label="tempo x0.35", duration_s=0.35 * DURATION_S),
        replace(far, label="double hump, angle +12 deg", shape="double", angle_offset_deg=12.0),
        replace(
            far,
            label="force x1.8 angle -15 tempo x1.8",
            peak_n=1.8 * PEAK_N,
            angle_offset_deg=-15.0,
            duration_s=1.8 * DURATION_S,
        ),
        replace(
            far,
            label="force x0.55 angle +15 tempo x0.6",
            peak_n=0.55 * PEAK_N,
            angle_offset_deg=15.0,
            duration_s=0.6 * DURATION_S,
        ),
    ]
    order = rng.permutation(len(out))
    return [out[i] for i in order]


# -- recordings ------------------------------------------------------------------------------------
RATES: dict[str, Callable[[float, np.random.Generator], np.ndarray]] = {
    "1 kHz": lambda total_s, rng: np.arange(0.0, total_s, 1e-3),
    "80 Hz": lambda total_s, rng: np.arange(0.0, total_s, 1.0 / 80.0),
    "~200 Hz irregular": lambda total_s, rng: np.concatenate(
        [[0.0], np.cumsum(0.005 * rng.uniform(0.5, 1.5, int(total_s / 0.005)))]
    ),
}
STATED_RATE_HZ = {"1 kHz": 1000.0, "80 Hz": 80.0, "~200 Hz irregular": None}


def hand_wander_deg(t_s: np.ndarray) -> np.ndarray:
    """The hand's slow drift of the tool's angle, in and between strokes."""
    return 1.5 * np.sin(2.0 * math.pi * t_s / 7.0)


def write_strokes(
    path: Path, specs: list[StrokeSpec], rate: str, rng: np.random.Generator
) -> list[Truth]:
    """Write ``specs`` as one recording at ``rate``; the true boundaries of each stroke."""
    starts, t = [], LEAD_IN_S
    for spec in specs:
        starts.append(t)
        t += spec.duration_s + rng.uniform(*REST_S)
    total_s = t - REST_S[0] + TAIL_S
    t_s = RATES[rate](total_s, rng)
    t_s = t_s[t_s < total_s]
    n = t_s.size
    offset_n = rng.uniform(0.5, 2.0)
    phase = rng.uniform(0.0, 2.0 * math.pi)
    force = (
        offset_n
        + 0.3 * np.sin(2.0 * math.pi * t_s / 45.0 + phase)  # slow baseline drift
        + 0.15 * t_s / 60.0
        + 0.04 * rng.standard_normal(n)  # sensor noise
        + 0.03 * np.sin(2.0 * math.pi * 50.0 * t_s + phase)  # mains hum
    )
    angle = REST_ANGLE_DEG + hand_wander_deg(t_s) + 0.4 * rng.standard_normal(n)
    truths = []
    for spec, t0 in zip(specs, starts, strict=True):
        t1 = t0 + spec.duration_s
        inside = (t_s >= t0) & (t_s <= t1)
        u = (t_s[inside] - t0) / spec.duration_s
        force[inside] += spec.peak_n * force_shape(spec, u)
        # The angle turns from the hand's to the stroke's before contact, and back after it.
        lo, hi = t0 - ANGLE_BLEND_S - 0.05, t1 + ANGLE_BLEND_S + 0.05
        near = (t_s >= lo) & (t_s <= hi)
        tn = t_s[near]
        w = np.sin(0.5 * math.pi * np.clip(np.minimum(tn - lo, hi - tn) / ANGLE_BLEND_S, 0, 1)) ** 2
        un = np.clip((tn - t0) / spec.duration_s, 0.0, 1.0)
        stroke_angle = (
            ANGLE_DEG + spec.angle_offset_deg + (ANGLE_TILT_DEG + spec.tilt_deg) * (un - 0.5)
        )
        angle[near] = (1.0 - w) * angle[near] + w * (stroke_angle + (angle[near] - REST_ANGLE_DEG))
        a, b = boundary_fracs(spec)
        wander = float(hand_wander_deg(t0 + spec.duration_s * _GRID).mean())
        truths.append(
            Truth(
                spec,
                t0 + a * spec.duration_s,
                t0 + b * spec.duration_s,
                spec.angle_offset_deg + wander,
            )
        )
    metadata = {"note": "bench_validity synthetic strokes"}
    if STATED_RATE_HZ[rate]:
        metadata["rate_hz"] = STATED_RATE_HZ[rate]
    write_recording(path, t_s, np.column_stack([force, angle]), ("force_n", "angle_deg"), metadata)
    return truths


# -- matching and figures --------------------------------------------------------------------------
def match(truths: list[Truth], scores: list[StrokeScore]) -> dict[int, int]:
    """True stroke index -> found stroke index, one to one, by the largest overlap in time."""
    pairs = []
    for i, tr in enumerate(truths):
        for j, sc in enumerate(scores):
            overlap = min(tr.end_s, sc.end_s) - max(tr.start_s, sc.start_s)
            if overlap > 0:
                pairs.append((overlap, i, j))
    out: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in sorted(pairs, reverse=True):
        if i not in out and j not in used:
            out[i] = j
            used.add(j)
    return out


def spearman(sizes: list[float], lost: list[float]) -> float:
    if len(sizes) < 3 or len(set(lost)) < 2:
        return float("nan")
    return float(spearmanr(sizes, lost).statistic)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def describe(tr: Truth, sc: StrokeScore | None) -> str:
    """One stroke's score, sub-scores and explanation, from its JSON row."""
    if sc is None:
        return f"    {tr.spec.label}: not found"
    row = sc.as_json()  # the stable contract of docs/interfaces.md
    subs = " ".join(f"{k} {v:.0f}" for k, v in row["sub_scores"].items() if v is not None)
    verdict = "pass" if sc.passed else "fail"
    return f"    {tr.spec.label}: {row['score']:.1f} {verdict} ({subs}) - " + " ".join(
        row["explanation"]
    )


def exercise_from(path: Path, tolerances: ScoringTolerances) -> tuple[Exercise, int]:
    """The exercise built from an expert recording (as the ``envelope`` command builds it, with
    ``tolerances`` as an instructor may set them) and the number of expert strokes found in it."""
    draft = ExerciseDraft(
        id="validity", name="validity benchmark", synthetic=True, tolerances=tolerances
    )
    strokes = strokes_of_recordings([read_recording(path)], draft.detection)
    exercise, _ = build_exercise(draft, strokes, (str(path),))
    return exercise, len(strokes)


def run_rate(
    rate: str,
    shape: str,
    experts: int,
    seed: int,
    folder: Path,
    verbose: bool,
    tolerances: ScoringTolerances | None = None,
) -> dict[str, bool]:
    """Build, write, score and print the figures at one rate; the verdict of each target."""
    rng = np.random.default_rng(seed)
    expert_specs = expert_strokes(shape, experts, rng)
    held = held_out_strokes(shape, rng)
    expert_path = folder / f"experts-{len(rate)}.csv"
    held_path = folder / f"held-out-{len(rate)}.csv"
    expert_truths = write_strokes(expert_path, expert_specs, rate, rng)
    truths = [
        replace(tr, spec=replace(tr.spec, size=true_deviation(tr, expert_truths)))
        for tr in write_strokes(held_path, held, rate, rng)
    ]
    truths = [
        replace(tr, spec=replace(tr.spec, group=EDGE))
        if tr.spec.group == "expert-like" and beyond_the_experts(tr, expert_truths) > LIKE_SDS
        else tr
        for tr in truths
    ]
    exercise, n_expert = exercise_from(expert_path, tolerances or ScoringTolerances())
    loo_median = (exercise.calibration or {}).get("median")
    report = score_recording(read_recording(held_path), exercise)
    scores = report.scores
    found = match(truths, scores)
    print(f"\n== {rate} ({shape}) ==")
    loo = "none" if loo_median is None else f"{loo_median:.1f}"
    print(
        f"exercise from {n_expert} of {experts} expert strokes found; "
        f"leave-one-out median {loo}; pass mark {exercise.pass_mark:g}"
    )
    extra = len(scores) - len(found)
    print(
        f"strokes found / true: {len(found)} / {len(truths)} "
        f"({len(truths) - len(found)} missed, {extra} extra)"
    )
    results: dict[str, bool] = {
        "all strokes found, none extra": len(found) == len(truths) and not extra
    }

    print(f"rank agreement, Spearman rho(deviation size, 100 - score), target >= {SPEARMAN_TARGET}")
    all_sizes: list[float] = []
    all_lost: list[float] = []
    rhos = []
    for family in FAMILIES:
        rows = sorted(
            (tr.spec.step, tr.spec.size, scores[found[i]].score, tr.spec.label)
            for i, tr in enumerate(truths)
            if tr.spec.group == family and i in found
        )
        rho = spearman([r[1] for r in rows], [100.0 - r[2] for r in rows])
        rhos.append(rho)
        all_sizes += [r[1] for r in rows]
        all_lost += [100.0 - r[2] for r in rows]
        by_step = " | ".join(
            f"{k}: " + " ".join(f"{r[2]:.0f}" for r in rows if r[0] == k) for k in range(STEPS + 1)
        )
        print(f"  {family:9s} {rho:6.3f}   scores by step {by_step}")
    overall = spearman(all_sizes, all_lost)
    rhos.append(overall)
    print(f"  {'overall':9s} {overall:6.3f}")
    results[f"Spearman >= {SPEARMAN_TARGET} (each family and overall)"] = all(
        r >= SPEARMAN_TARGET for r in rhos
    )

    def group(name: str) -> list[tuple[Truth, StrokeScore | None]]:
        return [
            (tr, scores[found[i]] if i in found else None)
            for i, tr in enumerate(truths)
            if tr.spec.group == name
        ]

    pass_mark = exercise.pass_mark
    like = [(tr, sc) for tr, sc in group("expert-like") if sc is not None]
    n_like = sum(1 for tr in truths if tr.spec.group == "expert-like")
    like_scores = [sc.score for _, sc in like]
    n_pass = sum(sc.passed for _, sc in like)
    print(
        f"expert-like: lowest {min(like_scores, default=math.nan):.1f} against pass mark "
        f"{pass_mark:g}, median {np.median(like_scores) if like else math.nan:.1f}; "
        f"{n_pass} of {n_like} pass ({n_like - len(like)} not found)"
    )
    for tr, sc in group("expert-like"):
        if sc is None or not sc.passed:
            print(describe(tr, sc))
    edge = [(tr, sc) for tr, sc in group(EDGE) if sc is not None]
    if edge:
        print(
            f"at the experts' edge (drawn like them, beyond {LIKE_SDS:g} of the envelope experts' "
            f"SDs; no target): {sum(sc.passed for _, sc in edge)} of {len(edge)} pass, scores "
            + " ".join(f"{sc.score:.0f}" for _, sc in edge)
        )
    far = [(tr, sc) for tr, sc in group("far-off") if sc is not None]
    n_far = sum(1 for tr in truths if tr.spec.group == "far-off")
    n_fail = sum(not sc.passed for _, sc in far)
    print(
        f"far-off: highest {max((sc.score for _, sc in far), default=math.nan):.1f}; "
        f"{n_fail} of {n_far} fail ({n_far - len(far)} not found)"
    )
    for tr, sc in group("far-off"):
        if sc is None or sc.passed:
            print(describe(tr, sc))
    results["every expert-like stroke passes"] = n_pass == n_like
    results["every far-off stroke fails"] = n_fail == len(far)

    errors = [
        (
            1e3 * (scores[j].start_s - truths[i].start_s),
            1e3 * (scores[j].end_s - truths[i].end_s),
            i,
        )
        for i, j in found.items()
    ]
    worst = max(errors, key=lambda e: max(abs(e[0]), abs(e[1])), default=None)
    worst_ms = max(abs(worst[0]), abs(worst[1])) if worst else math.inf
    if worst:
        d_start = np.array([e[0] for e in errors])
        d_end = np.array([e[1] for e in errors])
        print(
            f"boundaries, found - true (ms): start median {np.median(d_start):+.1f} "
            f"largest {d_start[np.argmax(np.abs(d_start))]:+.1f}; end median "
            f"{np.median(d_end):+.1f} largest {d_end[np.argmax(np.abs(d_end))]:+.1f} "
            f"(worst stroke: {truths[worst[2]].spec.label})"
        )
        usual = [max(abs(e[0]), abs(e[1])) for e in errors if truths[e[2]].spec.group != "far-off"]
        print(f"  largest without the far-off strokes: {max(usual, default=math.nan):.1f} ms")
    if rate == "1 kHz":
        results[f"boundaries within {BOUNDARY_TARGET_MS:g} ms"] = worst_ms <= BOUNDARY_TARGET_MS
    if verbose:
        print("  every held-out stroke, in recording order:")
        for i, tr in enumerate(truths):
            sc = scores[found[i]] if i in found else None
            where = (
                f" start {1e3 * (sc.start_s - tr.start_s):+.0f} ms, end "
                f"{1e3 * (sc.end_s - tr.end_s):+.0f} ms"
                if sc
                else ""
            )
            print(f"  [{tr.spec.group}]{where}\n{describe(tr, sc)}")
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--shape", choices=SHAPES, default="skewed", help="the experts' force shape")
    ap.add_argument("--experts", type=int, default=15, help="expert strokes in the envelope")
    ap.add_argument("--verbose", action="store_true", help="list every held-out stroke")
    ap.add_argument(
        "--duration-ratio",
        type=float,
        default=ScoringTolerances().duration_ratio,
        help="the exercise's duration tolerance, as an instructor may set it (default 1.5)",
    )
    args = ap.parse_args(argv)
    if not 5 <= args.experts <= 200:
        ap.error(f"--experts must be between 5 and 200, not {args.experts}")
    try:
        tolerances = ScoringTolerances(duration_ratio=args.duration_ratio)
    except ValueError as exc:
        ap.error(f"--duration-ratio: {exc}")
    t0 = time.perf_counter()
    verdicts: dict[str, dict[str, bool]] = {}
    with tempfile.TemporaryDirectory() as d:
        for rate in RATES:
            verdicts[rate] = run_rate(
                rate, args.shape, args.experts, args.seed, Path(d), args.verbose, tolerances
            )
    print("\ntargets:")
    for rate, results in verdicts.items():
        for name, ok in results.items():
            print(f"  {verdict(ok)}  {rate}: {name}")
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
