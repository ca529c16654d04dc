"""Takes the pictures of Records > Assessments and rating...: the completeness check before
grading, and a stroke being rated while its session is replayed.

Run it under a display, for example a virtual one:

    xvfb-run -s "-screen 0 1600x1000x24" python scripts/screenshot_instructor_records.py

It fills a temporary records file with the made-up class of ``screenshot_records.py``, adds an
assessment of ten sweeps and attempts at it recorded on the simulated tool (real recordings,
scored and stored: one student with too few strokes, one with two attempts, three with none),
rates two strokes, and saves docs/screenshot-instructor-grading.png and
docs/screenshot-instructor-records.png. Nothing is written to the user's own records.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: (student, skill, strokes) of each assessment attempt, oldest first.
ATTEMPTS = [
    ("S-101", "competent", 12),
    ("S-103", "competent", 10),
    ("S-104", "novice", 11),
    ("S-104", "competent", 10),
    ("S-105", "novice", 6),
]


def add_assessment(db: Path, home: Path) -> str:
    """The assessment and its attempts; the id of S-101's attempt (the one rated)."""
    from screenshot_records import PASS

    from trainer.library.exercise import find_exercise
    from trainer.offline.analysis import score_recording
    from trainer.offline.simulation import simulate_recording
    from trainer.recordings.reader import read_recording
    from trainer.records.capture import session_from_scores
    from trainer.records.repository import Records

    exercise = find_exercise("sweep")
    first = ""
    with Records.open(db) as records:
        records.add_assessment(
            PASS,
            "sweep-check",
            course_id="PT-301",
            exercise_id="sweep",
            strokes_n=10,
            pass_score=70,
            pass_share=0.7,
            title="Sweep, end of term",
            rubric={"pressure": 3},
        )
        for i, (sid, skill, n) in enumerate(ATTEMPTS):
            path = home / f"attempt-{i}.csv"
            simulate_recording(path, skill=skill, strokes=n, seed=11 + i, rate_hz=500.0)
            report = score_recording(read_recording(path), exercise)
            new = session_from_scores(
                student_id=sid,
                exercise=exercise,
                scores=report.scores,
                summary=report.summary,
                recording=read_recording(path),
                mode="assessment",
                assessment_id="sweep-check",
            )
            records.add_session(new)
            first = first or new.id
        for stroke, value, comment in ((1, 4, "steady"), (2, 3, "eased off early")):
            records.rate(
                PASS,
                first,
                rater="Dr Lee",
                item="pressure",
                value=value,
                stroke=stroke,
                comment=comment,
            )
    return first


def main() -> int:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    home = Path(tempfile.mkdtemp(prefix="iastm-screenshot-instructor-"))
    os.environ["IASTM_TRAINER_HOME"] = str(home)
    db = home / "records.sqlite"
    from screenshot_records import fill

    fill(db)
    add_assessment(db, home)

    from PySide6.QtCore import QTimer

    from ui.app.application import create_application
    from ui.records.instructor_window import InstructorWindow
    from ui.theme import LIGHT, apply_theme

    app = create_application(["iastm-trainer"])
    apply_theme(app, LIGHT)
    window = InstructorWindow(str(db), ["sweep", "fan"])
    window.resize(1280, 760)
    window.show()
    status = {"code": 1, "step": 0}
    docs = ROOT / "docs"

    def shoot() -> None:
        panel, rating = window.gradebook, window.rating
        if status["step"] == 0:
            if panel.table.rowCount() < 8:
                QTimer.singleShot(200, shoot)
                return
            status["ok"] = window.grab().save(str(docs / "screenshot-instructor-grading.png"))
            window.tabs.setCurrentWidget(rating)
            status["step"] = 1
        if status["step"] == 1:
            if rating.student_combo.count() < 8:
                QTimer.singleShot(200, shoot)
                return
            rating.choose_student("S-101")
            status["step"] = 2
        if status["step"] == 2:
            if rating.sessions.rowCount() < 9:
                QTimer.singleShot(200, shoot)
                return
            rating.choose_session(0)  # newest first: the assessment attempt
            status["step"] = 3
        if status["step"] == 3:
            if rating.replay is None or rating.model.rowCount() < 10:
                QTimer.singleShot(200, shoot)
                return
            rating.strokes.selectRow(1)
            rating._on_stroke(rating.model.row_at(1))
            rating.rater_edit.setText("Dr Lee")
            rating.item_combo.setCurrentText("pressure")
            rating.comment_edit.setText("eased off early")
            QTimer.singleShot(300, finish)

    def finish() -> None:
        ok = status.get("ok", False)
        ok &= window.grab().save(str(docs / "screenshot-instructor-records.png"))
        print(
            "docs/screenshot-instructor-grading.png, docs/screenshot-instructor-records.png"
            if ok
            else "not saved"
        )
        status["code"] = 0 if ok else 1
        app.quit()

    QTimer.singleShot(500, shoot)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    return status["code"]


if __name__ == "__main__":
    raise SystemExit(main())
