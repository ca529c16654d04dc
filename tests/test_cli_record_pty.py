"""``iastm-trainer record`` as a user runs it, against a device on a real pseudo-terminal.

Each test starts the console script in a subprocess, recording from an emulated ITP/1 tool (or a
plain CSV sketch) on a pty, acts on the device while the recording runs, and then compares the
recording file, its event sidecar and the printed JSON with what went over the wire. The figures
an instructor reads (samples, corrupt lines, lost samples, disconnects) must be exact.

How the tests know what went over the wire while the recorder was reading: the emulator stays
quiet until the recorder has connected and asked ``INFO`` (pyserial's open discards anything sent
before), then sends a counted burst, then a ``!`` message as an end marker. The session logs that
message to the sidecar (flushing the CSV with it) only after every sample before it is written,
so seeing it there proves the recorder read the whole burst before its time ran out.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import struct
import subprocess
import sys
import termios
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from devices.sim.itp_emulator import ItpEmulator
from tests.cli_helpers import BIN, assert_user_error, run_cli
from trainer.recordings.events import read_events
from trainer.recordings.format import Recording
from trainer.recordings.reader import read_recording

RATE_HZ = 2000.0
DT_S = 1.0 / RATE_HZ
#: The file holds time to the microsecond: two roundings apart at most.
TIME_ATOL_S = 2e-6
#: Values go over the wire with 3 decimals.
VALUE_ATOL = 0.0005 + 1e-9
#: Python, numpy and the project take a while to import on a busy machine.
CONNECT_TIMEOUT_S = 20.0
CONTRACT_KEYS = {"out", "samples", "corrupt_lines", "lost_samples", "disconnects", "duration_s"}


def _cli_command() -> list[str]:
    return [str(BIN)] if BIN.exists() else [sys.executable, "-m", "trainer.cli"]


class Recorder:
    """One ``iastm-trainer record ... --json`` subprocess and the files it writes."""

    def __init__(self, device: str, seconds: float, out: Path, *extra: str) -> None:
        self.out = out
        self.seconds = seconds
        env = dict(os.environ)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        self.proc = subprocess.Popen(
            [
                *_cli_command(),
                "record",
                "--device",
                device,
                "--seconds",
                f"{seconds:g}",
                "--out",
                str(out),
                *extra,
                "--json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def connected(self, emu: ItpEmulator, times: int = 1) -> None:
        """Wait until the recorder has opened the port and asked the device ``INFO``."""
        if not emu.wait_for(lambda c: c.commands.count("INFO") >= times, CONNECT_TIMEOUT_S):
            self.fail(f"the recorder never asked the device INFO ({times}x)")

    def wait_event(self, event: str, timeout_s: float = 10.0, **fields: Any) -> dict[str, Any]:
        """Wait until the sidecar holds ``event`` with these fields, while the recorder runs."""
        deadline = time.monotonic() + timeout_s
        while True:
            for record in read_events(self.out):
                if record.get("event") == event and all(
                    record.get(k) == v for k, v in fields.items()
                ):
                    return record
            if self.proc.poll() is not None:
                self.fail(f"the recording ended before the '{event}' event {fields} was logged")
            if time.monotonic() > deadline:
                self.fail(f"no '{event}' event {fields} in {timeout_s:g} s")
            time.sleep(0.02)  # the poll interval of a file written by another process

    def mark_end(self, emu: ItpEmulator) -> None:
        """Send an end marker and wait until the recorder has written everything before it."""
        emu.message("END")
        self.wait_event("message", text="END")

    def result(self) -> dict[str, Any]:
        """Wait for the recording to end on its own; its JSON (exit status 0 required)."""
        out, err = self.proc.communicate(timeout=self.seconds + 30.0)
        assert self.proc.returncode == 0, err
        return json.loads(out)

    def fail(self, why: str) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        out, err = self.proc.communicate(timeout=10.0)
        pytest.fail(f"{why}\nstdout: {out}\nstderr: {err}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate(timeout=10.0)


@pytest.fixture
def emulators() -> Iterator[Callable[..., ItpEmulator]]:
    made: list[ItpEmulator] = []

    def make(**kw: Any) -> ItpEmulator:
        emu = ItpEmulator(**kw)
        made.append(emu)
        return emu

    yield make
    for emu in made:
        emu.stop()


@pytest.fixture
def recorders(tmp_path: Path) -> Iterator[Callable[..., Recorder]]:
    made: list[Recorder] = []

    def make(device: str, seconds: float, *extra: str, name: str = "rec.csv") -> Recorder:
        rec = Recorder(device, seconds, tmp_path / name, *extra)
        made.append(rec)
        return rec

    yield make
    for rec in made:
        rec.kill()


def burst(emu: ItpEmulator, n: int) -> None:
    """Send ``n`` samples, paced at the device's rate, and wait until they are all in the pty."""
    emu.resume(n)
    assert emu.wait_idle(20.0), emu.counts()


