"""Point 5: readers work in bounded memory on any file, and messages stay short.

A 2 GB file used to take 8.5 GB of memory before it was refused, and the refusal quoted the whole
first line; a 10 MB first line gave a 10 MB message. Each case runs the real command in a process
of its own and measures that process's peak resident memory (``ru_maxrss`` from ``wait4``).
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
from pathlib import Path
from typing import IO

import numpy as np

from tests.cli_helpers import assert_user_error
from tests.reliability.recorder import cli_command
from trainer.recordings.reader import SHOWN_CHARS
from trainer.recordings.writer import write_recording

GB = 1 << 30
#: Peak memory allowed to a command refusing a huge file: Python, numpy and pandas take about 100
#: MB; the file itself must add next to nothing.
PEAK_RSS_LIMIT_MB = 400
#: Address space the command may take at all: a reader that regressed to reading a file whole
#: fails with a MemoryError at this bound instead of taking the machine's memory (the one before
#: this fix took 24 GB on a 2 GB file and was killed by the kernel's out-of-memory killer).
ADDRESS_SPACE_LIMIT = 2 * GB


def _run_measured(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run the CLI; its result and its own peak resident memory in MB (``wait4``'s rusage)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))

    proc = subprocess.Popen(
        [*cli_command(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=limit_memory,
    )
    output: dict[str, bytes] = {}

    def drain(name: str, pipe: IO[bytes]) -> None:
        output[name] = pipe.read()

    assert proc.stdout is not None and proc.stderr is not None
    readers = [
        threading.Thread(target=drain, args=("out", proc.stdout)),
        threading.Thread(target=drain, args=("err", proc.stderr)),
    ]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak, not every child's
    proc.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join(60)
    proc.stdout.close()
    proc.stderr.close()
    done = subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        output.get("out", b"").decode("utf-8", "replace"),
        output.get("err", b"").decode("utf-8", "replace"),
    )
    return done, usage.ru_maxrss / 1024


def _sparse(path: Path, head: bytes, size: int) -> Path:
    """A file of ``size`` bytes that starts with ``head``; the rest is a hole (reads as zeros)."""
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size)
    return path


def _good_head(tmp_path: Path) -> bytes:
    t = np.arange(2000) / 1000.0
    path = write_recording(
        tmp_path / "head.csv", t, np.column_stack([t, t + 40]), ("force_n", "angle_deg")
    )
    return path.read_bytes()


def test_a_2_gb_file_is_refused_in_bounded_memory_naming_line_and_byte(tmp_path: Path) -> None:
    head = _good_head(tmp_path)
    big = _sparse(tmp_path / "big.csv", head, 2 * GB)
    done, peak_mb = _run_measured("score", str(big), "--exercise", "sweep")
    line = head.count(b"\n") + 1
    assert_user_error(done, f"{big}, line {line}", f"NUL byte at byte {len(head)}")
    assert peak_mb < PEAK_RSS_LIMIT_MB, peak_mb


def test_a_2_gb_first_line_gives_a_short_message_in_bounded_memory(tmp_path: Path) -> None:
    big = _sparse(tmp_path / "one-line.csv", b"time_s" + b"x" * (4 << 20), 2 * GB)
    done, peak_mb = _run_measured("score", str(big), "--exercise", "sweep")
    assert_user_error(done, f"{big}, line 1")
    assert len(done.stderr) < 400, done.stderr
    assert peak_mb < PEAK_RSS_LIMIT_MB, peak_mb


def test_a_10_mb_first_line_is_quoted_in_at_most_80_characters(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(b"time_s,force_n,angle_deg" + b",extra" * ((10 << 20) // 6) + b"\n0,1,2\n")
    done, peak_mb = _run_measured("score", str(path), "--exercise", "sweep")
    assert_user_error(done, f"{path}, line 1", "longer than")
    quoted = done.stderr.split("starts ", 1)[1].rsplit(")", 1)[0]
    assert len(quoted) <= SHOWN_CHARS + 2, quoted  # the quotes around it
    assert peak_mb < PEAK_RSS_LIMIT_MB, peak_mb


def test_a_bad_value_is_quoted_in_at_most_80_characters(tmp_path: Path) -> None:
    path = tmp_path / "bad-value.csv"
    path.write_bytes(
        b"time_s,force_n,angle_deg\n0,1,40\n0.001," + b"9" * 500_000 + b"x,40\n0.002,1,40\n"
    )
    done, _ = _run_measured("score", str(path), "--exercise", "sweep")
    assert_user_error(done, f"{path}, line 3", "field 2 is not a number")
    quoted = done.stderr.split("not a number: ", 1)[1].strip()
    assert len(quoted) <= SHOWN_CHARS + 2, quoted


def test_a_2_gb_event_log_beside_a_recording_is_read_in_bounded_memory(tmp_path: Path) -> None:
    head = _good_head(tmp_path)
    path = tmp_path / "with-events.csv"
    path.write_bytes(head)
    _sparse(tmp_path / "with-events.events.jsonl", b'{"event": "connected"}\n', 2 * GB)
    done, peak_mb = _run_measured("score", str(path), "--exercise", "sweep", "--json")
    assert done.returncode == 0, done.stderr
    assert peak_mb < PEAK_RSS_LIMIT_MB, peak_mb


def test_a_huge_exercise_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = _sparse(tmp_path / "huge.json", b'{"format": "iastm-trainer exercise", "id": "', 2 * GB)
    head = _good_head(tmp_path)
    recording = tmp_path / "r.csv"
    recording.write_bytes(head)
    done, peak_mb = _run_measured("score", str(recording), "--exercise", str(huge))
    assert_user_error(done, str(huge), "too large")
    assert peak_mb < PEAK_RSS_LIMIT_MB, peak_mb
