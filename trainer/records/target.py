"""Where the records are kept, named without opening them (and without SQLAlchemy).

The application's window names its records target as it is built and opens the database only
when a session is stored or a records view is opened; SQLAlchemy takes about 0.2 s to import, which
the window need not wait for. ``trainer.records.database`` re-exports these names.
"""

from __future__ import annotations

import os

from trainer.paths import AppPaths

DB_ENV = "IASTM_TRAINER_DB"
DEFAULT_FILE_NAME = "records.sqlite"


def default_target(paths: AppPaths | None = None) -> str:
    """``IASTM_TRAINER_DB`` if set, else ``records.sqlite`` in the data folder of ``paths`` (the
    user's, by default)."""
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return env
    return str((paths or AppPaths.default()).data_dir / DEFAULT_FILE_NAME)


def is_server_target(target: str) -> bool:
    return target.startswith(("postgresql:", "postgresql+", "postgres:"))
