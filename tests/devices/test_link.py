"""The serial link over a real pseudo-terminal, against an emulated ITP/1 device.

Each test drives ``SerialSource`` through the same pyserial calls a USB tool gets, and compares
what the host counted with what the emulator says it sent: the figures a student and an
instructor see (samples, corrupt lines, lost samples, disconnects) must be exact.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from devices.link import SerialSource
from devices.samples import DeviceError, DeviceEvent, EventKind, SampleBlock
from devices.sim.itp_emulator import ItpEmulator, crc_line


class Collector:
    """Everything a source handed over, read in wait-for-condition loops with a deadline."""

    def __init__(self, source: SerialSource) -> None:
        self.source = source
        self.items: list[SampleBlock | DeviceEvent] = []

    def take(self, timeout_s: float = 0.0) -> None:
        self.items += self.source.read(timeout_s)

    def until(self, condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
        """Read until ``condition()`` holds for what was read so far, or the deadline passes."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.take(min(0.05, left))
        return True

    def until_samples(self, n: int, timeout_s: float = 5.0) -> bool:
        # Counted in the blocks read, not in the source's counters: those run ahead of the queue.
        return self.until(lambda: self.n_samples() >= n, timeout_s)

    def n_samples(self) -> int:
        return sum(len(b) for b in self.blocks())

    def until_event(self, kind: EventKind, count: int = 1, timeout_s: float = 5.0) -> bool:
        return self.until(lambda: len(self.events(kind)) >= count, timeout_s)

    def events(self, kind: EventKind | None = None) -> list[DeviceEvent]:
        return [
            i for i in self.items if isinstance(i, DeviceEvent) and (kind is None or i.kind is kind)
        ]

    def blocks(self) -> list[SampleBlock]:
        return [i for i in self.items if isinstance(i, SampleBlock)]

    def t_s(self) -> np.ndarray:
        return np.concatenate([b.t_s for b in self.blocks()])

    def values(self) -> np.ndarray:
        return np.concatenate([b.values for b in self.blocks()])


@pytest.fixture
def emulators() -> Iterator[Callable[..., ItpEmulator]]:
    made: list[ItpEmulator] = []

    def make(**kw) -> ItpEmulator:
        emu = ItpEmulator(**kw)
        made.append(emu)
        return emu

    yield make
    for emu in made:
        emu.stop()


@pytest.fixture
def sources() -> Iterator[Callable[..., SerialSource]]:
    made: list[SerialSource] = []

    def make(port: str, **kw) -> SerialSource:
        source = SerialSource(port, **kw)
        made.append(source)
        return source

    yield make
    for source in made:
        source.stop()


def connect(source: SerialSource) -> Collector:
    """Start a source and wait until the device has answered ``INFO`` (the link works both ways).

    Only then may an emulator stream the samples a test counts: pyserial's open discards what a
    device sent before it, as any serial terminal does.
    """
    source.start()
    got = Collector(source)
    assert got.until_event(EventKind.INFO), got.items
    return got


def stream(emu: ItpEmulator, got: Collector, n: int) -> None:
    """Send ``n`` samples and wait until the host has all of them."""
    emu.resume(n)
    assert emu.wait_idle(20.0)
    sent = emu.counts().samples
    assert got.until_samples(sent), (got.source.counters, emu.counts())


def source_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("source:")]


# -- data -----------------------------------------------------------------------------------------
def test_every_sample_arrives_on_the_device_clock_with_its_values(emulators, sources):
    emu = emulators(rate_hz=2000.0, streaming=False)
    source = sources(emu.path)
    got = connect(source)
    stream(emu, got, 3000)

    assert emu.counts().samples == 3000
    assert source.counters.samples == 3000
    assert source.counters.corrupt_lines == 0
    assert source.counters.lost_samples == 0
    t = got.t_s()
    assert t[0] == 0.0
    np.testing.assert_allclose(np.diff(t), 0.0005, atol=1e-9)
    # The values are those the device computed at each sample's own clock (3 decimals sent).
    np.testing.assert_allclose(got.values(), emu.signal(t), atol=0.0005 + 1e-9)
    assert source.info is not None
    assert (source.info.device, source.info.serial, source.info.rate_hz) == (
        "iastm-emulator",
        "EMU-0001",
        2000.0,
    )
    assert got.blocks()[0].channels == ("force_n", "angle_deg")
    assert source.connected


