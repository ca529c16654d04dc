"""Recording metadata is a hint, the data are the truth: a nonsensical ``# rate_hz:`` is refused,
a stale one loses no strokes, and one glitching sample does not cost the strokes around it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from devices.sim.simulator import StrokeSimulator
from tests.cli_helpers import assert_user_error, run_cli
from trainer.library.exercise import find_exercise
from trainer.offline.analysis import score_recording, segment_recording
from trainer.recordings.format import RecordingError
from trainer.recordings.reader import read_recording
from trainer.recordings.writer import write_recording
from trainer.strokes.detection import DetectionSettings


def _simulated(
    path: Path, rate_hz: float = 1000.0, stated: str | None = None, strokes: int = 8
) -> tuple[Path, StrokeSimulator, np.ndarray, np.ndarray]:
    sim = StrokeSimulator("sweep", "expert", seed=5, rate_hz=rate_hz)
    t, values = sim.generate_strokes(strokes)
    meta = {"rate_hz": stated if stated is not None else f"{rate_hz:g}"}
    return write_recording(path, t, values, sim.channels, meta), sim, t, values


def _with_rate_line(path: Path, value: str) -> Path:
    path.write_text(
        "# iastm-trainer recording\n"
        f"# rate_hz: {value}\n"
        "time_s,force_n,angle_deg\n" + "".join(f"{k / 1000:.3f},0.1,40\n" for k in range(50))
    )
    return path


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "-inf", "1e300", "fast", ""])
def test_a_nonsensical_stated_rate_is_refused_naming_the_file_and_line(tmp_path, value):
    path = _with_rate_line(tmp_path / "bad-rate.csv", value)
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    message = str(err.value)
    assert "bad-rate.csv" in message and "line 2" in message and "rate_hz" in message


def test_a_sensible_stated_rate_is_read(tmp_path):
    rec = read_recording(_with_rate_line(tmp_path / "ok.csv", "1000"))
    assert rec.metadata["rate_hz"] == "1000"


def test_a_nonsensical_stated_rate_through_the_cli_is_one_line_and_exit_2(tmp_path):
    path = _with_rate_line(tmp_path / "bad-rate.csv", "1e300")
    proc = run_cli("score", str(path), "--exercise", "sweep")
    assert_user_error(proc, "bad-rate.csv", "line 2", "rate_hz")


def test_a_stale_stated_rate_loses_no_strokes(tmp_path):
    """10 Hz data under a header saying 1000 Hz (a file resampled by another program)."""
    path, sim, _, _ = _simulated(tmp_path / "stale.csv", rate_hz=10.0, stated="1000")
    rec = read_recording(path)
    strokes = segment_recording(rec, DetectionSettings())
    assert len(strokes) == len(sim.strokes) == 8
    np.testing.assert_allclose(
        [s.start_s for s in strokes], [x.start_s for x in sim.strokes], atol=0.15
    )
    report = score_recording(rec, find_exercise("sweep"))
    assert len(report.scores) == 8
    assert any("rate_hz 1000" in note and "time column" in note for note in report.notes)


def test_a_stale_stated_rate_through_the_cli(tmp_path):
    path, _, _, _ = _simulated(tmp_path / "stale.csv", rate_hz=10.0, stated="1000")
    proc = run_cli("score", str(path), "--exercise", "sweep", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert len(result["strokes"]) == 8
    assert any("time column" in note for note in result["notes"])


def test_a_clean_recording_has_no_notes(tmp_path):
    path, _, _, _ = _simulated(tmp_path / "clean.csv")
    assert score_recording(read_recording(path), find_exercise("sweep")).notes == []


@pytest.mark.parametrize("glitch_n", [1e5, 1e12, 1e308, -1e308])
@pytest.mark.parametrize("where", ["in a stroke", "between strokes"])
def test_one_absurd_sample_costs_no_stroke(tmp_path, glitch_n, where):
    path, sim, t, values = _simulated(tmp_path / "clean.csv")
    third = sim.strokes[2]
    at_s = third.peak_s if where == "in a stroke" else third.contact_end_s + 0.1
    values = values.copy()
    values[int(np.searchsorted(t, at_s)), 0] = glitch_n
    glitchy = write_recording(tmp_path / "glitch.csv", t, values, sim.channels, {})
    clean = segment_recording(read_recording(path), DetectionSettings())
    report = score_recording(read_recording(glitchy), find_exercise("sweep"))
    assert len(report.strokes) == len(clean) == 8
    np.testing.assert_allclose(
        [s.start_s for s in report.strokes], [s.start_s for s in clean], atol=0.002
    )
    np.testing.assert_allclose(
        [s.peak_force_n for s in report.scores],
        [x.peak_force_n for x in sim.strokes],
        rtol=0.1,
    )
    assert any("1 sample(s) with an impossible force" in note for note in report.notes)


def test_an_absurd_sample_is_reported_through_the_cli(tmp_path):
    _, sim, t, values = _simulated(tmp_path / "clean.csv")
    values = values.copy()
    values[int(np.searchsorted(t, sim.strokes[1].peak_s)), 0] = 1e308
    path = write_recording(tmp_path / "glitch.csv", t, values, sim.channels, {})
    proc = run_cli("score", str(path), "--exercise", "sweep", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert len(result["strokes"]) == 8
    assert any("impossible force" in note for note in result["notes"])


def test_the_score_table_says_what_reading_worked_around(tmp_path):
    path, _, _, _ = _simulated(tmp_path / "stale.csv", rate_hz=10.0, stated="1000")
    proc = run_cli("score", str(path), "--exercise", "sweep")
    assert proc.returncode == 0, proc.stderr
    notes = [line for line in proc.stdout.splitlines() if line.startswith("Note: ")]
    assert len(notes) == 1 and "time column" in notes[0]
