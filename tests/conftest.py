"""Fixtures shared by every test.

A test that leaves a thread behind poisons the tests after it (a reader still draining a port, a
device still streaming into a closed pty), so each test must end every thread it started.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.trainer.records.pg_server import PgServer

#: Threads with these name prefixes must end with their test, daemon or not.
OWNED_THREAD_PREFIXES = ("source:", "itp-emulator")
#: How long a thread that was asked to stop may take to finish.
THREAD_GRACE_S = 2.0


def _must_end(thread: threading.Thread) -> bool:
    return not thread.daemon or thread.name.startswith(OWNED_THREAD_PREFIXES)


@pytest.fixture(autouse=True)
def no_thread_left_running() -> Iterator[None]:
    """Fail a test that leaves a non-daemon thread, a source reader or an emulator running."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + THREAD_GRACE_S
    left = []
    for thread in threading.enumerate():
        if thread in before or not _must_end(thread):
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            left.append(thread.name)
    if left:
        pytest.fail(f"the test left threads running: {', '.join(sorted(left))}")


# -- the records' two backends, for the records' tests and the windows that show them ----------
@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = PgServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty records database's ``--db`` target on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "records.sqlite")
        return
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.new_database()
    try:
        yield url
    finally:
        server.drop_database(url)
