"""A home-made four-cell force plate over a real serial port, end to end: an HX711 per corner
printing ``millis(),cell_1,cell_2,cell_3,cell_4`` at 80 lines a second on a pseudo-terminal,
recorded through its plate profile into force and centre of pressure, then scored."""

from __future__ import annotations

import json
import math
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.cli_helpers import run_cli, run_json
from tests.test_cli_plate import plate_recording
from trainer.signals.plate import PlateProfile

W, D = 400.0, 300.0
GAINS = np.array([0.0021, 0.0019, 0.0023, 0.0020])  # N per count, as a calibration found them
ZEROS = np.array([8123.0, -2210.0, 455.0, 30110.0])
RATE_HZ = 80.0


def _counts(weight_n: float, x: float, y: float) -> np.ndarray:
    u, v = 0.5 + x / W, 0.5 + y / D
    shares = np.array([(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v])
    return weight_n * shares / GAINS + ZEROS


def _plate_device(fd: int, seconds: float, stop: threading.Event) -> None:
    """Strokes of 1 s every 2 s, each 100 mm along +y from its own start, peaking at 8 N."""
    rng = np.random.default_rng(1)
    t0 = time.monotonic()
    k = 0
    while not stop.is_set() and k < seconds * RATE_HZ:
        t = k / RATE_HZ
        phase = t % 2.0
        if 0.5 <= phase < 1.5:
            u = phase - 0.5
            force = 8.0 * math.sin(math.pi * u) ** 2
            s = 100.0 * (u - math.sin(2 * math.pi * u) / (2 * math.pi))
            x, y = -100.0 + 30.0 * ((int(t // 2.0)) % 6), -60.0 + s
        else:
            force, x, y = 0.0, 0.0, 0.0
        counts = _counts(force, x, y) + rng.normal(0.0, 5.0, 4)
        line = f"{int(t * 1000)}," + ",".join(f"{c:.0f}" for c in counts) + "\n"
        os.write(fd, line.encode())
        k += 1
        time.sleep(max(0.0, t0 + k / RATE_HZ - time.monotonic()))


def test_a_four_cell_plate_on_a_serial_port_is_recorded_as_force_and_centre_of_pressure(
    tmp_path: Path,
) -> None:
    plate = PlateProfile.four_corners(W, D)
    plate = plate.__class__(
        plate.name,
        tuple(
            c.__class__(c.column, c.x_mm, c.y_mm, float(g), float(z))
            for c, g, z in zip(plate.cells, GAINS, ZEROS, strict=True)
        ),
        W,
        D,
    )
    profile = tmp_path / "plate.json"
    profile.write_text(json.dumps(plate.to_dict()))
    master, slave = os.openpty()
    stop = threading.Event()
    device = threading.Thread(target=_plate_device, args=(master, 14.0, stop), daemon=True)
    device.start()
    out = tmp_path / "plate-session.csv"
    try:
        result = run_json(
            "record",
            "--device",
            os.ttyname(slave),
            "--protocol",
            "csv",
            "--columns",
            "t_ms,cell_1,cell_2,cell_3,cell_4",
            "--plate",
            str(profile),
            "--seconds",
            "12",
            "--out",
            str(out),
            timeout=60,
        )
    finally:
        stop.set()
        device.join(5)
        os.close(master)
        os.close(slave)
    assert result["samples"] >= 11 * RATE_HZ
    header = out.read_text().split("time_s")[0]
    assert "# plate: " in header and "cell_1" in header  # the profile travels with it
    # Scored against an exercise built from plate strokes 100 mm along +y.
    experts = [plate_recording(tmp_path / f"e{k}.csv", "expert", 500 + k, 80.0) for k in range(3)]
    exercise = tmp_path / "plate.json.exercise"
    run_json(
        "envelope",
        *map(str, experts),
        "--id",
        "plate-sweep",
        "--name",
        "Plate sweep",
        "--out",
        str(exercise),
    )
    scored = run_json("score", str(out), "--exercise", str(exercise))
    assert len(scored["strokes"]) >= 4
    for stroke in scored["strokes"]:
        assert stroke["peak_force_n"] == pytest.approx(8.0, abs=0.6)
        assert abs(stroke["direction_deg"] - 90.0) < 5.0
        assert 80.0 < stroke["path_length_mm"] <= 105.0  # the light ends are masked


def test_a_bad_plate_profile_is_one_line_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "plate.json"
    bad.write_text('{"name": "p", "width_mm": 400, "depth_mm": 300, "cells": []}')
    proc = run_cli(
        "record",
        "--device",
        "sim",
        "--seconds",
        "1",
        "--plate",
        str(bad),
        "--out",
        str(tmp_path / "x.csv"),
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr and "cells" in proc.stderr
    assert not (tmp_path / "x.csv").exists()


def test_plate_calibrate_fits_the_cells_gains_with_a_known_mass_over_a_serial_port(
    tmp_path: Path,
) -> None:
    """The bench calibration as an instructor does it: nothing on the plate, then 5 kg at the
    centre and at each corner, Enter at each step; the written profile measures loads right."""
    import subprocess
    import sys

    from tests.cli_helpers import BIN

    load = {"weight": 0.0, "x": 0.0, "y": 0.0}
    master, slave = os.openpty()
    stop = threading.Event()

    def device() -> None:
        rng = np.random.default_rng(2)
        k = 0
        t0 = time.monotonic()
        while not stop.is_set():
            counts = _counts(load["weight"], load["x"], load["y"]) + rng.normal(0.0, 5.0, 4)
            line = f"{int(k * 1000 / RATE_HZ)}," + ",".join(f"{c:.0f}" for c in counts) + "\n"
            os.write(master, line.encode())
            k += 1
            time.sleep(max(0.0, t0 + k / RATE_HZ - time.monotonic()))

    thread = threading.Thread(target=device, daemon=True)
    thread.start()
    out = tmp_path / "plate.json"
    cmd = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "trainer.cli"]
    proc = subprocess.Popen(
        [
            *cmd,
            "plate",
            "calibrate",
            "--device",
            os.ttyname(slave),
            "--width",
            str(W),
            "--depth",
            str(D),
            "--mass",
            "5",
            "--seconds",
            "1",
            "--out",
            str(out),
            "--json",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    hx, hy = 0.75 * W / 2, 0.75 * D / 2
    steps = [
        (0.0, 0.0, 0.0),
        (5.0, 0.0, 0.0),
        (5.0, -hx, -hy),
        (5.0, hx, -hy),
        (5.0, hx, hy),
        (5.0, -hx, hy),
    ]
    try:
        assert proc.stderr is not None and proc.stdin is not None
        for weight, x, y in steps:
            line = proc.stderr.readline()  # the prompt: the mass goes there, then Enter
            assert "press Enter" in line, line
            load.update(weight=weight * 9.80665, x=x, y=y)
            time.sleep(0.3)  # the mass settles
            proc.stdin.write("\n")
            proc.stdin.flush()
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        stop.set()
        thread.join(5)
        os.close(master)
        os.close(slave)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    result = json.loads(stdout)
    assert np.asarray(result["gains"]) == pytest.approx(GAINS, rel=0.01)
    assert max(abs(r) for r in result["cop_residuals_mm"]) < 5.0
    plate = PlateProfile.from_dict(json.loads(out.read_text()))
    fz, cx, cy = plate.fz_cop(_counts(20.0, 50.0, -30.0)[None, :])
    assert fz[0] == pytest.approx(20.0, rel=0.01)
    assert (cx[0], cy[0]) == pytest.approx((50.0, -30.0), abs=3.0)
