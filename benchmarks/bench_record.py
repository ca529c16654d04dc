"""What ``iastm-trainer record`` costs in CPU over a real serial port, against a bare read loop.

An emulated ITP/1 tool streams 4 channels at 10 kHz into a pseudo-terminal. First the real
console script records it for 10 s (``record --device PTY --seconds 10 --out FILE --json``); then,
on the same stream, a bare pyserial loop (``read(in_waiting or 1)``, split on ``\\n``, count lines)
runs for the same 10 s in its own process. Both start streaming only once the reader has opened
the port and written ``INFO``, and both get the same number of samples, paced by the device clock.

CPU time is the reader process's user + system time over its window: ``/proc/PID/stat`` when it
has connected, subtracted from its total from ``getrusage(RUSAGE_CHILDREN)`` once it has exited,
so interpreter start-up and imports are left out (they are also printed). The targets: ``record``
at most 1.5x the bare loop, and every sample sent recorded, with none lost and none corrupt.

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

from devices.sim.itp_emulator import ItpEmulator  # noqa: E402

CHANNELS = ("force_n", "angle_deg", "shear_n", "speed_mm_s")
#: The device stops streaming this long before the reader's time is up, so nothing is cut off.
TAIL_S = 1.0
TARGET_RATIO = 1.5
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
            "--json",
        ]
        record = run_reader("record", [*cli_command(), *record_args], emu, n_samples, args.seconds)
        bare_cmd = [sys.executable, "-c", BARE_LOOP, emu.path, f"{args.seconds:g}"]
        bare = run_reader("bare loop", bare_cmd, emu, n_samples, args.seconds)
        profiled = None
        if args.profile:
            cmd = [sys.executable, "-c", PROFILED_RECORD, *record_args]
            profiled = run_reader("profiled", cmd, emu, n_samples, args.seconds)

    r = record.result
    ratio = record.window_cpu_s / bare.window_cpu_s
    print(
        f"{args.rate:g} Hz x {len(CHANNELS)} channels over a pty, {args.seconds:g} s per reader "
        f"({os.cpu_count()} cores, Python {sys.version.split()[0]})"
    )
    print(record.line())
    print(bare.line())
    print(
        f"record: {r['samples']} samples written of {record.sent_samples} sent, "
        f"{r['lost_samples']} lost, {r['corrupt_lines']} corrupt, "
        f"{r.get('overflow_samples', 0)} overflowed"
    )
    print(f"bare loop: {bare.result['lines']} lines of {bare.sent_samples} samples sent")
    print(f"CPU ratio record / bare loop: {ratio:.2f} (target at most {TARGET_RATIO:g})")
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
