"""The command line: ``iastm-trainer <command>``, thin over the domain modules.

The commands and their JSON outputs are a contract (``docs/interfaces.md``): outside scripts rely on
them, so keys are only ever added. A user mistake (a bad file, a missing port, an unknown exercise)
gets one line on stderr that names it and exit status 2, never a traceback; anything else gets a
one-line message and exit status 1.

Never imports Qt: every command here runs on a machine with no display.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devices.sim import SKILL_NAMES
from trainer.cli import commands, plate_commands, records_commands, report_commands
from trainer.cli.arguments import positive_float, positive_int

#: Errors a user can cause, as (module, class); each message already names the file, line, port
#: or argument. Looked up when an error is handled, not imported up front: an exception can only
#: come from a module that was imported, and importing them all cost every command the scorer's
#: and the exercise library's imports (see ``trainer.cli.commands``).
USER_ERROR_NAMES: tuple[tuple[str, str], ...] = (
    ("devices.samples", "DeviceError"),
    ("trainer.recordings.format", "RecordingError"),
    ("trainer.library.exercise", "ExerciseError"),
    ("trainer.scoring.envelope", "EnvelopeError"),
    ("trainer.signals.errors", "ConditioningError"),
    ("trainer.files.output", "OutputError"),
    ("trainer.cli.plate_commands", "PlateUsageError"),
    ("trainer.records.errors", "RecordsError"),
    ("trainer.cli.commands", "UsageError"),
)


def is_user_error(exc: BaseException) -> bool:
    """Whether ``exc`` is one a user can cause (one line, exit 2) rather than a fault of ours."""
    for module_name, class_name in USER_ERROR_NAMES:
        module = sys.modules.get(module_name)
        cls = getattr(module, class_name, None) if module is not None else None
        if cls is not None and isinstance(exc, cls):
            return True
    return False


class _VersionAction(argparse.Action):
    """``--version``, reading the installed version only when asked (importlib.metadata and the
    package metadata cost every other command about 25 ms)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        print(f"{parser.prog} {commands.version()}")  # on stdout, as argparse's own action
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line, as the contract asks."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="iastm-trainer",
        description=(
            "Practise IASTM strokes against an expert's force and angle envelope. "
            "For education, not for clinical use. With no command, opens the application."
        ),
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an error, print the full traceback as well as the one-line message",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    p = sub.add_parser("exercises", help="list the exercises")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("ports", help="list serial ports, marking ITP/1 devices")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-probe", action="store_true", help="do not ask ports for an ITP/1 INFO")

    p = sub.add_parser("record", help="record from a device into a recording file")
    p.add_argument("--device", required=True, help="sim, sim:SKILL, a port name or a pyserial URL")
    p.add_argument("--seconds", required=True, type=positive_float, help="how long to record")
    p.add_argument("--out", required=True, type=Path, help="the recording file (.csv)")
    p.add_argument("--protocol", choices=("itp", "csv"), default="itp")
    p.add_argument("--baud", type=int, default=115200)
    p.add_argument(
        "--columns",
        default=None,
        help="csv protocol: the column mapping, e.g. t_ms,force_n,angle_deg",
    )
    p.add_argument("--exercise", default=None, help="sim: the stroke type of this exercise")
    p.add_argument(
        "--plate",
        type=Path,
        default=None,
        metavar="PLATE.json",
        help="a home-made force plate: its profile (each load cell's column and position) turns "
        "the cells' readings into force_n, cop_x_mm and cop_y_mm",
    )
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--json", action="store_true", help="print a JSON summary when done")

    p = sub.add_parser("simulate", help="write a synthetic recording")
    p.add_argument("--skill", required=True, choices=SKILL_NAMES)
    p.add_argument("--strokes", required=True, type=positive_int)
    p.add_argument("--seed", required=True, type=int)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--exercise", default=None, help="an exercise id or file (sets the stroke type)")
    p.add_argument("--rate", type=positive_float, default=1000.0, help="samples per second")
    p.add_argument(
        "--plate",
        action="store_true",
        help="strokes over a force plate: force_n, cop_x_mm, cop_y_mm (no angle)",
    )
    p.add_argument("--force", action="store_true", help="replace --out if it exists")

    p = sub.add_parser("envelope", help="build an exercise from expert recordings")
    p.add_argument("recordings", nargs="+", type=Path, metavar="EXPERT.csv")
    p.add_argument("--id", required=True, dest="exercise_id")
    p.add_argument("--name", required=True)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--stroke-type", default="sweep")
    p.add_argument("--region", default="unspecified", help="body region")
    p.add_argument("--instrument", default="unspecified")
    p.add_argument("--description", default="")
    p.add_argument("--by", default="", help="who recorded the expert strokes")
    p.add_argument("--pass-mark", type=float, default=70.0)
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--json", action="store_true", help="print the build report as JSON")

    p = sub.add_parser("score", help="segment a recording into strokes and score each")
    p.add_argument("recording", type=Path, metavar="RECORDING.csv")
    p.add_argument("--exercise", required=True, help="an exercise id or exercise file")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("demo", help="simulate a trainee on the simulator, score, print the table")
    p.add_argument("--exercise", default="sweep")
    p.add_argument("--skill", default="competent", choices=SKILL_NAMES)
    p.add_argument("--strokes", type=positive_int, default=10)
    p.add_argument("--seed", type=int, default=1)

    records_commands.add_parsers(sub)
    plate_commands.add_parsers(sub)
    report_commands.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 done, 2 bad input, 1 anything else)."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return 2
    handler = getattr(args, "handler", None) or getattr(commands, f"cmd_{args.command}")
    try:
        result = handler(args)
    except KeyboardInterrupt:
        print(f"iastm-trainer {args.command}: interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # one line, never a traceback
        if is_user_error(exc):
            _debug_traceback(args)
            print(f"iastm-trainer {args.command}: {_one_line(exc)}", file=sys.stderr)
            return 2
        # What we did not foresee: still one line.
        _debug_traceback(args)
        hint = "" if args.debug else " (run with --debug for the details)"
        print(
            f"iastm-trainer {args.command}: failed: {type(exc).__name__}: {_one_line(exc)}{hint}",
            file=sys.stderr,
        )
        return 1
    if getattr(args, "json", False) and result is not None:
        print(json.dumps(result, indent=1, default=_json_default))
    # A check that ran and found a fault (verify: an altered certificate) sets its own status.
    return int(getattr(args, "exit_status", 0))


def _debug_traceback(args: argparse.Namespace) -> None:
    """With ``--debug``, the whole traceback of the error being handled, before its one line."""
    if args.debug:
        traceback.print_exc()


#: Characters of an error message printed; a message quoting a huge value stays one short line.
_MESSAGE_CHARS = 400


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 3] + "..."


def _json_default(obj: Any) -> Any:
    item = getattr(obj, "item", None)  # a numpy scalar, without importing numpy for it
    if callable(item) and type(obj).__module__ == "numpy":
        return item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(type(obj).__name__)


if __name__ == "__main__":
    sys.exit(main())
