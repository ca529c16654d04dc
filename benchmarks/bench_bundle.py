"""The frozen bundle against the development install: how big, and how fast it starts.

Both sides run in the same run, alternately, each command a fresh process (best of ``--repeat``
wall-clock runs, and the CPU time of that run):

- ``iastm-trainer --version`` and ``iastm-trainer exercises``: the command line;
- the window: start, show the main window offscreen (or on ``DISPLAY`` under Xvfb) and close it
  again at once (``IASTM_TRAINER_CLOSE_AFTER=0``, which closes once the window is shown).

The development side is the console script in ``.venv``; the bundle is ``dist/iastm-trainer/``
from ``bash packaging/build.sh``. Sizes: the bundle's files against what the development install
needs to run (the runtime packages' installed files, our packages, Python's standard library).

Run: python benchmarks/bench_bundle.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import sysconfig
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "iastm-trainer"
FROZEN = BUNDLE / ("iastm-trainer.exe" if sys.platform == "win32" else "iastm-trainer")
DEV = Path(sys.executable).parent / "iastm-trainer"
OUR_PACKAGES = ("devices", "trainer", "exercises", "ui")

sys.path.insert(0, str(ROOT / "packaging"))
from bytecode import compile_project  # noqa: E402
from licences import runtime_closure  # noqa: E402 - the bundle's own list of what it carries


def tree_bytes(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
            total += path.stat().st_size
    return total


def dev_install_bytes() -> dict[str, int]:
    packages = 0
    for name in runtime_closure():
        for file in metadata.distribution(name).files or []:
            path = Path(file.locate())
            if path.is_file() and "__pycache__" not in path.parts:
                packages += path.stat().st_size
    ours = sum(tree_bytes(ROOT / package) for package in OUR_PACKAGES)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    python = tree_bytes(stdlib) - tree_bytes(stdlib / "site-packages")
    return {"runtime packages": packages, "our packages": ours, "Python's library": python}


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {proc.returncode}: {proc.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    compile_project()  # as installed: from bytecode, not compiled on every run
    if not FROZEN.is_file():
        print(f"no bundle at {BUNDLE}: run bash packaging/build.sh first", file=sys.stderr)
        return 2
    if not DEV.is_file():
        print(f"no development install at {DEV}: run bash scripts/setup.sh", file=sys.stderr)
        return 2

    bundle = tree_bytes(BUNDLE)
    dev = dev_install_bytes()
    print(f"size: bundle {bundle / 1e6:.0f} MB on disk")
    print(
        f"      development install {sum(dev.values()) / 1e6:.0f} MB ("
        + ", ".join(f"{k} {v / 1e6:.0f} MB" for k, v in dev.items())
        + f"), ratio {bundle / sum(dev.values()):.2f}x"
    )

    home = Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    env = dict(os.environ, IASTM_TRAINER_HOME=str(home))
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    window_env = dict(env, IASTM_TRAINER_CLOSE_AFTER="0")
    cases = [
        ("--version", ["--version"], env),
        ("exercises", ["exercises"], env),
        ("window: start, show, close", [], window_env),
    ]
    print(f"\nstart-up, best of {args.repeat} fresh processes (wall s / CPU s), sides alternating")
    print(f"{'command':30} {'development':>16} {'bundle':>16} {'ratio (wall)':>13}")
    for label, argv, case_env in cases:
        best = {"dev": (float("inf"), 0.0), "frozen": (float("inf"), 0.0)}
        for _ in range(args.repeat):
            for side, exe in (("dev", DEV), ("frozen", FROZEN)):
                wall, cpu = timed([str(exe), *argv], case_env)
                if wall < best[side][0]:
                    best[side] = (wall, cpu)
        d, f = best["dev"], best["frozen"]
        print(
            f"{label:30} {d[0]:7.3f} / {d[1]:6.3f} {f[0]:7.3f} / {f[1]:6.3f} {f[0] / d[0]:12.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
