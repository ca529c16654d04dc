"""Takes the pictures of the instructor's windows: an expert demonstration, and a review.

Run it under a display, for example a virtual one:

    xvfb-run -s "-screen 0 1600x1000x24" python scripts/screenshot_instructor.py

It opens the real application window (never shown) and from its menus' actions:
- the expert-recording window on the simulated tool in expert mode, faster than real time; once
  enough strokes are in and the envelope is built, one stroke is dropped, and the window is saved
  as a PNG while the demonstration is still being recorded, then again with its Scoring tab open;
- the review window on a simulated trainee's recording that has a two-second disconnect and some
  lost samples in its event log, with a stroke picked from the list.
Settings, recordings and exercises go to a temporary folder, never to the user's own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def make_review_recording(folder: Path, strokes: int, seed: int) -> Path:
    """A competent trainee's sweep recording with a disconnect and lost samples in its log."""
    import numpy as np

    from trainer.offline.simulation import simulate_recording
    from trainer.recordings.events import events_path
    from trainer.recordings.reader import read_recording
    from trainer.recordings.writer import write_recording

    raw, _ = simulate_recording(folder / "raw.csv", skill="competent", strokes=strokes, seed=seed)
    rec = read_recording(raw)
    gap_start_s, gap_s = 14.0, 2.0
    keep = (rec.t_s < gap_start_s) | (rec.t_s >= gap_start_s + gap_s)
    meta = dict(rec.metadata)
    meta["exercise"] = "sweep v1"
    meta["started"] = "2025-03-11T10:02:41+0100"
    path = write_recording(
        folder / "20250311-100241-sweep.csv", rec.t_s[keep], rec.values[keep], rec.channels, meta
    )
    last = float(rec.t_s[rec.t_s < gap_start_s][-1])
    events = [
        {"event": "disconnected", "t_s": last, "text": "port vanished"},
        {"event": "connected", "t_s": last},
        {"event": "lost", "t_s": 27.5, "count": 14},
        {"event": "summary", "rows": int(np.count_nonzero(keep))},
    ]
    with open(events_path(path), "a", encoding="utf-8") as f:
        for ev in events:
            f.write(json.dumps(ev) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expert-out", type=Path, default=DOCS / "screenshot-expert.png")
    parser.add_argument("--scoring-out", type=Path, default=DOCS / "screenshot-expert-scoring.png")
    parser.add_argument("--review-out", type=Path, default=DOCS / "screenshot-review.png")
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--speed", type=float, default=3.0, help="simulated seconds per second")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--strokes", type=int, default=12, help="expert strokes before the picture")
    parser.add_argument("--size", default="1600x1000", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--timeout", type=float, default=120.0, help="give up after this many s")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    home = Path(tempfile.mkdtemp(prefix="iastm-screenshot-"))
    os.environ["IASTM_TRAINER_HOME"] = str(home)
    sys.path.insert(0, str(ROOT))

    from PySide6.QtCore import QTimer

    from trainer.library.draft import ExerciseDraft
    from trainer.library.exercise import shipped_exercises
    from trainer.live.connection import DeviceChoice
    from trainer.paths import AppPaths
    from ui.app.application import create_application
    from ui.app.main_window import MainWindow
    from ui.app.settings import AppSettings
    from ui.theme import apply_theme, theme_named

    app = create_application(["iastm-trainer"])
    paths = AppPaths.default().ensure()
    settings = AppSettings(paths)
    settings.set_theme(args.theme)
    settings.set_device(DeviceChoice("sim", skill="competent"))
    settings.set_exercise_id("sweep")
    settings.sync()
    apply_theme(app, theme_named(args.theme))

    window = MainWindow(
        shipped_exercises(),
        paths,
        autostart=False,
        probe_ports=False,
        sim_speed=args.speed,
        sim_seed=args.seed,
    )
    review_file = make_review_recording(home, strokes=24, seed=args.seed)
    result = {"status": 0, "dropped": False}

    expert = window.open_expert_recording()
    expert.resize(width, height)
    expert.set_draft(
        ExerciseDraft(
            id="sweep-forearm-lee",
            name="Sweep, forearm (J. Lee)",
            stroke_type="sweep",
            body_region="forearm (wrist extensors)",
            instrument="single-bevel convex instrument, two hands",
            description="Long even strokes along the fibres; steady force through the middle.",
            recorded_by="J. Lee, PT",
            pass_mark=70.0,
        )
    )
    expert.target_spin.setValue(15)
    expert.start_recording()

    def poll_expert() -> None:
        n = len(expert.strokes())
        if n < args.strokes or expert.build is None or expert._build_call is not None:
            return
        if not result["dropped"]:
            flagged = [r.index for r in expert.stroke_model.rows() if r.outlier]
            expert.set_kept(flagged[0] if flagged else 4, False)
            expert.stroke_table.selectRow(1)
            result["dropped"] = True
            return
        if expert.build.envelope.n_strokes != sum(expert.stroke_model.kept()):
            return
        timer.stop()
        save(expert, args.expert_out)
        expert.form_tabs.setCurrentWidget(expert.scoring_form)
        QTimer.singleShot(200, shoot_scoring)

    def shoot_scoring() -> None:
        save(expert, args.scoring_out)
        expert.form_tabs.setCurrentIndex(0)
        expert.recorder.stopped.connect(lambda _p: show_review())
        expert.stop_recording()

    def show_review() -> None:
        review = window.open_for_review(review_file)
        review.resize(width, height)
        review.loaded.connect(lambda _r: QTimer.singleShot(300, lambda: shoot_review(review)))
        review.load_failed.connect(lambda msg: fail(msg))

    def shoot_review(review) -> None:
        review.select_stroke(6)
        QTimer.singleShot(200, lambda: (save(review, args.review_out), finish()))

    def save(widget, out: Path) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if widget.grab().save(str(out)):
            print(f"{out}: saved")
        else:
            fail(f"could not write {out}")

    def fail(message: str) -> None:
        print(message, file=sys.stderr)
        result["status"] = 1
        finish()

    def finish() -> None:
        timer.stop()
        if window.expert is not None:
            window.expert.unsaved = False  # a picture's demonstration: closing must not ask
        for w in (window.expert, window.review):
            if w is not None:
                w.close()
        if window.expert is not None and window.expert.recording:
            window.expert.recorder.stopped.connect(lambda _p: app.quit())
        else:
            app.quit()

    timer = QTimer()
    timer.setInterval(30)
    timer.timeout.connect(poll_expert)
    timer.start()
    QTimer.singleShot(int(args.timeout * 1000), lambda: fail(f"gave up after {args.timeout:g} s"))
    app.exec()
    return result["status"]


if __name__ == "__main__":
    raise SystemExit(main())
