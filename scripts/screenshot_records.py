"""Takes the pictures of the records windows: a student's progress and a class.

Run it under a display, for example a virtual one:

    xvfb-run -s "-screen 0 1600x1000x24" python scripts/screenshot_records.py

It fills a temporary records file with a made-up class (a course of eight students, eight weekly
sessions each, practice blocks with feedback and a retention block without, scores that improve
at each student's own pace), opens Records > Progress... and Records > Class..., and saves them
as PNGs in docs/. Nothing is written to the user's own records.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASS = "screenshot passphrase"
STUDENTS = [
    ("S-101", "Ann Lee", 62, 4.0),
    ("S-102", "Ben Ode", 48, 1.5),
    ("S-103", "Cy Park", 70, 2.5),
    ("S-104", "Dee Ruiz", 58, 3.5),
    ("S-105", "Eli Sato", 66, 2.0),
    ("S-106", "Fay Young", 52, 4.5),
    ("S-107", "Gus Amari", 74, 1.0),
    ("S-108", "Hal Novak", 45, 0.5),
]


def fill(db: Path) -> None:
    import numpy as np

    from trainer.library.exercise import find_exercise
    from trainer.records.repository import Records
    from trainer.records.sessions import NewSession, StrokeRow

    rng = np.random.default_rng(3)
    start = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)
    with Records.open(db) as records:
        records.add_course(PASS, "PT-301", "Manual therapy lab, autumn 2026")
        for sid, name, base, gain in STUDENTS:
            records.add_student(PASS, sid, name, course_id="PT-301")
            for week in range(8):
                ex = "fan" if week % 3 == 2 else "sweep"
                level = min(96.0, base + gain * week + rng.normal(0, 3))
                practice = np.clip(rng.normal(level + 3, 8, 20), 0, 100)
                retention = np.clip(rng.normal(level - 4, 8, 10), 0, 100)
                scores = [*practice, *retention]
                rows = [
                    StrokeRow(
                        idx=i + 1,
                        block=1 if i < 20 else 2,
                        start_s=2.0 * i,
                        end_s=2.0 * i + 1.0,
                        peak_force_n=10.0,
                        mean_angle_deg=45.0,
                        force_in_band_pct=level,
                        angle_in_band_pct=level,
                        force_error_pct=100.0 - s,
                        angle_error_deg=(100.0 - s) / 10.0,
                        score=float(s),
                        passed=bool(s >= 70.0),
                    )
                    for i, s in enumerate(scores)
                ]
                mean = float(np.mean(scores))
                started = start + timedelta(weeks=week, hours=int(rng.integers(0, 6)))
                records.add_session(
                    NewSession(
                        student_id=sid,
                        exercise=find_exercise(ex).to_dict(),
                        mode="practice",
                        started_at=started,
                        ended_at=started + timedelta(minutes=12),
                        strokes=rows,
                        summary={
                            "strokes": len(scores),
                            "mean_score": mean,
                            "passed": mean >= 70.0,
                            "consistency": 60.0 + week * 3,
                        },
                        blocks=[
                            {"block": 1, "feedback": "concurrent", "first_stroke": 1},
                            {"block": 2, "feedback": "none", "first_stroke": 21},
                        ],
                        course_id="PT-301",
                        device="iastm-sim fw 1.0.0 serial SIM-7",
                        recording=None,
                        events=None,
                    )
                )


def main() -> int:
    sys.path.insert(0, str(ROOT))
    home = tempfile.mkdtemp(prefix="iastm-screenshot-records-")
    os.environ["IASTM_TRAINER_HOME"] = home
    db = Path(home) / "records.sqlite"
    fill(db)

    from PySide6.QtCore import QTimer

    from ui.app.application import create_application
    from ui.records.class_window import ClassWindow
    from ui.records.progress_window import ProgressWindow
    from ui.theme import LIGHT, apply_theme

    app = create_application(["iastm-trainer"])
    apply_theme(app, LIGHT)
    progress = ProgressWindow(str(db), "S-101")
    progress.resize(1100, 720)
    progress.show()
    klass = ClassWindow(str(db))
    klass.resize(1100, 720)
    klass.show()
    status = {"code": 1}

    def shoot() -> None:
        sweep = progress.exercise_combo.findData("sweep")
        if sweep >= 0 and progress.exercise_combo.currentIndex() != sweep:
            progress.exercise_combo.setCurrentIndex(sweep)  # the exercise of most sessions
        if progress.table.rowCount() < 4 or klass.students.rowCount() < len(STUDENTS):
            QTimer.singleShot(200, shoot)
            return
        docs = ROOT / "docs"
        ok = progress.grab().save(str(docs / "screenshot-progress.png"))
        ok &= klass.grab().save(str(docs / "screenshot-class.png"))
        print("docs/screenshot-progress.png, docs/screenshot-class.png" if ok else "not saved")
        status["code"] = 0 if ok else 1
        app.quit()

    QTimer.singleShot(500, shoot)
    QTimer.singleShot(30_000, app.quit)
    app.exec()
    return status["code"]


if __name__ == "__main__":
    raise SystemExit(main())
