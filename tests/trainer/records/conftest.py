"""The records tests run once per backend: a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.trainer.records.pg_server import PgServer

PASSPHRASE = "correct horse battery"


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


@pytest.fixture(autouse=True)
def records_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's folders and the passphrase file in the test's own folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("IASTM_TRAINER_HOME", str(home))
    monkeypatch.delenv("IASTM_TRAINER_DB", raising=False)
    pw = tmp_path / "passphrase.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    monkeypatch.setenv("IASTM_TRAINER_PASSPHRASE_FILE", str(pw))
    return home
