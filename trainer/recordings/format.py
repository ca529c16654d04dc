"""A recording as the program holds it, and the CSV's fixed parts (title line, columns).

The CSV of ``docs/interfaces.md`` is a contract with spreadsheets and outside scripts, so it holds
only what the contract says: ``#`` metadata lines, one header row, one row per sample. Writer and
reader share these names so the two can never disagree. Never imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from devices.samples import SampleBlock

TITLE_LINE = "# iastm-trainer recording"
#: Every recording has force. A hand tool adds ``angle_deg``; a force plate has no tool angle and
#: adds ``cop_x_mm`` and ``cop_y_mm`` instead (docs/interfaces.md), so angle is not required.
REQUIRED_COLUMNS = ("force_n",)
#: Columns whose every value must be a number when present. The centre of pressure may be NaN:
#: it is undefined where nothing loads the plate.
NUMERIC_COLUMNS = ("force_n", "angle_deg")
TIME_COLUMN = "time_s"


class RecordingError(Exception):
    """A recording file that cannot be read or written; the message names the file and line."""


@dataclass
class Recording:
    """A recording in memory: float64 time and values, its metadata and its event log."""

    path: Path | None
    t_s: np.ndarray
    values: np.ndarray
    channels: tuple[str, ...]
    metadata: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    #: What reading left out, one line each naming the file and line (a row cut short at the end
    #: of an unfinished recording); empty for a whole file.
    notes: list[str] = field(default_factory=list)

    def channel(self, name: str) -> np.ndarray:
        return self.values[:, self.channels.index(name)]

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if self.t_s.size else 0.0

    def as_block(self) -> SampleBlock:
        return SampleBlock(self.t_s, self.values, self.channels)

    @property
    def rate_hz(self) -> float | None:
        """The stated rate, else the median sample interval's rate."""
        stated = self.metadata.get("rate_hz")
        if stated:
            try:
                return float(stated)
            except ValueError:
                pass
        if self.t_s.size < 2:
            return None
        return float(1.0 / np.median(np.diff(self.t_s)))
