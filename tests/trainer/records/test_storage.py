"""Storage on both backends: the schema made and migrated on open, sessions stored once by their
station-made UUID, every failure leaving the database exactly as it was, and two processes
writing at once with nothing lost and no "database is locked"."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from tests.trainer.records.conftest import PASSPHRASE
from tests.trainer.records.helpers import START, make_session
from trainer.records.database import migrate_to, open_database, revisions
from trainer.records.errors import RecordsError
from trainer.records.repository import Records
from trainer.records.schema import SCHEMA_VERSION, metadata, sessions, strokes
from trainer.records.sessions import StrokeRow, _pack_recording

ROOT = Path(__file__).resolve().parents[3]


def _records_with_student(target: str) -> Records:
    r = Records.open(target)
    r.add_course(PASSPHRASE, "c1", "Soft tissue, autumn")
    r.add_student(PASSPHRASE, "s1", "Ann Archer", course_id="c1", email="ann@example.org")
    return r


def _counts(r: Records) -> dict[str, int]:
    def count(conn):
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }

    return r.db.read(count)


def test_schema_is_made_on_open_and_matches_the_tables(db_target: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with Records.open(db_target) as r:
        assert r.schema_version() == SCHEMA_VERSION
        diffs = r.db.read(lambda conn: compare_metadata(MigrationContext.configure(conn), metadata))
    # A column or index added to schema.py without a migration shows up here.
    assert [d for d in diffs if d[0] != "remove_table" or d[1].name != "alembic_version"] == []


def test_a_session_is_stored_once_however_often_it_is_sent(db_target: str) -> None:
    with _records_with_student(db_target) as r:
        new = make_session("s1", [80.0, 60.0, 90.0])
        assert r.add_session(new) is True
        assert r.add_session(new) is False
        listed = r.sessions()
        assert len(listed) == 1
        assert listed[0]["session"] == new.id
        assert listed[0]["strokes"] == 3
        assert listed[0]["mean_score"] == pytest.approx(76.7)
        assert listed[0]["course"] == "c1"  # the student's one course
        assert _counts(r)["strokes"] == 3
        csv, events = r.recording(new.id)
        assert csv == new.recording and events == new.events


def test_a_failed_store_leaves_the_database_exactly_as_it_was(db_target: str) -> None:
    with _records_with_student(db_target) as r:
        r.add_session(make_session("s1", [80.0]))
        before = _counts(r)
        bad = make_session("s1", [70.0, 75.0], started=START.replace(day=8))
        # Two strokes with one index: the session row goes in, then the strokes fail.
        bad.strokes = [bad.strokes[0], StrokeRow(**{**bad.strokes[1].__dict__, "idx": 1})]
        with pytest.raises(IntegrityError):
            r.add_session(bad)
        assert _counts(r) == before
        with pytest.raises(RecordsError, match="unknown student 'nobody'"):
            r.add_session(make_session("nobody", [50.0]))
        assert _counts(r) == before


def test_wrong_passphrase_changes_nothing(db_target: str) -> None:
    with _records_with_student(db_target) as r:
        before = _counts(r)
        with pytest.raises(RecordsError, match="wrong instructor passphrase"):
            r.add_student("not the passphrase", "s2", "Ben Baker")
        assert _counts(r) == before


@pytest.mark.parametrize("rev", [rev for rev in revisions() if rev != SCHEMA_VERSION])
def test_every_earlier_schema_with_data_migrates_without_losing_a_row(
    db_target: str, rev: str
) -> None:
    """Each earlier revision is built, filled through its own columns, and opened by this
    program: every row is still there, and the data reads back through the current code."""
    db = open_database(db_target, migrate=False)
    migrate_to(db, rev)
    assert db.schema_version() == rev
    filler = max(r for r in _FILLERS if r <= rev)
    db.run(_FILLERS[filler])
    before = db.read(_row_counts)
    db.close()
    assert min(before.values()) >= 1
    with Records.open(db_target) as r:
        assert r.schema_version() == SCHEMA_VERSION
        assert r.db.read(_row_counts) == before
        listed = r.sessions(student_id="s-old")
        assert [s["mean_score"] for s in listed] == [72.5]
        (old,) = r.progress("s-old")["exercises"]["sweep"]["sessions"]
        assert old["strokes"] == 2
        # Its blocks carried no figures then: they are worked out from its strokes.
        assert [(b["block"], b["strokes"], b["mean_score"]) for b in old["blocks"]] == [
            (1, 2, 72.5)
        ]
        assert r.recording(OLD_SESSION) == OLD_RECORDING


def _row_counts(conn) -> dict[str, int]:
    names = [
        "courses",
        "students",
        "enrolments",
        "exercise_versions",
        "sessions",
        "strokes",
        "ratings",
        "instructors",
        "settings",
        "assessments",
    ]
    return {n: conn.execute(text(f"SELECT count(*) FROM {n}")).scalar_one() for n in names}


OLD_SESSION = "00000000-0000-4000-8000-000000000001"
OLD_RECORDING = (b"# iastm-trainer recording\ntime_s,force_n\n0.0,1.5\n", b'{"event": "tare"}\n')
OLD_RECORDING_BLOB = _pack_recording(*OLD_RECORDING)


def _fill_first_schema(conn, *, recording_apart: bool = False) -> None:
    """Rows written with the 0001 schema's own columns, in plain SQL (not today's tables); from
    0003 on (``recording_apart``) the recording goes to its own table."""
    now = START
    conn.execute(
        text("INSERT INTO courses (id, name, created_at) VALUES ('c-old', 'Old', :t)"), {"t": now}
    )
    conn.execute(
        text(
            "INSERT INTO students (student_id, name, created_at) VALUES ('s-old', 'Olga Old', :t)"
        ),
        {"t": now},
    )
    pk = conn.execute(text("SELECT pk FROM students WHERE student_id = 's-old'")).scalar_one()
    conn.execute(
        text("INSERT INTO enrolments (student_pk, course_id) VALUES (:pk, 'c-old')"), {"pk": pk}
    )
    conn.execute(
        text(
            "INSERT INTO exercise_versions (content_hash, exercise_id, name, version, "
            "pass_mark, definition, created_at) VALUES ('h1', 'sweep', 'Sweep', 1, 70, "
            "'{}', :t)"
        ),
        {"t": now},
    )
    ev = conn.execute(text("SELECT pk FROM exercise_versions")).scalar_one()
    conn.execute(text("INSERT INTO instructors (name, created_at) VALUES ('Ida', :t)"), {"t": now})
    ins = conn.execute(text("SELECT pk FROM instructors")).scalar_one()
    conn.execute(text("INSERT INTO settings (key, value) VALUES ('note', 'kept')"))
    conn.execute(
        text(
            "INSERT INTO assessments (id, course_id, exercise_id, title, strokes, "
            "feedback, pass_score, rubric, created_at) VALUES ('a-old', 'c-old', "
            "'sweep', 'Old', 2, 'none', 70, '{}', :t)"
        ),
        {"t": now},
    )
    sid = OLD_SESSION
    conn.execute(
        text(
            "INSERT INTO sessions (id, student_pk, exercise_version_pk, course_id, mode, "
            "blocks, started_at, ended_at, stroke_count, mean_score, passed, summary, "
            f"created_at{'' if recording_apart else ', recording'}) VALUES (:id, :pk, :ev, "
            "'c-old', 'practice', '[]', :t, :t, 2, "
            f"72.5, :passed, '{{}}', :t{'' if recording_apart else ', :rec'})"
        ),
        {"id": sid, "pk": pk, "ev": ev, "t": now, "passed": True, "rec": OLD_RECORDING_BLOB},
    )
    if recording_apart:
        conn.execute(
            text("INSERT INTO recordings (session_id, data) VALUES (:id, :rec)"),
            {"id": sid, "rec": OLD_RECORDING_BLOB},
        )
    for i, score in ((1, 70.0), (2, 75.0)):
        conn.execute(
            text(
                "INSERT INTO strokes (session_id, idx, block, start_s, end_s, "
                "peak_force_n, score, passed) VALUES (:id, :i, 1, 0, 1, 10, :s, :p)"
            ),
            {"id": sid, "i": i, "s": score, "p": True},
        )
    conn.execute(
        text(
            "INSERT INTO ratings (id, session_id, instructor_pk, item, value, "
            "created_at) VALUES ('r1', :id, :ins, 'pressure', 3, :t)"
        ),
        {"id": sid, "ins": ins, "t": now},
    )


#: How to fill each schema revision with one of everything, in that revision's own columns; a
#: revision without its own filler is filled by the newest earlier one (migrations only add).
_FILLERS = {
    "0001": _fill_first_schema,
    "0003": lambda conn: _fill_first_schema(conn, recording_apart=True),
}


_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import timedelta
    from tests.trainer.records.helpers import START, make_session
    from trainer.records.repository import Records

    target, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with Records.open(target) as r:
        for i in range(n):
            new = make_session("s1", [60.0 + i % 30], started=START + timedelta(hours=i))
            new.station = name
            r.add_session(new)
            r.students()
    print("done", name)
    """
)


