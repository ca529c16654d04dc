"""What a records target may be: a file path, a sqlite:/// URL to one, or a PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.records.database import sqlite_path
from trainer.records.errors import RecordsError
from trainer.records.repository import Records


def test_a_sqlite_url_names_its_file_and_other_urls_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where a stray "sqlite:" file would appear
    assert sqlite_path(f"sqlite:///{tmp_path}/lab.sqlite") == tmp_path / "lab.sqlite"
    assert sqlite_path(str(tmp_path / "lab.sqlite")) == tmp_path / "lab.sqlite"
    with Records.open(f"sqlite:///{tmp_path}/lab.sqlite") as records:
        assert records.students() == []
    assert (tmp_path / "lab.sqlite").is_file()
    # A database in memory keeps nothing; a file named "sqlite:" or "mysql:" is never meant.
    for bad in ("sqlite://", "sqlite:", "mysql://ann:secret@db/lab"):
        with pytest.raises(RecordsError) as refused:
            Records.open(bad)
        assert "secret" not in str(refused.value)
    assert not Path("sqlite:").exists() and not Path("mysql:").exists()
