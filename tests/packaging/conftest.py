"""The bundle the packaging tests run: built once a test session, by the script CI uses."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.frozen import BUNDLE, ROOT

EXE = BUNDLE / ("iastm-trainer.exe" if sys.platform == "win32" else "iastm-trainer")


@pytest.fixture(scope="session")
def bundle() -> Path:
    """dist/iastm-trainer/, built (or found up to date) by the same script CI and releases use."""
    # The bash on PATH: on Windows a bare "bash" would find the WSL launcher in System32 first.
    proc = subprocess.run(
        [shutil.which("bash") or "bash", "packaging/build.sh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert proc.returncode == 0, (
        f"packaging/build.sh failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    assert EXE.is_file(), f"build.sh finished but made no {EXE}"
    return EXE
