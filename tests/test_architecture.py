"""The house rules of docs/architecture.md, checked by import-linter on the real import graph.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``): ``ui -> trainer -> devices``,
``ui`` reaching ``devices`` only through ``trainer.live.connection``, ``exercises`` importing
nothing of ours, no Qt outside ``ui``, no circles between sub-packages, and the order of the rooms
inside each package. A broken contract fails with the importing module and line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("devices", "trainer", "exercises", "ui")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_contract_is_kept() -> None:
    proc = _lint(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def _copy_of_the_house(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_qt_in_the_domain_would_be_caught(tmp_path: Path) -> None:
    house = _copy_of_the_house(tmp_path)
    bad = house / "trainer" / "signals" / "bad.py"
    bad.write_text("from PySide6 import QtCore\n")
    proc = _lint(house)
    assert proc.returncode != 0
    assert "trainer.signals.bad" in proc.stdout and "PySide6" in proc.stdout


def test_ui_reaching_past_trainer_into_devices_would_be_caught(tmp_path: Path) -> None:
    house = _copy_of_the_house(tmp_path)
    (house / "ui" / "widgets" / "bad.py").write_text("import devices.ports\n")
    proc = _lint(house)
    assert proc.returncode != 0
    assert "ui.widgets.bad" in proc.stdout


def test_a_circle_between_rooms_would_be_caught(tmp_path: Path) -> None:
    house = _copy_of_the_house(tmp_path)
    # signals is the bottom room: it importing scoring closes a circle (scoring -> signals).
    (house / "trainer" / "signals" / "bad.py").write_text("import trainer.scoring.scorer\n")
    proc = _lint(house)
    assert proc.returncode != 0
    assert "trainer.signals" in proc.stdout and "BROKEN" in proc.stdout
