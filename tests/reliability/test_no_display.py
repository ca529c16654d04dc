"""Point 10: with no display the application says so in one line and exits 2.

It used to abort (exit 134, a core dump) after Qt's hint about ``xcb-cursor0``, which sends the
user installing libraries they already have. The check runs before Qt is loaded.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from tests.cli_helpers import BIN
from ui.app.launcher import display_problem


def _app(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    return subprocess.run(
        [str(BIN)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, "IASTM_TRAINER_HOME": str(tmp_path), **env},
    )


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, "no display to open the window on (DISPLAY is not set)"),
        ({"QT_QPA_PLATFORM": "xcb"}, "DISPLAY is not set"),
        ({"DISPLAY": ":7391"}, "cannot connect to the display ':7391'"),
        ({"QT_QPA_PLATFORM": "wayland"}, "WAYLAND_DISPLAY is not set"),
    ],
)
def test_the_application_without_a_display_says_so_in_one_line(
    tmp_path: Path, env: dict[str, str], says: str
) -> None:
    done = _app(tmp_path, **env)
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert says in lines[0] and "sub-command" in lines[0]
    assert "xcb-cursor" not in done.stderr and "Traceback" not in done.stderr


def test_a_display_that_answers_or_needs_no_server_is_left_to_qt() -> None:
    number = 7000 + os.getpid() % 1000
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(f"\0/tmp/.X11-unix/X{number}")  # an X server's abstract socket
        server.listen(1)
        assert display_problem({"DISPLAY": f":{number}"}, "linux") is None
        assert display_problem({"DISPLAY": f":{number}.0"}, "linux") is None
    assert display_problem({"DISPLAY": f":{number}"}, "linux") is not None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({}, "win32") is None and display_problem({}, "darwin") is None
