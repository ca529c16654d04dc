"""Point 9: a tool whose channels are not what a recording needs, or change mid-stream.

The tool is the ITP/1 emulator on a real pseudo-terminal and ``record`` a subprocess opening it by
its path, as it would open ``/dev/ttyACM0``. A tool without ``angle_deg`` used to get a traceback
and a wrong reason; one that changed its channels mid-recording too; an added ``shear_n`` was
dropped without a word. Now: a force-only tool (or a plate) is recorded; one without force, or
one that changes its channels, gets one line naming the port and the channels, exit 2, the
recording kept up to the change; an added channel is named in a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from subprocess import CompletedProcess

from devices.sim.itp_emulator import ItpEmulator
from tests.cli_helpers import assert_user_error
from tests.reliability.recorder import Recorder
from trainer.recordings.reader import read_recording

RATE_HZ = 500.0


def _change_channels(emulator: ItpEmulator, channels: Sequence[str]) -> None:
    """The tool announces new channels (an info line) and streams them from the next sample,
    as a tool does when its firmware is reconfigured or another sensor is plugged into it."""

    def op() -> None:
        emulator.channels = tuple(channels)
        emulator._queue(emulator._info_line(), "info")

    emulator._call(op)


def test_a_tool_without_angle_records_its_force_and_one_without_force_is_refused(
    tmp_path: Path,
) -> None:
    # A force plate or a force-only tool has no angle: its force is recorded (it used to get a
    # traceback, then a refusal); without force there is no stroke to find: one clear line.
    out = tmp_path / "no-angle.csv"
    with ItpEmulator(rate_hz=RATE_HZ, channels=("force_n",)) as tool:
        rec = Recorder(tool.path, 60, out)
        try:
            rec.wait_rows(300)
            rec.proc.terminate()
            result = rec.result()
        finally:
            rec.kill()
    assert result["samples"] >= 300 and "Traceback" not in rec.stderr
    assert read_recording(out).channels == ("force_n",)
    out = tmp_path / "no-force.csv"
    with ItpEmulator(rate_hz=RATE_HZ, channels=("angle_deg",)) as tool:
        rec = Recorder(tool.path, 30, out)
        code = rec.finish(timeout_s=60)
    after_start = rec.stderr.split(" ...\n", 1)[-1]  # the line the user sees after "Recording"
    assert_user_error(CompletedProcess([], code, "", after_start), tool.path, "force_n")
    assert "no samples arrived" not in rec.stderr


def test_channels_changing_mid_recording_stop_it_and_keep_what_came_before(
    tmp_path: Path,
) -> None:
    out = tmp_path / "changed.csv"
    with ItpEmulator(rate_hz=RATE_HZ) as tool:
        rec = Recorder(tool.path, 60, out)
        try:
            rec.wait_rows(300)
            _change_channels(tool, ("force_n",))
            code = rec.finish(timeout_s=60)
        finally:
            rec.kill()
    assert code == 2, rec.stderr
    lines = [ln for ln in rec.stderr.splitlines() if not ln.startswith("Recording")]
    assert len(lines) == 1 and "Traceback" not in rec.stderr, rec.stderr
    assert tool.path in lines[0] and "changed its channels to force_n" in lines[0]
    assert "kept up to" in lines[0] and str(out) in lines[0]
    recording = read_recording(out)
    assert recording.channels == ("force_n", "angle_deg")
    assert len(recording.t_s) >= 300 and recording.notes == []


def test_a_channel_added_mid_recording_is_named_in_a_note(tmp_path: Path) -> None:
    out = tmp_path / "added.csv"
    with ItpEmulator(rate_hz=RATE_HZ) as tool:
        rec = Recorder(tool.path, 60, out)
        try:
            rec.wait_rows(300)
            _change_channels(tool, ("force_n", "angle_deg", "shear_n"))
            tool.wait_for(lambda c: c.samples > 600, timeout_s=30)
            rec.proc.terminate()
            result = rec.result()
        finally:
            rec.kill()
    assert any("added shear_n" in note for note in result["notes"]), result
    assert "Note: " in rec.stderr and "shear_n" in rec.stderr
    recording = read_recording(out)
    assert len(recording.t_s) == result["samples"]
