"""``iastm-trainer record`` as a subprocess, for tests that signal, kill or starve it.

The recorder is started the way a user starts it (the console script), and the test waits for what
a user would see: the "Recording ..." line, then the file growing. Nothing is mocked: the device
is the simulator (``sim``) or the ITP/1 emulator on a real pseudo-terminal.
"""

from __future__ import annotations

import json
import os
import resource
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli_helpers import BIN

#: Python, numpy and the project take a while to import on a busy machine.
START_TIMEOUT_S = 30.0


def cli_command() -> list[str]:
    return [str(BIN)] if BIN.exists() else [sys.executable, "-m", "trainer.cli"]


class Recorder:
    """One ``iastm-trainer record ... --json`` subprocess."""

    def __init__(
        self,
        device: str,
        seconds: float,
        out: Path,
        *extra: str,
        file_size_limit: int | None = None,
    ) -> None:
        """``file_size_limit``: the largest file the recorder may write (``RLIMIT_FSIZE``), past
        which the operating system refuses writes with EFBIG, as a full disk refuses them."""
        self.out = out
        self.seconds = seconds
        env = dict(os.environ)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        preexec: Callable[[], None] | None = None
        if file_size_limit is not None:
            limit = file_size_limit

            def preexec() -> None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        self.proc = subprocess.Popen(
            [
                *cli_command(),
                "record",
                "--device",
                device,
                "--seconds",
                f"{seconds:g}",
                "--out",
                str(out),
                *extra,
                "--json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=preexec,
        )
        self.stdout = ""
        self.stderr = ""
        self._finished = False
        self._seen = ""  # stderr read while waiting for the start

    def wait_started(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Wait for the "Recording ..." line: the path is claimed, the device open, and the
        signal handlers in place (they are installed before the device is opened)."""
        assert self.proc.stderr is not None
        fd = self.proc.stderr.fileno()  # read raw, as communicate() does, so nothing is lost
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:  # ended before it started
                self.finish()
                raise AssertionError(f"the recorder ended early: {self.stderr}")
            self._seen += chunk.decode("utf-8", "replace")
            if any(
                ln.startswith("Recording ")
                for ln in self._seen.splitlines(keepends=True)
                if ln.endswith("\n")
            ):
                return
        self.kill()
        raise AssertionError(f"no 'Recording' line in {timeout_s:g} s: {self._seen}")

    def wait_rows(self, rows: int = 1, timeout_s: float = START_TIMEOUT_S) -> None:
        """Wait until the file holds at least ``rows`` rows (counted by their line ends)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.finish()
                raise AssertionError(f"the recorder ended early: {self.stderr}")
            try:
                if self.out.read_bytes().count(b"\n") >= rows + 4:  # title, metadata, header
                    return
            except FileNotFoundError:
                pass
            time.sleep(0.02)
        self.kill()
        raise AssertionError(f"no {rows} rows in {timeout_s:g} s: {self.stderr}")

    def finish(self, timeout_s: float | None = None) -> int:
        """Wait for the recorder to end and collect what it printed (once)."""
        if not self._finished:
            out, err = self.proc.communicate(timeout=timeout_s or self.seconds + 60.0)
            self.stdout, self.stderr = out or "", self._seen + (err or "")
            self._finished = True
        return self.proc.returncode

    def result(self) -> dict[str, Any]:
        code = self.finish()
        assert code == 0, (code, self.stderr)
        return json.loads(self.stdout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.finish(10.0)
