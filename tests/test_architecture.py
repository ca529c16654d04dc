"""The house rules of docs/architecture.md, checked on every module's imports.

Imports point one way: ui -> trainer -> devices; exercises holds data and imports nothing of ours;
nothing imports ui; nothing outside ui imports Qt. A violation fails with the module and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT = {"PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "PySide2"}
OURS = {"trainer", "devices", "exercises", "ui"}

#: For each package, the packages of ours it may import.
ALLOWED = {
    "devices": set(),
    "exercises": set(),
    "trainer": {"devices", "exercises"},
    "ui": {"trainer", "devices", "exercises"},
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_point_one_way(package: str) -> None:
    problems = []
    for path in _modules(package):
        for line, name in _imports(path):
            top = name.split(".")[0]
            rel = path.relative_to(ROOT)
            if top in OURS and top != package and top not in ALLOWED[package]:
                problems.append(f"{rel}:{line} imports {name}")
            if package != "ui" and top in QT:
                problems.append(f"{rel}:{line} imports Qt ({name}) outside ui/")
    assert not problems, "\n".join(problems)


def test_every_package_has_modules_to_check() -> None:
    # Guards the test above against silently checking nothing (a moved folder, a bad glob).
    for package in ("devices", "trainer"):
        assert len(_modules(package)) >= 5, package


def test_a_violation_would_be_caught(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom PySide6 import QtCore\nimport ui.app\n")
    names = [n for _, n in _imports(bad)]
    assert "PySide6" in names and "ui.app" in names
