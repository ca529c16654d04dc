"""``iastm-trainer plate calibrate``: a home-made force plate's cells, calibrated at the bench.

The steps an instructor follows with one known mass: nothing on the plate (each cell's zero),
then the mass at the centre and at each corner in turn, each held still for a couple of seconds
while the cells' raw readings are averaged; the cells' gains are then fitted all at once
(``trainer.signals.plate.fit_plate_gains``), the residuals shown in newtons and millimetres, and
the plate profile written for ``record --plate``. Prompts go to stderr, Enter on stdin moves on,
so it runs the same at a terminal and from a script.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.files.atomic import write_atomic
from trainer.files.output import check_output
from trainer.signals.errors import ConditioningError

if TYPE_CHECKING:
    import numpy as np

# numpy, the device door and the plate's model are imported when the command runs, not when the
# command line starts (every other command would pay for them; see ``trainer.cli.commands``).

#: Where the mass goes, in order: the centre, then each corner (inset so it rests on the plate).
SPOTS = (
    "the centre",
    "the front left corner",
    "the front right corner",
    "the back right corner",
    "the back left corner",
)


class PlateUsageError(ValueError):
    """A wrong argument of ``plate calibrate``: one line, exit 2."""


def add_parsers(sub: Any) -> None:
    plate = sub.add_parser("plate", help="a home-made force plate: calibrate its load cells")
    inner = plate.add_subparsers(dest="plate_command", metavar="SUBCOMMAND", required=True)
    p = inner.add_parser(
        "calibrate", help="fit each load cell's gain with a known mass at the centre and corners"
    )
    p.add_argument("--device", required=True, help="the plate's port (or a pyserial URL)")
    p.add_argument("--protocol", choices=("csv", "itp"), default="csv")
    p.add_argument("--baud", type=int, default=115200)
    p.add_argument(
        "--columns",
        default="t_ms,cell_1,cell_2,cell_3,cell_4",
        help="the column mapping of the plate's lines",
    )
    p.add_argument(
        "--cells",
        default="cell_1,cell_2,cell_3,cell_4",
        help="the four cells' columns: front left, front right, back right, back left",
    )
    p.add_argument("--width", type=float, required=True, help="mm between the left and right cells")
    p.add_argument("--depth", type=float, required=True, help="mm between the front and back cells")
    p.add_argument("--mass", type=float, required=True, help="the known mass, kg")
    p.add_argument(
        "--inset",
        type=float,
        default=0.25,
        help="how far in from each corner the mass sits, as a share of the half-size",
    )
    p.add_argument("--seconds", type=float, default=2.0, help="averaged at each step")
    p.add_argument("--name", default="home-made plate")
    p.add_argument("--out", type=Path, required=True, metavar="PLATE.json")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--json", action="store_true", help="print the calibration as JSON")
    p.set_defaults(handler=cmd_plate_calibrate)


def _mean_readings(source: Any, cells: tuple[str, ...], seconds: float) -> np.ndarray:
    """The cells' mean raw readings over the next ``seconds`` of samples."""
    import numpy as np

    from devices.samples import DeviceError, SampleBlock

    source.read(0.0)  # what came while the prompt waited is not what is on the plate now
    blocks: list[SampleBlock] = []
    deadline = time.monotonic() + seconds + 5.0
    while time.monotonic() < deadline:
        for item in source.read(0.1):
            if isinstance(item, SampleBlock) and len(item):
                blocks.append(item)
        if blocks and blocks[-1].t_s[-1] - blocks[0].t_s[0] >= seconds:
            break
    if not blocks:
        raise DeviceError(f"{source.name}: no samples arrived in {seconds + 5:g} s")
    data = SampleBlock.concat(blocks)
    missing = [c for c in cells if c not in data.channels]
    if missing:
        raise DeviceError(
            f"{source.name}: the plate sends {', '.join(data.channels)}, not {', '.join(missing)}"
        )
    return np.array([float(np.mean(data.channel(c))) for c in cells])


def _ask(text: str) -> None:
    print(f"{text} Then press Enter.", file=sys.stderr, flush=True)
    if not sys.stdin.readline():
        raise PlateUsageError("stopped: no answer on the input (press Enter at each step)")


def cmd_plate_calibrate(args: argparse.Namespace) -> dict[str, Any] | None:
    from devices.opening import open_source
    from trainer.signals.plate import Placement, PlateProfile, fit_plate_gains

    cells = tuple(c.strip() for c in args.cells.split(","))
    if len(cells) != 4 or len(set(cells)) != 4:
        raise PlateUsageError(f"--cells {args.cells}: name four different columns")
    for name, value in (("--width", args.width), ("--depth", args.depth), ("--mass", args.mass)):
        if not value > 0:
            raise PlateUsageError(f"{name} {value:g}: must be more than 0")
    if not 0 <= args.inset < 1:
        raise PlateUsageError(f"--inset {args.inset:g}: must be from 0 to under 1")
    check_output(args.out, overwrite=args.force)
    profile = PlateProfile.four_corners(args.width, args.depth, cells, name=args.name)
    hx, hy = (1 - args.inset) * args.width / 2, (1 - args.inset) * args.depth / 2
    spots = [(0.0, 0.0), (-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy)]
    source = open_source(args.device, protocol=args.protocol, baud=args.baud, columns=args.columns)
    source.start()
    try:
        _ask("Take everything off the plate and keep it still.")
        zero = _mean_readings(source, cells, args.seconds)
        placements = []
        for where, (x, y) in zip(SPOTS, spots, strict=True):
            _ask(f"Place the {args.mass:g} kg mass at {where} ({x:+.0f}, {y:+.0f} mm).")
            raw = _mean_readings(source, cells, args.seconds)
            placements.append(Placement(args.mass, x, y, tuple(float(v) for v in raw)))
    finally:
        source.stop()
    try:
        calibration = fit_plate_gains(
            profile, zero, placements, created=time.strftime("%Y-%m-%dT%H:%M:%S%z")
        )
    except ConditioningError as exc:
        raise PlateUsageError(str(exc)) from None
    calibrated = profile.with_calibration(calibration)
    write_atomic(args.out, json.dumps(calibrated.to_dict(), indent=1) + "\n")
    result = {
        "out": str(args.out),
        "gains": list(calibration.gains),
        "zeros": list(calibration.zeros),
        "force_residuals_n": [round(r, 3) for r in calibration.force_residuals_n],
        "cop_residuals_mm": [round(r, 1) for r in calibration.cop_residuals_mm],
    }
    if not args.json:
        print(f"Calibrated {args.name}: gains {', '.join(f'{g:.6g}' for g in calibration.gains)}")
        for where, f, c in zip(
            SPOTS, calibration.force_residuals_n, calibration.cop_residuals_mm, strict=True
        ):
            print(f"  at {where}: weight missed by {f:+.2f} N, centre of pressure by {c:.1f} mm")
        print(f"Wrote {args.out}: use it with record --plate {args.out}")
    return result