def test_two_processes_writing_at_once_lose_nothing(db_target: str, tmp_path: Path) -> None:
    """Two writers on one database, one of them opening it before it is migrated: both finish,
    every session is there, and neither ever saw the database locked."""
    with _records_with_student(db_target):
        pass
    script = tmp_path / "writer.py"
    script.write_text(_WRITER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    n = 40
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), db_target, f"writer-{k}", str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for k in (1, 2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err.lower()
        assert out.startswith("done")
    with Records.open(db_target) as r:
        by_station = r.db.read(
            lambda c: dict(
                c.execute(
                    select(sessions.c.station, func.count()).group_by(sessions.c.station)
                ).all()
            )
        )
        assert by_station == {"writer-1": n, "writer-2": n}
        assert (
            r.db.read(lambda c: c.execute(select(func.count()).select_from(strokes)).scalar_one())
            == 2 * n
        )


def test_two_processes_opening_a_new_database_migrate_it_once(
    db_target: str, tmp_path: Path
) -> None:
    script = tmp_path / "opener.py"
    script.write_text(
        "import sys\nfrom trainer.records.repository import Records\n"
        "r = Records.open(sys.argv[1]); print(r.schema_version()); r.close()\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), db_target],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for _ in range(3)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == SCHEMA_VERSION


def test_sqlite_file_is_its_owners_alone_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "records.sqlite"
    with Records.open(path) as r:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        mode, fk = r.db.read(
            lambda c: (
                c.exec_driver_sql("PRAGMA journal_mode").scalar(),
                c.exec_driver_sql("PRAGMA foreign_keys").scalar(),
            )
        )
        assert (mode, fk) == ("wal", 1)
        with pytest.raises(IntegrityError):  # refused by SQLite itself
            r.db.run(
                lambda c: c.execute(
                    insert(strokes).values(
                        session_id="missing",
                        idx=1,
                        block=1,
                        start_s=0,
                        end_s=1,
                        peak_force_n=1,
                        score=1,
                        passed=True,
                    )
                )
            )


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    with pytest.raises(RecordsError, match=r"notes\.sqlite: not a records database"):
        Records.open(path)
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(RecordsError, match="is a folder"):
        Records.open(folder)


def test_a_database_from_a_newer_program_is_refused_untouched(db_target: str) -> None:
    with Records.open(db_target) as r:
        r.db.run(lambda c: c.execute(text("UPDATE alembic_version SET version_num = '0099'")))
    with pytest.raises(RecordsError, match=r"newer iastm-trainer \(schema 0099"):
        Records.open(db_target)
    db = open_database(db_target, migrate=False)
    try:
        assert db.schema_version() == "0099"
    finally:
        db.close()


def test_a_local_start_time_is_kept_as_the_same_instant(db_target: str) -> None:
    """A window may hand over a local time; SQLite keeps no offset, so it is stored in UTC."""
    from datetime import timedelta, timezone

    local = START.astimezone(timezone(timedelta(hours=-5)))
    with _records_with_student(db_target) as r:
        r.add_session(make_session("s1", [80.0], started=local))
        (listed,) = r.sessions()
        assert datetime.fromisoformat(listed["started"]) == START


def test_a_database_whose_files_cannot_be_opened_is_named(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite"
    Records.open(path).close()
    (tmp_path / "records.sqlite-wal").mkdir()  # where SQLite must write its log
    with pytest.raises(RecordsError, match=r"records\.sqlite: cannot open .* nothing was changed"):
        Records.open(path)


def test_no_write_lock_is_held_while_a_recording_is_compressed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compressing ten minutes of recording takes a quarter of a second; another station's
    write must not wait for it. While zlib runs, another writer can take the lock at once."""
    import sqlite3

    from trainer.records import sessions as sessions_mod

    path = tmp_path / "records.sqlite"
    r = _records_with_student(str(path))
    real_pack = sessions_mod._pack_recording
    free: list[bool] = []

    def pack_and_check(recording: bytes | None, events: bytes | None) -> bytes | None:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            free.append(True)
        except sqlite3.OperationalError:
            free.append(False)
        finally:
            other.close()
        return real_pack(recording, events)

    monkeypatch.setattr(sessions_mod, "_pack_recording", pack_and_check)
    with r:
        assert r.add_session(make_session("s1", [80.0])) is True
        assert r.recording(r.sessions()[0]["session"]) is not None
    assert free == [True]


def test_a_short_or_missing_passphrase_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.records.passphrase import PASSPHRASE_FILE_ENV, read_passphrase

    with Records.open(tmp_path / "r.sqlite") as r:
        with pytest.raises(RecordsError, match="at least 8 characters"):
            r.add_course("short", "c1", "Course")
        assert r.db.read(lambda c: c.exec_driver_sql("SELECT count(*) FROM settings").scalar()) == 0
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    monkeypatch.setenv(PASSPHRASE_FILE_ENV, str(empty))
    with pytest.raises(RecordsError, match=r"empty\.txt: the passphrase file is empty"):
        read_passphrase()
    monkeypatch.setenv(PASSPHRASE_FILE_ENV, str(tmp_path / "gone.txt"))
    with pytest.raises(RecordsError, match=r"gone\.txt: cannot read the passphrase file"):
        read_passphrase()
