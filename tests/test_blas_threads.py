"""The program runs numpy with one BLAS thread: the pool OpenBLAS starts for large matrix
products costs CPU at start-up and while idle, and this program computes none that large."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from trainer.cli.threads import BLAS_THREAD_VARIABLES, one_blas_thread

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env_without_blas_settings() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in BLAS_THREAD_VARIABLES}
    env["PYTHONPATH"] = ROOT
    return env


def test_one_thread_is_asked_for_when_nothing_was_chosen() -> None:
    environ: dict[str, str] = {"PATH": "/usr/bin"}
    one_blas_thread(environ)
    assert environ["OPENBLAS_NUM_THREADS"] == "1"


@pytest.mark.parametrize("name", BLAS_THREAD_VARIABLES)
def test_a_users_own_choice_is_kept(name: str) -> None:
    environ = {name: "4"}
    one_blas_thread(environ)
    assert environ == {name: "4"}


@pytest.mark.parametrize(
    "entry",
    [
        "from ui.app.launcher import main; main(['exercises', '--json'])",
        "import runpy; runpy.run_module('trainer.cli', run_name='__main__')",
    ],
    ids=["console script and bundle", "python -m trainer.cli"],
)
def test_the_entry_points_start_numpy_with_one_thread(entry: str) -> None:
    """Counted as the process's threads once a command that loads numpy has run."""
    script = (
        "import atexit, os, sys\n"
        "def report():\n"
        "    tasks = len(os.listdir('/proc/self/task'))\n"
        "    print('numpy' in sys.modules, os.environ.get('OPENBLAS_NUM_THREADS'), tasks,\n"
        "          file=sys.stderr)\n"
        "atexit.register(report)\n"
        "sys.argv = ['iastm-trainer', 'exercises', '--json']\n"
        f"{entry}\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=_env_without_blas_settings(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stderr.split()[-3:] == ["True", "1", "1"], out.stderr
