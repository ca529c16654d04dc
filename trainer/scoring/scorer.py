"""Score one stroke against an expert envelope, 0 to 100, and say why in plain words.

Every sub-score uses one ramp, ``s = 100 clip((e_out - e) / (e_out - e_in), 0, 1) ** k``: full marks
up to an inner tolerance, none beyond an outer one, k = 2 for the corridor scores (force and angle
accuracy) so that small errors cost little and large ones a lot, k = 1 for the others.

- force accuracy: e = abs(force - expert mean) at each of the 101 points, ramped with that
  point's tolerances, full marks at max(sigma, 5 % of peak) and zero at max(3 sigma, 25 % of
  peak), then averaged over the stroke.
- angle accuracy: the same for the angle; max(sigma, 3 deg) -> max(3 sigma, 10 deg).
- tempo: the mean of two ramps, abs(ln(duration / expert duration)) from the experts' own
  spread to max(ln 1.5, 3 x that spread), and the shift of the time to peak from the experts' SD
  to max(20 % of the stroke, 3 SD). An inner tolerance of 0 would be simpler; we take the
  experts' own variability instead, as the corridor scores do with sigma, because otherwise an
  expert scores about 70 on tempo against their own envelope and the leave-one-out calibration
  (median 90 or more) cannot be met by real, variable experts.
- smoothness: SPARC deficit against the experts' mean, as a fraction of it, 0 -> 50 %.
- consistency: mean pointwise SD of the trainee's last strokes / the experts', 1 -> 3.

(sigma is the experts' SD at that point of the stroke; peak is the experts' mean peak force.)
The total is the weighted mean of the sub-scores. A sub-score that cannot be known is left out and
the other weights share its part: angle when the device or the envelope has no angle, smoothness
when a stroke has no measurable shape, and consistency until the trainee has made 3 strokes (with
fewer, a spread cannot be judged; giving full or zero marks would reward or punish a beginner for
nothing they did).

The trainee's stroke is never time-warped onto the expert before scoring: that would hide timing
errors, which tempo scores on their own. The ISO/TS 18571 rating of the force curve against the
experts' mean is computed alongside for researchers and takes no part in the score.

Never imports Qt; never reads or writes files.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.scoring import iso18571
from trainer.scoring.band import in_band_pct
from trainer.scoring.envelope import Envelope
from trainer.scoring.iso18571 import IsoRating
from trainer.scoring.weights import ScoringError, ScoringWeights
from trainer.signals.regions import find_regions
from trainer.strokes.normalise import NormalisedStroke, normalise, normalise_many
from trainer.strokes.stroke import Stroke

#: Outer tolerances of the accuracy sub-scores (the inner ones come from the envelope's floors).
FORCE_OUTER_FRAC_OF_PEAK = 0.25
ANGLE_OUTER_DEG = 10.0
#: Tempo: duration ratio 1.5 (or 1/1.5) and a time-to-peak shift of 20 % of the stroke score 0.
TEMPO_DURATION_OUTER = math.log(1.5)
TEMPO_PEAK_SHIFT_OUTER = 0.20
#: Smoothness: a SPARC 50 % worse than the experts' mean scores 0.
SMOOTHNESS_DEFICIT_OUTER = 0.5
#: Consistency: trainee spread equal to the experts' scores 100, three times it 0.
CONSISTENCY_RATIO_INNER = 1.0
CONSISTENCY_RATIO_OUTER = 3.0
#: Fewest strokes in the window before consistency is judged.
MIN_STROKES_FOR_CONSISTENCY = 3
#: Explanation: at most this many sentences; a tempo remark from a 15 % duration error on.
MAX_SENTENCES = 3
TEMPO_REMARK_RATIO = 1.15
PEAK_REMARK_SHIFT = 0.10
SMOOTHNESS_REMARK_BELOW = 60.0
CONSISTENCY_REMARK_BELOW = 50.0


def ramp(e: float, e_in: float, e_out: float, k: float = 1.0) -> float:
    """``100 clip((e_out - e) / (e_out - e_in), 0, 1) ** k``: 100 up to e_in, 0 from e_out."""
    if not math.isfinite(e):
        return 0.0
    if e_out <= e_in:
        return 100.0 if e <= e_in else 0.0
    x = min(1.0, max(0.0, (e_out - e) / (e_out - e_in)))
    return 100.0 * x**k


@dataclass(frozen=True, eq=False)
class StrokeScore:
    """One scored stroke: the figures, the sub-scores, the total and the reasons for it.

    ``sub_scores`` holds None for a sub-score left out (see the module's notes).
    ``angle_in_band_pct`` and ``mean_angle_deg`` are None / NaN without an angle channel.
    ``normalised`` is the stroke as scored, for plotting against the envelope.
    """

    index: int
    start_s: float
    end_s: float
    duration_s: float
    peak_force_n: float
    mean_angle_deg: float
    force_in_band_pct: float
    angle_in_band_pct: float | None
    sub_scores: dict[str, float | None]
    score: float
    passed: bool
    explanation: list[str]
    iso_rating: IsoRating | None
    normalised: NormalisedStroke

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "duration_s": round(self.duration_s, 3),
            "peak_force_n": round(self.peak_force_n, 2),
            "mean_angle_deg": _round_or_none(self.mean_angle_deg, 1),
            "force_in_band_pct": round(self.force_in_band_pct, 1),
            "angle_in_band_pct": _round_or_none(self.angle_in_band_pct, 1),
            "score": round(self.score, 1),
            "passed": self.passed,
            "sub_scores": {k: _round_or_none(v, 1) for k, v in self.sub_scores.items()},
            "time_to_peak_pct": round(100.0 * self.normalised.time_to_peak_frac, 1),
            "sparc": _round_or_none(self.normalised.sparc, 3),
            "explanation": list(self.explanation),
            "iso_rating": self.iso_rating.as_json() if self.iso_rating else None,
        }


class Scorer:
    """Scores a trainee's strokes in order against one envelope, keeping the rolling consistency.

    One scorer per trainee and exercise; ``reset`` when a new block of practice starts.
    """

    def __init__(
        self,
        envelope: Envelope,
        weights: ScoringWeights | None = None,
        pass_mark: float = 70.0,
        consistency_window: int = 8,
    ) -> None:
        if consistency_window < MIN_STROKES_FOR_CONSISTENCY:
            raise ScoringError(
                f"the consistency window must hold at least {MIN_STROKES_FOR_CONSISTENCY} strokes"
            )
        if not 0.0 <= pass_mark <= 100.0:
            raise ScoringError("field 'pass_mark' must be between 0 and 100")
        self.envelope = envelope
        self.weights = weights if weights is not None else ScoringWeights()
        self.pass_mark = float(pass_mark)
        self.consistency_window = consistency_window
        self._recent: deque[np.ndarray] = deque(maxlen=consistency_window)

    def reset(self) -> None:
        """Forget earlier strokes (consistency starts again)."""
        self._recent.clear()

    def score(self, stroke: Stroke) -> StrokeScore:
        """Score a stroke and add it to the rolling consistency."""
        return self.score_normalised(stroke, normalise(stroke, self.envelope.lowpass_hz))

    def score_many(self, strokes: list[Stroke]) -> list[StrokeScore]:
        """Score strokes in order; the same scores as ``score`` on each in turn, sooner.

        Everything that does not depend on the strokes before (normalising, the ISO rating, the
        corridor scores, the band masks) is computed for all of them at once.
        """
        return self._score_all(strokes, normalise_many(strokes, self.envelope.lowpass_hz))

    def score_normalised(self, stroke: Stroke, norm: NormalisedStroke) -> StrokeScore:
        """As ``score`` for a stroke already normalised with the envelope's filter."""
        return self._score_all([stroke], [norm])[0]

    def _score_all(self, strokes: list[Stroke], norms: list[NormalisedStroke]) -> list[StrokeScore]:
        if not norms:
            return []
        env = self.envelope
        force = np.array([n.force_n for n in norms])
        angle = np.array([n.angle_deg for n in norms])
        with_angle = (np.all(np.isfinite(angle), axis=1) & env.has_angle).tolist()
        peak = abs(env.peak_force_mean_n)
        force_scores = _corridor_scores(
            force,
            env.force_mu_n,
            env.force_sigma_n,
            inner_floor=env.force_floor_frac * peak,
            outer_floor=FORCE_OUTER_FRAC_OF_PEAK * peak,
        ).tolist()
        angle_scores = (
            _corridor_scores(
                np.where(np.array(with_angle)[:, None], angle, 0.0),
                env.angle_mu_deg,
                env.angle_sigma_deg,
                inner_floor=env.angle_floor_deg,
                outer_floor=ANGLE_OUTER_DEG,
            ).tolist()
            if any(with_angle)
            else [0.0] * len(norms)
        )
        bands = _Bands(env, force, angle)
        isos = _iso_ratings(env, norms)
        ratios = self._consistency_ratios(force)
        out = []
        for k, (stroke, norm, iso, ratio) in enumerate(
            zip(strokes, norms, isos, ratios, strict=True)
        ):
            sub: dict[str, float | None] = {
                "force": force_scores[k],
                "angle": angle_scores[k] if with_angle[k] else None,
                "tempo": _tempo_score(env, norm),
                "smoothness": _smoothness_score(env, norm),
                "consistency": None,
            }
            if ratio is not None:
                sub["consistency"] = ramp(ratio, CONSISTENCY_RATIO_INNER, CONSISTENCY_RATIO_OUTER)
            total = _weighted_total(sub, self.weights)
            force_in_band_pct = bands.force_in_pct[k]
            angle_in_band_pct = bands.angle_in_pct[k] if with_angle[k] else None
            out.append(
                StrokeScore(
                    index=stroke.index,
                    start_s=float(stroke.start_s),
                    end_s=float(stroke.end_s),
                    duration_s=norm.duration_s,
                    peak_force_n=norm.peak_force_n,
                    mean_angle_deg=norm.mean_angle_deg,
                    force_in_band_pct=force_in_band_pct,
                    angle_in_band_pct=angle_in_band_pct,
                    sub_scores=sub,
                    score=total,
                    passed=total >= self.pass_mark,
                    explanation=_explain(
                        env,
                        norm,
                        sub,
                        self.weights,
                        force_in_band_pct,
                        angle_in_band_pct,
                        ratio,
                        bands.row(k, with_angle[k]),
                    ),
                    iso_rating=iso,
                    normalised=norm,
                )
            )
        return out

    def _consistency_ratios(self, forces: np.ndarray) -> list[float | None]:
        """The consistency ratio once each of these strokes has joined the rolling window.

        The trainee's spread is the pointwise SD of the last strokes (``np.std`` over the
        window, ddof 1) averaged over the stroke; windows that are full are computed together,
        with the sums taken row after row in the same order as ``np.std`` takes them.
        """
        window = self.consistency_window
        prior = list(self._recent)
        self._recent.extend(forces)
        stacked = np.concatenate([np.array(prior).reshape(-1, forces.shape[1]), forces])
        expert_sd = max(float(np.mean(self.envelope.force_sigma_n)), self.envelope.force_floor_n)
        ends = range(len(prior) + 1, stacked.shape[0] + 1)  # window after each stroke: [.., end)
        sds: list[float | None] = []
        for end in ends:
            if end >= window:
                break
            sds.append(
                float(np.mean(np.std(stacked[:end], axis=0, ddof=1)))
                if end >= MIN_STROKES_FOR_CONSISTENCY
                else None
            )
        first_full = len(prior) + 1 + len(sds)
        if first_full <= stacked.shape[0]:
            count = stacked.shape[0] - first_full + 1
            lo = first_full - window
            rows = [stacked[lo + j : lo + j + count] for j in range(window)]
            total = rows[0].copy()
            for r in rows[1:]:
                total += r
            mean = total / window
            var = np.square(rows[0] - mean)
            for r in rows[1:]:
                var += np.square(r - mean)
            var /= window - 1
            sds.extend(np.mean(np.sqrt(var), axis=1).tolist())
        out: list[float | None] = []
        for sd in sds:
            if sd is None:
                out.append(None)
            elif expert_sd <= 0:
                out.append(0.0 if sd == 0 else math.inf)
            else:
                out.append(sd / expert_sd)
        return out


@dataclass(frozen=True)
class _Bands:
    """Where each stroke's force and angle stay inside the experts' band, and where not."""

    force_in_pct: list[float]
    angle_in_pct: list[float]
    too_hard: np.ndarray
    too_light: np.ndarray
    too_steep: np.ndarray
    too_flat: np.ndarray

    def __init__(self, env: Envelope, force: np.ndarray, angle: np.ndarray) -> None:
        set_ = object.__setattr__
        set_(self, "too_hard", force > env.force_hi_n)
        set_(self, "too_light", force < env.force_lo_n)
        set_(self, "force_in_pct", in_band_pct(force, env.force_lo_n, env.force_hi_n).tolist())
        with np.errstate(invalid="ignore"):
            set_(self, "too_steep", angle > env.angle_hi_deg)
            set_(self, "too_flat", angle < env.angle_lo_deg)
        set_(self, "angle_in_pct", in_band_pct(angle, env.angle_lo_deg, env.angle_hi_deg).tolist())

    def row(self, k: int, with_angle: bool) -> tuple[np.ndarray, ...]:
        if with_angle:
            return self.too_hard[k], self.too_light[k], self.too_steep[k], self.too_flat[k]
        return self.too_hard[k], self.too_light[k]


def _iso_ratings(env: Envelope, norms: list[NormalisedStroke]) -> list[IsoRating | None]:
    """Each stroke's ISO/TS 18571 rating against the experts' mean force (None: not ratable)."""
    out: list[IsoRating | None] = [None] * len(norms)
    if not norms or not np.all(np.isfinite(env.force_mu_n)):
        return out
    forces = np.array([n.force_n for n in norms])
    ok = np.flatnonzero(np.all(np.isfinite(forces), axis=1))
    if ok.size:
        for k, rating in zip(
            ok.tolist(), iso18571.rate_many(env.force_mu_n, forces[ok]), strict=True
        ):
            out[k] = rating
    return out


def _corridor_scores(
    x: np.ndarray, mu: np.ndarray, sigma: np.ndarray, inner_floor: float, outer_floor: float
) -> np.ndarray:
    """Per row: the ramp (k = 2) applied at every point with that point's tolerances, averaged.

    Scoring point by point, not the averaged distance, keeps a local error local: pressing far
    too hard over a fifth of the stroke costs about a fifth of the marks, however well the rest
    went, where an averaged distance would dilute it to nothing.
    """
    e = np.abs(x - mu)
    e_in = np.maximum(sigma, inner_floor)
    e_out = np.maximum(3.0 * sigma, outer_floor)
    width = e_out - e_in
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(width > 0, (e_out - e) / width, np.where(e <= e_in, 1.0, 0.0))
    frac = np.where(e <= e_in, 1.0, np.clip(frac, 0.0, 1.0))
    return 100.0 * np.mean(frac**2, axis=1)


def _tempo_score(env: Envelope, norm: NormalisedStroke) -> float:
    if norm.duration_s > 0 and env.duration_mean_s > 0:
        duration_error = abs(math.log(norm.duration_s / env.duration_mean_s))
    else:
        duration_error = math.inf
    peak_shift = abs(norm.time_to_peak_frac - env.time_to_peak_mean_frac)
    # The experts' own spread: SD of ln(duration) is close to the duration's CV.
    duration_in = env.duration_sd_s / env.duration_mean_s if env.duration_mean_s > 0 else 0.0
    peak_in = env.time_to_peak_sd_frac
    return 0.5 * (
        ramp(duration_error, duration_in, max(TEMPO_DURATION_OUTER, 3.0 * duration_in))
        + ramp(peak_shift, peak_in, max(TEMPO_PEAK_SHIFT_OUTER, 3.0 * peak_in))
    )


def _smoothness_score(env: Envelope, norm: NormalisedStroke) -> float | None:
    expert = env.sparc_mean
    if not (math.isfinite(norm.sparc) and math.isfinite(expert)) or expert >= 0:
        return None
    deficit = max(0.0, (expert - norm.sparc) / abs(expert))
    return ramp(deficit, 0.0, SMOOTHNESS_DEFICIT_OUTER)


def _weighted_total(sub: dict[str, float | None], weights: ScoringWeights) -> float:
    w = weights.as_mapping()
    known = {k: v for k, v in sub.items() if v is not None}
    total_w = sum(w[k] for k in known)
    if total_w <= 0:
        # Only zero-weighted sub-scores are known: their plain mean is the fairest summary.
        return float(np.mean(list(known.values()))) if known else 0.0
    return sum(w[k] * v for k, v in known.items()) / total_w


def _explain(
    env: Envelope,
    norm: NormalisedStroke,
    sub: dict[str, float | None],
    weights: ScoringWeights,
    force_in_band_pct: float,
    angle_in_band_pct: float | None,
    consistency_ratio: float | None,
    masks: tuple[np.ndarray, ...],
) -> list[str]:
    """Up to three short sentences, the costliest first; one good-news sentence if none.

    Each candidate's cost is its share of the stroke (for a band excursion) or its lost marks
    (for tempo, smoothness, consistency), times the weight of the sub-score it belongs to.
    ``masks`` are the stroke's out-of-band masks, already worked out (see ``_Bands``).
    """
    w = weights.as_mapping()
    candidates: list[tuple[float, str]] = []

    f = norm.force_n
    too_hard, too_light = masks[0], masks[1]
    for a, b in find_regions(too_hard) if too_hard.any() else ():
        over = float(np.max(f[a : b + 1] - env.force_hi_n[a : b + 1]))
        candidates.append(
            (
                w["force"] * (b - a + 1),
                f"too hard {_where(a, b)} (up to {over:.1f} N above the band)",
            )
        )
    for a, b in find_regions(too_light) if too_light.any() else ():
        under = float(np.max(env.force_lo_n[a : b + 1] - f[a : b + 1]))
        candidates.append(
            (
                w["force"] * (b - a + 1),
                f"too light {_where(a, b)} (up to {under:.1f} N below the band)",
            )
        )
    if len(masks) == 4:  # the stroke and the envelope have an angle
        ang = norm.angle_deg
        for mask, word in ((masks[2], "steep"), (masks[3], "flat")):
            for a, b in find_regions(mask) if mask.any() else ():
                off = abs(float(np.mean(ang[a : b + 1] - env.angle_mu_deg[a : b + 1])))
                candidates.append(
                    (w["angle"] * (b - a + 1), f"angle {off:.0f} degrees too {word} {_where(a, b)}")
                )

    ratio = norm.duration_s / env.duration_mean_s if env.duration_mean_s > 0 else 1.0
    if ratio > TEMPO_REMARK_RATIO or ratio < 1.0 / TEMPO_REMARK_RATIO:
        word = "slow" if ratio > 1 else "fast"
        lost = 100.0 - ramp(abs(math.log(max(ratio, 1e-9))), 0.0, TEMPO_DURATION_OUTER)
        candidates.append(
            (
                w["tempo"] * lost,
                f"too {word}: {norm.duration_s:.1f} s against the expert's "
                f"{env.duration_mean_s:.1f} s",
            )
        )
    shift = norm.time_to_peak_frac - env.time_to_peak_mean_frac
    if abs(shift) > PEAK_REMARK_SHIFT:
        lost = 100.0 - ramp(abs(shift), 0.0, TEMPO_PEAK_SHIFT_OUTER)
        candidates.append(
            (
                w["tempo"] * lost,
                f"peak force too {'late' if shift > 0 else 'early'}: at "
                f"{100 * norm.time_to_peak_frac:.0f} % of the stroke against the expert's "
                f"{100 * env.time_to_peak_mean_frac:.0f} %",
            )
        )
    smooth = sub.get("smoothness")
    if smooth is not None and smooth < SMOOTHNESS_REMARK_BELOW:
        candidates.append(
            (
                w["smoothness"] * (100.0 - smooth),
                "uneven pressure: the force wavers more than the expert's",
            )
        )
    consistency = sub.get("consistency")
    if consistency is not None and consistency < CONSISTENCY_REMARK_BELOW and consistency_ratio:
        candidates.append(
            (
                w["consistency"] * (100.0 - consistency),
                f"strokes vary: the recent ones differ {consistency_ratio:.1f} times as much as "
                "the expert's",
            )
        )

    candidates = [c for c in candidates if c[0] > 0]
    candidates.sort(key=lambda c: -c[0])
    sentences = [text for _, text in candidates[:MAX_SENTENCES]]
    if not sentences:
        if angle_in_band_pct is None:
            sentences = [f"inside the expert band for {force_in_band_pct:.0f} % of the stroke"]
        else:
            sentences = [
                f"inside the expert band: force for {force_in_band_pct:.0f} % of the stroke, "
                f"angle for {angle_in_band_pct:.0f} %"
            ]
    return sentences


def _where(a: int, b: int) -> str:
    """A region of the 101-point axis in words (index = % of the stroke)."""
    if a <= 2 and b >= 98:
        return "throughout the stroke"
    return f"from {a} to {b} % of the stroke"


def _round_or_none(value: float | None, decimals: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, decimals)