def test_damaged_and_missing_lines_are_counted_exactly(emulators, sources):
    emu = emulators(rate_hz=1000.0, streaming=False)
    source = sources(emu.path)
    got = connect(source)
    emu.resume()
    assert got.until_samples(100)
    emu.corrupt(12)  # two of each kind of damage
    emu.skip(25)
    emu.message("OVERLOAD force_n")
    assert got.until_samples(200)
    emu.skip(3)
    emu.corrupt(1, kinds=["long"])
    assert got.until_samples(250)  # a loss shows only once the next sample arrives
    sent = emu.pause()
    assert got.until_samples(sent.samples)

    assert (sent.corrupt_lines, sent.lost_samples) == (13, 28)
    counters = source.counters
    assert counters.samples == sent.samples
    assert counters.corrupt_lines == 13
    assert counters.lost_samples == 28
    assert [e.count for e in got.events(EventKind.LOST)] == [25, 3]
    assert [e.text for e in got.events(EventKind.MESSAGE)] == ["OVERLOAD force_n"]
    assert counters.messages == 1
    # A lost stretch leaves a hole in time, not a shifted time axis.
    dt = np.diff(got.t_s())
    assert np.all(dt > 0)
    assert sorted(np.round(dt[dt > 0.0015] * 1000).astype(int).tolist()) == [4, 26]


def test_seq_and_clock_wraps_keep_time_monotonic_and_lose_nothing(emulators, sources):
    # seq wraps after 36 samples, the 32-bit microsecond clock after 50.
    emu = emulators(rate_hz=1000.0, streaming=False, start_seq=65500, start_t_us=2**32 - 50_000)
    source = sources(emu.path)
    got = connect(source)
    stream(emu, got, 200)

    assert source.counters.samples == 200
    assert source.counters.lost_samples == 0
    assert source.counters.corrupt_lines == 0
    assert source.counters.resets == 0
    t = got.t_s()
    np.testing.assert_allclose(np.diff(t), 0.001, atol=1e-9)
    assert t[-1] == pytest.approx(0.199)


def test_a_device_reset_starts_a_new_time_base_without_counting_loss(emulators, sources):
    emu = emulators(rate_hz=1000.0, streaming=False)
    source = sources(emu.path)
    got = connect(source)
    stream(emu, got, 300)
    t_before = got.t_s()[-1]
    emu.reset()
    stream(emu, got, 300)

    assert source.counters.samples == 600
    assert source.counters.resets == 1
    assert source.counters.lost_samples == 0
    [reset] = got.events(EventKind.RESET)
    assert reset.t_s is not None and reset.t_s > t_before
    t = got.t_s()
    assert np.all(np.diff(t) > 0)
    assert t[300] == pytest.approx(t_before + 0.001)


def test_a_reset_30_s_before_the_clock_wraps_is_a_reset_not_a_wrap(emulators, sources):
    # The device's clock restarts at 0, which reads as a 29.7 s step forward through the wrap.
    emu = emulators(rate_hz=1000.0, streaming=False, start_t_us=2**32 - 30_000_000)
    source = sources(emu.path)
    got = connect(source)
    stream(emu, got, 300)
    t_before = got.t_s()[-1]
    emu.reset()
    stream(emu, got, 300)

    assert source.counters.samples == 600
    assert source.counters.resets == 1
    assert source.counters.lost_samples == 0
    assert not got.events(EventKind.LOST)
    t = got.t_s()
    np.testing.assert_allclose(np.diff(t), 0.001, atol=1e-9)  # no gap that never happened
    assert t[300] == pytest.approx(t_before + 0.001)


def test_high_rate_four_channels_arrive_complete(emulators, sources):
    channels = ("force_n", "angle_deg", "shear_n", "speed_mm_s")
    emu = emulators(rate_hz=10_000.0, channels=channels, streaming=False)
    source = sources(emu.path)
    got = connect(source)
    stream(emu, got, 10_000)

    assert source.counters.samples == 10_000
    assert source.counters.corrupt_lines == 0
    assert source.counters.lost_samples == 0
    assert got.blocks()[-1].channels == channels
    np.testing.assert_allclose(np.diff(got.t_s()), 1e-4, atol=1e-9)


# -- commands -------------------------------------------------------------------------------------
def test_commands_reach_the_device_and_its_answers_come_back(emulators, sources):
    emu = emulators(rate_hz=1000.0, streaming=False)
    source = sources(emu.path)
    got = connect(source)
    # Asked once, on connecting (the answer may not be what connect() saw: the device also
    # announces itself when it starts).
    assert got.until(lambda: emu.counts().info_lines >= 2)
    assert emu.counts().commands == ("INFO",)

    assert source.send_command("RATE 500")
    assert got.until(lambda: source.info is not None and source.info.rate_hz == 500.0)
    assert source.send_command("FLY")
    assert got.until_event(EventKind.MESSAGE)
    assert got.events(EventKind.MESSAGE)[0].text == "ERR unknown command FLY"
    assert emu.counts().commands == ("INFO", "RATE 500", "FLY")
    with pytest.raises(ValueError):
        source.send_command("INFO\nTARE")


