"""Drawing helpers shared by the plots that paint themselves (the strip and the stroke plots).

Those plots change every display frame, so they paint with QPainter straight from numpy arrays
instead of keeping a pyqtgraph scene: what does not move (background, axes, grid, labels, the
expert band) is drawn once into a pixmap, and a frame is that pixmap plus a few polylines. These
helpers are the pieces both need: round tick steps, tick labels, a turned axis title, and a
polygon filled from numpy without a Python loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QLineF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget
from shiboken6 import VoidPtr

from ui.theme import Theme


class StaticPicture:
    """The part of a self-painting widget that does not move: drawn once, copied every frame.

    ``draw`` paints it on a transparent pixmap the widget's size. It is drawn again on the first
    paint after ``invalidate`` (a resize, a theme, a moved axis) or on a screen of another pixel
    ratio.
    """

    def __init__(self, draw: Callable[[QPainter], None]) -> None:
        self._draw = draw
        self._pixmap: QPixmap | None = None

    def invalidate(self) -> None:
        self._pixmap = None

    @property
    def valid(self) -> bool:
        return self._pixmap is not None

    def paint(self, widget: QWidget, p: QPainter) -> None:
        ratio = widget.devicePixelRatioF()
        if self._pixmap is None or self._pixmap.devicePixelRatioF() != ratio:
            pixmap = QPixmap(
                max(int(widget.width() * ratio), 1), max(int(widget.height() * ratio), 1)
            )
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            self._draw(painter)
            painter.end()
            self._pixmap = pixmap
        p.drawPixmap(0, 0, self._pixmap)


class PaintedPlot(QWidget):
    """A plot that paints itself: a ``StaticPicture`` of what does not move (``draw_static``),
    drawn again after a resize or a theme change, under what ``paintEvent`` adds each frame."""

    def __init__(
        self,
        theme: Theme,
        draw_static: Callable[[QPainter], None],
        minimum: QSize,
        hint: QSize,
    ) -> None:
        super().__init__()
        self._theme = theme
        self._static = StaticPicture(draw_static)
        self._hint = hint
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # the picture covers it all
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(minimum)

    def sizeHint(self) -> QSize:
        return self._hint

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._invalidate_static()

    def resizeEvent(self, event) -> None:
        self._invalidate_static()
        super().resizeEvent(event)

    def _invalidate_static(self) -> None:
        self._static.invalidate()
        self.update()


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
    """A polygon of the points (x, y), in pixels, written straight into Qt's memory.

    The same two steps as pyqtgraph's ``create_qpolygonf`` and ``ndarray_from_qpolygonf``, done
    here because importing ``pyqtgraph.functions`` imports all of pyqtgraph (0.40 s of the
    window's 1.29 s of imports, ``python -X importtime``), which the training screen does not
    otherwise need: only the review and expert windows plot with pyqtgraph.
    """
    n = len(x)
    poly = QPolygonF()
    poly.resize(n)
    xy = np.frombuffer(VoidPtr(poly.data(), n * 16, True), dtype=np.float64).reshape((-1, 2))
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


def draw_value_ticks(
    p: QPainter, rect: QRectF, lo: float, hi: float, step: float, font: QFont, colour: QColor
) -> list[float]:
    """Tick marks and values at the multiples of ``step`` along ``rect``'s left edge, for a y axis
    from ``lo`` (bottom) to ``hi`` (top); returns the ticks' heights in pixels, for a grid."""
    metrics = QFontMetrics(font)
    p.setFont(font)
    p.setPen(QPen(colour, 1))
    heights = []
    for value in tick_values(lo, hi, step):
        y = rect.bottom() - (value - lo) * rect.height() / (hi - lo)
        heights.append(y)
        p.drawLine(QLineF(rect.left() - 4, y, rect.left(), y))
        p.drawText(
            QRectF(rect.left() - 52, y - metrics.height() / 2, 46, metrics.height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            tick_text(value, step),
        )
    return heights


def draw_title_below(p: QPainter, rect: QRectF, text: str, gap_px: float, font: QFont) -> None:
    """An x axis title centred under ``rect``, ``gap_px`` below it (room for the tick values)."""
    p.setFont(font)
    height = QFontMetrics(font).height()
    p.drawText(
        QRectF(rect.left(), rect.bottom() + gap_px, rect.width(), height),
        Qt.AlignmentFlag.AlignHCenter,
        text,
    )
