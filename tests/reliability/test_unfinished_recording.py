"""A recording cut short by a crash, a kill, a full disk or a power cut can still be read.

The writer writes whole rows, so whatever follows the last line end is a row that never finished.
It is left out with a note naming the file and line, even when it still has all its fields
(``14.175000,6,4`` is a row whose angle was cut from ``4x.xx``), and everything before it is read
exactly. The application's offer to open such a recording is dismissed only once it opened, and
every unfinished recording stays listed for File > Recover...
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.cli_helpers import run_cli
from trainer.files.lock import OutputLock
from trainer.offline.simulation import simulate_recording
from trainer.recordings.format import RecordingError
from trainer.recordings.reader import _read_and_check, read_recording
from trainer.recordings.recovery import RecoveryOffers
from trainer.recordings.writer import write_recording


def _whole(tmp_path: Path, rows: int = 200) -> tuple[bytes, np.ndarray, np.ndarray]:
    """A finished recording's bytes, and its time and values as read whole."""
    t = np.arange(rows) / 1000.0
    values = np.column_stack([5.0 + np.sin(t * 7.0), 40.0 + 3.0 * np.cos(t * 3.0)])
    path = write_recording(tmp_path / "whole.csv", t, values, ("force_n", "angle_deg"))
    whole = read_recording(path)
    assert whole.notes == [] and len(whole.t_s) == rows
    return path.read_bytes(), whole.t_s, whole.values


def test_a_recording_cut_at_every_byte_of_its_last_two_lines_keeps_every_whole_row(
    tmp_path: Path,
) -> None:
    data, t, values = _whole(tmp_path)
    lines = data.split(b"\n")[:-1]  # the file ends with its line end
    header_lines = len(lines) - len(t)
    second_last_start = len(data) - len(lines[-1]) - len(lines[-2]) - 2
    for cut in range(second_last_start, len(data) + 1):
        path = tmp_path / f"cut-{cut}.csv"
        path.write_bytes(data[:cut])
        whole_rows = data[:cut].count(b"\n") - header_lines
        for reader in (read_recording, _read_and_check):
            rec = reader(path)
            assert len(rec.t_s) == whole_rows, (cut, reader.__name__)
            np.testing.assert_array_equal(rec.t_s, t[:whole_rows])
            np.testing.assert_array_equal(rec.values, values[:whole_rows])
            if data[:cut].endswith(b"\n"):
                assert rec.notes == [], cut
            else:
                line = data[:cut].count(b"\n") + 1
                assert len(rec.notes) == 1, (cut, rec.notes)
                assert rec.notes[0].startswith(f"{path}, line {line}: left out "), rec.notes
                assert "cut short" in rec.notes[0]


def test_a_cut_row_that_still_has_every_field_is_never_a_sample(tmp_path: Path) -> None:
    path = tmp_path / "power-cut.csv"
    path.write_bytes(
        b"# iastm-trainer recording\ntime_s,force_n,angle_deg\n"
        b"14.173000,6.01,43.2\n14.174000,6.02,43.25\n14.175000,6,4"
    )
    rec = read_recording(path)
    assert rec.t_s.tolist() == [14.173, 14.174]
    assert rec.channel("angle_deg").tolist() == [43.2, 43.25]
    assert rec.notes == [
        f"{path}, line 5: left out '14.175000,6,4', a row cut short at the end (no line end: "
        "the recording was not finished)"
    ]


