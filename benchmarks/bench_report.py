"""A 40-stroke session's PDF report: how long ``report session`` takes, against bare typst.

Builds a SQLite records file in a temporary folder holding one simulated 40-stroke session at
1 kHz (its recording kept, a rubric rating), then in the same run:

- the report as ``iastm-trainer report session`` makes it: read the session, score its recording
  again for the sub-scores and reasons, draw 40 plots, typeset tagged PDF/UA-1; the first in the
  process (cold: typst loads its fonts and parses the template) and the best of ``--repeat``;
- its parts: reading and scoring again, and typesetting alone;
- the baseline: the same 40 rows of figures and reasons as a plain typst table (no plots, no
  tags asked for) compiled by the bare library, the floor any report made with typst stands on.

Target: under 1 s for the whole report. Run: python benchmarks/bench_report.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from trainer.library.exercise import find_exercise
from trainer.offline.analysis import score_recording
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording
from trainer.records.capture import session_from_scores
from trainer.records.repository import Records
from trainer.reports.session import session_report
from trainer.reports.session_data import read_session, session_report_data
from trainer.reports.typeset import typeset

PASSPHRASE = "benchmark passphrase"
BARE = b"""#let d = json(bytes(sys.inputs.data))
#set document(title: "Session report")
= Session report
#table(columns: 6, table.header([No.], [Score], [Peak], [In band], [Force], [Why]),
  ..d.map(r => (str(r.idx), str(r.score), str(r.peak_force_n), str(r.force_in_band_pct),
    str(r.sub_scores.force), r.explanation.join("; "))).flatten())
"""


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rec = Path(tmp) / "forty.csv"
        simulate_recording(rec, skill="competent", strokes=40, seed=3, rate_hz=1000.0)
        exercise = find_exercise("sweep")
        recording = read_recording(rec)
        scored = score_recording(recording, exercise)
        with Records.open(Path(tmp) / "records.sqlite") as r:
            r.add_course(PASSPHRASE, "c1", "Soft tissue", hours=8.0)
            r.add_student(PASSPHRASE, "s1", "Ann Archer", course_id="c1")
            new = session_from_scores(
                student_id="s1",
                exercise=exercise,
                scores=scored.scores,
                summary=scored.summary,
                recording=recording,
                course_id="c1",
            )
            r.add_session(new)
            r.rate(PASSPHRASE, new.id, rater="Dr Lee", item="posture", value=4)

            t = time.perf_counter()
            pdf = session_report(r, new.id)
            cold = time.perf_counter() - t
            warm = best(lambda: session_report(r, new.id), args.repeat)
            held = r.db.read(lambda c: read_session(c, new.id))
            gather = best(lambda: session_report_data(held), args.repeat)
            data = session_report_data(held)
            tset = best(lambda: typeset("session", data), args.repeat)

        import typst

        compiler = typst.Compiler(ignore_system_fonts=True)
        rows = json.dumps(data["strokes"])
        t = time.perf_counter()
        compiler.compile(BARE, format="pdf", sys_inputs={"data": rows})
        bare_cold = time.perf_counter() - t
        bare = best(
            lambda: compiler.compile(BARE, format="pdf", sys_inputs={"data": rows}), args.repeat
        )

    print(f"40-stroke session report, {len(pdf) / 1024:.0f} KiB, best of {args.repeat}:")
    print(f"  whole report, first in the process   {cold * 1000:7.0f} ms   (target < 1000 ms)")
    print(f"  whole report                          {warm * 1000:7.0f} ms")
    print(f"    read back and scored again, plots   {gather * 1000:7.0f} ms")
    print(f"    typeset (tagged PDF/UA-1)           {tset * 1000:7.0f} ms")
    print(f"  baseline: bare typst, same rows, first {bare_cold * 1000:6.0f} ms")
    print(f"  baseline: bare typst, same rows       {bare * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