def check_contract(result: dict[str, Any], rec: Recorder, recording: Recording) -> None:
    assert set(result) >= CONTRACT_KEYS, result
    assert result["out"] == str(rec.out)
    assert result["samples"] == len(recording.t_s)
    assert result["duration_s"] == pytest.approx(recording.t_s[-1], abs=1e-6)
    for key in CONTRACT_KEYS - {"out", "duration_s"}:
        assert isinstance(result[key], int), (key, result[key])


def events_of(recording: Recording, kind: str) -> list[dict[str, Any]]:
    return [e for e in recording.events if e.get("event") == kind]


# -- what was sent is what was recorded -----------------------------------------------------------
def test_every_sample_sent_is_recorded_and_damage_is_counted_exactly(emulators, recorders):
    emu = emulators(rate_hz=RATE_HZ, streaming=False)
    rec = recorders(emu.path, 3.0)
    rec.connected(emu)
    burst(emu, 400)
    emu.corrupt(12)  # two of each kind of damage
    emu.skip(25)
    emu.message("OVERLOAD force_n")
    burst(emu, 400)
    emu.skip(3)
    emu.corrupt(1, kinds=["long"])
    burst(emu, 200)
    rec.mark_end(emu)
    sent = emu.counts()
    result = rec.result()
    recording = read_recording(rec.out)

    assert (sent.samples, sent.corrupt_lines, sent.lost_samples) == (1000, 13, 28)
    check_contract(result, rec, recording)
    assert result["samples"] == sent.samples
    assert result["corrupt_lines"] == sent.corrupt_lines
    assert result["lost_samples"] == sent.lost_samples
    assert result["disconnects"] == 0
    assert recording.channels == ("force_n", "angle_deg")
    assert recording.metadata["rate_hz"] == "2000"
    # The file's time axis is the device clock from the first sample, so each row holds the
    # values the device computed at that time; lost samples leave holes, not a shifted axis.
    t = recording.t_s
    assert t[0] == 0.0
    np.testing.assert_allclose(recording.values, emu.signal(t), atol=VALUE_ATOL)
    dt = np.diff(t)
    holes = np.flatnonzero(dt > 1.5 * DT_S)
    assert holes.tolist() == [399, 799]
    np.testing.assert_allclose(dt[holes], [26 * DT_S, 4 * DT_S], atol=TIME_ATOL_S)
    np.testing.assert_allclose(np.delete(dt, holes), DT_S, atol=TIME_ATOL_S)
    # The sidecar tells the same story, and ends with the counters.
    assert [e["count"] for e in events_of(recording, "lost")] == [25, 3]
    assert [e["text"] for e in events_of(recording, "message")] == ["OVERLOAD force_n", "END"]
    summary = recording.events[-1]
    assert summary["event"] == "summary"
    assert summary["rows"] == 1000
    assert summary["counters"]["corrupt_lines"] == 13
    assert summary["counters"]["lost_samples"] == 28