def test_score_and_envelope_read_an_unfinished_recording_and_say_what_they_left_out(
    tmp_path: Path,
) -> None:
    whole = tmp_path / "expert.csv"
    simulate_recording(whole, skill="expert", strokes=4, seed=3)
    cut = tmp_path / "cut.csv"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) - 7])  # the last row without its end
    line = data.count(b"\n")

    table = run_cli("score", str(cut), "--exercise", "sweep")
    assert table.returncode == 0, table.stderr
    assert "Traceback" not in table.stderr
    assert f"Note: {cut}, line {line}: left out " in table.stdout
    scored = run_cli("score", str(cut), "--exercise", "sweep", "--json")
    assert scored.returncode == 0, scored.stderr
    notes = json.loads(scored.stdout)["notes"]
    assert any(n.startswith(f"{cut}, line {line}: left out ") for n in notes), notes
    assert len(json.loads(scored.stdout)["strokes"]) == 4

    built = run_cli(
        "envelope", str(cut), "--id", "cut-sweep", "--name", "Cut", "--out",
        str(tmp_path / "cut.json"), "--json",
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert any(f"line {line}: left out" in n for n in json.loads(built.stdout)["notes"])
    assert f"Note: {cut}, line {line}: left out " in built.stderr


def _unfinished(folder: Path, name: str, rows: int = 50) -> Path:
    """A recording a crash left: rows, an event log without its closing summary, a cut row."""
    folder.mkdir(parents=True, exist_ok=True)
    t = np.arange(rows) / 100.0
    path = write_recording(folder / name, t, np.column_stack([t, t + 40]), ("force_n", "angle_deg"))
    path.write_bytes(path.read_bytes() + b"0.5,0.5,4")
    (folder / name.replace(".csv", ".events.jsonl")).write_text('{"event": "connected"}\n')
    return path


def test_the_recovery_offer_is_dismissed_only_once_the_recording_opened(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    good = _unfinished(sessions, "2026-01-01-sweep.csv")
    broken = _unfinished(sessions, "2026-01-02-sweep.csv")
    broken.write_bytes(broken.read_bytes().replace(b"time_s", b"tim\xe9_s"))
    offers = RecoveryOffers(sessions)
    assert {r.path for r in offers.pending()} == {good, broken}

    with pytest.raises(RecordingError, match="not a text file"):
        offers.open(broken)
    assert broken in {r.path for r in offers.pending()}  # failed to open: still offered

    recording = offers.open(good)
    assert len(recording.t_s) == 50 and recording.notes  # the cut row left out, and said
    assert [r.path for r in offers.pending()] == [broken]
    assert offers.dismissed == (str(good),)
    # File > Recover... still lists both, and a new start with the stored dismissals agrees.
    assert {r.path for r in offers.recoverable()} == {good, broken}
    again = RecoveryOffers(sessions, offers.dismissed)
    assert [r.path for r in again.pending()] == [broken]


def test_a_recording_being_written_now_is_not_offered_for_recovery(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    live = _unfinished(sessions, "live.csv")
    with OutputLock(live):
        assert RecoveryOffers(sessions).recoverable() == []
    assert [r.path for r in RecoveryOffers(sessions).recoverable()] == [live]


def test_a_power_cuts_zeros_at_the_end_are_left_out_and_said(tmp_path: Path) -> None:
    """ext4 and XFS can leave a file grown but its last blocks unwritten after a power cut: they
    read as zeros. Those are left out like a cut-short row; zeros anywhere else refuse the file."""
    data, t, values = _whole(tmp_path)
    lines = data.count(b"\n")
    for tail, whole_rows, notes in (
        (data, len(t), ["zero bytes"]),
        (data[:-5], len(t) - 1, ["cut short", "zero bytes"]),
    ):
        path = tmp_path / "zeros.csv"
        path.write_bytes(tail + b"\0" * 8192)
        for reader in (read_recording, _read_and_check):
            rec = reader(path)
            np.testing.assert_array_equal(rec.t_s, t[:whole_rows])
            np.testing.assert_array_equal(rec.values, values[:whole_rows])
            assert len(rec.notes) == len(notes), rec.notes
            for note, what in zip(rec.notes, notes, strict=True):
                assert what in note and note.startswith(f"{path}, line "), note
        assert rec.notes[-1] == (
            f"{path}, line {lines + 1 if tail is data else lines}: left out 8192 zero bytes at "
            "the end (what a power cut leaves where the data had not yet been written)"
        )
    path.write_bytes(data + b"\0" * 100 + b"1.0,2,3\n")
    with pytest.raises(RecordingError, match=rf"line {lines + 1}: not a text file \(a NUL byte"):
        read_recording(path)
    path.write_bytes(b"\0" * 4096)
    with pytest.raises(RecordingError, match="no header row"):
        read_recording(path)
