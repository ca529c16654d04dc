"""Running a frozen program the way a user's machine would: no Python on its path, its own home,
and its output read for the signs of a broken bundle."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "iastm-trainer"

# What a bundle missing a module, a library or a data file prints.
SIGNS_OF_BREAKAGE = (
    "Traceback",
    "ImportError",
    "ModuleNotFoundError",
    "No module named",
    "FileNotFoundError",
    "No such file",
    "Failed to execute script",
    "Could not load the Qt platform plugin",
    "Cannot load library",
    "ExerciseError",
    "Exercises not loaded",
)


def frozen_env(home: Path) -> dict[str, str]:
    """The user's environment less anything pointing at a Python: the bundle must need none."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTHON") and key not in ("VIRTUAL_ENV", "PYTEST_CURRENT_TEST")
    }
    venv_bin = str(ROOT / ".venv" / ("Scripts" if sys.platform == "win32" else "bin"))
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["IASTM_TRAINER_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def run_frozen(exe: Path, tmp_path: Path, *args: str, extra_env: dict[str, str] | None = None):
    """Runs the bundle in an empty folder; fails on a non-zero exit or a sign of breakage."""
    env = frozen_env(tmp_path / "home") | (extra_env or {})
    proc = subprocess.run(
        [str(exe), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, (
        f"iastm-trainer {' '.join(args)} exited {proc.returncode}:\n{output}"
    )
    found = [sign for sign in SIGNS_OF_BREAKAGE if sign in output]
    assert not found, f"iastm-trainer {' '.join(args)} printed {found}:\n{output}"
    return proc


def windows_shown(stdout: str) -> list[str]:
    """The window titles IASTM_TRAINER_CLOSE_AFTER printed when it closed them."""
    for line in stdout.splitlines():
        if "windows shown: " in line:
            return ast.literal_eval(line.split("windows shown: ", 1)[1])
    raise AssertionError(f"no 'windows shown' line in:\n{stdout}")


def main_window_shown(stdout: str) -> bool:
    return any(title.startswith("iastm-trainer — ") for title in windows_shown(stdout))
