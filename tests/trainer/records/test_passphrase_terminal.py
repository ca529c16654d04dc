"""The instructor passphrase typed on a real pseudo-terminal, as an instructor does: asked twice
the first time (it sets it), once after; never echoed; a wrong one changes nothing."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from pathlib import Path

from tests.cli_helpers import BIN

PROMPT_TIMEOUT_S = 60.0


def _typed(db: str, dialogue: list[tuple[str, str]], *args: str) -> tuple[int, str, str]:
    """Run a command with a pty as its terminal; after each prompt, type its answer."""
    env = {k: v for k, v in os.environ.items() if k != "IASTM_TRAINER_PASSPHRASE_FILE"}
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [str(BIN), *args, "--db", db, "--json"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
        start_new_session=True,  # no controlling terminal but the pty: getpass reads stdin
    )
    os.close(slave)
    seen = b""

    def read_some(wait_s: float) -> bool:
        nonlocal seen
        ready, _, _ = select.select([master], [], [], wait_s)
        if not ready:
            return False
        try:
            chunk = os.read(master, 1024)
        except OSError:  # the child closed the terminal
            return False
        seen += chunk
        return bool(chunk)

    try:
        start = 0
        for prompt, answer in dialogue:
            deadline = time.monotonic() + PROMPT_TIMEOUT_S
            while prompt.encode() not in seen[start:]:
                assert time.monotonic() < deadline and proc.poll() is None, seen
                read_some(0.5)
            start = seen.index(prompt.encode(), start) + len(prompt)
            os.write(master, answer.encode() + b"\n")
        out, _ = proc.communicate(timeout=PROMPT_TIMEOUT_S)
        while read_some(0.2):
            pass
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out.decode(), seen.decode(errors="replace")


FIRST = "Instructor passphrase: "
AGAIN = "The same passphrase again: "


def test_the_passphrase_is_set_then_asked_and_never_echoed(tmp_path: Path) -> None:
    db = str(tmp_path / "records.sqlite")
    code, out, terminal = _typed(
        db,
        [(FIRST, "tulip quarry 42"), (AGAIN, "tulip quarry 42")],
        "courses",
        "add",
        "--id",
        "c1",
        "--name",
        "Course",
    )
    assert code == 0, terminal
    assert json.loads(out) == {"course": "c1"}
    assert "The same passphrase again" in terminal
    assert "tulip" not in terminal

    code, out, terminal = _typed(
        db,
        [(FIRST, "tulip quarry 42")],
        "students",
        "add",
        "--student-id",
        "s1",
        "--name",
        "Ann Archer",
    )
    assert code == 0, terminal
    assert "again" not in terminal

    code, out, terminal = _typed(
        db,
        [(FIRST, "not it at all")],
        "students",
        "add",
        "--student-id",
        "s2",
        "--name",
        "Ben Baker",
    )
    assert code == 2
    assert "wrong instructor passphrase" in terminal
    listed = subprocess.run(
        [str(BIN), "students", "list", "--db", db, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert [s["student_id"] for s in json.loads(listed.stdout)] == ["s1"]
