"""Compiled bytecode for the project's own modules before a whole-process benchmark.

An installed program starts from compiled bytecode: pip compiles what it installs, the bundle
carries it, and an editable install writes ``__pycache__`` on its first run. A process started
with ``PYTHONDONTWRITEBYTECODE`` set (some shells and CI images set it) never writes it, so every
run compiles our modules from source again: 62 modules and about 0.09 s of CPU for ``record``,
more for the window. Timing that would measure the compiler, not the program. The bytecode is
written next to the sources (``__pycache__/``, ignored by git); the Python files are unchanged.
"""

from __future__ import annotations

import compileall
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("devices", "trainer", "ui")


def compile_project() -> None:
    """Write up-to-date bytecode for every module of the program (quietly; a no-op when fresh)."""
    for name in PACKAGES:
        compileall.compile_dir(str(ROOT / name), quiet=1, force=False)
