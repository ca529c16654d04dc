"""The frozen bundle as a student gets it: built by packaging/build.sh, run with no Python.

The bundle is built once per test run, or reused when ``dist/iastm-trainer/`` was built from the
same sources and packages (``packaging/build_key.py``). Each program run is checked for its exit
status and for what a broken bundle prints: a traceback, a module or file it could not find.
The same tests run on Linux, Windows and macOS in ``.github/workflows/bundles.yml``.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

from tests.packaging.frozen import BUNDLE, ROOT, frozen_env, main_window_shown, run_frozen

INTERNAL = BUNDLE / "_internal"
OUR_PACKAGES = ("devices", "trainer", "exercises", "ui")


def test_version_is_the_projects(bundle: Path, tmp_path: Path) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    proc = run_frozen(bundle, tmp_path, "--version")
    assert proc.stdout.strip() == f"iastm-trainer {version}"


def test_lists_every_shipped_exercise(bundle: Path, tmp_path: Path) -> None:
    shipped = {path.stem for path in (ROOT / "exercises" / "library").glob("*.json")}
    proc = run_frozen(bundle, tmp_path, "exercises", "--json")
    listed = {exercise["id"] for exercise in json.loads(proc.stdout)["exercises"]}
    assert listed == shipped


def test_scores_a_simulated_recording(bundle: Path, tmp_path: Path) -> None:
    recording = tmp_path / "student.csv"
    run_frozen(
        bundle,
        tmp_path,
        "simulate",
        "--skill",
        "expert",
        "--strokes",
        "4",
        "--seed",
        "3",
        "--exercise",
        "sweep",
        "--out",
        str(recording),
    )
    proc = run_frozen(bundle, tmp_path, "score", str(recording), "--exercise", "sweep", "--json")
    report = json.loads(proc.stdout)
    assert report["exercise"] == "sweep"
    assert report["summary"]["strokes"] == 4
    assert all(0 <= stroke["score"] <= 100 for stroke in report["strokes"])


def test_a_bad_recording_is_one_line_not_a_traceback(bundle: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("not,a,recording\n1,2\n", encoding="utf-8")
    proc = subprocess.run(
        [str(bundle), "score", str(bad), "--exercise", "sweep"],
        cwd=tmp_path,
        env=frozen_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 2
    assert "bad.csv" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_creates_a_records_database_through_its_migrations(bundle: Path, tmp_path: Path) -> None:
    # Alembic reads the migration scripts as files from the bundle, and SQLAlchemy loads its
    # SQLite dialect by name: both fail only in a frozen program, and only here.
    database = tmp_path / "records.sqlite"
    proc = run_frozen(bundle, tmp_path, "db", "upgrade", "--db", str(database), "--json")
    assert json.loads(proc.stdout)["schema"]
    assert database.stat().st_size > 0


def test_the_window_opens_and_closes_offscreen(bundle: Path, tmp_path: Path) -> None:
    # The application closes its own window 3 s after it starts, once the window is shown
    # (IASTM_TRAINER_CLOSE_AFTER in ui/app/launcher.py): no timing on this side.
    proc = run_frozen(bundle, tmp_path, extra_env={"IASTM_TRAINER_CLOSE_AFTER": "3"})
    assert main_window_shown(proc.stdout), proc.stdout + proc.stderr
    # Closing the normal way stores the window's settings under the chosen home.
    assert list((tmp_path / "home").rglob("settings.ini"))


def source_data_files() -> list[Path]:
    """Our packages' data, as the spec collects it: non-Python files, and migrations whole."""
    files = []
    for package in OUR_PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if path.suffix in (".py", ".pyc") and "migrations" not in path.parts:
                continue
            files.append(path.relative_to(ROOT))
    return files


def test_every_data_file_is_in_the_bundle(bundle: Path) -> None:
    files = source_data_files()
    assert any(path.parts[:2] == ("exercises", "library") for path in files)
    missing = [str(path) for path in files if not (INTERNAL / path).is_file()]
    assert not missing, f"data files missing from the bundle: {missing}"


def test_carries_the_licences_and_leaves_out_unused_qt(bundle: Path) -> None:
    licences = (INTERNAL / "licences" / "THIRD-PARTY-LICENCES.txt").read_text(encoding="utf-8")
    for package in ("PySide6_Essentials", "numpy", "scipy", "pyqtgraph", "pyserial"):
        assert package in licences
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in licences  # Qt's, through PySide6
    for text in ("PYTHON-LICENCE.txt", "GPL-3.0.txt"):
        assert (INTERNAL / "licences" / text).is_file()
    qt_modules = {path.name.split(".")[0] for path in (INTERNAL / "PySide6").glob("Qt*.*")}
    assert {"QtCore", "QtGui", "QtWidgets"} <= qt_modules
    assert not qt_modules & {"QtNetwork", "QtQml", "QtQuick", "QtSql", "QtTest", "QtSvg"}


def test_a_course_certifies_a_student_and_the_certificate_verifies(
    bundle: Path, tmp_path: Path
) -> None:
    """What a continuing-education course does, through the frozen program only: the records
    (Alembic, SQLAlchemy), scoring an assessment, the PDF report (typst), and a signed
    certificate (pyHanko, cryptography, the QR code) that then verifies offline."""
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text("a long lab passphrase\n", encoding="utf-8")
    env = {"IASTM_TRAINER_PASSPHRASE_FILE": str(passphrase)}
    db = str(tmp_path / "course.sqlite")

    def run(*args: str) -> dict:
        proc = run_frozen(bundle, tmp_path, *args, "--db", db, "--json", extra_env=env)
        return json.loads(proc.stdout) if proc.stdout.strip() else {}

    recording = tmp_path / "assessment.csv"
    run_frozen(
        bundle,
        tmp_path,
        *("simulate", "--skill", "expert", "--strokes", "10", "--seed", "5"),
        *("--exercise", "sweep", "--out", str(recording)),
    )
    run("db", "upgrade")
    run("courses", "add", "--id", "ce101", "--name", "IASTM for the forearm", "--hours", "8")
    run("students", "add", "--student-id", "s1", "--name", "Ann Archer", "--course", "ce101")
    run(
        *("assessments", "add", "--id", "final", "--course", "ce101", "--exercise", "sweep"),
        *("--strokes", "10", "--pass-score", "50"),
    )
    stored = run(
        *("sessions", "add", str(recording), "--student", "s1", "--exercise", "sweep"),
        *("--mode", "assessment", "--assessment", "final"),
    )
    assert stored["strokes"] == 10 and stored["passed"] is True, stored

    report = tmp_path / "session.pdf"
    run("report", "session", stored["session"], "--out", str(report))
    assert report.read_bytes().startswith(b"%PDF-")

    certificate = tmp_path / "certificate.pdf"
    issued = run("certify", "s1", "--course", "ce101", "--out", str(certificate))
    assert issued["out"] == str(certificate)
    facts = run("verify", str(certificate))
    assert facts["valid"] is True, facts
    assert (facts["student"], facts["course"]) == ("Ann Archer", "IASTM for the forearm")
    assert run("verify", "--qr", issued["qr"])["valid"] is True
    assert run("audit", "--check")["ok"] is True
