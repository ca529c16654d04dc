"""Point 7: a byte-order mark is read, a file that is not UTF-8 is refused naming line and byte.

Excel's "CSV UTF-8" starts the file with a UTF-8 byte-order mark; it used to be refused with a
message about an invisible character. A Latin-1 ``é`` in a comment line used to refuse the file
without saying where. Both the recording and the exercise readers are run through the CLI.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import numpy as np

from tests.cli_helpers import assert_user_error, run_cli
from trainer.library.exercise import find_exercise, load_exercise_file, save_exercise
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording


def _recording(tmp_path: Path) -> Path:
    path, _ = simulate_recording(tmp_path / "plain.csv", strokes=3, seed=4)
    return path


def test_a_recording_with_a_byte_order_mark_scores_as_without(tmp_path: Path) -> None:
    plain = _recording(tmp_path)
    excel = tmp_path / "excel.csv"
    excel.write_bytes(codecs.BOM_UTF8 + plain.read_bytes())
    a, b = read_recording(plain), read_recording(excel)
    np.testing.assert_array_equal(a.t_s, b.t_s)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.metadata == b.metadata and b.notes == []
    done = run_cli("score", str(excel), "--exercise", "sweep", "--json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["strokes"]) == 3


def test_a_latin_1_comment_is_refused_naming_its_line_and_byte(tmp_path: Path) -> None:
    plain = _recording(tmp_path)
    data = plain.read_bytes()
    lines = data.split(b"\n")
    lines.insert(2, "# note: massage du trapèze".encode("latin-1"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"\n".join(lines))
    byte = len(b"\n".join(lines[:2])) + 1 + "# note: massage du trap".__len__()
    done = run_cli("score", str(latin), "--exercise", "sweep")
    assert_user_error(done, f"{latin}, line 3", f"byte {byte} is 0xe8", "UTF-8")


def test_an_exercise_with_a_byte_order_mark_loads_and_latin_1_is_refused(tmp_path: Path) -> None:
    recording = _recording(tmp_path)
    mine = tmp_path / "mine.json"
    save_exercise(find_exercise("sweep"), mine)
    text = mine.read_bytes()
    mine.write_bytes(codecs.BOM_UTF8 + text)
    assert load_exercise_file(mine).to_dict() == find_exercise("sweep").to_dict()

    broken = tmp_path / "latin.json"
    at = text.index(b'"name": "Sweep"') + len(b'"name": "Sweep')
    broken.write_bytes(text[:at] + " é".encode("latin-1") + text[at:])
    line = text.count(b"\n", 0, at) + 1
    done = run_cli("score", str(recording), "--exercise", str(broken))
    assert_user_error(done, f"{broken}, line {line}", f"byte {at + 1} is 0xe9")
