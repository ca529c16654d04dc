"""The command line end to end, as outside scripts use it: simulated experts -> envelope ->
simulated trainees -> score. Every command runs as a real subprocess of the console script."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import assert_user_error, run_cli, run_json

STROKES = 12


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("e2e")
    files: dict[str, Path] = {}
    for seed in (1, 2):
        out = d / f"expert{seed}.csv"
        proc = run_cli(
            "simulate",
            "--skill",
            "expert",
            "--strokes",
            str(STROKES),
            "--seed",
            str(seed),
            "--out",
            str(out),
        )
        assert proc.returncode == 0, proc.stderr
        files[f"expert{seed}"] = out
    exercise = d / "my-sweep.json"
    report = run_json(
        "envelope",
        str(files["expert1"]),
        str(files["expert2"]),
        "--id",
        "my-sweep",
        "--name",
        "Sweep, forearm",
        "--out",
        str(exercise),
    )
    assert report["strokes"] == 2 * STROKES
    files["exercise"] = exercise
    for skill, seed in (("expert", 11), ("novice", 12), ("competent", 13)):
        out = d / f"{skill}.csv"
        proc = run_cli(
            "simulate",
            "--skill",
            skill,
            "--strokes",
            str(STROKES),
            "--seed",
            str(seed),
            "--out",
            str(out),
        )
        assert proc.returncode == 0, proc.stderr
        files[skill] = out
    return files


def test_experts_pass_novices_score_lower_and_every_stroke_is_found(built: dict[str, Path]) -> None:
    results = {
        skill: run_json("score", str(built[skill]), "--exercise", str(built["exercise"]))
        for skill in ("expert", "competent", "novice")
    }
    for skill, res in results.items():
        assert res["exercise"] == "my-sweep"
        assert len(res["strokes"]) == STROKES, f"{skill}: {len(res['strokes'])} strokes"
        assert res["summary"]["strokes"] == STROKES
    expert, novice = results["expert"], results["novice"]
    assert expert["summary"]["passed"] is True
    assert expert["summary"]["mean_score"] >= 75
    assert novice["summary"]["mean_score"] < expert["summary"]["mean_score"] - 15
    assert results["competent"]["summary"]["mean_score"] > novice["summary"]["mean_score"]


def test_score_json_has_the_contract_keys(built: dict[str, Path]) -> None:
    res = run_json("score", str(built["expert"]), "--exercise", str(built["exercise"]))
    stroke = res["strokes"][0]
    for key in (
        "index",
        "start_s",
        "end_s",
        "duration_s",
        "peak_force_n",
        "mean_angle_deg",
        "force_in_band_pct",
        "angle_in_band_pct",
        "score",
        "passed",
    ):
        assert key in stroke, key
    assert stroke["index"] == 1
    assert 0 <= stroke["score"] <= 100
    assert stroke["end_s"] > stroke["start_s"]
    assert abs(stroke["duration_s"] - (stroke["end_s"] - stroke["start_s"])) < 1e-3
    assert {"strokes", "mean_score", "passed"} <= set(res["summary"])
    starts = [s["start_s"] for s in res["strokes"]]
    assert starts == sorted(starts)


def test_score_against_a_shipped_exercise_and_table_output(built: dict[str, Path]) -> None:
    proc = run_cli("score", str(built["expert"]), "--exercise", "sweep")
    assert proc.returncode == 0, proc.stderr
    assert "Mean score" in proc.stdout
    assert "synthetic reference" in proc.stdout


def test_exercises_lists_the_seven_shipped_exercises() -> None:
    res = run_json("exercises")
    ids = {e["technique"] for e in res["exercises"]}
    assert ids == {"sweep", "scan", "j-stroke", "fan", "brush", "strum", "scoop"}
    for e in res["exercises"]:
        assert {"id", "name", "technique", "body_region"} <= set(e)


def test_bad_inputs_get_one_line_and_exit_2(tmp_path: Path, built: dict[str, Path]) -> None:
    missing = tmp_path / "missing.csv"
    assert_user_error(run_cli("score", str(missing), "--exercise", "sweep"), "missing.csv")
    assert_user_error(
        run_cli("score", str(built["expert"]), "--exercise", "no-such-exercise"), "no-such-exercise"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,force_n,angle_deg\n0,1,2\n0.001,oops,2\n")
    assert_user_error(run_cli("score", str(bad), "--exercise", "sweep"), "bad.csv", "line 3")
    assert_user_error(
        run_cli(
            "record",
            "--device",
            "/dev/does-not-exist",
            "--seconds",
            "1",
            "--out",
            str(tmp_path / "r.csv"),
        ),
        "/dev/does-not-exist",
    )
    not_ex = tmp_path / "not-an-exercise.json"
    not_ex.write_text('{"hello": 1}')
    assert_user_error(
        run_cli("score", str(built["expert"]), "--exercise", str(not_ex)), "not-an-exercise.json"
    )
    assert_user_error(
        run_cli(
            "simulate",
            "--skill",
            "guru",
            "--strokes",
            "3",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "x.csv"),
        ),
        "guru",
    )


def test_envelope_from_too_few_strokes_is_a_user_error(tmp_path: Path) -> None:
    out = tmp_path / "two.csv"
    assert (
        run_cli(
            "simulate", "--skill", "expert", "--strokes", "2", "--seed", "5", "--out", str(out)
        ).returncode
        == 0
    )
    proc = run_cli(
        "envelope", str(out), "--id", "x", "--name", "X", "--out", str(tmp_path / "x.json")
    )
    assert_user_error(proc)
    assert not (tmp_path / "x.json").exists()


def test_version_and_help_start_without_the_numeric_stack() -> None:
    """A command pays only for what it uses: asking the version or the help must not import
    numpy, scipy, the scorer or the records (a lab script calls ``--version`` to check a station;
    importing everything made it cost three times its own start)."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from trainer.cli.main import main\n"
        "for argv in (['--version'], ['--help'], ['record', '--help'], ['simulate', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, (argv, exc.code)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('numpy', 'scipy', 'pandas', 'sqlalchemy', 'serial') "
        "or m.startswith(('trainer.scoring', 'trainer.strokes', 'trainer.library')))\n"
        "print('HEAVY', heavy)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stdout, proc.stdout[-500:]
    assert proc.stdout.startswith("iastm-trainer "), proc.stdout[:80]  # the version, on stdout
