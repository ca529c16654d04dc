"""A simulated semester in the records: 40 students, 3 sessions a week for 15 weeks, 10 minutes
each (1800 sessions of about 300 strokes), on a SQLite file and on a PostgreSQL server.

Prints, per backend: the database's size; the time to store one finished ten-minute session (its
1 kHz recording compressed, its strokes and figures; the strokes were scored while it ran, so
scoring is not counted); and the time to fetch what a student's progress view and the class view
draw. Each time comes with a baseline measured in the same run: the same rows written, or read,
through the bare database driver (``sqlite3`` / ``psycopg``) with no SQLAlchemy, no checks and no
figures computed, so the ratio is what the records' own code costs on top of the database.

Targets (issue "Records that last"): a session stored in under 0.5 s after it ends; progress and
class views within 0.5 s, on both backends on this machine. Drawing the charts is the window's
and is not counted here.

The semester's 1800 sessions keep a small stand-in recording each, not a real ten-minute one
(that would be about 6.5 GB to write); the size printed "with recordings" adds the real
recording's compressed size for each session.

Run: python benchmarks/bench_records.py [--backend sqlite|postgresql|both] [--pg-url URL]
(without --pg-url a throwaway PostgreSQL cluster is started from /usr/lib/postgresql/*/bin).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainer.library.exercise import find_exercise
from trainer.offline.analysis import score_recording
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording
from trainer.records.capture import session_from_scores
from trainer.records.repository import Records
from trainer.records.sessions import COMPRESS_LEVEL, NewSession, StrokeRow

PASSPHRASE = "benchmark passphrase"
TARGET_S = 0.5
START = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)
STAND_IN = b"# iastm-trainer recording\n# rate_hz: 1000\ntime_s,force_n,angle_deg\n" + b"".join(
    f"{i / 1000:.6f},1.{i % 97:03d},45.{i % 89:02d}\n".encode() for i in range(200)
)


def median_time(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


# -- a throwaway PostgreSQL cluster ---------------------------------------------------------------
class Cluster:
    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            sys.exit("PostgreSQL is not installed (the 'postgresql' package); or pass --pg-url")
        self.bin = Path(bins[-1])
        self.base = Path(tempfile.mkdtemp(prefix="iastm-bench-pg-"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.run_as = []
        if os.geteuid() == 0:
            os.chmod(self.base, 0o755)
            shutil.chown(self.base, "postgres", "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self._run(
            "initdb",
            "-D",
            str(self.base / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "--no-instructions",
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.base / "data"),
            "-l",
            str(self.base / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1",
            "start",
        )

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.run_as, str(self.bin / tool), *args], check=True, capture_output=True)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def close(self) -> None:
        self._run("pg_ctl", "-D", str(self.base / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)


# -- the semester ---------------------------------------------------------------------------------
def semester_session(
    rng: np.random.Generator,
    sid: str,
    ability: float,
    week: int,
    slot: int,
    strokes: int,
    exercise: dict[str, Any],
) -> NewSession:
    """One session's figures: a learning curve from the student's ability, with noise."""
    level = min(97.0, ability + 2.2 * week)
    scores = np.clip(rng.normal(level, 9.0, strokes), 0, 100)
    mode = "retention" if slot == 2 else "practice"
    started = START + timedelta(weeks=week, days=2 * slot, hours=int(rng.integers(0, 8)))
    rows = [
        StrokeRow(
            idx=i + 1,
            block=1,
            start_s=2.0 * i,
            end_s=2.0 * i + 1.2,
            peak_force_n=float(rng.normal(12, 1.5)),
            mean_angle_deg=45.0,
            force_in_band_pct=float(s),
            angle_in_band_pct=float(s),
            force_error_pct=float(100 - s) / 3,
            angle_error_deg=float(100 - s) / 10,
            score=float(s),
            passed=bool(s >= 70),
        )
        for i, s in enumerate(scores)
    ]
    mean = float(scores.mean())
    return NewSession(
        student_id=sid,
        exercise=exercise,
        mode=mode,
        started_at=started,
        ended_at=started + timedelta(minutes=10),
        strokes=rows,
        summary={
            "strokes": strokes,
            "mean_score": mean,
            "passed": mean >= 70,
            "pass_rate_pct": float(100 * np.mean(scores >= 70)),
            "consistency": 70.0,
            "peak_force_cv_pct": 12.0,
        },
        blocks=[
            {
                "block": 1,
                "feedback": "none" if mode == "retention" else "terminal",
                "first_stroke": 1,
            }
        ],
        device="iastm-sim fw 1.0.0 serial SIM-1",
        software_version="bench",
        station=f"station-{slot}",
        recording_name="stand-in.csv",
        recording=STAND_IN,
    )


def fill(r: Records, args: argparse.Namespace) -> float:
    r.add_course(PASSPHRASE, "c1", "Soft tissue, autumn semester")
    exercise = json.loads(json.dumps(find_exercise("sweep").to_dict()))
    rng = np.random.default_rng(7)
    abilities = rng.uniform(35, 70, args.students)
    for k in range(args.students):
        r.add_student(
            PASSPHRASE,
            f"s{k:03d}",
            f"Student {k:03d}",
            course_id="c1",
            email=f"s{k:03d}@example.org",
        )
    t = time.perf_counter()
    n = 0
    for week in range(args.weeks):
        for slot in range(args.per_week):
            for k in range(args.students):
                r.add_session(
                    semester_session(
                        rng, f"s{k:03d}", abilities[k], week, slot, args.strokes, exercise
                    )
                )
                n += 1
    elapsed = time.perf_counter() - t
    print(
        f"  filled {n} sessions of {args.strokes} strokes in {elapsed:.0f} s "
        f"({1000 * elapsed / n:.0f} ms a session)"
    )
    return elapsed


# -- baselines: the bare driver -------------------------------------------------------------------
def bare_connection(r: Records) -> Any:
    if r.db.backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(r.db.path)
        conn.execute("PRAGMA synchronous = NORMAL")  # as the records' own connections
        return conn, "?"
    import psycopg

    url = r.target.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url), "%s"


def bare_store(bare: tuple[Any, str], new: NewSession) -> None:
    """The same session and strokes written with the driver alone (the baseline)."""
    conn, p = bare
    blob = zlib.compress(new.recording or b"", COMPRESS_LEVEL)
    cur = conn.cursor()
    sid = str(uuid.uuid4())
    cur.execute(
        f"INSERT INTO sessions (id, student_pk, exercise_version_pk, mode, blocks, started_at, "
        f"ended_at, stroke_count, mean_score, passed, summary, created_at) VALUES "
        f"({', '.join([p] * 12)})",
        (
            sid,
            1,
            1,
            new.mode,
            "[]",
            new.started_at,
            new.ended_at,
            len(new.strokes),
            new.mean_score,
            new.passed,
            "{}",
            new.ended_at,
        ),
    )
    cur.execute(f"INSERT INTO recordings (session_id, data) VALUES ({p}, {p})", (sid, blob))
    cur.executemany(
        f"INSERT INTO strokes (session_id, idx, block, start_s, end_s, peak_force_n, score, "
        f"passed) VALUES ({', '.join([p] * 8)})",
        [
            (sid, s.idx, s.block, s.start_s, s.end_s, s.peak_force_n, s.score, s.passed)
            for s in new.strokes
        ],
    )
    conn.commit()


def bare_read(bare: tuple[Any, str], sql: str, params: tuple[Any, ...]) -> int:
    conn, p = bare
    cur = conn.cursor()
    cur.execute(sql.replace("?", p), params)
    n = len(cur.fetchall())
    conn.commit()
    return n


def db_size(r: Records) -> int:
    if r.db.backend == "sqlite":
        raw = r.db.engine.raw_connection()  # a checkpoint cannot run inside a transaction
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return sum(f.stat().st_size for f in r.db.path.parent.glob(r.db.path.name + "*"))
    return int(
        r.db.read(
            lambda c: c.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
        )
    )


# -- one backend ----------------------------------------------------------------------------------
def bench(target: str, args: argparse.Namespace, real: dict[str, Any]) -> dict[str, float]:
    with Records.open(target) as r:
        print(f"{r.db.backend}:")
        fill(r, args)
        n_sessions = len(r.sessions())
        size = db_size(r)
        extra = n_sessions * (real["compressed"] - len(zlib.compress(STAND_IN, COMPRESS_LEVEL)))

        bare = bare_connection(r)  # kept open, as the records keep their pool

        def store_one() -> None:
            new = session_from_scores(
                student_id="s000",
                exercise=real["exercise"],
                scores=real["report"].scores,
                summary=real["report"].summary,
                recording=real["recording"],
                software_version="bench",
                session_id=str(uuid.uuid4()),
            )
            r.add_session(new)

        store = median_time(store_one, args.repeat)
        template = semester_session(
            np.random.default_rng(1), "s000", 50, 0, 0, len(real["report"].scores), real["exercise"]
        )
        template.recording = real["recording"].path.read_bytes()
        store_base = median_time(lambda: bare_store(bare, template), args.repeat)

        students = [f"s{k:03d}" for k in range(0, args.students, max(1, args.students // 8))]
        progress = statistics.median(median_time(lambda s=s: r.progress(s), 3) for s in students)
        pk = r.db.read(
            lambda c: c.exec_driver_sql(
                "SELECT pk FROM students WHERE student_id = 's000'"
            ).scalar()
        )

        def progress_bare() -> None:
            bare_read(
                bare,
                "SELECT id, started_at, mode, mean_score, force_error_pct, angle_error_deg, "
                "consistency, pass_rate_pct, blocks FROM sessions WHERE student_pk = ? "
                "ORDER BY started_at",
                (pk,),
            )

        progress_base = median_time(progress_bare, args.repeat)
        klass = median_time(lambda: r.class_view("c1"), args.repeat)
        klass_base = median_time(
            lambda: bare_read(
                bare,
                "SELECT student_pk, started_at, mean_score, passed FROM sessions "
                "WHERE course_id = ? ORDER BY student_pk, started_at",
                ("c1",),
            ),
            args.repeat,
        )

    def line(name: str, t: float, base: float) -> None:
        verdict = "met" if t < TARGET_S else "MISSED"
        print(
            f"  {name:<34} {1000 * t:8.1f} ms  (bare driver {1000 * base:7.1f} ms, "
            f"{t / base:4.1f}x)  target {1000 * TARGET_S:.0f} ms: {verdict}"
        )

    print(
        f"  database: {size / 1e6:.0f} MB with stand-in recordings, "
        f"{(size + extra) / 1e9:.1f} GB with each session's real recording "
        f"({real['compressed'] / 1e6:.1f} MB compressed, {n_sessions} sessions)"
    )
    line("store one 10-minute session", store, store_base)
    line("a student's progress view (data)", progress, progress_base)
    line("the class view (data)", klass, klass_base)
    return {"store": store, "progress": progress, "class": klass}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--pg-url", help="an empty PostgreSQL database to use")
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--weeks", type=int, default=15)
    ap.add_argument("--per-week", type=int, default=3)
    ap.add_argument("--strokes", type=int, default=300, help="strokes in a 10-minute session")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="iastm-bench-records-"))
    print("a ten-minute session at 1 kHz (simulated, scored once) ...")
    path = work / "ten-minutes.csv"
    simulate_recording(path, skill="competent", strokes=args.strokes, seed=1, rate_hz=1000.0)
    exercise = find_exercise("sweep")
    recording = read_recording(path)
    report = score_recording(recording, exercise)
    raw = path.read_bytes()
    real = {
        "exercise": exercise,
        "recording": recording,
        "report": report,
        "compressed": len(zlib.compress(raw, COMPRESS_LEVEL)),
    }
    print(
        f"  {recording.duration_s / 60:.1f} min, {len(report.scores)} strokes, "
        f"{len(raw) / 1e6:.1f} MB, {real['compressed'] / 1e6:.1f} MB compressed"
    )
    try:
        if args.backend in ("sqlite", "both"):
            bench(str(work / "records.sqlite"), args, real)
        if args.backend in ("postgresql", "both"):
            if args.pg_url:
                bench(args.pg_url, args, real)
            else:
                cluster = Cluster()
                try:
                    bench(cluster.url, args, real)
                finally:
                    cluster.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