def test_a_device_that_ignores_commands_still_streams(emulators, sources):
    emu = emulators(rate_hz=1000.0, answers_commands=False, info_at_start=False, streaming=False)
    source = sources(emu.path)
    source.start()
    got = Collector(source)
    assert got.until_event(EventKind.CONNECTED)
    assert got.until(lambda: "INFO" in emu.counts().commands)
    stream(emu, got, 500)

    assert source.counters.samples == 500
    assert source.info is None  # it never said who it is: the default channels hold
    assert got.blocks()[0].channels == ("force_n", "angle_deg")


def test_a_command_the_device_never_reads_gives_up_instead_of_hanging(sources):
    master, slave = os.openpty()
    try:
        source = sources(os.ttyname(slave))
        source.start()
        # Nobody reads the master: the pty fills, and a write must then time out, not block.
        line = "RATE " + "9" * 90
        for _ in range(10_000):
            t0 = time.monotonic()
            if not source.send_command(line):
                break
        else:
            pytest.fail("the pty never filled up")
        assert time.monotonic() - t0 < 2.0
        assert source.running  # a slow device is not a dead one
    finally:
        source.stop()
        os.close(master)
        os.close(slave)


# -- unplug, replug, stop -------------------------------------------------------------------------
@pytest.mark.parametrize("device_resets", [True, False], ids=["usb-powered", "self-powered"])
def test_unplug_and_replug_carry_on_with_the_gap_marked(emulators, sources, device_resets):
    emu = emulators(rate_hz=1000.0)
    source = sources(emu.path)
    got = connect(source)
    assert got.until_samples(200)

    emu.unplug()
    assert got.until_event(EventKind.DISCONNECTED)
    assert not source.connected
    assert source.counters.disconnects == 1
    assert not source.send_command("INFO")
    last_t = got.t_s()[-1]
    n_before = got.n_samples()
    assert not got.until_event(EventKind.CONNECTED, count=2, timeout_s=0.3)  # nothing to open

    replugged_at = time.monotonic()
    emu.replug(reset=device_resets)
    assert got.until_event(EventKind.GAP)
    assert time.monotonic() - replugged_at < 1.5  # retried at least once a second
    assert got.until_samples(n_before + 200)

    kinds = [e.kind for e in got.events() if e.kind is not EventKind.INFO]
    assert kinds == [
        EventKind.CONNECTED,
        EventKind.DISCONNECTED,
        EventKind.CONNECTED,
        EventKind.GAP,
    ]
    [gap] = got.events(EventKind.GAP)
    assert gap.t_s == last_t
    assert gap.duration_s >= 0.3
    t = got.t_s()
    assert np.all(np.diff(t) > 0)
    assert t[n_before] >= last_t + gap.duration_s
    assert source.counters.lost_samples == 0  # the gap is a gap, not lost samples
    assert source.counters.resets == 0
    assert source.connected


def test_without_reconnect_the_reader_ends_when_the_port_vanishes(emulators, sources):
    emu = emulators(rate_hz=1000.0)
    source = sources(emu.path, reconnect=False)
    got = connect(source)
    emu.unplug()
    assert got.until_event(EventKind.DISCONNECTED)
    assert got.until(lambda: not source.running)
    emu.replug()
    assert not got.until_event(EventKind.CONNECTED, count=2, timeout_s=0.3)


def test_stop_closes_the_port_and_joins_the_reader(emulators, sources):
    emu = emulators(rate_hz=1000.0)
    source = sources(emu.path)
    got = connect(source)
    assert got.until_samples(50)
    source.stop()

    assert not source.running
    assert source_threads() == []
    got.take()
    assert got.events()[-1].kind is EventKind.DISCONNECTED
    assert "closed" in got.events()[-1].text
    assert source.counters.disconnects == 0  # the user's own disconnect is not a fault
    assert not source.send_command("INFO")
    # The port is free again: another program (or a new source) can open it.
    again = sources(emu.path)
    assert connect(again).source.connected


def test_stop_while_waiting_for_the_port_to_come_back(emulators, sources):
    emu = emulators(rate_hz=1000.0)
    source = sources(emu.path)
    got = connect(source)
    emu.unplug()
    assert got.until_event(EventKind.DISCONNECTED)
    t0 = time.monotonic()
    source.stop()
    assert time.monotonic() - t0 < 1.0
    assert source_threads() == []


