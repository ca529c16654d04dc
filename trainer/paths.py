"""Where the application keeps its settings and the trainees' recordings.

The per-user folders come from platformdirs (``~/.config/iastm-trainer`` and
``~/.local/share/iastm-trainer`` on Linux, the platform's own places elsewhere). Setting
``IASTM_TRAINER_HOME`` puts both under one folder instead: a classroom machine can keep its data on
a shared drive, and a test or a screenshot run never touches the user's own files.

Never creates anything until asked (``ensure``); never imports Qt.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "iastm-trainer"
HOME_ENV = "IASTM_TRAINER_HOME"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        home = os.environ.get(HOME_ENV)
        if home:
            root = Path(home).expanduser()
            return cls(root / "config", root / "data")
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        )

    @classmethod
    def under(cls, root: str | os.PathLike[str]) -> AppPaths:
        root = Path(root)
        return cls(root / "config", root / "data")

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.ini"

    @property
    def sessions_dir(self) -> Path:
        """Every training session's recording (CSV plus its events sidecar) goes here."""
        return self.data_dir / "sessions"

    def ensure(self) -> AppPaths:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        self.sessions_dir.mkdir(parents=True, exist_ok=True)
        return self


def new_recording_path(folder: Path, name: str) -> Path:
    """A new, unused file name: the start time then ``name``, so a folder listing reads as a log."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"{stamp}-{name}.csv"
    n = 2
    while path.exists():
        path = folder / f"{stamp}-{name}-{n}.csv"
        n += 1
    return path


def recording_path(sessions_dir: Path, exercise_id: str | None) -> Path:
    """A new file for a training session, named by start time and exercise (``free`` for none)."""
    return new_recording_path(sessions_dir, exercise_id or "free")


def expert_recording_path(folder: Path, exercise_id: str) -> Path:
    """A new file for a demonstration, named by start time and the exercise being recorded."""
    return new_recording_path(folder, f"expert-{exercise_id or 'unnamed'}")
