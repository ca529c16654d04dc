"""Takes the README's series of one stroke growing under concurrent feedback (simulated expert).

Run it under a display, for example a virtual one:

    xvfb-run -s "-screen 0 1920x1080x24" python scripts/screenshot_series.py

It runs ``scripts/screenshot.py`` once for each stage of a stroke (the simulated expert, the same
seed each time, so the same person), cuts the force plot out of each picture and stacks them, so
that one look shows whether the live trace of an expert's build-up stays inside the band.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("3-8", "10-16", "20-30", "45-55", "80-95")
#: The force plot in a 1600 x 1000 window: left, top, width, height.
FORCE_PLOT = (352, 124, 928, 298)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "screenshot-live-stroke-series.png"
    )
    parser.add_argument("--seed", type=int, default=101)
    args = parser.parse_args(argv)

    from PySide6.QtCore import QRect
    from PySide6.QtGui import QGuiApplication, QImage, QPainter

    work = Path(tempfile.mkdtemp(prefix="iastm-series-"))
    shots = []
    for stage in STAGES:
        out = work / f"at-{stage}.png"
        cmd = [sys.executable, str(ROOT / "scripts" / "screenshot.py"), "--skill", "expert"]
        cmd += ["--seed", str(args.seed), "--strokes", "2", "--at", stage, "--out", str(out)]
        if subprocess.run(cmd, check=False).returncode != 0:
            print(f"no picture at {stage} % of the stroke", file=sys.stderr)
            return 1
        shots.append(out)

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - QImage needs it
    x, y, w, h = FORCE_PLOT
    series = QImage(w, h * len(shots), QImage.Format.Format_RGB32)
    painter = QPainter(series)
    for i, shot in enumerate(shots):
        painter.drawImage(0, h * i, QImage(str(shot)).copy(QRect(x, y, w, h)))
    painter.end()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not series.save(str(args.out)):
        print(f"could not write {args.out}", file=sys.stderr)
        return 1
    print(f"{args.out}: {len(shots)} stages of one stroke")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
