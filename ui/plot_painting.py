"""Drawing helpers shared by the plots that paint themselves (the strip and the stroke plots).

Those plots change every display frame, so they paint with QPainter straight from numpy arrays
instead of keeping a pyqtgraph scene: what does not move (background, axes, grid, labels, the
expert band) is drawn once into a pixmap, and a frame is that pixmap plus a few polylines. These
helpers are the pieces both need: round tick steps, tick labels, a turned axis title, and a
polygon filled from numpy without a Python loop.
"""

from __future__ import annotations

import math

import numpy as np
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPixmap, QPolygonF


def nice_step(raw: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten that is at least ``raw``."""
    if not raw > 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * power >= raw * (1 - 1e-12):
            return factor * power
    return 10.0 * power


def tick_values(lo: float, hi: float, step: float) -> list[float]:
    """Multiples of ``step`` from ``lo`` to ``hi``, both included."""
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [k * step for k in range(first, last + 1)]


def tick_text(value: float, step: float) -> str:
    """A tick value with as many decimals as the step needs, and never "-0"."""
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    text = f"{value:.{decimals}f}"
    return "0" if text.lstrip("-").strip("0.") == "" else text


def polygon(x: np.ndarray, y: np.ndarray) -> QPolygonF:
    """A polygon of the points (x, y), in pixels, written straight into Qt's memory."""
    poly = create_qpolygonf(len(x))
    xy = ndarray_from_qpolygonf(poly)
    xy[:, 0] = x
    xy[:, 1] = y
    return poly


def draw_turned_title(p: QPainter, text: str, left_px: float, rect: QRectF, font: QFont) -> None:
    """An axis title turned a quarter left, centred on ``rect``'s height, at ``left_px``."""
    p.save()
    p.setFont(font)
    p.translate(left_px, rect.center().y())
    p.rotate(-90)
    height = QFontMetrics(font).height()
    p.drawText(
        QRectF(-rect.height() / 2, 0, rect.height(), height), Qt.AlignmentFlag.AlignCenter, text
    )
    p.restore()


def blank_pixmap(width: int, height: int, ratio: float, colour: str) -> QPixmap:
    """A pixmap for a widget of ``width`` x ``height`` at ``ratio`` device pixels per pixel."""
    pixmap = QPixmap(max(int(width * ratio), 1), max(int(height * ratio), 1))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QColor(colour))
    return pixmap
