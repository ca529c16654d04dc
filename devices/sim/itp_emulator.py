"""An ITP/1 device on a pseudo-terminal, for tests and benchmarks of the real serial path.

The emulator holds the master side of a pty and streams sample lines into it, paced by the clock;
the code under test opens ``emulator.path`` (a symlink to the slave tty) exactly as it would open
``/dev/ttyACM0``. Every kind of trouble the protocol document names can be injected on purpose and
is counted, so a test can demand exact equality between what was sent and what the host counted:
damaged lines, skipped sequence numbers, ``seq``/``t_us`` wraps, a device reset, and an unplug and
replug at the same path.

It encodes lines itself, straight from the protocol text, rather than with
``devices.protocols.itp``'s encoder: the parser is checked against the specification, not against
its own mirror image.

All pty I/O happens on one writer thread; the public methods queue an operation for it and wait
until it has run, so nothing closes a descriptor under another thread's ``select``. It must never
block the test on a reader that does not read: the master is non-blocking and unsent data waits
in a bounded buffer (the kernel blocks a pty writer once about 33 KiB sit unread).
"""

from __future__ import annotations

import binascii
import collections
import contextlib
import errno
import json
import math
import os
import select
import shutil
import tempfile
import threading
import time
import tty
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

SEQ_MOD = 1 << 16
CLOCK_MOD = 1 << 32
#: Stop generating samples while this much is waiting to be written (the reader is behind).
HIGH_WATER_BYTES = 64 * 1024
#: Largest single write to the master.
WRITE_BYTES = 64 * 1024
#: The kinds of damaged line ``corrupt()`` can send; each is exactly one corrupt line for a host.
CORRUPT_KINDS = ("crc", "fields", "number", "long", "binary", "info")
DEFAULT_CHANNELS = ("force_n", "angle_deg")


@dataclass(frozen=True)
class EmulatorCounts:
    """What the emulator has written to the port, line by line, so far.

    A line counts once all its bytes are in the pty; lines still buffered when the port is
    unplugged never count. ``lost_samples`` are sequence numbers skipped on purpose.
    """

    samples: int = 0
    corrupt_lines: int = 0
    lost_samples: int = 0
    info_lines: int = 0
    messages: int = 0
    resets: int = 0
    replugs: int = 0
    commands: tuple[str, ...] = ()


def crc_line(payload: bytes, *, damage_crc: bool = False) -> bytes:
    """``payload*CRC\\n`` with CRC-16/CCITT-FALSE, as the protocol text defines it."""
    crc = binascii.crc_hqx(payload, 0xFFFF) ^ (1 if damage_crc else 0)
    return payload + b"*%04X\n" % crc


