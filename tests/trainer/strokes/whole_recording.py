"""Segmenting a whole signal in one call, as offline analysis does, for the segmenter's tests.

Offline segmentation is the live ``StrokeSegmenter`` fed the whole recording as one block and then
flushed (``trainer.offline.analysis.segment_recording``); these two helpers do the same from bare
arrays, so a test can compare one whole block with any partition of the same data.
"""

from __future__ import annotations

import numpy as np

from devices.samples import SampleBlock
from trainer.strokes.detection import DetectionSettings
from trainer.strokes.segmentation import StrokeSegmenter
from trainer.strokes.stroke import Stroke


def segment(
    t_s: np.ndarray,
    values: np.ndarray,
    channels: tuple[str, ...] | list[str],
    settings: DetectionSettings | None = None,
    rate_hz: float | None = None,
) -> list[Stroke]:
    """All strokes of a whole recording: one segmenter fed one block, then flushed."""
    seg = StrokeSegmenter(settings, rate_hz)
    block = SampleBlock(
        np.asarray(t_s, dtype=float), np.asarray(values, dtype=float), tuple(channels)
    )
    return seg.feed(block) + seg.flush()


def segment_offline(
    t_s: np.ndarray,
    force_n: np.ndarray,
    angle_deg: np.ndarray | None = None,
    settings: DetectionSettings | None = None,
    rate_hz: float | None = None,
) -> list[Stroke]:
    """``segment`` for separate arrays (angle optional), e.g. columns of a recording."""
    t = np.asarray(t_s, dtype=float)
    force = np.asarray(force_n, dtype=float)
    angle = np.full(force.shape, np.nan) if angle_deg is None else np.asarray(angle_deg, float)
    return segment(t, np.column_stack([force, angle]), ("force_n", "angle_deg"), settings, rate_hz)
