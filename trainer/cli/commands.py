"""What each ``iastm-trainer`` command does; ``trainer.cli.main`` only parses and prints.

Each ``cmd_*`` takes the parsed arguments, prints its human-readable output, and returns the JSON
object the contract describes (the CLI prints it with ``--json``) or ``None``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.files.output import check_output
from trainer.signals.errors import ConditioningError

if TYPE_CHECKING:
    from trainer.signals.plate import PlateProfile

# Each command imports what it needs when it runs. Importing every command's modules up front
# (the exercise builder, the offline scorer, the simulated recordings) cost `--version` 0.22 s of
# CPU instead of 0.07 s, `exercises` 0.23 s instead of 0.18 s and `record` 0.27 s of start-up
# instead of 0.23 s (best of 7, from bytecode), which `record`'s target counts.


class UsageError(Exception):
    """Arguments that make no sense together; the message names the argument."""


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("iastm-trainer")
    except metadata.PackageNotFoundError:
        return "unknown"


def _print(text: str = "", json_mode: bool = False) -> None:
    """Human output; with --json it goes to stderr so stdout stays one JSON object."""
    print(text, file=sys.stderr if json_mode else sys.stdout)


# -- exercises ------------------------------------------------------------------------------------
def cmd_exercises(args: argparse.Namespace) -> dict[str, Any] | None:
    from trainer.library.exercise import shipped_exercises

    items = [e.listing() for e in shipped_exercises()]
    if args.json:
        return {"exercises": items}
    print(f"{'id':<14} {'name':<28} {'technique':<10} body region")
    for e in items:
        print(f"{e['id']:<14} {e['name']:<28} {e['technique']:<10} {e['body_region']}")
    print(
        "\nShipped envelopes are synthetic references: record your own expert strokes "
        "(iastm-trainer envelope) to replace them."
    )
    return None


# -- ports ----------------------------------------------------------------------------------------
def cmd_ports(args: argparse.Namespace) -> dict[str, Any] | None:
    from devices.ports import list_ports

    ports = list_ports(probe=not args.no_probe)
    if args.json:
        return {"ports": [p.as_dict() for p in ports]}
    if not ports:
        print("No serial ports found. Plug the tool in, or use the simulator (--device sim).")
        return None
    for p in ports:
        d = p.as_dict()
        mark = "ITP/1" if d.get("itp") else "     "
        extra = " ".join(
            str(x) for x in (d.get("vid_pid"), d.get("serial_number"), d.get("description")) if x
        )
        print(f"{mark} {d['device']:<20} {extra}")
    return None


# -- record ---------------------------------------------------------------------------------------
@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """SIGTERM (a logout, a service manager) and SIGINT (Ctrl+C) ask the recording to end as its
    time running out would: the file finished, its summary written, the JSON printed."""
    requested = threading.Event()

    def handler(signum: int, frame: object) -> None:
        requested.set()

    wanted = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGHUP"):
        wanted.append(signal.SIGHUP)  # a closed terminal
    previous = {sig: signal.signal(sig, handler) for sig in wanted}
    try:
        yield requested
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _load_plate(path: Path) -> PlateProfile:
    """A plate profile file; one line naming the file and what is wrong with it."""
    from trainer.signals.plate import PlateProfile

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--plate {path}: cannot read it: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"--plate {path}: not a JSON plate profile ({exc})") from None
    try:
        return PlateProfile.from_dict(data)
    except ConditioningError as exc:
        raise UsageError(f"--plate {path}: {exc}") from None


def cmd_record(args: argparse.Namespace) -> dict[str, Any] | None:
    with _stop_on_signals() as stop_requested:
        return _record(args, stop_requested)


def _record(args: argparse.Namespace, stop_requested: threading.Event) -> dict[str, Any] | None:
    from devices.opening import open_source
    from devices.samples import DeviceError
    from trainer.library.exercise import find_exercise
    from trainer.live.session import TrainingSession
    from trainer.recordings.format import RecordingError

    if args.protocol == "csv" and not args.columns:
        args.columns = "force_n,angle_deg"
    stroke = "sweep"
    if args.exercise:
        stroke = find_exercise(args.exercise).stroke_type
    plate = _load_plate(args.plate) if args.plate is not None else None
    source = open_source(
        args.device, protocol=args.protocol, baud=args.baud, columns=args.columns, stroke=stroke
    )
    session = TrainingSession(
        source, recording_path=args.out, segment=False, overwrite=args.force, plate=plate
    )
    session.start()  # a bad --out or a port that cannot be opened fails here, before recording
    _print(f"Recording {args.device} for {args.seconds:g} s into {args.out} ...", args.json)
    deadline = time.monotonic() + args.seconds
    try:
        while not stop_requested.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or not session.running:
                break
            stop_requested.wait(min(0.1, left))
    finally:
        session.stop()
    if session.failure is not None:
        raise session.failure
    if session.stopped_reason is not None:
        raise RecordingError(session.stopped_reason)
    c = source.counters
    writer = session.writer
    if writer is None:
        if stop_requested.is_set():
            _print("Stopped before any sample arrived: nothing recorded.", args.json)
            return {
                "out": str(args.out),
                "samples": 0,
                "corrupt_lines": c.corrupt_lines,
                "lost_samples": c.lost_samples,
                "disconnects": c.disconnects,
                "duration_s": 0.0,
                "stopped_by_signal": True,
                "notes": ["stopped before any sample arrived: nothing recorded"],
            }
        raise DeviceError(f"{args.device}: no samples arrived in {args.seconds:g} s")
    result = {
        "out": str(args.out),
        "samples": writer.rows,
        "corrupt_lines": c.corrupt_lines,
        "lost_samples": c.lost_samples,
        "disconnects": c.disconnects,
        "duration_s": round(writer.last_t_s or 0.0, 6),
        "resets": c.resets,
        "overflow_samples": c.overflow_samples,
        "device_messages": c.messages,
        "stopped_by_signal": stop_requested.is_set(),
        "notes": list(session.notes),
    }
    _print(
        f"{result['samples']} samples, {result['duration_s']:.2f} s, "
        f"{c.corrupt_lines} corrupt lines, {c.lost_samples} lost samples, "
        f"{c.disconnects} disconnects",
        args.json,
    )
    for note in session.notes:
        _print(f"Note: {note}", args.json)
    return result


# -- simulate -------------------------------------------------------------------------------------
def cmd_simulate(args: argparse.Namespace) -> dict[str, Any] | None:
    from devices.sim.simulator import PLATE_CHANNELS
    from trainer.library.exercise import find_exercise
    from trainer.offline.simulation import simulate_recording

    stroke = find_exercise(args.exercise).stroke_type if args.exercise else "sweep"
    if not 10.0 <= args.rate <= 2000.0:
        raise UsageError(f"--rate {args.rate:g}: the simulator runs from 10 to 2000 Hz")
    check_output(args.out, overwrite=args.force)
    path, n = simulate_recording(
        args.out,
        stroke_type=stroke,
        skill=args.skill,
        strokes=args.strokes,
        seed=args.seed,
        rate_hz=args.rate,
        channels=PLATE_CHANNELS if args.plate else None,
    )
    where = " over a force plate" if args.plate else ""
    print(
        f"Wrote {n} samples of {args.strokes} simulated {args.skill} {stroke} strokes{where} "
        f"to {path}"
    )
    return None


# -- envelope -------------------------------------------------------------------------------------
def cmd_envelope(args: argparse.Namespace) -> dict[str, Any] | None:
    from trainer.library.draft import ExerciseDraft, build_exercise
    from trainer.library.exercise import STROKE_TYPES, check_exercise_identity, save_exercise
    from trainer.offline.analysis import strokes_of_recordings
    from trainer.recordings.reader import read_recording

    if args.stroke_type not in STROKE_TYPES:
        raise UsageError(f"--stroke-type {args.stroke_type}: use one of {', '.join(STROKE_TYPES)}")
    if not 0 <= args.pass_mark <= 100:
        raise UsageError(f"--pass-mark {args.pass_mark:g}: must be from 0 to 100")
    # The rules the exercise loader applies, up front: never write a file it would refuse.
    check_exercise_identity(args.exercise_id, args.name, where="--id/--name")
    for p in args.recordings:
        if _same_file(p, args.out):
            raise UsageError(
                f"--out {args.out}: is the expert recording {p}; writing it would destroy it"
            )
    check_output(args.out, overwrite=args.force)
    draft = ExerciseDraft(
        id=args.exercise_id,
        name=args.name,
        stroke_type=args.stroke_type,
        body_region=args.region,
        instrument=args.instrument,
        description=args.description,
        recorded_by=args.by,
        pass_mark=args.pass_mark,
    )
    recordings = [read_recording(p) for p in args.recordings]
    notes = [note for r in recordings for note in r.notes]
    for note in notes:
        _print(f"Note: {note}", args.json)
    strokes = strokes_of_recordings(recordings, draft.detection)
    exercise, build = build_exercise(draft, strokes, tuple(str(p) for p in args.recordings))
    save_exercise(exercise, args.out, overwrite=args.force)
    cal = build.calibration
    _print(
        f"Built '{exercise.id}' from {len(strokes)} expert strokes in {len(recordings)} "
        f"recording(s) -> {args.out}",
        args.json,
    )
    flagged = build.outlier_indices
    if flagged:
        _print(f"Outlier strokes to check: {', '.join(map(str, flagged))}", args.json)
    _print(
        f"Leave-one-out check: median {cal.median:.1f} (target 90), "
        f"5th percentile {cal.p5:.1f} (target 75)",
        args.json,
    )
    return {
        "out": str(args.out),
        "exercise": exercise.id,
        "strokes": len(strokes),
        "outliers": flagged,
        "calibration": cal.as_json(),
        "notes": notes,
    }


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (a link or another spelling of it included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(os.path.abspath(a)) == Path(os.path.abspath(b))


# -- score ----------------------------------------------------------------------------------------
def cmd_score(args: argparse.Namespace) -> dict[str, Any] | None:
    from trainer.library.exercise import find_exercise
    from trainer.offline.analysis import score_recording
    from trainer.recordings.reader import read_recording

    exercise = find_exercise(args.exercise)
    recording = read_recording(args.recording)
    report = score_recording(recording, exercise, beside=True)  # a command: no window to fork
    # What reading had to leave out (an unfinished recording's cut-short last row) comes first.
    report.notes[:0] = [n for n in recording.notes if n not in report.notes]
    if args.json:
        return report.as_json()
    print(format_score_table(report))
    return None


def format_score_table(report: Any) -> str:
    from trainer.scoring.shown import score_text

    ex = report.exercise
    lines = [
        f"{ex.name} ({ex.id}): {len(report.scores)} strokes, pass mark {ex.pass_mark:g}",
        f"{'#':>3} {'start s':>8} {'dur s':>6} {'peak N':>7} {'angle':>6} {'F in %':>6} "
        f"{'A in %':>6} {'score':>6}  result  why",
    ]
    for s in report.scores:
        why = s.explanation[0] if s.explanation else ""
        lines.append(
            f"{s.index:>3} {s.start_s:>8.2f} {s.duration_s:>6.2f} {s.peak_force_n:>7.1f} "
            f"{_num(s.mean_angle_deg):>6} {s.force_in_band_pct:>6.0f} "
            f"{_num(s.angle_in_band_pct, 0):>6} "
            f"{score_text(s.score, ex.pass_mark, 1):>6}  {'pass' if s.passed else 'FAIL':<6}  {why}"
        )
    summary = report.summary.as_json()
    if summary["mean_score"] is not None:
        lines.append(
            f"Mean score {score_text(report.summary.mean_score, ex.pass_mark, 1)}: "
            f"{'passed' if summary['passed'] else 'not passed'}"
        )
    lines.append(_consistency_line(summary))
    lines.extend(f"Note: {note}" for note in report.notes)
    if ex.provenance.is_synthetic:
        lines.append("Scored against a synthetic reference envelope, not an instructor's own.")
    return "\n".join(lines)


def _num(x: float | None, decimals: int = 1) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:.{decimals}f}"


def _consistency_line(summary: dict[str, Any]) -> str:
    """The block's consistency (a figure of all the strokes, not of any one) in one line."""
    cvs = (
        f"CV of peak force {_num(summary['peak_force_cv_pct'])} %, duration "
        f"{_num(summary['duration_cv_pct'])} %, mean angle {_num(summary['mean_angle_cv_pct'])} %"
    )
    if summary["consistency"] is None:
        return f"Consistency: - (needs 3 strokes); {cvs}"
    verdict = "reached" if summary["consistency_passed"] else "not reached"
    return (
        f"Consistency {summary['consistency']:.0f} ({verdict}; mark "
        f"{summary['consistency_pass_mark']:g}), spread {_num(summary['force_sd_ratio'], 2)} x "
        f"the experts'; {cvs}"
    )


# -- demo -----------------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> dict[str, Any] | None:
    from trainer.library.exercise import find_exercise
    from trainer.offline.analysis import score_recording
    from trainer.offline.simulation import simulate_recording
    from trainer.recordings.reader import read_recording

    exercise = find_exercise(args.exercise)
    out_dir = Path(_demo_dir())
    path = out_dir / f"demo-{args.skill}-{exercise.id}.csv"
    simulate_recording(
        path,
        stroke_type=exercise.stroke_type,
        skill=args.skill,
        strokes=args.strokes,
        seed=args.seed,
        rate_hz=1000.0,
    )
    print(f"Simulated a {args.skill} trainee: {args.strokes} strokes -> {path}\n")
    report = score_recording(read_recording(path), exercise)
    print(format_score_table(report))
    return None


def _demo_dir() -> str:
    from platformdirs import user_cache_dir

    return user_cache_dir("iastm-trainer", appauthor=False)
