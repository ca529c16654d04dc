"""Point 6: ``record`` killed, terminated or interrupted at random moments.

SIGTERM (a logout, a service manager) and SIGINT (Ctrl+C) end a recording as its time running out
would: exit 0, the file finished and readable with no note, the event log closed with its summary
(so the recording is not offered for recovery), and the ``--json`` summary printed with
``stopped_by_signal``. They used to kill it at once with no summary (SIGTERM), or exit 1 without
the JSON (SIGINT). SIGKILL cannot be caught: what was flushed stays readable, the recording is
offered for recovery, and the seconds lost are measured against what the tool had sent.

The moments are drawn from a seeded generator (the same on every run) between the "Recording"
line and 2.5 s later; the recorders run side by side so the whole test takes a few seconds.
"""

from __future__ import annotations

import json
import random
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from devices.sim.itp_emulator import ItpEmulator
from tests.reliability.recorder import Recorder
from trainer.recordings.events import read_events
from trainer.recordings.reader import read_recording
from trainer.recordings.recovery import RecoveryOffers

RATE_HZ = 1000.0
#: Seconds after the "Recording" line; the first moment of each signal is at once.
MOMENTS = random.Random(9)
#: What a kill -9 may cost: the writer flushes every second; the rest is slack for a busy machine.
WORST_LOSS_S = 5.0


def _moments(n: int) -> list[float]:
    return [0.0, *(round(MOMENTS.uniform(0.05, 2.5), 3) for _ in range(n - 1))]


@dataclass
class _Run:
    signum: int
    delay_s: float
    out: Path
    rec: Recorder | None = None
    sent_at_kill: int = 0
    code: int | None = None


def _signal_at(run: _Run, emulator: ItpEmulator | None = None) -> _Run:
    assert run.rec is not None
    run.rec.wait_started()
    if emulator is not None:
        emulator.resume()  # the tool starts streaming once the port is open: every sample counts
    deadline = time.monotonic() + run.delay_s
    while time.monotonic() < deadline:
        time.sleep(0.01)
    if emulator is not None:
        run.sent_at_kill = emulator.counts().samples
    run.rec.proc.send_signal(run.signum)
    run.code = run.rec.finish(timeout_s=60)
    return run


def test_sigterm_and_sigint_finish_the_recording_print_the_json_and_exit_0(
    tmp_path: Path,
) -> None:
    runs = [
        _Run(signum, delay, tmp_path / f"{signum.name}-{k}.csv")
        for signum in (signal.SIGTERM, signal.SIGINT)
        for k, delay in enumerate(_moments(3))
    ]
    try:
        for run in runs:
            run.rec = Recorder("sim", 60, run.out)
        with ThreadPoolExecutor(len(runs)) as pool:
            done = list(pool.map(_signal_at, runs))
    finally:
        for run in runs:
            if run.rec is not None:
                run.rec.kill()
    pending = {r.path for r in RecoveryOffers(tmp_path).recoverable()}
    for run in done:
        assert run.rec is not None
        what = (run.signum.name, run.delay_s, run.rec.stderr)
        assert run.code == 0, what
        assert "Traceback" not in run.rec.stderr, what
        result = json.loads(run.rec.stdout)
        assert result["stopped_by_signal"] is True, what
        if result["samples"] == 0:  # stopped before the first sample: said, nothing to keep
            assert result["notes"] == ["stopped before any sample arrived: nothing recorded"]
            continue
        recording = read_recording(run.out)
        assert recording.notes == [], what
        assert len(recording.t_s) == result["samples"], what
        assert recording.t_s[-1] == result["duration_s"], what
        assert read_events(run.out)[-1]["event"] == "summary", what
        assert run.out not in pending, what


def test_sigkill_leaves_a_readable_recording_offered_for_recovery(tmp_path: Path) -> None:
    emulators = [ItpEmulator(rate_hz=RATE_HZ, streaming=False) for _ in range(4)]
    runs = [
        _Run(signal.SIGKILL, delay, tmp_path / f"SIGKILL-{k}.csv")
        for k, delay in enumerate(_moments(len(emulators)))
    ]
    try:
        for run, emulator in zip(runs, emulators, strict=True):
            run.rec = Recorder(emulator.path, 60, run.out)
        with ThreadPoolExecutor(len(runs)) as pool:
            done = list(pool.map(_signal_at, runs, emulators))
    finally:
        for run in runs:
            if run.rec is not None:
                run.rec.kill()
        for emulator in emulators:
            emulator.stop()
    recoverable = {r.path for r in RecoveryOffers(tmp_path).recoverable()}
    losses = []
    for run in done:
        what = (run.delay_s, run.rec.stderr if run.rec else "")
        assert run.code == -signal.SIGKILL, what
        rows = 0
        if run.out.exists() and run.out.stat().st_size > 0:
            recording = read_recording(run.out)  # never refused: a cut row is left out, and said
            assert all("cut short" in n for n in recording.notes), recording.notes
            rows = len(recording.t_s)
            if rows:
                assert recording.t_s[0] == 0.0
                assert (np.diff(recording.t_s) > 0).all()
                assert run.out in recoverable, what
        assert rows <= run.sent_at_kill, what
        losses.append((run.sent_at_kill - rows) / RATE_HZ)
    print(f"\nkill -9: seconds lost {', '.join(f'{x:.2f}' for x in losses)}")
    assert max(losses) < WORST_LOSS_S, losses
