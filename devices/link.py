"""A serial port (or any pyserial URL) read on its own thread, through a protocol parser.

The link owns everything that is about the port rather than the bytes: opening it with a message a
user can act on, reading whole chunks as they arrive, noticing that the port vanished, re-opening
the same port until it comes back, and telling the parser that the time base broke. What the bytes
mean is the parser's job (``devices.protocols.itp``, ``devices.protocols.csvline``), so the same
parser serves a live port, a replayed raw log and a fuzzer.

This module must never raise from the reader thread because of anything a device does, never block
a caller for longer than a write timeout, and never touch modem lines (DTR, DSR, CTS): their ioctls
fail on pseudo-terminals and on many USB bridges.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import select
import threading
import time

import serial
from serial.urlhandler import protocol_socket

from devices.protocols.csvline import CsvLineParser
from devices.protocols.itp import ItpParser
from devices.samples import Counters, DeviceError, DeviceEvent, EventKind, SampleBlock
from devices.source import DEFAULT_MAX_QUEUED_SAMPLES, Source

#: A read returns after this long with no data, so ``stop()`` is noticed promptly.
#: Longest wait before bytes read are parsed: a few kilobytes per parse call, not a few lines.
PARSE_BATCH_S = 0.01
READ_TIMEOUT_S = 0.05
#: A command that cannot be written within this long is given up (a device that never reads).
WRITE_TIMEOUT_S = 0.5
#: How often a vanished port is tried again (the protocol asks for at least once a second).
RETRY_INTERVAL_S = 0.5
#: Largest read from a ``socket://`` port (a network bridge), taken once per read timeout.
SOCKET_READ_BYTES = 1 << 16
#: Default CSV column mapping: what a sketch printing ``12.5,41.2`` sends.
DEFAULT_CSV_COLUMNS = "force_n,angle_deg"

PROTOCOLS = ("itp", "csv")

_NO_SUCH_PORT = (errno.ENOENT, errno.ENODEV, errno.ENXIO)


def _why_not(exc: BaseException) -> str:
    """The reason an open failed, in words a user can act on."""
    code = getattr(exc, "errno", None)
    text = str(exc)
    if code in _NO_SUCH_PORT or "FileNotFoundError" in text:
        return "no such port"
    if code in (errno.EACCES, errno.EPERM) or "PermissionError" in text:
        return (
            "permission denied (another program may have it open; on Linux, add your user to "
            "the dialout group and log in again)"
        )
    if code in (errno.EBUSY, errno.EAGAIN) or "exclusively lock" in text:
        return "the port is in use by another program"
    if code == errno.ENOTTY or "Inappropriate ioctl" in text:
        return "not a serial port"
    if isinstance(code, int) and code > 0:
        return os.strerror(code)
    # pyserial words it "could not open port NAME: [Errno n] reason": keep the reason.
    text = re.sub(r"^.*?could not open port .*?: ", "", text, flags=re.IGNORECASE)
    return re.sub(r"\[Errno -?\d+\] ", "", text) or type(exc).__name__


def open_port(
    port: str,
    baud: int = 115200,
    *,
    read_timeout_s: float = READ_TIMEOUT_S,
    write_timeout_s: float = WRITE_TIMEOUT_S,
) -> serial.SerialBase:
    """Open a port name, device path or pyserial URL, or raise ``DeviceError`` naming it.

    pyserial's ``open()`` discards whatever the port had buffered, so the first bytes read are
    whatever the device sends next (possibly the tail of a line it was in the middle of). A local
    port is locked for this process alone: two readers would each get half of every line, and a
    port probe would steal a running session's data.
    """
    exclusive = True if os.name == "posix" and "://" not in port else None
    try:
        ser = serial.serial_for_url(
            port,
            baudrate=baud,
            timeout=read_timeout_s,
            write_timeout=write_timeout_s,
            exclusive=exclusive,
            do_not_open=True,
        )
        ser.open()
    except ValueError as exc:  # unknown URL scheme, impossible baud rate
        raise DeviceError(f"cannot open serial port {port}: {exc}") from None
    except (serial.SerialException, OSError) as exc:
        raise DeviceError(f"cannot open serial port {port}: {_why_not(exc)}") from None
    return ser


def make_parser(
    protocol: str, csv_columns: str | None = None, counters: Counters | None = None
) -> ItpParser | CsvLineParser:
    """The parser for a protocol name; ``DeviceError`` for a name or mapping a user got wrong."""
    if protocol == "itp":
        return ItpParser(counters)
    if protocol == "csv":
        # The port may be opened while the device is in the middle of a line.
        spec = csv_columns or DEFAULT_CSV_COLUMNS
        return CsvLineParser.from_spec(spec, counters, skip_first_line=True)
    raise DeviceError(f"unknown protocol '{protocol}' (use {' or '.join(PROTOCOLS)})")


class SerialSource(Source):
    """A device on a serial port, read on a thread, re-opened at the same path when it vanishes.

    ``start()`` opens the port on the caller's thread, so a port that does not exist is reported
    there as a ``DeviceError``; after that, nothing a device does raises. A port that worked once
    and vanished is retried every ``retry_interval_s`` until it opens again or ``stop()`` is called
    (unless ``reconnect`` is false); the session carries on with the gap marked by a ``GAP`` event.
    """

    def __init__(
        self,
        port: str,
        *,
        baud: int = 115200,
        protocol: str = "itp",
        csv_columns: str | None = None,
        reconnect: bool = True,
        max_queued_samples: int = DEFAULT_MAX_QUEUED_SAMPLES,
        retry_interval_s: float = RETRY_INTERVAL_S,
    ) -> None:
        super().__init__(port, max_queued_samples)
        self.port = port
        self.baud = baud
        self.protocol = protocol
        self.reconnect = reconnect
        self.retry_interval_s = retry_interval_s
        # The parser counts corrupt lines, lost samples, resets and messages; _emit counts samples.
        self.parser = make_parser(protocol, csv_columns, self.counters)
        self._serial: serial.SerialBase | None = None
        self._port_lock = threading.Lock()  # guards _serial against send_command from any thread
        self._t0_s: float | None = None  # monotonic time of the first start: host time zero
        self._last_data_host_s: float | None = None  # host time of the last chunk with samples
        self._ever_connected = False

    # -- consumer side -------------------------------------------------------------------------
    def start(self) -> None:
        """Open the port now (``DeviceError`` if it cannot be opened), then read on a thread."""
        if self.running:
            return
        self._thread = None  # a reader that ended on its own (no reconnect) may be restarted
        ser = self._open()
        with self._port_lock:
            self._serial = ser
        if self._t0_s is None:
            self._t0_s = time.monotonic()
        super().start()

    def send_command(self, line: str) -> bool:
        """Write one command line (``INFO``, ``TARE``, ``RATE 500``); False if it did not go out.

        Safe from any thread. A ``ValueError`` for a line that is not one line of ASCII: that is
        the caller's mistake, not the device's.
        """
        if "\n" in line or "\r" in line:
            raise ValueError(f"a command is one line, got {line!r}")
        data = (line + "\n").encode("ascii")
        with self._port_lock:
            ser = self._serial
            if ser is None:
                return False
            try:
                ser.write(data)
            except (serial.SerialException, OSError, ValueError):
                # SerialTimeoutException included; ValueError: pyserial on a port closed under it.
                return False
        return True

    # -- reader side ---------------------------------------------------------------------------
    def _open(self) -> serial.SerialBase:
        ser = open_port(self.port, self.baud)
        if isinstance(ser, protocol_socket.Serial):
            ser.timeout = 0  # see _read_chunk
        return ser

    def _host_s(self) -> float:
        assert self._t0_s is not None
        return time.monotonic() - self._t0_s

    def _run(self, stop: threading.Event) -> None:
        ser = self._serial
        try:
            if ser is None:  # stopped between start() and here
                return
            self._connected()
            pending = bytearray()
            pending_since = 0.0
            while not stop.is_set():
                try:
                    data = self._read_chunk(ser)
                except (serial.SerialException, OSError) as exc:
                    if pending:
                        self._feed(bytes(pending))
                        pending.clear()
                    self._lost(str(exc) or type(exc).__name__)
                    if not self.reconnect:
                        return
                    ser = self._reopen(stop)
                    if ser is None:
                        return
                    self._connected()
                    continue
                # Read and parsed in batches of PARSE_BATCH_S: a tool writes a USB packet every
                # millisecond, and waking for each costs more than parsing it. Once a batch has
                # begun, the thread sleeps until it is due and then takes everything the port's
                # buffer (tens of kilobytes, tens of milliseconds at 10 kHz) has gathered. A
                # read that comes back empty (the tool paused) hands over what is pending at once.
                if data:
                    if not pending:
                        pending_since = time.monotonic()
                    pending += data
                if pending:
                    waited_s = time.monotonic() - pending_since
                    if not data or waited_s >= PARSE_BATCH_S:
                        self._feed(bytes(pending))
                        pending.clear()
                    else:
                        stop.wait(PARSE_BATCH_S - waited_s)
            if pending:
                self._feed(bytes(pending))
        finally:
            was_open = self._close_port()
            if was_open and stop.is_set():
                self._emit(
                    DeviceEvent(
                        EventKind.DISCONNECTED,
                        t_s=self.parser.last_t_s,
                        text=f"{self.port} closed",
                    )
                )

    @staticmethod
    def _read_chunk(ser: serial.SerialBase) -> bytes:
        """Whatever has arrived, waiting up to the read timeout for the first byte."""
        if isinstance(ser, protocol_socket.Serial):
            # Its in_waiting is 0 or 1 (readable or not), so the pattern below would read a byte
            # at a time; and a read that meets the peer's close after some data raises and drops
            # that data. So: wait here, then take one recv's worth (the port's timeout is 0).
            ready, _, _ = select.select([ser.fileno()], [], [], READ_TIMEOUT_S)
            return bytes(ser.read(SOCKET_READ_BYTES)) if ready else b""
        data = ser.read(max(1, ser.in_waiting))
        if data:
            more = ser.in_waiting
            if more:
                data += ser.read(more)
        return bytes(data)

    def _feed(self, data: bytes) -> None:
        host_s = self._host_s()
        items = self.parser.feed(data, host_s)
        for item in items:
            if isinstance(item, SampleBlock):
                self._last_data_host_s = host_s
            self._emit(item)

    def _connected(self) -> None:
        """Announce the port; after a reconnect, break the time base and mark the gap."""
        last_t_s = self.parser.last_t_s
        self._emit(DeviceEvent(EventKind.CONNECTED, t_s=last_t_s, text=f"connected to {self.port}"))
        if self._ever_connected:
            gap_s = 0.0
            if self._last_data_host_s is not None:
                gap_s = max(0.0, self._host_s() - self._last_data_host_s)
            self.parser.new_time_base((last_t_s or 0.0) + gap_s)
            if last_t_s is not None:
                self._emit(
                    DeviceEvent(
                        EventKind.GAP,
                        t_s=last_t_s,
                        duration_s=gap_s,
                        text=f"no data for {gap_s:.1f} s while {self.port} was disconnected",
                    )
                )
        self._ever_connected = True
        # Ask the device to describe itself; a device that only streams is still a device.
        self.send_command("INFO")

    def _lost(self, reason: str) -> None:
        self._close_port()
        with self._cond:
            self.counters.disconnects += 1
        self._emit(
            DeviceEvent(
                EventKind.DISCONNECTED,
                t_s=self.parser.last_t_s,
                text=f"{self.port} disconnected: {reason}",
            )
        )

    def _reopen(self, stop: threading.Event) -> serial.SerialBase | None:
        """The same port again, once it can be opened; None if ``stop`` came first."""
        while not stop.wait(self.retry_interval_s):
            try:
                ser = self._open()
            except DeviceError:
                continue
            with self._port_lock:
                if stop.is_set():
                    ser.close()
                    return None
                self._serial = ser
            return ser
        return None

    def _close_port(self) -> bool:
        """Close the port if it is open; True if it was."""
        with self._port_lock:
            ser, self._serial = self._serial, None
        if ser is None:
            return False
        # A port that vanished may refuse even to close; it is gone either way.
        with contextlib.suppress(serial.SerialException, OSError):
            ser.close()
        return True
