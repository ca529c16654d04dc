"""Score one stroke against an expert envelope, 0 to 100, and say why in plain words.

Every sub-score uses one ramp, ``s = 100 clip((e_out - e) / (e_out - e_in), 0, 1) ** k``: full marks
up to an inner tolerance, none beyond an outer one, k = 2 for the corridor scores (force and angle
accuracy) so that small errors cost little and large ones a lot, k = 1 for the others.

- force accuracy: e = abs(force - expert mean) at each of the 101 points, ramped with that
  point's tolerances, full marks at max(sigma, 5 % of peak) and zero at max(3 sigma, 25 % of
  peak), then averaged over the stroke.
- angle accuracy: the same for the angle; max(sigma, 3 deg) -> max(3 sigma, 10 deg).
- tempo: the mean of two ramps, abs(ln(duration / expert duration)) from 2 of the experts' SDs of
  ln(duration) to max(ln 1.5, 4 of them), and the shift of the time to peak from 2 of the
  experts' SDs of it to max(20 % of the stroke, 4 SD).
- smoothness: SPARC deficit against the experts' mean, as a fraction of it, from 2 of the experts'
  SDs (as a fraction of the mean) to max(50 %, 4 SD).

(sigma is the experts' SD at that point of the stroke; peak is the experts' mean peak force; the
2 and 4 are the envelope's ``tolerance_inner_sds`` and ``tolerance_outer_sds``; the fixed outer
tolerances, 25 %, 10 deg, ln 1.5, 20 % and 50 %, are the design's defaults of the exercise's
``ScoringTolerances``, which an instructor may change.) Tolerances follow
the experts: where they spread widely on a feature (the time of peak on a plateau-shaped stroke,
where the peak may fall anywhere on the plateau), the tolerance widens with them, so that a stroke
is never marked down, nor told off, for varying as much as the experts do.

The total is the weighted mean of the sub-scores, capped by the four critical features (peak
force, mean angle, duration, the peak's timing): past the outer tolerance of any, a stroke fails
whatever its other marks; between the inner and outer tolerance the cap falls in a straight line
towards that, so that there is no cliff at the edge (docs/scoring.md).

A sub-score that cannot be known is left out and the other weights share its part: smoothness
when a stroke has no measurable shape. Without an angle (the device or the envelope has none) the
default weights become force 0.60, tempo 0.25, smoothness 0.15; other weights lose angle's share
to the rest in proportion.

A stroke's score is its own: it depends on that stroke and the envelope only, so the same stroke
scores the same wherever it falls in a session. Consistency is a property of a block of strokes
(``trainer.scoring.summary``); a stroke's ``sub_scores`` keeps a ``consistency`` key, always None,
for the JSON contract.

The trainee's stroke is never time-warped onto the expert before scoring: that would hide timing
errors, which tempo scores on their own. The ISO/TS 18571 rating of the force curve against the
experts' mean is computed alongside for researchers and takes no part in the score.

Never imports Qt; never reads or writes files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.scoring import iso18571
from trainer.scoring.band import in_band_pct
from trainer.scoring.envelope import Envelope
from trainer.scoring.iso18571 import IsoRating
from trainer.scoring.path_score import PathScore, score_path
from trainer.scoring.tolerances import ScoringTolerances
from trainer.scoring.weights import STROKE_SUB_SCORE_KEYS, ScoringError, ScoringWeights
from trainer.signals.regions import find_regions
from trainer.strokes.normalise import NormalisedStroke, normalise, normalise_many
from trainer.strokes.path import PathFeatures
from trainer.strokes.stroke import Stroke

#: Explanation: at most this many sentences; a tempo remark from a 15 % duration error on and a
#: peak remark from a 10 % shift on, and in any case only where tempo loses marks for it.
MAX_SENTENCES = 3
#: An excursion smaller than this would read "0.0 N" and is not remarked on (N).
SHOWN_FORCE_N = 0.05
#: A stroke beyond every expert on some criterion scores at least this far below the pass mark,
#: divided by how far beyond it is (the error over the outer tolerance).
BEYOND_MARGIN = 1.0
#: The pass mark of the design; the critical cap ends this far under it, or under a lower one.
DEFAULT_PASS_MARK = 70.0
TEMPO_REMARK_RATIO = 1.15
PEAK_REMARK_SHIFT = 0.10
SMOOTHNESS_REMARK_BELOW = 60.0


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

    ``sub_scores`` holds None for a sub-score left out (see the module's notes), and always
    None for ``consistency``, a block figure now.
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
    #: Where the stroke went on a force plate (None for a tool without a centre of pressure).
    path: PathFeatures | None = None

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
            **(self.path.as_json() if self.path is not None else {}),
        }


class Scorer:
    """Scores strokes against one envelope. Each stroke's score depends on that stroke, the
    envelope, the weights, the tolerances and the pass mark only: the scorer keeps nothing
    between strokes."""

    def __init__(
        self,
        envelope: Envelope,
        weights: ScoringWeights | None = None,
        pass_mark: float = DEFAULT_PASS_MARK,
        stroke_type: str = "stroke",
        tolerances: ScoringTolerances | None = None,
    ) -> None:
        if not 0.0 <= pass_mark <= 100.0:
            raise ScoringError("field 'pass_mark' must be between 0 and 100")
        self.envelope = envelope
        self.weights = weights if weights is not None else ScoringWeights()
        #: The outer tolerances before the experts' spread widens them (the exercise's own).
        self.tolerances = tolerances if tolerances is not None else ScoringTolerances()
        #: How the path's remarks name the stroke ("the fan opened 40 deg").
        self.stroke_type = stroke_type
        self.pass_mark = float(pass_mark)
        # Where the critical cap ends: just under the pass mark, but never above the design's
        # (70 - 1), so that a stroke's score does not change with an exercise's pass mark of 70
        # or more; under a lower pass mark a stroke beyond every expert must still fail.
        self._fail_at = max(0.0, min(DEFAULT_PASS_MARK, self.pass_mark) - BEYOND_MARGIN)

    def _path_score(self, stroke: Stroke) -> PathScore | None:
        """The path sub-score, when the exercise learned the experts' path and the stroke has a
        centre of pressure that moved (None otherwise: the sub-score is left out)."""
        env = self.envelope
        if env.path is None or not stroke.has_cop:
            return None
        return score_path(
            env.path,
            stroke.path,
            self.stroke_type,
            env.tolerance_inner_sds,
            env.tolerance_outer_sds,
        )

    def score(self, stroke: Stroke) -> StrokeScore:
        """Score one stroke."""
        return self.score_normalised(stroke, normalise(stroke, self.envelope.lowpass_hz))

    def score_many(self, strokes: list[Stroke]) -> list[StrokeScore]:
        """Score strokes; the same scores as ``score`` on each, sooner (normalising, the ISO
        rating, the corridor scores and the band masks are computed for all of them at once)."""
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
        tol = _Tolerances.of(env, self.tolerances)
        force_scores = _corridor_scores(
            force,
            env.force_mu_n,
            env.force_sigma_n,
            inner_floor=env.force_floor_frac * peak,
            outer_floor=tol.force_out_frac * peak,
        ).tolist()
        angle_scores = (
            _corridor_scores(
                np.where(np.array(with_angle)[:, None], angle, 0.0),
                env.angle_mu_deg,
                env.angle_sigma_deg,
                inner_floor=env.angle_floor_deg,
                outer_floor=tol.angle_out_deg,
            ).tolist()
            if any(with_angle)
            else [0.0] * len(norms)
        )
        bands = _Bands(env, force, angle)
        isos = _iso_ratings(env, norms)
        weights_with_angle = self.weights.as_mapping()
        weights_without_angle = self.weights.without_angle()
        weights_on_plate = self.weights.on_plate()
        out = []
        for k, (stroke, norm, iso) in enumerate(zip(strokes, norms, isos, strict=True)):
            sub: dict[str, float | None] = dict.fromkeys(STROKE_SUB_SCORE_KEYS)
            sub["force"] = force_scores[k]
            sub["angle"] = angle_scores[k] if with_angle[k] else None
            sub["tempo"] = _tempo_score(env, norm, tol)
            sub["smoothness"] = _smoothness_score(env, norm, tol)
            path = self._path_score(stroke)
            sub["path"] = path.score if path is not None else None
            if with_angle[k]:
                weights = weights_with_angle
            else:
                weights = weights_on_plate if path is not None else weights_without_angle
            total = _weighted_total(sub, weights)
            critical = _critical_errors(env, norm, tol, sub)
            beyond = _beyond_every_expert(critical)
            total = min(total, _critical_cap(critical, self._fail_at))
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
                    passed=total >= self.pass_mark and not beyond,
                    explanation=_explain(
                        env,
                        norm,
                        sub,
                        weights,
                        tol,
                        force_in_band_pct,
                        angle_in_band_pct,
                        bands.row(k, with_angle[k]),
                        beyond,
                        total,
                        path,
                    ),
                    path=stroke.path if stroke.has_cop else None,
                    iso_rating=iso,
                    normalised=norm,
                )
            )
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


@dataclass(frozen=True)
class _Tolerances:
    """The inner and outer tolerances of tempo and smoothness for one envelope: at least the
    exercise's (``ScoringTolerances``, the design's by default), widened to 2 and 4 of the
    experts' own SDs of that feature; and the exercise's least outer tolerances of peak force (a
    share of the experts' peak) and mean angle, which the critical features widen the same way."""

    duration_in: float
    duration_out: float
    peak_in: float
    peak_out: float
    smooth_in: float
    smooth_out: float
    force_out_frac: float
    angle_out_deg: float

    @classmethod
    def of(cls, env: Envelope, floors: ScoringTolerances) -> _Tolerances:
        a, b = env.tolerance_inner_sds, env.tolerance_outer_sds
        dur, peak, smooth = env.duration_spread, env.time_to_peak_sd_frac, env.sparc_spread
        return cls(
            duration_in=a * dur,
            duration_out=max(floors.duration_log, b * dur),
            peak_in=a * peak,
            peak_out=max(floors.peak_shift_frac, b * peak),
            smooth_in=a * smooth,
            smooth_out=max(floors.smoothness_deficit_frac, b * smooth),
            force_out_frac=floors.force_frac_of_peak,
            angle_out_deg=floors.angle_deg,
        )


def _duration_error(env: Envelope, norm: NormalisedStroke) -> float:
    """abs(ln(duration / expert duration)); infinite when either is not positive."""
    if norm.duration_s > 0 and env.duration_mean_s > 0:
        return abs(math.log(norm.duration_s / env.duration_mean_s))
    return math.inf


def _critical_errors(
    env: Envelope, norm: NormalisedStroke, tol: _Tolerances, sub: dict[str, float | None]
) -> list[tuple[str, float, float, float]]:
    """Each critical feature's error with its inner and outer tolerance: (name, error, inner,
    outer). The features whose outer tolerance no expert passes: peak force, mean angle,
    duration and the timing of the peak force. The outer margins are the sub-scores' outer
    tolerances, 4 of the experts' SDs and never less than the exercise's tolerances (by default
    25 % of their peak force, 10 degrees, ln 1.5 of duration and 20 % of the stroke for the peak's
    timing); the inner ones 2 SDs."""
    a, b = env.tolerance_inner_sds, env.tolerance_outer_sds
    peak = abs(env.peak_force_mean_n)
    out = [
        (
            "peak force",
            abs(norm.peak_force_n - env.peak_force_mean_n),
            a * env.peak_force_sd_n,
            max(b * env.peak_force_sd_n, tol.force_out_frac * peak),
        )
    ]
    if sub["angle"] is not None and math.isfinite(norm.mean_angle_deg):
        out.append(
            (
                "angle",
                abs(norm.mean_angle_deg - env.mean_angle_mean_deg),
                a * env.mean_angle_sd_deg,
                max(b * env.mean_angle_sd_deg, tol.angle_out_deg),
            )
        )
    out.append(("duration", _duration_error(env, norm), tol.duration_in, tol.duration_out))
    out.append(
        (
            "timing of the peak force",
            abs(norm.time_to_peak_frac - env.time_to_peak_mean_frac),
            tol.peak_in,
            tol.peak_out,
        )
    )
    return out


def _beyond_every_expert(errors: list[tuple[str, float, float, float]]) -> dict[str, float]:
    """The critical features on which a stroke is past the outer tolerance, where no expert goes,
    each with how far: the error over that tolerance (1 at the tolerance, 2 at twice it).

    A weighted mean lets good marks elsewhere make up for anything: a stroke at the right force
    but 30 degrees off, or three times too slow, kept 70 to 91 points and passed. A stroke that is
    wrong beyond every expert on peak force, mean angle, duration or the timing of its peak is a
    wrong stroke, as a critical item of a practical exam fails the attempt.
    """
    return {
        name: error / outer
        for name, error, _, outer in errors
        if outer > 0 and math.isfinite(error) and error >= outer
    } | {name: math.inf for name, error, _, _ in errors if not math.isfinite(error)}


def _critical_cap(errors: list[tuple[str, float, float, float]], fail_at: float) -> float:
    """The highest total a stroke may have given its critical features: 100 while each is within
    its inner tolerance, falling in a straight line to ``fail_at`` (just under the pass mark) at
    the outer one, and ``fail_at`` over how far beyond past it.

    Without the straight stretch the cap would be a cliff at the outer tolerance: a stroke 1.49x
    the experts' duration scored 92 and one 1.51x scored 67, so a trainee's noise, not their
    stroke, decided 25 points. With it the score falls steadily as a critical feature leaves the
    experts' range, and a stroke near the edge of what any expert does cannot score as excellent.
    """
    cap = 100.0
    for _, error, inner, outer in errors:
        if not math.isfinite(error):
            return 0.0
        if outer <= 0 or error <= inner:
            continue
        if error >= outer:
            cap = min(cap, fail_at * outer / error)
        else:
            share = (error - inner) / (outer - inner)
            cap = min(cap, 100.0 - share * (100.0 - fail_at))
    return cap


def _tempo_score(env: Envelope, norm: NormalisedStroke, tol: _Tolerances) -> float:
    peak_shift = abs(norm.time_to_peak_frac - env.time_to_peak_mean_frac)
    return 0.5 * (
        ramp(_duration_error(env, norm), tol.duration_in, tol.duration_out)
        + ramp(peak_shift, tol.peak_in, tol.peak_out)
    )


def _smoothness_score(env: Envelope, norm: NormalisedStroke, tol: _Tolerances) -> float | None:
    expert = env.sparc_mean
    if not (math.isfinite(norm.sparc) and math.isfinite(expert)) or expert >= 0:
        return None
    deficit = max(0.0, (expert - norm.sparc) / abs(expert))
    return ramp(deficit, tol.smooth_in, tol.smooth_out)


def _weighted_total(sub: dict[str, float | None], w: dict[str, float]) -> float:
    known = {k: v for k, v in sub.items() if v is not None and k in w}
    total_w = sum(w[k] for k in known)
    if total_w <= 0:
        # Only zero-weighted sub-scores are known: their plain mean is the fairest summary.
        return float(np.mean(list(known.values()))) if known else 0.0
    # Clipped: a weighted mean of full marks may come out a rounding error above 100.
    return min(100.0, max(0.0, sum(w[k] * v for k, v in known.items()) / total_w))


def _explain(
    env: Envelope,
    norm: NormalisedStroke,
    sub: dict[str, float | None],
    w: dict[str, float],
    tol: _Tolerances,
    force_in_band_pct: float,
    angle_in_band_pct: float | None,
    masks: tuple[np.ndarray, ...],
    beyond: dict[str, float] | None = None,
    total: float | None = None,
    path: PathScore | None = None,
) -> list[str]:
    """Up to three short sentences, the costliest first; one good-news sentence if none.

    The words never contradict the numbers shown beside them: a stroke whose score shows as 100
    gets the good news only (a remark on what cost it under half a point would sit beside a
    perfect score), and an excursion that would read "up to 0.0 N above the band" is not one.

    A stroke beyond every expert on some criterion (``beyond``) is told so last, after what went
    wrong: that is why it fails whatever its other marks.

    Each candidate's cost is its share of the stroke (for a band excursion) or its lost marks
    (for tempo, smoothness), times the weight of the sub-score it belongs to. A tempo remark is
    made only where tempo loses marks for it (beyond the experts' own spread), so that every
    remark is about a real difference. ``masks`` are the stroke's out-of-band masks, already
    worked out (see ``_Bands``); without an angle there are two and nothing is said of angle.
    """
    candidates: list[tuple[float, str]] = []

    f = norm.force_n
    too_hard, too_light = masks[0], masks[1]
    for a, b in find_regions(too_hard) if too_hard.any() else ():
        over = float(np.max(f[a : b + 1] - env.force_hi_n[a : b + 1]))
        if over < SHOWN_FORCE_N:
            continue
        candidates.append(
            (
                w["force"] * (b - a + 1),
                f"too hard {_where(a, b)} (up to {over:.1f} N above the band)",
            )
        )
    for a, b in find_regions(too_light) if too_light.any() else ():
        under = float(np.max(env.force_lo_n[a : b + 1] - f[a : b + 1]))
        if under < SHOWN_FORCE_N:
            continue
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
    duration_error = _duration_error(env, norm)
    if (
        ratio > TEMPO_REMARK_RATIO or ratio < 1.0 / TEMPO_REMARK_RATIO
    ) and duration_error > tol.duration_in:
        word = "slow" if ratio > 1 else "fast"
        lost = 100.0 - ramp(duration_error, tol.duration_in, tol.duration_out)
        candidates.append(
            (
                w["tempo"] * lost,
                f"too {word}: {norm.duration_s:.1f} s against the expert's "
                f"{env.duration_mean_s:.1f} s",
            )
        )
    shift = norm.time_to_peak_frac - env.time_to_peak_mean_frac
    if abs(shift) > PEAK_REMARK_SHIFT and abs(shift) > tol.peak_in:
        lost = 100.0 - ramp(abs(shift), tol.peak_in, tol.peak_out)
        candidates.append(
            (
                w["tempo"] * lost,
                f"peak force too {'late' if shift > 0 else 'early'}: at "
                f"{100 * norm.time_to_peak_frac:.0f} % of the stroke against the expert's "
                f"{100 * env.time_to_peak_mean_frac:.0f} %",
            )
        )
    if path is not None:
        for lost, text in path.remarks:
            candidates.append((w.get("path", 0.0) * lost, text))
    smooth = sub.get("smoothness")
    if smooth is not None and smooth < SMOOTHNESS_REMARK_BELOW:
        candidates.append(
            (
                w["smoothness"] * (100.0 - smooth),
                "uneven pressure: the force wavers more than the expert's",
            )
        )

    candidates = [c for c in candidates if c[0] > 0]
    if total is not None and round(total) >= 100 and not beyond:
        candidates = []
    candidates.sort(key=lambda c: -c[0])
    sentences = [text for _, text in candidates[:MAX_SENTENCES]]
    if beyond:
        sentences = [
            *sentences[: MAX_SENTENCES - 1],
            f"fails: {' and '.join(beyond)} beyond what any expert does",
        ]
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
