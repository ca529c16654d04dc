"""Point 3: output files are locked while written and never silently replaced.

Two ``record`` processes on one ``--out`` used to both exit 0 over a spliced file (time going
4.023 -> 9 -> 4.041, a broken row mid-file); ``envelope X.csv --out X.csv`` and ``record`` or
``simulate --out`` onto an existing file destroyed a recording without a word. Now the second
writer is refused naming the first, an existing file is kept unless ``--force``, and an exercise
file is either the old one or the new one, never half of each.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np

from tests.cli_helpers import assert_user_error, run_cli
from tests.reliability.recorder import Recorder, cli_command
from trainer.library.exercise import find_exercise, load_exercise_file, save_exercise
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording


def test_a_second_writer_on_the_same_file_is_refused_naming_the_first(tmp_path: Path) -> None:
    out = tmp_path / "session.csv"
    first = Recorder("sim", 120, out)
    try:
        first.wait_rows(300)
        # --force: replacing an existing file is allowed, writing under another program is not.
        second = run_cli(
            "record", "--device", "sim", "--seconds", "5", "--out", str(out), "--force"
        )
        assert_user_error(
            second, str(out), "another program is writing it", f"pid {first.proc.pid}"
        )
        assert "Recording" not in second.stderr
        sim = run_cli(
            "simulate", "--skill", "expert", "--strokes", "2", "--seed", "1", "--out", str(out),
            "--force",
        )  # fmt: skip
        assert_user_error(sim, str(out), "another program is writing it")
        first.proc.send_signal(signal.SIGINT)
        result = first.result()
    finally:
        first.kill()
    recording = read_recording(out)
    assert recording.notes == []
    assert len(recording.t_s) == result["samples"]
    assert (np.diff(recording.t_s) > 0).all() and np.diff(recording.t_s).max() < 0.1


def test_an_existing_recording_is_never_replaced_without_force(tmp_path: Path) -> None:
    out = tmp_path / "expert.csv"
    simulate_recording(out, strokes=3, seed=2)
    original = out.read_bytes()

    record = run_cli("record", "--device", "sim", "--seconds", "1", "--out", str(out))
    assert_user_error(record, str(out), "already exists", "--force")
    simulate = run_cli(
        "simulate", "--skill", "novice", "--strokes", "1", "--seed", "5", "--out", str(out)
    )
    assert_user_error(simulate, str(out), "already exists", "--force")
    envelope = run_cli("envelope", str(out), "--id", "mine", "--name", "Mine", "--out", str(out))
    assert_user_error(envelope, str(out), "would destroy it")
    envelope = run_cli(
        "envelope", str(out), "--id", "mine", "--name", "Mine", "--out", str(out), "--force"
    )
    assert_user_error(envelope, str(out), "would destroy it")  # not even with --force
    link = tmp_path / "another-name.csv"
    link.symlink_to(out)
    envelope = run_cli("envelope", str(out), "--id", "mine", "--name", "Mine", "--out", str(link))
    assert_user_error(envelope, "would destroy it")
    assert out.read_bytes() == original

    replaced = run_cli(
        "record", "--device", "sim", "--seconds", "0.5", "--out", str(out), "--force"
    )
    assert replaced.returncode == 0, replaced.stderr
    assert out.read_bytes() != original


def test_an_exercise_file_is_the_old_one_or_the_new_one_never_half(tmp_path: Path) -> None:
    """Writing past the largest file allowed (``RLIMIT_FSIZE``, EFBIG, as a full disk refuses
    with ENOSPC) fails with one line and leaves the old exercise file as it was."""
    expert = tmp_path / "expert.csv"
    simulate_recording(expert, strokes=4, seed=2)
    target = tmp_path / "mine.json"
    save_exercise(replace(find_exercise("sweep"), id="mine", name="Mine"), target)
    original = target.read_bytes()
    refused = run_cli(
        "envelope", str(expert), "--id", "mine", "--name", "New", "--out", str(target)
    )
    assert_user_error(refused, str(target), "already exists", "--force")

    limit = len(original) // 2

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [*cli_command(), "envelope", str(expert), "--id", "mine", "--name", "New", "--out",
         str(target), "--force"],
        capture_output=True, text=True, env=env, preexec_fn=small_files, timeout=120,
    )  # fmt: skip
    assert_user_error(done, str(target), "File too large")
    assert target.read_bytes() == original
    assert load_exercise_file(target).name == "Mine"
    litter = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert litter == []  # no half-written temporary file, no lock left behind
