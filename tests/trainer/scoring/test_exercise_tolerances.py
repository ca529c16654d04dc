"""An exercise's own tolerances: how far a trainee may stray before a sub-score reaches zero is the
instructor's to set, it reaches every score of that exercise (live, ``score``, the calibration),
and the file keeps it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.cli_helpers import assert_user_error, run_cli, run_json
from tests.synthetic import make_stroke
from trainer.library.draft import ExerciseDraft, build_exercise
from trainer.library.exercise import Exercise, load_exercise_file, save_exercise
from trainer.recordings.writer import write_recording
from trainer.scoring.tolerances import ScoringTolerances
from trainer.strokes.stroke import Stroke

RATE_HZ = 500.0
#: Consistent experts: 3 % in duration, so 4 of their SDs of it are well under ln 1.5.
EXPERT_DURATION_S = 0.9


def _experts() -> list[Stroke]:
    rng = np.random.default_rng(5)
    return [
        make_stroke(
            i + 1,
            2.0 * i,
            peak_n=20.0 * (1 + 0.05 * rng.standard_normal()),
            duration_s=EXPERT_DURATION_S * (1 + 0.03 * rng.standard_normal()),
            angle_deg=45.0 + rng.standard_normal(),
            rate_hz=RATE_HZ,
        )
        for i in range(12)
    ]


def _exercise(tolerances: ScoringTolerances | None = None) -> Exercise:
    draft = ExerciseDraft(id="steady-sweep", name="Steady sweep", recorded_by="Dr Test")
    if tolerances is not None:
        draft = ExerciseDraft(**{**draft.__dict__, "tolerances": tolerances})
    exercise, _ = build_exercise(draft, _experts())
    return exercise


def _slow_stroke(ratio: float) -> Stroke:
    """An expert's stroke in every way but its pace."""
    return make_stroke(1, 0.0, peak_n=20.0, duration_s=EXPERT_DURATION_S * ratio, rate_hz=RATE_HZ)


def test_a_stricter_pace_tolerance_fails_a_stroke_the_design_default_passes() -> None:
    default, strict = _exercise(), _exercise(ScoringTolerances(duration_ratio=1.2))
    stroke = _slow_stroke(1.25)
    lenient_score = default.scorer().score(stroke)
    strict_score = strict.scorer().score(stroke)
    assert lenient_score.passed, lenient_score.explanation
    assert not strict_score.passed
    assert any("duration beyond what any expert does" in e for e in strict_score.explanation)
    # Only pace: a stroke at the experts' own pace scores the same under either.
    same = _slow_stroke(1.0)
    assert default.scorer().score(same).score == pytest.approx(strict.scorer().score(same).score)


def test_the_angle_tolerance_is_the_exercise_s_too() -> None:
    steep = make_stroke(1, 0.0, peak_n=20.0, duration_s=EXPERT_DURATION_S, angle_deg=52.0)
    default = _exercise().scorer().score(steep)
    wide = _exercise(ScoringTolerances(angle_deg=20.0)).scorer().score(steep)
    assert wide.sub_scores["angle"] > default.sub_scores["angle"]
    assert wide.score > default.score


def test_the_file_keeps_the_tolerances_and_the_lowest_schema_that_holds_them(
    tmp_path: Path,
) -> None:
    strict = _exercise(ScoringTolerances(duration_ratio=1.2, peak_shift_frac=0.15))
    path = save_exercise(strict, tmp_path / "strict.json")
    data = json.loads(path.read_text())
    assert data["schema_version"] == 3
    assert data["scoring"]["tolerances"]["duration_ratio"] == 1.2
    again = load_exercise_file(path)
    assert again.tolerances == strict.tolerances
    assert not again.scorer().score(_slow_stroke(1.25)).passed
    # With the design's tolerances there is nothing new to say: schema 2, which last year's
    # program reads.
    plain = json.loads(save_exercise(_exercise(), tmp_path / "plain.json").read_text())
    assert plain["schema_version"] == 2 and "tolerances" not in plain["scoring"]


def _recording(path: Path, ratios: list[float]) -> Path:
    """One stroke for each ratio of the experts' duration, with rest before and between."""
    parts_t, parts_f, parts_a, t = [], [], [], 0.0
    for ratio in ratios:
        rest = np.arange(t, t + 2.0, 1.0 / RATE_HZ)
        parts_t.append(rest)
        parts_f.append(np.zeros(rest.size))
        parts_a.append(np.full(rest.size, 60.0))
        s = make_stroke(1, t + 2.0, duration_s=EXPERT_DURATION_S * ratio, rate_hz=RATE_HZ)
        parts_t.append(s.t_s[1:-1])
        parts_f.append(s.force_n[1:-1])
        parts_a.append(s.angle_deg[1:-1])
        t = float(s.t_s[-1])
    tail = np.arange(t, t + 2.0, 1.0 / RATE_HZ)
    t_s = np.concatenate([*parts_t, tail])
    force = np.concatenate([*parts_f, np.zeros(tail.size)])
    angle = np.concatenate([*parts_a, np.full(tail.size, 60.0)])
    return write_recording(path, t_s, np.column_stack([force, angle]), ("force_n", "angle_deg"))


def test_score_uses_the_tolerances_the_instructor_wrote_in_the_file(tmp_path: Path) -> None:
    recording = _recording(tmp_path / "trainee.csv", [1.0, 1.25, 1.0])
    plain = save_exercise(_exercise(), tmp_path / "plain.json")
    strict_path = tmp_path / "strict.json"
    data = json.loads(plain.read_text())
    data["schema_version"] = 3
    data["scoring"]["tolerances"] = {"duration_ratio": 1.2}  # the others keep the design's
    strict_path.write_text(json.dumps(data))
    by_default = run_json("score", str(recording), "--exercise", str(plain))
    by_strict = run_json("score", str(recording), "--exercise", str(strict_path))
    assert [s["passed"] for s in by_default["strokes"]] == [True, True, True]
    assert [s["passed"] for s in by_strict["strokes"]] == [True, False, True]


@pytest.mark.parametrize(
    ("tolerances", "field"),
    [
        ({"duration_ratio": 1.0}, "scoring.tolerances.duration_ratio"),
        ({"angle_deg": -3}, "scoring.tolerances.angle_deg"),
        ({"force_frac_of_peak": "a quarter"}, "scoring.tolerances.force_frac_of_peak"),
        ({"pace": 1.3}, "scoring.tolerances.pace"),
    ],
)
def test_a_bad_tolerance_is_refused_naming_the_file_and_field(
    tmp_path: Path, tolerances: dict, field: str
) -> None:
    data = _exercise().to_dict()
    data["schema_version"] = 3
    data["scoring"]["tolerances"] = tolerances
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    recording = _recording(tmp_path / "trainee.csv", [1.0])
    assert_user_error(
        run_cli("score", str(recording), "--exercise", str(path)), str(path), f"'{field}'"
    )
