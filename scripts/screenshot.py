"""Takes the README's picture of the training screen: a live simulated session, mid-stroke.

Run it under a display, for example a virtual one:

    xvfb-run -s "-screen 0 1600x1000x24" python scripts/screenshot.py

It opens the real application window on the simulated tool (faster than real time, so several
strokes are scored within seconds), waits until a few strokes are in the list and the next one is
about half-way through, and saves the window as a PNG. Settings and recordings go to a temporary
folder, never to the user's own.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "screenshot-training.png"


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from trainer.live.connection import SKILLS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--exercise", default="sweep", help="id of a shipped exercise")
    parser.add_argument("--skill", choices=tuple(SKILLS), default="competent")
    parser.add_argument(
        "--device",
        choices=("sim", "sim:plate"),
        default="sim",
        help="the simulated tool, or the simulated force plate (with a plate exercise, e.g. "
        "--exercise fan-plate)",
    )
    parser.add_argument("--feedback", default="concurrent", help="a feedback schedule's name")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--strokes", type=int, default=5, help="strokes scored before the picture")
    parser.add_argument("--size", default="1600x1000", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--timeout", type=float, default=90.0, help="give up after this many s")
    parser.add_argument(
        "--at",
        default="45-75",
        help="take the picture when the stroke in progress is this far through, LOW-HIGH %% of "
        "the expert's time (a series of pictures shows one stroke growing)",
    )
    parser.add_argument(
        "--block-end",
        action="store_true",
        help="instead, stop after --strokes strokes and take the block's end-of-block report",
    )
    args = parser.parse_args(argv)
    at_lo, at_hi = (float(v) for v in args.at.split("-"))
    width, height = (int(v) for v in args.size.lower().split("x"))

    home = tempfile.mkdtemp(prefix="iastm-screenshot-")
    os.environ["IASTM_TRAINER_HOME"] = home

    from PySide6.QtCore import QTimer

    from trainer.library.exercise import shipped_exercises
    from trainer.live.connection import DeviceChoice
    from trainer.live.feedback import Schedule
    from trainer.paths import AppPaths
    from ui.app.application import create_application
    from ui.app.main_window import MainWindow
    from ui.app.settings import AppSettings

    app = create_application(["iastm-trainer"])
    paths = AppPaths.default().ensure()
    settings = AppSettings(paths)
    settings.set_theme(args.theme)
    settings.set_device(DeviceChoice("sim", skill=args.skill, plate=args.device == "sim:plate"))
    settings.set_exercise_id(args.exercise)
    settings.set_schedule(Schedule(args.feedback))
    settings.sync()

    exercises = shipped_exercises()
    if not exercises:
        print(
            "no shipped exercises: run `python -m trainer.offline.library_build` first",
            file=sys.stderr,
        )
        return 1
    window = MainWindow(
        exercises,
        paths,
        autostart=True,
        probe_ports=False,
        sim_speed=args.speed,
        sim_seed=args.seed,
    )
    window.resize(width, height)
    window.show()
    view = window.view
    result = {"status": 1}

    def mid_stroke_pct() -> float | None:
        match = re.search(r"in progress \((\d+) %", view.stroke_panel.caption())
        return float(match.group(1)) if match else None

    def save(what: str) -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(args.out)):
            print(f"could not write {args.out}", file=sys.stderr)
        else:
            print(f"{args.out}: {view.table_model.rowCount()} strokes, {what}")
            result["status"] = 0

    def block_ended(_summary: object) -> None:
        QTimer.singleShot(300, lambda: (save("end of block"), app.quit()))

    def poll() -> None:
        pct = mid_stroke_pct()
        ready = view.table_model.rowCount() >= args.strokes
        if args.block_end:
            if ready:
                timer.stop()
                view.stay_connected = False
                window.controller.stopped.connect(block_ended)
                view.stop_session()
            return
        # Only concurrent feedback draws the stroke in progress: other schedules are taken
        # once enough strokes are in.
        live = args.feedback == "concurrent"
        if ready and (not live or (pct is not None and at_lo <= pct <= at_hi)):
            save("mid-session" if pct is None else f"stroke at {pct:.0f} %")
            finish()

    def give_up() -> None:
        print(
            f"gave up after {args.timeout:g} s: {view.table_model.rowCount()} strokes",
            file=sys.stderr,
        )
        finish()

    def finish() -> None:
        timer.stop()
        window.controller.stopped.connect(app.quit)
        if not window.view.stop_session():
            app.quit()

    timer = QTimer()
    timer.setInterval(15)
    timer.timeout.connect(poll)
    timer.start()
    QTimer.singleShot(int(args.timeout * 1000), give_up)
    app.exec()
    return result["status"]


if __name__ == "__main__":
    raise SystemExit(main())
