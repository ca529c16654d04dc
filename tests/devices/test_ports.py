"""Listing serial ports and recognising an ITP/1 tool among them.

``comports()`` never lists pseudo-terminals, so the emulated tool is probed by path, and the
listing is checked with ``comports()`` standing in for a machine with an adapter plugged in.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import pytest
from serial.tools.list_ports_common import ListPortInfo

import devices.ports
from devices.link import SerialSource
from devices.ports import PortInfo, list_ports, probe_port
from devices.samples import DeviceError
from devices.sim.itp_emulator import ItpEmulator


@pytest.fixture
def tool() -> Iterator[ItpEmulator]:
    # A tool that streams while it is probed: the info line must be found among the samples.
    with ItpEmulator(rate_hz=1000.0, channels=("force_n", "angle_deg", "shear_n")) as emu:
        yield emu


@pytest.fixture
def silent() -> Iterator[ItpEmulator]:
    # Something on a port that never says a word and ignores what it is told.
    with ItpEmulator(streaming=False, info_at_start=False, answers_commands=False) as emu:
        yield emu


def test_probe_finds_the_tool_and_what_it_says_about_itself(tool):
    info = probe_port(tool.path, timeout_s=1.0)
    assert info is not None
    assert (info.device, info.firmware, info.serial) == ("iastm-emulator", "1.0.0", "EMU-0001")
    assert info.channels == ("force_n", "angle_deg", "shear_n")
    assert info.rate_hz == 1000.0
    assert "INFO" in tool.counts().commands


def test_probe_of_a_silent_port_gives_up_in_time(silent):
    t0 = time.monotonic()
    assert probe_port(silent.path, timeout_s=0.3) is None
    assert time.monotonic() - t0 < 0.3 + 0.5
    assert silent.counts().commands == ("INFO",)  # it was asked, it just did not answer


def test_probe_of_a_port_that_is_not_there_names_it(tmp_path):
    missing = str(tmp_path / "ttyACM9")
    with pytest.raises(DeviceError, match=f"{missing}: no such port"):
        probe_port(missing)


def test_probe_leaves_the_port_free(tool):
    assert probe_port(tool.path, timeout_s=1.0) is not None
    assert probe_port(tool.path, timeout_s=1.0) is not None


def _fake_port(device: str, vid: int | None = None, pid: int | None = None) -> ListPortInfo:
    port = ListPortInfo(device, skip_link_detection=True)
    port.description = f"adapter on {os.path.basename(device)}"
    port.vid, port.pid, port.serial_number = vid, pid, "A13F" if vid else None
    return port


def test_listing_marks_the_tool_and_notes_ports_that_fail(monkeypatch, tool, silent, tmp_path):
    missing = str(tmp_path / "ttyUSB7")
    fake = [
        _fake_port(silent.path),
        _fake_port(tool.path, vid=0x2341, pid=0x43),
        _fake_port(missing),
    ]
    monkeypatch.setattr(devices.ports, "comports", lambda: fake)

    t0 = time.monotonic()
    ports = list_ports(timeout_s=0.5)
    elapsed = time.monotonic() - t0

    by_path = {p.device: p for p in ports}
    assert [p.device for p in ports] == sorted(by_path)
    assert by_path[tool.path].itp
    assert by_path[tool.path].itp_info is not None
    assert by_path[tool.path].itp_info.serial == "EMU-0001"
    assert by_path[tool.path].vid_pid == "2341:0043"
    assert by_path[tool.path].serial_number == "A13F"
    assert not by_path[silent.path].itp and by_path[silent.path].error is None
    assert not by_path[missing].itp
    assert by_path[missing].error == f"cannot open serial port {missing}: no such port"
    assert elapsed < 0.5 + 1.0  # probed side by side, not one after another

    doc = json.loads(json.dumps([p.as_dict() for p in ports]))
    tool_doc = next(d for d in doc if d["device"] == tool.path)
    assert tool_doc["itp"] is True
    assert tool_doc["itp_info"]["channels"] == ["force_n", "angle_deg", "shear_n"]


def test_listing_without_probing_opens_nothing(monkeypatch, silent):
    monkeypatch.setattr(devices.ports, "comports", lambda: [_fake_port(silent.path)])
    [port] = list_ports(probe=False)
    assert port == PortInfo(device=silent.path, description="adapter on ttyITP0")
    assert silent.counts().commands == ()


def test_listing_this_machine_works():
    # Whatever this machine has (often nothing): a list of plain entries, and no exception.
    ports = list_ports(probe=False)
    assert isinstance(ports, list)
    for port in ports:
        assert isinstance(port, PortInfo)
        json.dumps(port.as_dict())


def test_probing_a_port_a_session_is_reading_leaves_the_session_alone(monkeypatch, tool):
    session = SerialSource(tool.path)
    session.start()
    try:
        assert tool.wait_for(lambda c: c.commands == ("INFO",))  # the session's own question
        monkeypatch.setattr(devices.ports, "comports", lambda: [_fake_port(tool.path)])
        [port] = list_ports(timeout_s=0.3)
        assert not port.itp
        assert port.error is not None and "in use by another program" in port.error
        assert tool.counts().commands == ("INFO",)  # the probe neither wrote nor read
        assert session.running and session.connected
    finally:
        session.stop()
