"""The exercise file: versioned, human-readable, validated, and the shipped library current."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from trainer.library.exercise import (
    SCHEMA_VERSION,
    ExerciseError,
    find_exercise,
    load_exercise_file,
    save_exercise,
    shipped_exercises,
)
from trainer.library.shipped import LIBRARY
from trainer.offline.library_build import build_library_exercise
from trainer.scoring.weights import BlockCriteria, ScoringWeights


def test_seven_shipped_exercises_one_per_stroke_type_all_labelled_synthetic() -> None:
    # Each stroke type twice: with the instrumented tool (force and angle) and over a force
    # plate (force and the stroke's path, no angle).
    shipped = shipped_exercises()
    types = sorted(["sweep", "scan", "j_stroke", "fan", "brush", "strum", "scoop"])
    tool = [e for e in shipped if e.envelope.has_angle]
    plate = [e for e in shipped if not e.envelope.has_angle]
    assert sorted(e.stroke_type for e in tool) == types
    assert sorted(e.stroke_type for e in plate) == types
    assert all(e.envelope.path is not None and e.id.endswith("-plate") for e in plate)
    assert all(e.envelope.path is None for e in tool)
    for ex in shipped:
        assert ex.provenance.is_synthetic
        assert "Replace" in ex.provenance.describe() or "replace" in ex.provenance.describe()
        assert ex.provenance.strokes >= 20
        assert ex.description and ex.body_region and ex.instrument
        assert ex.calibration["median"] >= 90, ex.id
        assert ex.calibration["p5"] >= 75, ex.id


def test_shipped_angle_bands_follow_the_stroke_types() -> None:
    by_type = {e.stroke_type: e for e in shipped_exercises() if e.envelope.has_angle}
    mid = {k: float(np.mean(e.envelope.angle_mu_deg[30:70])) for k, e in by_type.items()}
    for k in ("sweep", "scan", "j_stroke", "fan"):
        assert 30 <= mid[k] <= 60, (k, mid[k])
    assert 60 <= mid["strum"] <= 90
    assert 80 <= mid["scoop"] <= 95
    assert mid["brush"] < 30
    assert by_type["brush"].detection.f_on_floor_n <= 1.0
    peak = {k: float(np.max(e.envelope.force_mu_n)) for k, e in by_type.items()}
    assert peak["brush"] < peak["sweep"] < peak["scoop"]


def test_file_round_trip_and_human_readable(tmp_path: Path) -> None:
    ex = find_exercise("sweep")
    path = save_exercise(ex, tmp_path / "anything.txt")
    text = path.read_text()
    # The design's tolerances: nothing that needs schema 3, so last year's program reads it too.
    assert '"schema_version": 2' in text and '"name": "Sweep"' in text
    again = load_exercise_file(path)
    assert again.id == ex.id and again.pass_mark == ex.pass_mark
    np.testing.assert_allclose(again.envelope.force_mu_n, ex.envelope.force_mu_n)
    assert find_exercise(str(path)).id == "sweep"


def _write(tmp_path: Path, data: object) -> Path:
    p = tmp_path / "ex.json"
    p.write_text(json.dumps(data))
    return p


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version=SCHEMA_VERSION + 1), "newer iastm-trainer"),
        (lambda d: d.pop("format"), "not an exercise file"),
        (lambda d: d.update(stroke_type="tickle"), "'stroke_type' is 'tickle'"),
        (lambda d: d.update(name=""), "'name' is missing"),
        (lambda d: d["scoring"].update(pass_mark=140), "pass_mark"),
        (lambda d: d.update(id="Has Spaces"), "'id'"),
        (lambda d: d.pop("envelope"), "'envelope'"),
        (lambda d: d["scoring"]["weights"].update(consistency=0.15), "block.consistency_weight"),
        (lambda d: d["scoring"]["block"].update(consistency_pass_mark=101), "consistency_pass"),
        (lambda d: d["scoring"].update(tolerances={"duration_ratio": 0.8}), "tolerances.duration"),
    ],
)
def test_bad_exercise_files_name_the_file_and_field(tmp_path: Path, change, message) -> None:
    data = find_exercise("sweep").to_dict()
    change(data)
    path = _write(tmp_path, data)
    with pytest.raises(ExerciseError) as err:
        load_exercise_file(path)
    assert str(path) in str(err.value) and message in str(err.value)


def _schema_1(weights: dict) -> dict:
    """The sweep exercise as schema 1 wrote it: consistency among the stroke weights."""
    data = find_exercise("sweep").to_dict()
    data["schema_version"] = 1
    data["scoring"] = {"weights": weights, "pass_mark": 70.0}
    return data


def test_schema_2_is_the_one_that_took_consistency_out_of_the_stroke_weights() -> None:
    assert SCHEMA_VERSION == 3  # 3 added the exercise's own tolerances
    scoring = find_exercise("sweep").to_dict()["scoring"]
    assert "consistency" not in scoring["weights"]
    assert set(scoring["block"]) == {"consistency_weight", "consistency_pass_mark"}


def test_schema_1_file_loads_with_its_consistency_weight_moved_to_the_block(
    tmp_path: Path,
) -> None:
    own = {"force": 0.5, "angle": 0.2, "tempo": 0.1, "smoothness": 0.0, "consistency": 0.2}
    ex = load_exercise_file(_write(tmp_path, _schema_1(own)))
    assert ex.weights.as_mapping() == pytest.approx(
        {"force": 0.625, "angle": 0.25, "tempo": 0.125, "smoothness": 0.0, "path": 0.0}
    )
    assert ex.block.consistency_weight == pytest.approx(0.2)
    # The old defaults become the new ones, which the design derived from them.
    old = {"force": 0.35, "angle": 0.25, "tempo": 0.15, "smoothness": 0.1, "consistency": 0.15}
    ex = load_exercise_file(_write(tmp_path, _schema_1(old)))
    assert ex.weights == ScoringWeights() and ex.block == BlockCriteria()
    # Saved again, it is a schema 2 file.
    again = load_exercise_file(save_exercise(ex, tmp_path / "again.json"))
    assert again.weights == ex.weights and again.block == ex.block
    with pytest.raises(ExerciseError, match=r"ex\.json.*weights\.consistency"):
        load_exercise_file(_write(tmp_path, _schema_1({**old, "consistency": "a lot"})))


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "broken.json"
    p.write_text('{\n  "format": "iastm-trainer exercise",\n  oops\n}')
    with pytest.raises(ExerciseError, match=r"broken\.json, line 3"):
        load_exercise_file(p)


def test_unknown_id_lists_the_known_ones() -> None:
    with pytest.raises(ExerciseError, match=r"unknown exercise 'nope'.*sweep"):
        find_exercise("nope")


def test_shipped_library_is_current(tmp_path: Path) -> None:
    """Rebuilding from the simulator gives the shipped envelope (run
    trainer.offline.library_build)."""
    draft = next(d for d in LIBRARY if d.id == "sweep")
    rebuilt = build_library_exercise(draft, tmp_path)
    shipped = find_exercise("sweep")
    np.testing.assert_allclose(rebuilt.envelope.force_mu_n, shipped.envelope.force_mu_n, atol=0.01)
    np.testing.assert_allclose(
        rebuilt.envelope.angle_hi_deg, shipped.envelope.angle_hi_deg, atol=0.01
    )
    assert rebuilt.provenance.strokes == shipped.provenance.strokes
