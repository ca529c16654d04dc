"""A stroke as the segmenter hands it to envelope building and scoring.

It carries the stroke's own raw samples (not filtered for detection, baseline already removed from
force) so that experts' and trainees' strokes are prepared for scoring by exactly the same code,
whichever way they were found. Nothing here imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from trainer.strokes.path import NO_PATH, PathFeatures, path_features


@dataclass(frozen=True)
class Stroke:
    """One contact phase, on the recording's own time axis.

    ``index`` counts from 1 within a recording or session. ``force_n`` is the raw force minus the
    baseline at onset; ``angle_deg`` the raw angle over the same samples.
    """

    index: int
    start_s: float
    end_s: float
    t_s: np.ndarray
    force_n: np.ndarray
    angle_deg: np.ndarray
    baseline_n: float = 0.0
    #: The centre of pressure over the same samples (a force plate), or None (a hand tool).
    cop_x_mm: np.ndarray | None = None
    cop_y_mm: np.ndarray | None = None

    @property
    def has_cop(self) -> bool:
        return self.cop_x_mm is not None and self.cop_y_mm is not None

    @cached_property
    def path(self) -> PathFeatures:
        """Where the stroke went on the plate (``trainer.strokes.path``); ``NO_PATH`` without a
        centre of pressure."""
        if not self.has_cop:
            return NO_PATH
        return path_features(self.t_s, self.force_n, self.cop_x_mm, self.cop_y_mm)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def peak_force_n(self) -> float:
        return float(np.max(self.force_n)) if self.force_n.size else 0.0

    @property
    def mean_angle_deg(self) -> float:
        finite = self.angle_deg[np.isfinite(self.angle_deg)]
        return float(np.mean(finite)) if finite.size else float("nan")
