"""Point 4: scoring a recording with no strokes in it prints the table, not a ``TypeError``.

A 3-second ``record`` of a tool lying still is enough to get a recording with 0 strokes; ``score``
without ``--json`` used to exit 1 with ``unsupported format string passed to NoneType``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.cli_helpers import run_cli
from trainer.recordings.writer import write_recording


def test_a_recording_with_no_strokes_scores_as_none_with_exit_0(tmp_path: Path) -> None:
    t = np.arange(3000) / 1000.0
    still = write_recording(
        tmp_path / "still.csv", t, np.column_stack([np.zeros_like(t), np.full_like(t, 40.0)]),
        ("force_n", "angle_deg"),
    )  # fmt: skip
    table = run_cli("score", str(still), "--exercise", "sweep")
    assert table.returncode == 0, table.stderr
    assert table.stderr == ""
    assert "0 strokes" in table.stdout and "Consistency: -" in table.stdout
