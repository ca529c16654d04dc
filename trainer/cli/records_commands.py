"""The records commands (``docs/interfaces.md``, "Records, assessment and certificates"): parsing
and printing only; the work is done by ``trainer.records``.

SQLAlchemy and the records modules are imported when a records command runs, not when the
command line starts, so ``iastm-trainer exercises`` and the like stay as quick as they were.
Instructor commands read the passphrase before any transaction opens (a terminal prompt must not
hold a database lock) and the records check it inside the transaction.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from trainer.cli.arguments import nonnegative_float, positive_int, records_command
from trainer.cli.commands import version
from trainer.records.errors import RecordsError

#: Argument groups a window would reach through ``trainer.records.repository.Records``.
MODES = ("practice", "retention", "assessment")


def add_parsers(sub: Any) -> None:
    """Add the records commands to the top-level sub-command parser ``sub``."""

    def command(name: str, help: str, handler: Any, parent: Any = sub) -> argparse.ArgumentParser:
        return records_command(parent, name, help, handler)

    def group(name: str, help: str) -> Any:
        p = sub.add_parser(name, help=help)
        inner = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
        inner.required = True
        return inner

    g = group("db", "the records database: create or migrate it")
    command("upgrade", "create or migrate the schema; safe to repeat", cmd_db_upgrade, g)

    g = group("courses", "add courses")
    p = command("add", "add a course", cmd_courses_add, g)
    p.add_argument("--id", required=True, dest="course_id")
    p.add_argument("--name", required=True)
    p.add_argument("--hours", type=nonnegative_float)
    p.add_argument("--provider")
    p.add_argument("--approval", help="the body that approved it and its number")

    g = group("students", "add, import, list or delete students")
    p = command("add", "add a student (or enrol one in a further course)", cmd_students_add, g)
    p.add_argument("--student-id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--course")
    p.add_argument("--licence")
    p.add_argument("--email")
    p = command(
        "import", "add a class list from a CSV roster, all or nothing", cmd_students_import, g
    )
    p.add_argument("roster", type=Path, metavar="ROSTER.csv")
    p.add_argument("--course")
    p = command("list", "list students", cmd_students_list, g)
    p.add_argument("--course")
    p = command(
        "delete", "remove a student's personal data, keep anonymous figures", cmd_students_delete, g
    )
    p.add_argument("student_id", metavar="SID")

    g = group("assessments", "assessment blocks: add, release, results, completeness")
    p = command("add", "an assessment block and its pass criteria", cmd_assessments_add, g)
    p.add_argument("--id", required=True, dest="assessment_id")
    p.add_argument("--course", required=True)
    p.add_argument("--exercise", required=True, help="an exercise id or exercise file")
    p.add_argument("--strokes", required=True, type=positive_int)
    p.add_argument("--pass-score", required=True, type=float)
    p.add_argument("--pass-share", type=float, help="share of strokes passed, 0 to 1")
    p.add_argument("--max-cv", type=float, help="largest CV of peak force over the block, %%")
    p.add_argument(
        "--rubric",
        action="append",
        default=[],
        metavar="ITEM=MIN",
        help="a rubric item rated by hand and its lowest passing mean; repeat for more",
    )
    p.add_argument("--feedback", default="none", help="feedback during the block (normally none)")
    p.add_argument("--title")
    p = command(
        "release", "show an assessment's results to its students", cmd_assessments_release, g
    )
    p.add_argument("assessment_id", metavar="A")
    p = command("result", "an attempt's result: which criterion failed", cmd_assessments_result, g)
    p.add_argument("session", metavar="SESSION")
    p.add_argument("--as-student", action="store_true", help="as a student sees it (held back?)")
    p = command(
        "completeness",
        "who has no attempt, a partial one or several, before grading",
        cmd_assessments_completeness,
        g,
    )
    p.add_argument("--course", required=True)

    g = group("sessions", "store a scored recording as a session; list sessions")
    p = command("add", "score a recording and store it as a session", cmd_sessions_add, g)
    p.add_argument("recording", type=Path, metavar="RECORDING.csv")
    p.add_argument("--student", required=True)
    p.add_argument("--exercise", required=True, help="an exercise id or exercise file")
    p.add_argument("--mode", choices=MODES, default=None)
    p.add_argument("--assessment")
    p.add_argument("--course")
    p.add_argument("--feedback", help="the feedback schedule the session was practised under")
    p.add_argument("--session-id", help="the station's UUID for it (default: a new one)")
    p = command("list", "list sessions", cmd_sessions_list, g)
    p.add_argument("--student")
    p.add_argument("--course")

    p = command("rate", "an instructor's rubric rating", cmd_rate)
    p.add_argument("session", metavar="SESSION")
    p.add_argument("--rater", required=True)
    p.add_argument("--item", required=True)
    p.add_argument("--value", required=True, type=float)
    p.add_argument("--stroke", type=positive_int)
    p.add_argument("--comment")

    p = command("agreement", "agreement between raters and with the automated score", cmd_agreement)
    p.add_argument("--course", required=True)
    p.add_argument("--item", help="the rubric item (default: the most rated one)")

    p = command("gradebook", "grades in an LMS's own import layout", cmd_gradebook)
    p.add_argument("--course", required=True)
    p.add_argument(
        "--format",
        required=True,
        choices=("canvas", "moodle", "brightspace", "blackboard", "csv", "xapi"),
    )
    p.add_argument("--out", required=True, type=Path, metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")

    p = command("progress", "a student's progress, or a course's class view", cmd_progress)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--student")
    who.add_argument("--course")
    p.add_argument("--exercise", help="only this exercise (with --student)")

    p = command("export-student", "everything held about one student", cmd_export_student)
    p.add_argument("student_id", metavar="SID")
    p.add_argument("--out", required=True, type=Path, metavar="DIR")

    p = command("outbox", "sessions waiting at this station for the lab's server", cmd_outbox)
    p.add_argument("--send", action="store_true", help="send them now if the server answers")


# -- helpers --------------------------------------------------------------------------------------
def _records(args: argparse.Namespace) -> Any:
    from trainer.records.repository import Records

    return Records.open(args.db)


def _passphrase(records: Any) -> str:
    """Read the instructor passphrase (twice when this sets it)."""
    from trainer.records.passphrase import is_set, read_passphrase

    first_time = not records.db.read(is_set)
    return read_passphrase(confirm=first_time)


def _say(args: argparse.Namespace, text: str) -> None:
    print(text, file=sys.stderr if args.json else sys.stdout)


# -- commands -------------------------------------------------------------------------------------
def cmd_db_upgrade(args: argparse.Namespace) -> dict[str, Any]:
    with _records(args) as r:
        schema = r.schema_version()
        _say(args, f"{r.db.backend} records at {_shown(r.target)}: schema {schema}")
        return {"schema": schema}


def cmd_courses_add(args: argparse.Namespace) -> dict[str, Any]:
    with _records(args) as r:
        pw = _passphrase(r)
        c = r.add_course(
            pw,
            args.course_id,
            args.name,
            hours=args.hours,
            provider=args.provider,
            approval=args.approval,
        )
    _say(args, f"Added course '{c}'")
    return {"course": c}


def cmd_students_add(args: argparse.Namespace) -> dict[str, Any]:
    with _records(args) as r:
        pw = _passphrase(r)
        sid = r.add_student(
            pw,
            args.student_id,
            args.name,
            course_id=args.course,
            licence=args.licence,
            email=args.email,
        )
    _say(args, f"Added student '{sid}'" + (f" to course '{args.course}'" if args.course else ""))
    return {"student": sid}


def cmd_students_import(args: argparse.Namespace) -> dict[str, Any]:
    with _records(args) as r:
        pw = _passphrase(r)
        res = r.import_students(pw, args.roster, args.course)
    _say(
        args,
        f"Added {res['added']} students from {args.roster}"
        + (f" ({res['already']} already there)" if res["already"] else ""),
    )
    return res


def cmd_students_list(args: argparse.Namespace) -> list[dict[str, Any]] | None:
    with _records(args) as r:
        rows = r.students(args.course)
    if args.json:
        return rows
    print(f"{'student id':<16} {'name':<28} {'course':<16} sessions")
    for s in rows:
        print(f"{s['student_id']:<16} {s['name']:<28} {s['course'] or '-':<16} {s['sessions']}")
    return None


def cmd_students_delete(args: argparse.Namespace) -> dict[str, Any]:
    with _records(args) as r:
        pw = _passphrase(r)
        sid = r.delete_student(pw, args.student_id)
    _say(args, f"Deleted the personal data of '{sid}'; their figures stay, anonymous")
    return {"deleted": sid}


def cmd_assessments_add(args: argparse.Namespace) -> dict[str, Any]:
    exercise_id = _exercise_id(args.exercise)
    rubric: dict[str, float] = {}
    for text in args.rubric:
        item, _, minimum = text.partition("=")
        try:
            rubric[item.strip()] = float(minimum)
        except ValueError:
            raise RecordsError(f"--rubric {text!r}: write ITEM=MIN, e.g. pressure=3") from None
        if not item.strip():
            raise RecordsError(f"--rubric {text!r}: write ITEM=MIN, e.g. pressure=3")
    with _records(args) as r:
        pw = _passphrase(r)
        a = r.add_assessment(
            pw,
            args.assessment_id,
            course_id=args.course,
            exercise_id=exercise_id,
            strokes_n=args.strokes,
            pass_score=args.pass_score,
            pass_share=args.pass_share,
            max_cv_pct=args.max_cv,
            rubric=rubric,
            feedback=args.feedback,
            title=args.title,
        )
    _say(args, f"Added assessment '{a}'")
    return {"assessment": a}


def cmd_assessments_release(args: argparse.Namespace) -> dict[str, Any]:
    with _records(args) as r:
        pw = _passphrase(r)
        when = r.release_assessment(pw, args.assessment_id)
    _say(args, f"Results of '{args.assessment_id}' released {when}")
    return {"released": args.assessment_id, "at": when}


def cmd_assessments_result(args: argparse.Namespace) -> dict[str, Any] | None:
    with _records(args) as r:
        res = r.result(args.session, as_student=args.as_student)
    if args.json:
        return res
    if res["held"]:
        print(f"Result of '{res['assessment']}' held back until the instructor releases it")
        return None
    print(f"{res['assessment']}: {'passed' if res['passed'] else 'not passed'}")
    for c in res["criteria"]:
        word = next(k for k in ("at_least", "at_most", "required") if k in c)
        print(
            f"  {'ok  ' if c['met'] else 'FAIL'} {c['criterion']}: {c['value']} "
            f"({word.replace('_', ' ')} {c[word]})"
        )
    return None


def cmd_assessments_completeness(args: argparse.Namespace) -> list[dict[str, Any]] | None:
    with _records(args) as r:
        rows = r.completeness(args.course)
    if args.json:
        return rows
    for row in rows:
        print(
            f"{row['assessment']:<16} {row['student_id']:<16} {row['state']:<9} "
            f"{len(row['attempts'])} attempt(s)"
        )
    return None


def cmd_sessions_add(args: argparse.Namespace) -> dict[str, Any]:
    from trainer.library.exercise import find_exercise
    from trainer.offline.analysis import score_recording
    from trainer.recordings.reader import read_recording
    from trainer.records.capture import session_from_scores
    from trainer.records.station import store_or_queue

    mode = args.mode or ("assessment" if args.assessment else "practice")
    if args.assessment and mode != "assessment":
        raise RecordsError(
            f"--mode {mode}: a session of --assessment {args.assessment} is an assessment"
        )
    exercise = find_exercise(args.exercise)
    recording = read_recording(args.recording)
    report = score_recording(recording, exercise, beside=True)  # a command: no window to fork
    new = session_from_scores(
        student_id=args.student,
        exercise=exercise,
        scores=report.scores,
        summary=report.summary,
        recording=recording,
        mode=mode,
        course_id=args.course,
        assessment_id=args.assessment,
        feedback=args.feedback,
        software_version=version(),
        session_id=args.session_id,
    )
    outcome = store_or_queue(new, args.db)
    mean = new.mean_score
    out = {
        "session": new.id,
        "strokes": len(new.strokes),
        "mean_score": None if mean is None else round(mean, 1),
        "passed": new.passed,
        "stored": outcome.state,
        "waiting": outcome.waiting,
    }
    if outcome.state == "queued":
        _say(
            args,
            f"The server did not answer ({outcome.reason}); the session waits in this "
            f"station's outbox: {outcome.line}",
        )
    else:
        _say(
            args,
            f"Session {new.id}: {out['strokes']} strokes, mean score {out['mean_score']}, "
            f"{'passed' if new.passed else 'not passed'} ({outcome.state})",
        )
    return out


def cmd_sessions_list(args: argparse.Namespace) -> list[dict[str, Any]] | None:
    with _records(args) as r:
        rows = r.sessions(args.student, args.course)
    if args.json:
        return rows
    for s in rows:
        print(
            f"{s['session']}  {s['started'][:16]}  {s['student_id'] or '(deleted)':<12} "
            f"{s['exercise']:<14} {s['mode']:<10} {s['strokes']:>4} strokes  "
            f"{s['mean_score'] if s['mean_score'] is not None else '-':>5}  "
            f"{'passed' if s['passed'] else 'not passed'}"
        )
    return None


def cmd_rate(args: argparse.Namespace) -> dict[str, Any]:
    with _records(args) as r:
        pw = _passphrase(r)
        rid = r.rate(
            pw,
            args.session,
            rater=args.rater,
            item=args.item,
            value=args.value,
            stroke=args.stroke,
            comment=args.comment,
        )
    _say(args, f"Rating {rid} stored")
    return {"rating": rid}


def cmd_agreement(args: argparse.Namespace) -> dict[str, Any] | None:
    with _records(args) as r:
        res = r.agreement(args.course, args.item)
    if args.json:
        return res
    lo, hi = res["ci95"]
    print(f"'{res['item']}': {res['raters']} raters, {res['subjects']} subjects")
    print(
        f"ICC(2,1) {res['icc_2_1']} (95 % CI {lo} to {hi}), SEM {res['sem']}, MDC95 {res['mdc95']}"
    )
    if res["automated"]:
        a = res["automated"]
        print(f"Raters' mean against the automated score: ICC(2,1) {a['icc_2_1']}")
    return None


def cmd_progress(args: argparse.Namespace) -> dict[str, Any] | None:
    with _records(args) as r:
        if args.student:
            res = r.progress(args.student, args.exercise)
        else:
            if args.exercise:
                raise RecordsError("--exercise goes with --student, not --course")
            res = r.class_view(args.course)
    if args.json:
        return res
    if args.student:
        for ex, data in res["exercises"].items():
            print(f"{ex}:")
            for w in data["weeks"]:
                print(
                    f"  {w['week']} {w['mode']:<10} {w['sessions']} session(s) "
                    f"score {w['mean_score']}  force error {w['force_error_pct']} %  "
                    f"angle error {w['angle_error_deg']} deg"
                )
    else:
        print(f"{'student id':<16} sessions  recent  trend/week")
        for s in res["students"]:
            print(
                f"{s['student_id']:<16} {s['sessions']:>8}  {s['recent_mean_score']!s:>6}  "
                f"{s['trend_per_week']!s:>6}"
            )
        print(
            f"Behind (recent mean under {res['behind_below']}): {', '.join(res['behind']) or '-'}"
        )
        hardest = ", ".join(f"{e['exercise']} ({e['mean_score']})" for e in res["exercises"])
        print(f"Exercises, hardest first: {hardest or '-'}")
    return None


def cmd_gradebook(args: argparse.Namespace) -> dict[str, Any]:
    if args.out.is_dir():
        raise RecordsError(f"--out {args.out}: is a folder, not a file")
    if args.out.exists() and not args.force:
        raise RecordsError(f"--out {args.out}: exists; add --force to replace it")
    with _records(args) as r:
        res = r.write_gradebook(args.course, args.format, args.out)
    _say(
        args,
        f"Wrote {res['format']} grades of {res['students']} students, "
        f"{res['assessments']} assessments, to {args.out}",
    )
    return res


def cmd_export_student(args: argparse.Namespace) -> dict[str, Any]:
    if args.out.exists() and not args.out.is_dir():
        raise RecordsError(f"--out {args.out}: is a file, not a folder")
    with _records(args) as r:
        res = r.export_student(args.student_id, args.out)
    _say(args, f"Wrote {len(res['files'])} files about '{args.student_id}' to {args.out}")
    return res


def cmd_outbox(args: argparse.Namespace) -> dict[str, Any]:
    from trainer.records.database import default_target
    from trainer.records.outbox import Outbox, waiting_line
    from trainer.records.station import send_outbox

    target = args.db or default_target()
    sent = None
    if args.send:
        sent = send_outbox(target)
    with Outbox() as box:
        waiting = box.waiting(target)
        entries = box.entries(target)
    _say(args, waiting_line(waiting))
    if sent is not None and sent.unreachable:
        _say(args, f"The server did not answer: {sent.unreachable}")
    for sid, why in sent.refused.items() if sent else []:
        _say(args, f"Session {sid} refused by the server: {why}")
    return {
        "waiting": waiting,
        "server": _shown(target),
        "sessions": [
            {
                "session": e["session_id"],
                "student_id": e["student_id"],
                "attempts": e["attempts"],
                "last_error": e["last_error"],
            }
            for e in entries
        ],
        **({"send": sent.as_json()} if sent else {}),
    }


def _exercise_id(text: str) -> str:
    from trainer.library.exercise import find_exercise

    return find_exercise(text).id


def _shown(target: str) -> str:
    from trainer.records.database import _shown_target

    return _shown_target(target)
