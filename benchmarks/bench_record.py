"""What ``iastm-trainer record`` costs in CPU over a real serial port, against a minimal reader.

An emulated ITP/1 tool streams 4 channels at 10 kHz into a pseudo-terminal. First the real
console script records it for 10 s (``record --device PTY --seconds 10 --out FILE --json``); then,
on the same stream, two baselines run for the same 10 s, each in its own process:

- the **minimal reader**, the baseline the target is set against: pyserial, split on ``\\n``,
  check each line's CRC-16 with ``binascii.crc_hqx`` and parse each number with ``int``/``float``
  (what any correct ITP/1 host must do, written as plainly as Python allows; nothing kept);
- the **bare loop** (read, split, count lines), shown for reference: it does less than any host
  that can tell a damaged line from a sample.

Each reader starts streaming only once it has opened the port and written ``INFO``, and each gets
the same number of samples, paced by the device clock.

The target is set on **whole-process** CPU (user + system, interpreter start-up and imports
included), which is what the machine pays for a recording: ``record`` at most 2.5x the minimal
reader, with every sample sent recorded, none lost and none corrupt. The CPU of the streaming
window alone (``/proc/PID/stat`` at connect, subtracted from the total once it has exited) is
printed too.

Run from the repository root: ``python benchmarks/bench_record.py [--seconds 10] [--rate 10000]``.
``--profile`` runs the recording once more under a per-thread ``cProfile`` (the work happens on
the reader and session threads, which a plain ``python -m cProfile`` never sees) and prints where
the time goes. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the emulator lives with the tests
    sys.path.insert(0, str(ROOT))

from bytecode import compile_project  # noqa: E402

from devices.sim.itp_emulator import ItpEmulator  # noqa: E402

CHANNELS = ("force_n", "angle_deg", "shear_n", "speed_mm_s")
#: The device stops streaming this long before the reader's time is up, so nothing is cut off.
TAIL_S = 1.0
TARGET_RATIO = 2.5
CONNECT_TIMEOUT_S = 30.0
CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")

BARE_LOOP = textwrap.dedent(
    """
    import json, sys, time
    import serial
    path, seconds = sys.argv[1], float(sys.argv[2])
    ser = serial.Serial(path, timeout=0.05)
    ser.write(b"INFO\\n")
    deadline = time.monotonic() + seconds
    tail, lines = b"", 0
    while time.monotonic() < deadline:
        data = ser.read(ser.in_waiting or 1)
        if data:
            parts = (tail + data).split(b"\\n")
            tail = parts.pop()
            lines += len(parts)
    ser.close()
    print(json.dumps({"lines": lines}))
    """
)

MINIMAL_READER = textwrap.dedent(
    """
    import binascii, json, sys, time
    import serial
    path, seconds = sys.argv[1], float(sys.argv[2])
    ser = serial.Serial(path, timeout=0.05)
    ser.write(b"INFO\\n")
    deadline = time.monotonic() + seconds
    tail, samples, corrupt, total = b"", 0, 0, 0.0
    while time.monotonic() < deadline:
        data = ser.read(ser.in_waiting or 1)
        if not data:
            continue
        lines = (tail + data).split(b"\\n")
        tail = lines.pop()
        for line in lines:
            if not line[:1].isdigit():
                continue  # an info or message line
            payload, star, crc = line.rstrip(b"\\r").rpartition(b"*")
            try:
                if not star or binascii.crc_hqx(payload, 0xFFFF) != int(crc, 16):
                    raise ValueError(line)
                fields = payload.split(b",")
                seq, t_us = int(fields[0]), int(fields[1])
                values = [float(v) for v in fields[2:]]
            except ValueError:
                corrupt += 1
                continue
            samples += 1
            total += values[0]
    ser.close()
    print(json.dumps({"samples": samples, "corrupt_lines": corrupt}))
    """
)

#: Runs the console script's main with every thread under cProfile, timed by each thread's own CPU
#: clock (so waiting costs nothing), and prints the merged profile.
PROFILED_RECORD = textwrap.dedent(
    """
    import cProfile, pstats, sys, threading, time
    profiles = []
    _run = threading.Thread.run
    def run(self):
        profile = cProfile.Profile(time.thread_time)
        profile.enable()
        try:
            _run(self)
        finally:
            profile.disable()
            profiles.append(profile)
    threading.Thread.run = run
    from trainer.cli.main import main
    main_profile = cProfile.Profile(time.thread_time)
    main_profile.enable()
    status = main(sys.argv[1:])
    main_profile.disable()
    stats = pstats.Stats(main_profile, stream=sys.stderr)
    for profile in profiles:
        stats.add(profile)
    stats.sort_stats("tottime").print_stats(25)
    sys.exit(status)
    """
)


@dataclass
class Run:
    """One reader process: its output and what it cost."""

    name: str
    result: dict[str, Any]
    window_cpu_s: float
    total_cpu_s: float
    sent_samples: int
    stream_s: float
    stderr: str

    def line(self) -> str:
        return (
            f"{self.name:<10} CPU {self.window_cpu_s:6.3f} s in its window "
            f"({self.total_cpu_s:6.3f} s with start-up), "
            f"{1e6 * self.window_cpu_s / max(self.sent_samples, 1):5.2f} us a sample; "
            f"{self.sent_samples} samples sent in {self.stream_s:.2f} s"
        )


def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "iastm-trainer"
    return [str(script)] if script.exists() else [sys.executable, "-m", "trainer.cli"]


def process_cpu_s(pid: int) -> float:
    """User + system CPU time so far of a running process (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS_PER_S  # utime, stime


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_reader(name: str, cmd: list[str], emu: ItpEmulator, n_samples: int, seconds: float) -> Run:
    """Start a reader, stream ``n_samples`` once it has said INFO, and wait for it to end."""
    asked = emu.counts().commands.count("INFO")
    cpu_before = children_cpu_s()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if not emu.wait_for(lambda c: c.commands.count("INFO") > asked, CONNECT_TIMEOUT_S):
            raise RuntimeError(f"{name}: the reader never opened the port")
        cpu_at_connect = process_cpu_s(proc.pid)
        sent_before = emu.counts().samples
        t0 = time.monotonic()
        emu.resume(n_samples)
        if not emu.wait_idle(seconds + 30.0):
            raise RuntimeError(f"{name}: the device could not send its samples")
        stream_s = time.monotonic() - t0
        sent = emu.counts().samples - sent_before
        out, err = proc.communicate(timeout=seconds + 60.0)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed ({proc.returncode}): {err.strip()}")
    total_cpu = children_cpu_s() - cpu_before
    return Run(name, json.loads(out), total_cpu - cpu_at_connect, total_cpu, sent, stream_s, err)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=10_000.0, help="samples per second")
    parser.add_argument("--profile", action="store_true", help="profile a third recording")
    args = parser.parse_args()
    n_samples = int(args.rate * (args.seconds - TAIL_S))
    compile_project()  # as installed: from bytecode, not compiled on every run

    with (
        tempfile.TemporaryDirectory() as tmp,
        ItpEmulator(rate_hz=args.rate, channels=CHANNELS, streaming=False) as emu,
    ):
        out = Path(tmp) / "bench.csv"
        record_args = [
            "record",
            "--device",
            emu.path,
            "--seconds",
            f"{args.seconds:g}",
            "--out",
            str(out),
            "--force",  # the profiled run records over the first one's file
            "--json",
        ]
        record = run_reader("record", [*cli_command(), *record_args], emu, n_samples, args.seconds)
        reader_cmd = [sys.executable, "-c", MINIMAL_READER, emu.path, f"{args.seconds:g}"]
        minimal = run_reader("minimal", reader_cmd, emu, n_samples, args.seconds)
        bare_cmd = [sys.executable, "-c", BARE_LOOP, emu.path, f"{args.seconds:g}"]
        bare = run_reader("bare loop", bare_cmd, emu, n_samples, args.seconds)
        profiled = None
        if args.profile:
            cmd = [sys.executable, "-c", PROFILED_RECORD, *record_args]
            profiled = run_reader("profiled", cmd, emu, n_samples, args.seconds)

    r = record.result
    ratio = record.total_cpu_s / minimal.total_cpu_s
    print(
        f"{args.rate:g} Hz x {len(CHANNELS)} channels over a pty, {args.seconds:g} s per reader "
        f"({os.cpu_count()} cores, Python {sys.version.split()[0]})"
    )
    print(record.line())
    print(minimal.line())
    print(bare.line())
    print(
        f"record: {r['samples']} samples written of {record.sent_samples} sent, "
        f"{r['lost_samples']} lost, {r['corrupt_lines']} corrupt, "
        f"{r.get('overflow_samples', 0)} overflowed"
    )
    print(
        f"minimal reader: {minimal.result['samples']} samples of {minimal.sent_samples} sent, "
        f"{minimal.result['corrupt_lines']} corrupt"
    )
    print(f"bare loop: {bare.result['lines']} lines of {bare.sent_samples} samples sent")
    print(
        f"whole-process CPU ratio record / minimal reader: {ratio:.2f} "
        f"(target at most {TARGET_RATIO:g}); streaming window only: "
        f"{record.window_cpu_s / minimal.window_cpu_s:.2f}; "
        f"record / bare loop: {record.total_cpu_s / bare.total_cpu_s:.2f}"
    )
    if profiled is not None:
        print(f"\n{profiled.line()} (cProfile's own cost included)")
        print(profiled.stderr)
    complete = (
        r["samples"] == record.sent_samples
        and r["lost_samples"] == 0
        and r["corrupt_lines"] == 0
        and r.get("overflow_samples", 0) == 0
    )
    return 0 if complete and ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
