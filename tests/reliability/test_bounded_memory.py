"""Point 5: readers work in bounded memory on any file, and messages stay short.

A 2 GB file used to take 8.5 GB of memory before it was refused, and the refusal quoted the whole
first line; a 10 MB first line gave a 10 MB message. Each case runs the real command in a process
of its own and measures that process's peak resident memory (``ru_maxrss`` from ``wait4``, taken
by a small parent of its own: see ``_MEASURE``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

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


#: Runs the command as its own child and reports that child's peak. Measured straight from the
#: test process, the peak would include the test process itself: a child forked from it counts
#: the parent's pages until it execs (Linux carries that high-water mark across exec), and after
#: a long test run pytest alone is about 400 MB.
_MEASURE = """
import os, resource, subprocess, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
proc = subprocess.Popen(sys.argv[3:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[2], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _run_measured(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run the CLI; its result and its own peak resident memory in MB (``wait4``'s rusage, taken
    by a small parent of its own, see ``_MEASURE``)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory() as d:
        peak_file = Path(d) / "maxrss"
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _MEASURE,
                str(ADDRESS_SPACE_LIMIT),
                str(peak_file),
                *cli_command(),
                *args,
            ],
            capture_output=True,
            env=env,
        )
        peak_kb = float(peak_file.read_text())
    return (
        subprocess.CompletedProcess(
            done.args,
            done.returncode,
            done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"),
        ),
        peak_kb / 1024,
    )


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