class ItpEmulator:
    """A device that streams ITP/1 on a pty, answers commands, and misbehaves on request.

    ``max_samples`` streams that many samples and then stays quiet (still answering commands);
    ``streaming=False`` starts quiet until ``resume()``. Values are ``signal()`` of the device
    clock: a sin² stroke on ``force_n`` and a steady ``angle_deg``, written with 3 decimals.
    Use as a context manager, or call ``stop()``.
    """

    def __init__(
        self,
        rate_hz: float = 1000.0,
        channels: Sequence[str] = DEFAULT_CHANNELS,
        *,
        streaming: bool = True,
        max_samples: int | None = None,
        start_seq: int = 0,
        start_t_us: int = 0,
        info_at_start: bool = True,
        answers_commands: bool = True,
        chunk_s: float = 0.01,
        peak_force_n: float = 15.0,
        stroke_period_s: float = 1.0,
        angle_deg: float = 40.0,
        device: str = "iastm-emulator",
        serial: str = "EMU-0001",
        firmware: str = "1.0.0",
    ) -> None:
        if rate_hz <= 0:
            raise ValueError("rate_hz must be positive")
        self.rate_hz = float(rate_hz)
        self.channels = tuple(channels)
        self.answers_commands = answers_commands
        self.chunk_s = chunk_s
        self.peak_force_n = peak_force_n
        self.stroke_period_s = stroke_period_s
        self.angle_deg = angle_deg
        self.device, self.serial, self.firmware = device, serial, firmware

        self._dir = tempfile.mkdtemp(prefix="itp-emu-")
        self.path = os.path.join(self._dir, "ttyITP0")
        self.slave_name = ""
        self._master = self._slave = -1
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._stop = threading.Event()
        self._ops: collections.deque[tuple[Callable[[], Any], threading.Event, list]] = (
            collections.deque()
        )
        self._cond = threading.Condition()
        self._counts = EmulatorCounts()

        # Output: bytes not yet written, and (end offset, kind) of each line in them.
        self._out = bytearray()
        self._marks: collections.deque[tuple[int, str]] = collections.deque()
        self._queued_total = 0
        self._written_total = 0
        self._cmd_buf = b""

        # Device clock: sample i after the base has seq base_seq + i and clock base_u + i/rate.
        self._base_seq = start_seq
        self._base_u = start_t_us  # unwrapped, microseconds
        self._i = 0
        self._budget: int | None = max_samples if streaming else 0
        self._pace_origin = time.monotonic()
        self._paced = 0
        self._next_gen = 0.0
        self._unplugged_at = 0.0

        self._plug()
        if info_at_start:
            self._queue(self._info_line(), "info")
        self._thread = threading.Thread(target=self._main, name="itp-emulator", daemon=True)
        self._thread.start()

    # -- public control ------------------------------------------------------------------------
    def __enter__(self) -> ItpEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the writer thread, close the pty and remove the symlink and its folder."""
        if not self._stop.is_set():
            self._stop.set()
            self._wake()
            self._thread.join(5.0)
            self._unplug_now()
            os.close(self._wake_r)
            os.close(self._wake_w)
            shutil.rmtree(self._dir, ignore_errors=True)

    def counts(self) -> EmulatorCounts:
        with self._cond:
            return self._counts

    def wait_for(self, condition: Callable[[EmulatorCounts], bool], timeout_s: float = 5.0) -> bool:
        """Wait until ``condition(counts)`` holds (a command arrived, N samples went out)."""
        with self._cond:
            return self._cond.wait_for(lambda: condition(self._counts), timeout_s)

    def pause(self, timeout_s: float = 5.0) -> EmulatorCounts:
        """Stop streaming, wait until every queued byte is in the pty, and say what was sent."""
        self._call(lambda: setattr(self, "_budget", 0))
        if not self.wait_idle(timeout_s):
            raise TimeoutError("the emulator could not write its buffer: is anyone reading?")
        return self.counts()

    def resume(self, n_samples: int | None = None) -> None:
        """Stream again, ``n_samples`` more (then stay quiet) or without end."""

        def op() -> None:
            self._budget = n_samples
            self._restart_pacing()

        self._call(op)

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Wait until streaming has stopped (budget spent or paused) and the buffer is empty."""
        with self._cond:
            return self._cond.wait_for(
                lambda: (self._budget == 0 and not self._out) or self._stop.is_set(), timeout_s
            )

    def corrupt(self, n: int = 1, kinds: Sequence[str] = CORRUPT_KINDS) -> None:
        """Send ``n`` damaged lines between two samples, cycling through ``kinds``.

        They are extra lines, not damaged samples: no sequence number goes missing, so a host
        should count exactly ``n`` corrupt lines and no lost samples.
        """
        for kind in kinds:
            if kind not in CORRUPT_KINDS:
                raise ValueError(f"unknown kind of damage {kind!r}")

        def op() -> None:
            for j in range(n):
                self._queue(self._damaged_line(kinds[j % len(kinds)]), "corrupt")

        self._call(op)

    def skip(self, n: int) -> None:
        """Never send the next ``n`` samples: a host should count ``n`` lost."""

        def op() -> None:
            self._i += n
            self._credit(lost_samples=n)

        self._call(op)

    def message(self, text: str) -> None:
        """Send a ``!`` line."""
        self._call(lambda: self._queue(b"!" + text.encode("ascii") + b"\n", "message"))

    def send_raw(self, data: bytes) -> None:
        """Send bytes as they are (not counted): for framing tests."""
        self._call(lambda: self._queue(bytes(data), "raw"))

    def reset(self, seq: int = 0, t_us: int = 0) -> None:
        """Restart as a device does after a power cycle: an info line, then seq and clock anew."""

        def op() -> None:
            self._queue(self._info_line(), "info")
            self._rebase(seq, t_us)
            self._credit(resets=1)

        self._call(op)

    def unplug(self) -> None:
        """Pull the cable: the master closes (the host's reads fail) and the path disappears.

        Bytes not yet written are lost and not counted; bytes written but not yet read by the
        host are lost too (Linux discards a pty's input when its master closes, as a vanished
        USB device takes its buffer with it), yet counted as sent. Streaming waits for
        ``replug()``.
        """
        self._call(self._unplug_now)

    def replug(self, reset: bool = True) -> None:
        """Plug back in at the same path (a new pty; the symlink is swapped atomically).

        ``reset`` (a USB-powered tool): the device boots, sends its info line, and starts seq and
        clock from zero. Otherwise it kept running on its own supply: seq and clock carry on as
        if the samples of the unplugged time had been sent into the void.
        """

        def op() -> None:
            if self._master >= 0:
                raise RuntimeError("the emulator is already plugged in")
            if reset:
                self._rebase(0, 0)
            else:
                away_s = time.monotonic() - self._unplugged_at
                self._i += round(away_s * self.rate_hz)
            self._plug()
            self._queue(self._info_line(), "info")
            self._restart_pacing()
            self._credit(replugs=1)

        self._call(op)

    def signal(self, clock_s: np.ndarray) -> np.ndarray:
        """The values the device sends at these device-clock times, shape (n, channels)."""
        t = np.asarray(clock_s, dtype=np.float64)
        force = self.peak_force_n * np.sin(np.pi * t / self.stroke_period_s) ** 2
        columns = []
        for name in self.channels:
            if name == "force_n":
                columns.append(force)
            elif name == "angle_deg":
                columns.append(np.full_like(t, self.angle_deg))
            elif name == "shear_n":
                columns.append(0.3 * force)
            elif name == "speed_mm_s":
                columns.append(100.0 * np.abs(np.sin(2 * np.pi * t / self.stroke_period_s)))
            else:
                columns.append(np.zeros_like(t))
        return np.stack(columns, axis=1) if columns else np.zeros((t.size, 0))

    # -- operations run on the writer thread ----------------------------------------------------
    def _call(self, fn: Callable[[], Any], timeout_s: float = 5.0) -> Any:
        if self._stop.is_set():
            raise RuntimeError("the emulator is stopped")
        done = threading.Event()
        result: list = []
        self._ops.append((fn, done, result))
        self._wake()
        if not done.wait(timeout_s):
            raise TimeoutError("the emulator's writer thread did not respond")
        if result and isinstance(result[0], BaseException):
            raise result[0]
        return result[0] if result else None

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _run_ops(self) -> None:
        while self._ops:
            fn, done, result = self._ops.popleft()
            try:
                result.append(fn())
            except BaseException as exc:  # handed back to the caller's thread
                result.append(exc)
            with self._cond:
                self._cond.notify_all()
            done.set()

    def _plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self.slave_name = os.ttyname(slave)
        tmp = self.path + ".new"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        os.symlink(self.slave_name, tmp)
        os.replace(tmp, self.path)  # atomic: the path never points nowhere mid-swap

    def _unplug_now(self) -> None:
        if self._master < 0:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self._master)
        os.close(self._slave)
        self._master = self._slave = -1
        self._unplugged_at = time.monotonic()
        with self._cond:
            self._out.clear()
            self._marks.clear()
            self._written_total = self._queued_total
            self._cmd_buf = b""
            self._cond.notify_all()

    def _rebase(self, seq: int, t_us: int) -> None:
        self._base_seq, self._base_u, self._i = seq, t_us, 0

    def _restart_pacing(self) -> None:
        self._pace_origin = time.monotonic()
        self._paced = 0
        self._next_gen = 0.0

    # -- lines ------------------------------------------------------------------------------------
    def _info_line(self) -> bytes:
        info = {
            "proto": "ITP/1",
            "device": self.device,
            "fw": self.firmware,
            "serial": self.serial,
            "rate_hz": self.rate_hz,
            "channels": list(self.channels),
        }
        return b"#" + json.dumps(info, separators=(",", ":")).encode("ascii") + b"\n"

    def _clock_u(self, i: np.ndarray) -> np.ndarray:
        return self._base_u + np.rint(i * (1e6 / self.rate_hz)).astype(np.int64)

    def _sample_lines(self, n: int) -> list[bytes]:
        i = np.arange(self._i, self._i + n, dtype=np.int64)
        self._i += n
        seq = ((self._base_seq + i) % SEQ_MOD).tolist()
        clock_u = self._clock_u(i)
        values = self.signal(clock_u * 1e-6).tolist()
        fmt = "{},{}" + ",{:.3f}" * len(self.channels)
        return [
            crc_line(fmt.format(s, c, *v).encode("ascii"))
            for s, c, v in zip(seq, (clock_u % CLOCK_MOD).tolist(), values, strict=True)
        ]

    def _damaged_line(self, kind: str) -> bytes:
        # Built around the next sample's seq and clock, so a host that took any state from a
        # damaged line would then misjudge the real sample that follows.
        seq = (self._base_seq + self._i) % SEQ_MOD
        clock = int(self._clock_u(np.array([self._i]))[0]) % CLOCK_MOD
        fields = [str(seq), str(clock)] + ["1.000"] * len(self.channels)
        if kind == "crc":
            return crc_line(",".join(fields).encode(), damage_crc=True)
        if kind == "fields":
            return crc_line(",".join([*fields, "2.000"]).encode())
        if kind == "number":
            return crc_line(",".join([*fields[:-1], "1.2.3"]).encode())
        if kind == "long":
            return crc_line(",".join(fields + ["12345.678"] * 30).encode())
        if kind == "binary":
            return b"\x00\xff\xfe" + bytes(range(128, 160)) + b"\n"
        return b'#{"proto":"ITP/1","device":\n'  # "info": a damaged info line

    def _queue(self, data: bytes, kind: str) -> None:
        with self._cond:
            self._out += data
            self._queued_total += len(data)
            self._marks.append((self._queued_total, kind))

    def _queue_lines(self, lines: list[bytes], kind: str) -> None:
        with self._cond:
            for line in lines:
                self._queued_total += len(line)
                self._marks.append((self._queued_total, kind))
            self._out += b"".join(lines)

    def _credit(self, **fields: int) -> None:
        with self._cond:
            c = self._counts
            self._counts = replace(c, **{k: getattr(c, k) + v for k, v in fields.items()})
            self._cond.notify_all()

    # -- the writer thread ----------------------------------------------------------------------
    def _main(self) -> None:
        while not self._stop.is_set():
            self._run_ops()
            now = time.monotonic()
            plugged = self._master >= 0
            streaming = plugged and self._budget != 0
            if streaming and now >= self._next_gen:
                self._generate(now)
                self._next_gen = now + self.chunk_s
            rlist = [self._wake_r]
            wlist = []
            if plugged:
                rlist.append(self._master)
                if self._out:
                    wlist.append(self._master)
            timeout = max(0.0, self._next_gen - now) if streaming else 0.2
            try:
                readable, writable, _ = select.select(rlist, wlist, [], timeout)
            except OSError as exc:
                if exc.errno == errno.EINTR:
                    continue
                raise
            if self._wake_r in readable:
                with contextlib.suppress(BlockingIOError):
                    os.read(self._wake_r, 4096)
            if self._master >= 0 and self._master in readable:
                self._read_commands()
            if self._master >= 0 and self._master in writable:
                self._write()

    def _generate(self, now: float) -> None:
        due = int((now - self._pace_origin) * self.rate_hz) + 1 - self._paced
        if self._budget is not None:
            due = min(due, self._budget)
        if due <= 0 or len(self._out) >= HIGH_WATER_BYTES:
            return
        due = min(due, max(100, int(self.rate_hz * self.chunk_s * 10)))
        self._paced += due
        if self._budget is not None:
            self._budget -= due
        self._queue_lines(self._sample_lines(due), "sample")

    def _write(self) -> None:
        try:
            n = os.write(self._master, bytes(self._out[:WRITE_BYTES]))
        except BlockingIOError:
            return
        except OSError:  # nobody will ever read this pty again
            n = len(self._out)
        with self._cond:
            del self._out[:n]
            self._written_total += n
            counts = collections.Counter()
            while self._marks and self._marks[0][0] <= self._written_total:
                counts[self._marks.popleft()[1]] += 1
            c = self._counts
            self._counts = replace(
                c,
                samples=c.samples + counts["sample"],
                corrupt_lines=c.corrupt_lines + counts["corrupt"],
                info_lines=c.info_lines + counts["info"],
                messages=c.messages + counts["message"],
            )
            self._cond.notify_all()

    def _read_commands(self) -> None:
        try:
            data = os.read(self._master, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # EIO: no slave open at the moment
            return
        self._cmd_buf += data
        *lines, self._cmd_buf = self._cmd_buf.split(b"\n")
        for raw in lines:
            command = raw.strip(b"\r ").decode("ascii", "replace")
            if not command:
                continue
            with self._cond:
                self._counts = replace(self._counts, commands=(*self._counts.commands, command))
                self._cond.notify_all()
            if self.answers_commands:
                self._answer(command)

    def _answer(self, command: str) -> None:
        word, _, arg = command.partition(" ")
        word = word.upper()
        if word in ("INFO", "TARE"):
            self._queue(self._info_line(), "info")
        elif word == "RATE":
            try:
                rate = float(arg)
            except ValueError:
                rate = math.nan
            if not 1.0 <= rate <= 20000.0:
                self._queue(b"!ERR bad rate " + arg.encode("ascii", "replace") + b"\n", "message")
                return
            # Carry seq and clock on from the next sample at the new spacing.
            self._rebase(
                (self._base_seq + self._i) % SEQ_MOD,
                int(self._clock_u(np.array([self._i]))[0]),
            )
            self.rate_hz = rate
            self._restart_pacing()
            self._queue(self._info_line(), "info")
        elif word in ("START", "STOP"):
            self._budget = None if word == "START" else 0
            self._restart_pacing()
            self._queue(self._info_line(), "info")
        else:
            text = "!ERR unknown command " + command[:60]
            self._queue(text.encode("ascii", "replace") + b"\n", "message")
