"""How long a user waits for the program to start, against the floor that Python and Qt set.

Two targets, each against a baseline run alternately with it in the same run (best of
``--repeat`` wall-clock runs, each a fresh process, interpreter start-up and imports included):

- **the window**: from starting ``iastm-trainer`` until its main window is first exposed on the
  screen, against a bare PySide6 window (``QApplication`` + an empty ``QMainWindow``) timed the
  same way. Target: at most 2x. The window first shows its frame (title, menus, "Loading
  exercises…") and builds its training screen just after; the time until that is built and
  painted (the window **ready**, ``MainWindow.ready``) is printed beside it, for reference.
- **commands that score nothing**: the CPU time (user + system) of ``iastm-trainer exercises``
  against ``python -c "import numpy, serial"``. Target: at most 3x. ``--version`` and ``--help``
  are printed for reference.

The window is timed by a small driver that creates the ``QApplication`` first, installs an event
filter that ends the process when a top-level window is first exposed, and then runs the
application's own start-up (which reuses that ``QApplication``) or the bare window. The driver's
parent measures the wall time from starting the process to the driver's "exposed" line, and to
its "ready" line (printed once the window's ``ready`` signal came and Qt painted what it built).
Under Xvfb (``DISPLAY`` set) this is a real X11 window; otherwise the offscreen platform is used,
which leaves out the X server's share. Settings and recordings go to a temporary folder.

Run: python benchmarks/bench_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bytecode import compile_project

WINDOW_TARGET = 2.0
CLI_TARGET = 3.0

DRIVER = textwrap.dedent(
    """
    import os, sys
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    def painted_and_ready():
        # The training screen built: let Qt paint it, then say so and end.
        QApplication.processEvents()
        print("ready", flush=True)
        os._exit(0)

    class FirstExpose(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Expose and obj.isExposed():
                print("exposed", flush=True)
                QApplication.instance().removeEventFilter(self)
                if sys.argv[1] == "bare":
                    os._exit(0)
                window = next(
                    w for w in QApplication.topLevelWidgets() if hasattr(w, "ready")
                )
                if window.built:
                    painted_and_ready()
                window.ready.connect(painted_and_ready)
            return False

    app = QApplication(["iastm-trainer"])
    watcher = FirstExpose()
    app.installEventFilter(watcher)
    if sys.argv[1] == "bare":
        from PySide6.QtWidgets import QMainWindow
        window = QMainWindow()
        window.resize(1280, 720)
        window.show()
        app.exec()
    else:
        from ui.app.application import run
        run(["iastm-trainer"])
    """
)


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, IASTM_TRAINER_HOME=str(home))
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def window_s(kind: str, home: Path) -> tuple[float, float]:
    """Wall time from starting the driver to its first exposed window, and to the window
    ready (the application's training screen built and painted; the bare window is ready when
    exposed)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, kind],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(home),
    )
    line = proc.stdout.readline() if proc.stdout else ""
    exposed = time.perf_counter() - t0
    ready_line = proc.stdout.readline() if proc.stdout and kind != "bare" else "ready\n"
    ready = time.perf_counter() - t0 if kind != "bare" else exposed
    _, err = proc.communicate(timeout=60)
    if line.strip() != "exposed":
        raise RuntimeError(f"{kind}: no window was exposed ({err.strip()[-300:]})")
    if ready_line.strip() != "ready":
        raise RuntimeError(f"{kind}: the window never became ready ({err.strip()[-300:]})")
    return exposed, ready


def cpu_s(cmd: list[str], home: Path) -> float:
    """User + system CPU of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=_env(home))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "iastm-trainer"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ui.app.launcher"]


def _line(name: str, runs: list[float]) -> str:
    return f"{name:<34} best {min(runs):6.3f} s  (runs: {', '.join(f'{r:.3f}' for r in runs)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each; the best counts")
    args = parser.parse_args()
    compile_project()  # as installed: from bytecode, not compiled on every run
    platform = (
        "X11 (DISPLAY " + os.environ["DISPLAY"] + ")"
        if os.environ.get("DISPLAY")
        else ("offscreen (no DISPLAY)")
    )
    with tempfile.TemporaryDirectory() as d:
        home = Path(d)
        # An ordinary start, not the first: the getting-started guide was seen.
        (home / "config").mkdir()
        (home / "config" / "settings.ini").write_text("[help]\nguide_seen=true\n")
        bare, app, ready = [], [], []
        for _ in range(args.repeat):
            bare.append(window_s("bare", home)[0])
            exposed, built = window_s("app", home)
            app.append(exposed)
            ready.append(built)
        base_cmd = [sys.executable, "-c", "import numpy, serial"]
        floor, exercises, version = [], [], []
        for _ in range(args.repeat):
            floor.append(cpu_s(base_cmd, home))
            exercises.append(cpu_s([*_cli(), "exercises"], home))
            version.append(cpu_s([*_cli(), "--version"], home))
    window_ratio = min(app) / min(bare)
    cli_ratio = min(exercises) / min(floor)
    print(f"window on {platform}, wall clock from process start to first exposure:")
    print(_line("bare PySide6 window", bare))
    print(_line("iastm-trainer window", app))
    print(f"ratio {window_ratio:.2f} (target at most {WINDOW_TARGET:g})")
    print(_line("iastm-trainer window ready", ready))
    print(f"ready / bare window {min(ready) / min(bare):.2f} (for reference)")
    print("\ncommands that score nothing, CPU (user + system):")
    print(_line('python -c "import numpy, serial"', floor))
    print(_line("iastm-trainer exercises", exercises))
    print(_line("iastm-trainer --version", version))
    print(f"ratio exercises / bare import {cli_ratio:.2f} (target at most {CLI_TARGET:g})")
    return 0 if window_ratio <= WINDOW_TARGET and cli_ratio <= CLI_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