def test_seq_and_clock_wraps_mid_recording_keep_time_even_and_lose_nothing(emulators, recorders):
    # At 2 kHz seq wraps after 536 samples and the 32-bit microsecond clock after 600.
    start_t_us = 2**32 - 300_000
    emu = emulators(rate_hz=RATE_HZ, streaming=False, start_seq=65_000, start_t_us=start_t_us)
    rec = recorders(emu.path, 3.0)
    rec.connected(emu)
    burst(emu, 1200)
    rec.mark_end(emu)
    result = rec.result()
    recording = read_recording(rec.out)

    check_contract(result, rec, recording)
    assert result["samples"] == emu.counts().samples == 1200
    assert result["lost_samples"] == 0
    assert result["corrupt_lines"] == 0
    t = recording.t_s
    np.testing.assert_allclose(np.diff(t), DT_S, atol=TIME_ATOL_S)
    assert t[-1] == pytest.approx(1199 * DT_S, abs=1e-6)
    np.testing.assert_allclose(recording.values, emu.signal(t + start_t_us * 1e-6), atol=VALUE_ATOL)
    assert events_of(recording, "lost") == []
    assert events_of(recording, "reset") == []


def test_a_device_reset_mid_recording_continues_the_time_axis(emulators, recorders):
    emu = emulators(rate_hz=RATE_HZ, streaming=False)
    rec = recorders(emu.path, 3.0)
    rec.connected(emu)
    burst(emu, 600)
    emu.reset()
    burst(emu, 600)
    rec.mark_end(emu)
    result = rec.result()
    recording = read_recording(rec.out)

    check_contract(result, rec, recording)
    assert result["samples"] == emu.counts().samples == 1200
    assert result["lost_samples"] == 0  # seq starting again is not loss
    assert result["corrupt_lines"] == 0
    assert result["resets"] == 1
    t = recording.t_s
    assert np.all(np.diff(t) > 0)
    # The new time base starts one sample interval after the last sample before the reset.
    np.testing.assert_allclose(np.diff(t), DT_S, atol=TIME_ATOL_S)
    [reset] = events_of(recording, "reset")
    assert reset["t_s"] == pytest.approx(t[600], abs=1e-6)
    # The rows after the reset are the samples of the rebooted device, whose clock began at 0.
    np.testing.assert_allclose(recording.values[:600], emu.signal(t[:600]), atol=VALUE_ATOL)
    np.testing.assert_allclose(
        recording.values[600:], emu.signal(t[600:] - t[600]), atol=VALUE_ATOL
    )


def test_unplug_and_replug_at_the_same_path_goes_on_in_the_same_file(emulators, recorders):
    emu = emulators(rate_hz=RATE_HZ, streaming=False)
    rec = recorders(emu.path, 4.0)
    rec.connected(emu)
    burst(emu, 500)
    # Only pull the cable once the recorder has everything: a vanished pty takes unread bytes
    # with it, and then the file could not match what was sent.
    emu.message("UNPLUG")
    rec.wait_event("message", text="UNPLUG")
    emu.unplug()
    rec.wait_event("disconnected")
    emu.replug(reset=True)  # a USB-powered tool boots again: seq and clock start from 0
    rec.connected(emu, times=2)  # the recorder found the new pty at the old path
    burst(emu, 500)
    rec.mark_end(emu)
    result = rec.result()
    recording = read_recording(rec.out)

    check_contract(result, rec, recording)
    assert result["samples"] == emu.counts().samples == 1000
    assert result["disconnects"] == 1
    assert result["lost_samples"] == 0  # the gap is a gap, not lost samples
    assert result["corrupt_lines"] == 0
    assert result["resets"] == 0
    links = [e for e in recording.events if e["event"] in ("connected", "disconnected", "gap")]
    assert [e["event"] for e in links] == ["disconnected", "connected", "gap", "disconnected"]
    assert links[-1]["text"].endswith("closed")  # the end of the recording, not a fault
    [gap] = events_of(recording, "gap")
    t = recording.t_s
    assert gap["t_s"] == pytest.approx(t[499], abs=1e-6)
    assert gap["duration_s"] > 0.0
    assert np.all(np.diff(t) > 0)
    assert t[500] - t[499] >= gap["duration_s"] - 1e-6
    np.testing.assert_allclose(np.diff(t[:500]), DT_S, atol=TIME_ATOL_S)
    np.testing.assert_allclose(np.diff(t[500:]), DT_S, atol=TIME_ATOL_S)
    # The rows after the gap are the replugged device's own samples.
    np.testing.assert_allclose(recording.values[:500], emu.signal(t[:500]), atol=VALUE_ATOL)
    np.testing.assert_allclose(
        recording.values[500:], emu.signal(t[500:] - t[500]), atol=VALUE_ATOL
    )