def test_start_after_stop_continues_the_same_time_axis(emulators, sources):
    emu = emulators(rate_hz=1000.0)
    source = sources(emu.path)
    got = connect(source)
    assert got.until_samples(100)
    source.stop()
    got.take()
    n_before, last_t = got.n_samples(), got.t_s()[-1]

    source.start()  # the user connects again: same session, the pause marked as a gap
    assert got.until_samples(n_before + 100)
    [gap] = got.events(EventKind.GAP)
    assert gap.t_s == last_t
    assert np.all(np.diff(got.t_s()) > 0)
    assert source.counters.disconnects == 0


def test_a_network_bridge_streams_and_its_dropped_connection_is_a_disconnect(sources):
    # A Wi-Fi bridge as a pyserial socket:// URL: it streams, then the connection drops.
    lines = b"".join(crc_line(b"%d,%d,1.500,40.000" % (i, i * 1000)) for i in range(5000))
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(5.0)
        url = f"socket://127.0.0.1:{server.getsockname()[1]}"

        def bridge() -> None:
            conn, _ = server.accept()
            with conn:
                # pyserial's open() discards what a socket already holds, as with a local port:
                # stream once the host has spoken, so that every line sent can be counted.
                assert conn.recv(100) == b"INFO\n"
                conn.sendall(lines)

        thread = threading.Thread(target=bridge, name="bridge")
        thread.start()
        try:
            source = sources(url, retry_interval_s=0.1)
            source.start()
            got = Collector(source)
            assert got.until_event(EventKind.DISCONNECTED)
        finally:
            thread.join(5.0)
    assert got.n_samples() == 5000
    assert source.counters.corrupt_lines == 0
    assert source.counters.lost_samples == 0
    assert source.counters.disconnects == 1
    assert "socket disconnected" in got.events(EventKind.DISCONNECTED)[0].text
    np.testing.assert_allclose(np.diff(got.t_s()), 0.001, atol=1e-9)
    assert source.running  # still trying to reach the bridge again


# -- user errors ----------------------------------------------------------------------------------
def test_a_port_another_program_holds_is_refused_with_a_reason(emulators, sources):
    emu = emulators(rate_hz=1000.0)
    first = sources(emu.path)
    connect(first)
    with pytest.raises(DeviceError, match="in use by another program"):
        sources(emu.path).start()
    assert first.running


def test_what_is_not_a_serial_port_is_named(tmp_path):
    not_a_port = tmp_path / "notes.txt"
    not_a_port.write_text("hello\n")
    with pytest.raises(DeviceError, match=f"^cannot open serial port {not_a_port}: not a serial"):
        SerialSource(str(not_a_port)).start()
    with socket.socket() as s:  # a port number that nothing listens on
        s.bind(("127.0.0.1", 0))
        url = f"socket://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(DeviceError, match=f"^cannot open serial port {url}: Connection refused$"):
        SerialSource(url).start()
    assert source_threads() == []


def test_a_port_that_does_not_exist_is_named_and_leaves_no_thread(tmp_path):
    missing = str(tmp_path / "ttyXYZ")
    source = SerialSource(missing)
    with pytest.raises(DeviceError, match=f"^cannot open serial port {missing}: no such port$"):
        source.start()
    assert not source.running
    assert source_threads() == []


def test_bad_urls_and_protocols_are_user_errors():
    with pytest.raises(DeviceError, match="bogus://x"):
        SerialSource("bogus://x").start()
    with pytest.raises(DeviceError, match="unknown protocol 'xml'"):
        SerialSource("loop://", protocol="xml")
    with pytest.raises(DeviceError, match="force_n,force_n"):
        SerialSource("loop://", protocol="csv", csv_columns="force_n,force_n")


def test_plain_csv_lines_through_the_link(sources):
    master, slave = os.openpty()
    try:
        source = sources(os.ttyname(slave), protocol="csv", csv_columns="t_ms,force_n,angle_deg")
        source.start()
        got = Collector(source)
        assert got.until_event(EventKind.CONNECTED)
        # The first line after opening may be a fragment: the link tells the parser to skip it.
        lines = "".join(f"{t},{t / 100:.2f},40.0\n" for t in range(0, 100, 10))
        os.write(master, b"0,99,99\n" + lines.encode())
        assert got.until_samples(10)
        np.testing.assert_allclose(got.t_s(), np.arange(10) * 0.010, atol=1e-9)
        np.testing.assert_allclose(got.values()[:, 0], np.arange(0, 100, 10) / 100)
    finally:
        source.stop()
        os.close(master)
        os.close(slave)
