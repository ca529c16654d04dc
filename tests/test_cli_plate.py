"""A force plate end to end through the command line: recordings with no angle, with and without a
centre of pressure, made into an exercise (``envelope``) and scored (``score``), at 1 kHz and at
80 samples/s; and a tool's recording scored against a plate exercise, and the reverse."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from devices.sim.simulator import StrokeSimulator
from tests.cli_helpers import run_cli, run_json
from trainer.recordings.writer import write_recording


def plate_recording(
    path: Path,
    skill: str,
    seed: int,
    rate_hz: float,
    length_mm: float = 100.0,
    heading_deg: float = 90.0,
    cop: bool = True,
    strokes: int = 8,
) -> Path:
    """Simulated strokes on a plate: the simulator's force, and a centre of pressure that runs
    ``length_mm`` along ``heading_deg`` during each contact (the plate's centre, noisy, between)."""
    sim = StrokeSimulator("sweep", skill, seed=seed, rate_hz=rate_hz, channels=("force_n",))
    t, values = sim.generate_strokes(strokes)
    force = values[:, 0] - sim.tare_offset_n
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 30.0, t.size)  # no load: the CoP of a real plate wanders
    y = rng.normal(0.0, 30.0, t.size)
    h = math.radians(heading_deg)
    for k, stroke in enumerate(sim.strokes):
        inside = (t >= stroke.contact_start_s) & (t <= stroke.contact_end_s)
        u = (t[inside] - stroke.contact_start_s) / (stroke.contact_end_s - stroke.contact_start_s)
        s = length_mm * (u - np.sin(2 * math.pi * u) / (2 * math.pi))
        x0 = -150.0 + 40.0 * (k % 8)
        x[inside] = x0 + s * math.cos(h) + rng.normal(0, 0.2, s.size)
        y[inside] = -50.0 + s * math.sin(h) + rng.normal(0, 0.2, s.size)
    if cop:
        return write_recording(
            path, t, np.column_stack([force, x, y]), ("force_n", "cop_x_mm", "cop_y_mm")
        )
    return write_recording(path, t, force[:, None], ("force_n",))


@pytest.mark.parametrize("rate_hz", [1000.0, 80.0])
def test_plate_recordings_make_an_exercise_that_scores_the_path(
    tmp_path: Path, rate_hz: float
) -> None:
    experts = [
        plate_recording(tmp_path / f"expert-{k}.csv", "expert", 100 + k, rate_hz) for k in range(3)
    ]
    exercise = tmp_path / "plate-sweep.json"
    built = run_json(
        "envelope",
        *map(str, experts),
        "--id",
        "plate-sweep",
        "--name",
        "Plate sweep",
        "--stroke-type",
        "sweep",
        "--out",
        str(exercise),
    )
    assert built["strokes"] >= 20
    good = run_json(
        "score",
        str(plate_recording(tmp_path / "good.csv", "expert", 7, rate_hz)),
        "--exercise",
        str(exercise),
    )
    short = run_json(
        "score",
        str(plate_recording(tmp_path / "short.csv", "expert", 7, rate_hz, length_mm=60.0)),
        "--exercise",
        str(exercise),
    )
    for stroke in good["strokes"]:
        assert stroke["mean_angle_deg"] is None and stroke["angle_in_band_pct"] is None
        assert stroke["path_length_mm"] == pytest.approx(100.0, abs=8.0)
        assert stroke["direction_deg"] == pytest.approx(90.0, abs=4.0)
        assert not any("angle" in e for e in stroke["explanation"])
    assert good["summary"]["passed"]
    assert all(s["sub_scores"]["path"] < 80 for s in short["strokes"])
    assert any("mm too short" in " ".join(s["explanation"]) for s in short["strokes"])
    # Length is a third of the path sub-score, which is a quarter of the total: about 8 points.
    assert short["summary"]["mean_score"] < good["summary"]["mean_score"] - 5


@pytest.mark.parametrize("rate_hz", [1000.0, 80.0])
def test_force_only_recordings_end_to_end(tmp_path: Path, rate_hz: float) -> None:
    experts = [
        plate_recording(tmp_path / f"e{k}.csv", "expert", 200 + k, rate_hz, cop=False)
        for k in range(3)
    ]
    exercise = tmp_path / "force-only.json"
    run_json(
        "envelope",
        *map(str, experts),
        "--id",
        "force-only",
        "--name",
        "Force only",
        "--out",
        str(exercise),
    )
    result = run_json(
        "score",
        str(plate_recording(tmp_path / "t.csv", "expert", 9, rate_hz, cop=False)),
        "--exercise",
        str(exercise),
    )
    assert len(result["strokes"]) >= 6
    for stroke in result["strokes"]:
        assert stroke["sub_scores"]["angle"] is None and "path_length_mm" not in stroke
        assert not any("angle" in e for e in stroke["explanation"])
    # The table (no --json) says so too, without a traceback.
    table = run_cli("score", str(tmp_path / "t.csv"), "--exercise", str(exercise))
    assert table.returncode == 0 and "Traceback" not in table.stderr


def test_a_tool_recording_against_a_plate_exercise_and_the_reverse(tmp_path: Path) -> None:
    experts = [plate_recording(tmp_path / f"x{k}.csv", "expert", 300 + k, 1000.0) for k in range(3)]
    plate_ex = tmp_path / "plate.json"
    run_json(
        "envelope", *map(str, experts), "--id", "plate", "--name", "Plate", "--out", str(plate_ex)
    )
    tool = tmp_path / "tool.csv"
    assert (
        run_cli(
            "simulate", "--skill", "expert", "--strokes", "6", "--seed", "4", "--out", str(tool)
        ).returncode
        == 0
    )
    on_plate = run_json("score", str(tool), "--exercise", str(plate_ex))
    assert on_plate["strokes"] and all(s["sub_scores"]["path"] is None for s in on_plate["strokes"])
    on_tool = run_json("score", str(experts[0]), "--exercise", "sweep")
    assert on_tool["strokes"]
    assert all(s["mean_angle_deg"] is None for s in on_tool["strokes"])
    assert all(not any("angle" in e for e in s["explanation"]) for s in on_tool["strokes"])
