"""IASTM_TRAINER_CLOSE_AFTER, the option the frozen smoke test opens and closes the window with,
run from the development install so that a fault in it shows without building a bundle."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.packaging.frozen import ROOT, main_window_shown


def launch(tmp_path: Path, close_after: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        IASTM_TRAINER_HOME=str(tmp_path / "home"),
        IASTM_TRAINER_CLOSE_AFTER=close_after,
        QT_QPA_PLATFORM="offscreen",
    )
    return subprocess.run(
        [sys.executable, "-m", "ui.app.launcher"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_closes_the_shown_window_and_exits_0(tmp_path: Path) -> None:
    proc = launch(tmp_path, "0")
    assert proc.returncode == 0, proc.stderr
    assert main_window_shown(proc.stdout), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_wrong_value_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for wrong in ("soon", "-1", "nan"):
        proc = launch(tmp_path, wrong)
        assert proc.returncode == 2
        assert proc.stderr.strip() == (
            "iastm-trainer: IASTM_TRAINER_CLOSE_AFTER must be a number of seconds"
        )
        assert not (tmp_path / "home").exists()  # refused before anything started


def test_the_close_after_smoke_run_waits_for_the_training_screen(tmp_path: Path) -> None:
    # A smoke test of an installed copy must load the exercises (and numpy) before it closes:
    # on a first start the getting-started guide, opened once the screen is built, is shown too.
    proc = launch(tmp_path, "0")
    assert proc.returncode == 0, proc.stderr
    assert "'Getting started — iastm-trainer'" in proc.stdout, proc.stdout + proc.stderr
