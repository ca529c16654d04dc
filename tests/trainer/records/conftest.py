"""The records tests run once per backend (``db_target``, in the root conftest): a real SQLite
file and a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest

PASSPHRASE = "correct horse battery"


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
