"""Point 2: a place that cannot be written, or a disk that fills up mid-session.

``--out`` is checked before the device is opened: a folder, ``/proc``, ``/sys``, ``/dev/full`` or
a disk without room for a minute of recording is refused at once with one line naming it (it used
to record for nothing, then print a thread's traceback and "no samples arrived in 2 s"). A disk
that fills up part-way stops the recording with one line naming the file and the OS's reason,
exit 2, and every row written before it stays readable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.cli_helpers import assert_user_error, run_cli
from tests.reliability.disks import SmallDisk
from tests.reliability.recorder import Recorder
from trainer.files.lock import holder_of
from trainer.recordings.reader import read_recording
from trainer.recordings.writer import bytes_per_minute

CAN_MOUNT = SmallDisk.available()


@pytest.mark.parametrize(
    ("out", "says"),
    [
        ("{tmp}", "is a folder"),
        ("/proc/iastm-test.csv", "cannot write in /proc"),
        ("/sys/iastm-test.csv", "cannot write in /sys"),
        ("/dev/full", "is not a plain file"),
        ("{tmp}/a-file.csv/inside.csv", "Not a directory"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_recording(
    tmp_path: Path, out: str, says: str
) -> None:
    (tmp_path / "a-file.csv").write_text("not a folder\n")
    target = out.format(tmp=tmp_path)
    done = run_cli("record", "--device", "sim", "--seconds", "30", "--out", target)
    assert_user_error(done, target, says)
    assert "Recording" not in done.stdout + done.stderr  # refused before the device was opened
    assert "no samples arrived" not in done.stderr


def test_a_disk_without_room_for_a_minute_is_refused_before_recording(tmp_path: Path) -> None:
    if CAN_MOUNT:
        with SmallDisk() as disk:
            disk.fill(leave_bytes=bytes_per_minute() // 4)
            out = disk.root / "session.csv"
            done = run_cli("record", "--device", "sim", "--seconds", "30", "--out", str(out))
            assert_user_error(done, str(out), "not enough free space")
            assert not out.exists()
    else:  # no disk to fill: a file system with no room at all is what /dev/full stands for
        done = run_cli("record", "--device", "sim", "--seconds", "30", "--out", "/dev/full")
        assert_user_error(done, "/dev/full")


def _assert_kept_whole(out: Path, stderr: str) -> None:
    """Exit 2 with one line naming the file and the reason; what was written reads back."""
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("Recording")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "Exception in thread" not in stderr
    assert str(out) in lines[0] and "cannot write" in lines[0], lines[0]
    recording = read_recording(out)  # a row the error cut short is left out, and said
    assert len(recording.t_s) > 100
    assert recording.t_s[0] == 0.0
    steps = np.diff(recording.t_s)
    assert (steps > 0).all() and steps.max() < 0.1  # no hole: every row up to the error kept
    kept_s = float(lines[0].rsplit("kept up to ", 1)[1].split(" s")[0])
    assert recording.t_s[-1] <= kept_s + 0.05
    assert holder_of(out) is None  # let go of: the next recording may use the path


def test_a_disk_filling_up_mid_recording_stops_it_with_one_line_and_keeps_what_was_written(
    tmp_path: Path,
) -> None:
    if CAN_MOUNT:
        with SmallDisk() as disk:
            out = disk.root / "session.csv"
            rec = Recorder("sim", 120, out)
            try:
                rec.wait_rows(200)
                disk.fill()  # another program takes the rest of the disk
                code = rec.finish(timeout_s=60)
            finally:
                rec.kill()
            assert code == 2, (code, rec.stderr)
            assert "No space left on device" in rec.stderr
            assert rec.stdout == ""  # no JSON for a recording that failed
            _assert_kept_whole(out, rec.stderr)
    else:
        out = tmp_path / "session.csv"
        rec = Recorder("sim", 120, out, file_size_limit=48 * 1024)
        code = rec.finish(timeout_s=60)
        assert code == 2, (code, rec.stderr)
        assert "File too large" in rec.stderr
        _assert_kept_whole(out, rec.stderr)
