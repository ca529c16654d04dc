"""Which serial ports there are, and which of them have an ITP/1 device behind them.

Listing comes from pyserial's ``comports()``; probing opens a port briefly, asks ``INFO`` and
listens for an info line, so the user can pick the tool out of a list of anonymous adapters. Note
that opening a port raises DTR, which restarts many Arduino boards: such a board may still be
booting when the probe gives up, and shows as not answering.

This module must never hang the caller, whatever a port does (a Bluetooth port that blocks on
open, a device that floods it with binary), and never leave a port open.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

import serial
from serial.tools.list_ports import comports

from devices.link import open_port
from devices.protocols.itp import ItpParser
from devices.samples import DeviceError, DeviceEvent, DeviceInfo, EventKind

#: Extra time a probe may take, beyond its listening time, to open and close the port.
PROBE_MARGIN_S = 1.0


@dataclass(frozen=True)
class PortInfo:
    """One serial port as the ``ports`` command and the connection dialog show it."""

    device: str
    description: str = ""
    vid_pid: str | None = None  # USB vendor and product id, "2341:0043"
    serial_number: str | None = None
    manufacturer: str | None = None
    itp: bool = False  # answered INFO with an ITP/1 info line
    itp_info: DeviceInfo | None = None
    error: str | None = None  # why the probe could not talk to the port

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types only."""
        info = self.itp_info
        return {
            "device": self.device,
            "description": self.description,
            "vid_pid": self.vid_pid,
            "serial_number": self.serial_number,
            "manufacturer": self.manufacturer,
            "itp": self.itp,
            "itp_info": None
            if info is None
            else {
                "device": info.device,
                "firmware": info.firmware,
                "serial": info.serial,
                "channels": list(info.channels),
                "rate_hz": info.rate_hz,
                "protocol": info.protocol,
            },
            "error": self.error,
        }


def probe_port(port: str, baud: int = 115200, timeout_s: float = 0.5) -> DeviceInfo | None:
    """The device's info if ``port`` answers ``INFO`` with an ITP/1 info line within ``timeout_s``.

    Works for any port name, device path or pyserial URL (pseudo-terminals, which ``comports()``
    never lists, included). None for a port that stays silent or says something else; an info
    line the device sends on its own also counts. ``DeviceError`` if the port cannot be opened.
    """
    ser = open_port(
        port, baud, read_timeout_s=min(0.05, timeout_s), write_timeout_s=min(0.2, timeout_s)
    )
    deadline = time.monotonic() + timeout_s
    parser = ItpParser()
    try:
        with contextlib.suppress(serial.SerialException, OSError):
            ser.write(b"INFO\n")  # a device that does not read commands may still announce itself
        while time.monotonic() < deadline:
            try:
                data = ser.read(max(1, ser.in_waiting))
            except (serial.SerialException, OSError) as exc:
                raise DeviceError(f"cannot read serial port {port}: {exc}") from None
            for item in parser.feed(data):
                if (
                    isinstance(item, DeviceEvent)
                    and item.kind is EventKind.INFO
                    and item.info is not None
                    and item.info.protocol == "ITP/1"
                ):
                    return item.info
        return None
    finally:
        with contextlib.suppress(serial.SerialException, OSError):
            ser.close()


def _describe(port: Any) -> PortInfo:
    vid, pid = getattr(port, "vid", None), getattr(port, "pid", None)
    description = port.description if port.description and port.description != "n/a" else ""
    return PortInfo(
        device=port.device,
        description=description,
        vid_pid=f"{vid:04X}:{pid:04X}" if vid is not None and pid is not None else None,
        serial_number=getattr(port, "serial_number", None) or None,
        manufacturer=getattr(port, "manufacturer", None) or None,
    )


def _probe_all(ports: list[PortInfo], baud: int, timeout_s: float) -> list[PortInfo]:
    """Probe every port at once, each on its own thread, and wait a bounded time for all.

    A probe that has not finished by the deadline (a port whose open blocks) is left to end on
    its own daemon thread; the port is reported as not answering.
    """
    results: dict[str, PortInfo] = {}

    def probe(p: PortInfo) -> None:
        try:
            info = probe_port(p.device, baud, timeout_s)
        except DeviceError as exc:
            results[p.device] = replace(p, error=str(exc))
        except Exception as exc:  # a driver misbehaving must not hide the other ports
            results[p.device] = replace(p, error=f"probe failed: {exc}")
        else:
            results[p.device] = replace(p, itp=info is not None, itp_info=info)

    threads = [
        threading.Thread(target=probe, args=(p,), name=f"port-probe:{p.device}", daemon=True)
        for p in ports
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout_s + PROBE_MARGIN_S
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return [
        results.get(p.device)
        or replace(p, error=f"{p.device} did not finish the probe in time (busy or blocking)")
        for p in ports
    ]


def list_ports(probe: bool = True, timeout_s: float = 0.5, baud: int = 115200) -> list[PortInfo]:
    """The serial ports of this machine, sorted by name; with ``probe``, which speak ITP/1.

    Probing opens each port for about ``timeout_s``, all ports at the same time, so the call
    takes about ``timeout_s`` however many ports there are. A port that cannot be opened is
    still listed, with ``error`` saying why.
    """
    ports = sorted((_describe(p) for p in comports()), key=lambda p: p.device)
    if probe and ports:
        ports = _probe_all(ports, baud, timeout_s)
    return ports