# -- plain CSV devices ----------------------------------------------------------------------------
def _pending_input_bytes(fd: int) -> int:
    """Bytes in a tty's input queue that no reader has taken yet."""
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def _read_until(fd: int, needle: bytes, timeout_s: float) -> bytes:
    deadline = time.monotonic() + timeout_s
    got = b""
    while needle not in got:
        left = deadline - time.monotonic()
        if left <= 0:
            return got
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            got += os.read(fd, 4096)
    return got


def test_plain_csv_lines_with_a_column_mapping(recorders):
    master, slave = os.openpty()
    try:
        tty.setraw(slave)
        rec = recorders(
            os.ttyname(slave), 3.0, "--protocol", "csv", "--columns", "force_n,angle_deg"
        )
        if b"INFO\n" not in _read_until(master, b"INFO\n", CONNECT_TIMEOUT_S):
            rec.fail("the recorder never opened the port")
        force_n = np.round(np.linspace(0.0, 20.0, 500), 3)
        angle_deg = np.round(30.0 + 0.02 * np.arange(500), 2)
        # The first line after the port opens may be the tail of a line: it is never a sample.
        lines = "".join(f"{f:.3f},{a:.2f}\n" for f, a in zip(force_n, angle_deg, strict=True))
        os.write(master, b"99.000,99.00\n" + lines.encode("ascii"))
        result = rec.result()
        # The recorder took every byte written before its time ran out.
        assert _pending_input_bytes(slave) == 0
        recording = read_recording(rec.out)
    finally:
        os.close(master)
        os.close(slave)

    check_contract(result, rec, recording)
    assert result["samples"] == 500
    assert result["corrupt_lines"] == 0
    assert result["lost_samples"] == 0
    assert recording.channels == ("force_n", "angle_deg")
    np.testing.assert_allclose(recording.channel("force_n"), force_n, atol=1e-9)
    np.testing.assert_allclose(recording.channel("angle_deg"), angle_deg, atol=1e-9)
    assert recording.t_s[0] == 0.0
    assert np.all(np.diff(recording.t_s) > 0)  # stamped on arrival, yet strictly increasing


# -- what a user can get wrong --------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["not-a-port", "unplugged-link"])
def test_a_bad_device_path_is_one_line_naming_it_even_with_json(tmp_path: Path, kind: str):
    if kind == "not-a-port":
        device, why = tmp_path / "notes.txt", "not a serial port"
        device.write_text("hello\n")
    else:  # a by-id style link whose tool is not plugged in
        device, why = tmp_path / "usb-iastm-tool-if00", "no such port"
        device.symlink_to(tmp_path / "ttyACM9")
    out = tmp_path / "r.csv"
    proc = run_cli("record", "--device", str(device), "--seconds", "1", "--out", str(out), "--json")
    assert_user_error(proc, str(device), why)
    assert proc.stdout == ""
    assert not out.exists()


def test_a_device_that_sends_nothing_is_a_user_error_naming_it(emulators, recorders):
    emu = emulators(rate_hz=RATE_HZ, streaming=False, answers_commands=False)
    rec = recorders(emu.path, 1.0)
    rec.connected(emu)
    out, err = rec.proc.communicate(timeout=30.0)
    assert rec.proc.returncode == 2, (out, err)
    assert out == ""
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("Recording ")]
    assert len(lines) == 1, err
    assert emu.path in lines[0] and "no samples" in lines[0]
    assert "Traceback" not in err
