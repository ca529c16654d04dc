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
