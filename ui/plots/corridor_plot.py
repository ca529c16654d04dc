"""One quantity (force or angle) of a stroke drawn over the expert corridor.

The band is a filled region between its low and high edges, the expert mean a dashed line, the
trainee's stroke a solid line on top; the parts of the stroke outside the band get a wide
vermillion halo under the line, so "out of band" is told by shape as well as colour. The plot shows
either the stroke in progress (growing from the left as it happens) or a finished stroke's
normalised curve, which stays until the next stroke starts.

Draws only what it is given: it never reads a session or decides what the trainee may see (the
training view and the feedback schedule do that).

Performance: a stroke in progress redraws both plots at display rate, so the plot paints itself
(see ``ui.plots.plot_painting``) instead of keeping a pyqtgraph scene, whose item bookkeeping cost
more than a millisecond a frame for two plots. Background, grid, axes, legend and the whole expert
band are one pixmap, drawn again only when the size, the theme, the corridor or the y range changes
(the x range never moves, and the y range widens in quarter steps when a stroke leaves it). A frame
is that pixmap, the halo and the trace. A stroke in progress is averaged into fixed 1 % bins, so
the drawn line stays still except at its newest end.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen

from ui.plots.corridor import Corridor, bin_mean, pct_axis
from ui.plots.plot_painting import (
    PaintedPlot,
    draw_title_below,
    draw_turned_title,
    draw_value_ticks,
    nice_step,
    polygon,
    tick_values,
)
from ui.theme import LIGHT, Theme, figure_font

X_MAX_PCT = 150.0
TRACE_WIDTH_PX = 3
HALO_WIDTH_PX = 11
TICK_FONT_PT = 12
LABEL_FONT_PT = 13
LEGEND_FONT_PT = 11
MESSAGE_FONT_PT = 16
_LEFT_PX, _RIGHT_PX, _TOP_PX, _BOTTOM_PX = 74, 12, 8, 50


class CorridorPlot(PaintedPlot):
    """Stroke against corridor for one quantity; x is % of the expert's stroke duration."""

    def __init__(self, title: str, unit: str, theme: Theme = LIGHT, legend: bool = False) -> None:
        super().__init__(theme, self._draw_static, minimum=QSize(260, 100), hint=QSize(900, 300))
        self._title = title
        self._unit = unit
        self._legend = legend
        self._corridor: Corridor | None = None
        self._y_fixed: tuple[float, float] = (0.0, 1.0)
        self._y_top_seen = -np.inf
        self._y_bottom_seen = np.inf
        self._y_shown: tuple[float, float] = (0.0, 1.0)
        self._x = np.zeros(0)  # the stroke as drawn: bin means on the % axis
        self._y = np.zeros(0)
        self._outside = np.zeros(0, dtype=bool)
        self._message = ""
        self._tick_font = figure_font(TICK_FONT_PT, bold=False)
        self._label_font = figure_font(LABEL_FONT_PT, bold=False)
        self._legend_font = figure_font(LEGEND_FONT_PT, bold=False)
        self._message_font = figure_font(MESSAGE_FONT_PT)

    # -- corridor --------------------------------------------------------------------------------
    def set_corridor(self, corridor: Corridor | None) -> None:
        self._corridor = corridor
        if corridor is None:
            self._y_fixed = (0.0, 1.0)
        else:
            lo, hi = float(np.min(corridor.lo)), float(np.max(corridor.hi))
            span = max(hi - lo, 1.0)
            bottom = min(0.0, lo - 0.35 * span) if self._unit == "N" else lo - 0.6 * span
            self._y_fixed = (bottom, hi + 0.5 * span)
        self._invalidate_static()
        self.clear_stroke()

    @property
    def corridor(self) -> Corridor | None:
        return self._corridor

    # -- stroke ----------------------------------------------------------------------------------
    def clear_stroke(self) -> None:
        self._x, self._y = np.zeros(0), np.zeros(0)
        self._outside = np.zeros(0, dtype=bool)
        self._y_top_seen, self._y_bottom_seen = -np.inf, np.inf
        self._apply_y_range()
        self.update()

    def show_stroke(self, x_pct: np.ndarray, y: np.ndarray) -> None:
        """Draw a stroke (in progress or finished) given on the % axis."""
        x = np.asarray(x_pct, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        keep = np.isfinite(x) & np.isfinite(y) & (x <= X_MAX_PCT)
        old_x, old_y = self._x, self._y
        self._x, self._y, _bins = bin_mean(x[keep], y[keep])
        if self._corridor is not None and len(self._x):
            self._outside = self._corridor.outside(self._x, self._y)
        else:
            self._outside = np.zeros(len(self._x), dtype=bool)
        if len(self._y):
            self._y_top_seen = max(self._y_top_seen, float(np.max(self._y)))
            self._y_bottom_seen = min(self._y_bottom_seen, float(np.min(self._y)))
        if not self._apply_y_range():
            # Same axes: repaint only around what changed, for a growing stroke its newest end.
            dirty = self._changed_rect(old_x, old_y)
            if dirty is not None:
                self.update(dirty)

    def _changed_rect(self, old_x: np.ndarray, old_y: np.ndarray) -> QRect | None:
        """The widget pixels the change from the old trace to the new one can touch."""
        n = min(len(old_x), len(self._x))
        differ = np.flatnonzero((old_x[:n] != self._x[:n]) | (old_y[:n] != self._y[:n]))
        first = int(differ[0]) if differ.size else n
        start = max(first - 1, 0)  # the segment into the first changed point changed too
        xs = np.concatenate((old_x[start:], self._x[start:]))
        ys = np.concatenate((old_y[start:], self._y[start:]))
        if not len(xs):
            return None
        x_px, y_px = self._to_px(self._plot_rect(), xs, ys)
        pad = HALO_WIDTH_PX // 2 + 3
        left, right = math.floor(float(x_px.min())) - pad, math.ceil(float(x_px.max())) + pad
        top, bottom = math.floor(float(y_px.min())) - pad, math.ceil(float(y_px.max())) + pad
        return QRect(left, top, right - left, bottom - top)

    def show_normalised(self, y101: np.ndarray) -> None:
        """A finished stroke's 0 to 100 % curve (from its score)."""
        y = np.asarray(y101, dtype=np.float64)
        self.show_stroke(pct_axis(len(y)), y)

    def trace_points(self) -> int:
        """How many points the stroke trace holds now (0 when nothing is shown)."""
        return len(self._x)

    def outside_x(self) -> np.ndarray:
        """The % positions of the trace points drawn with the out-of-band halo."""
        return self._x[self._outside]

    def y_range(self) -> tuple[float, float]:
        return self._y_shown

    def _apply_y_range(self) -> bool:
        # A stroke that leaves the corridor's range widens the plot in quarter-range steps: a
        # rising trace moves the axis (and redraws the picture) a few times, not per frame.
        # True when the range changed (the whole plot is then repainted).
        bottom, top = self._y_fixed
        step = (top - bottom) / 4
        if np.isfinite(self._y_top_seen) and self._y_top_seen * 1.08 > top:
            top += math.ceil((self._y_top_seen * 1.08 - top) / step) * step
        if np.isfinite(self._y_bottom_seen):
            want = self._y_bottom_seen - 0.05 * abs(top - bottom)
            if want < bottom:
                bottom -= math.ceil((bottom - want) / step) * step
        if (bottom, top) == self._y_shown:
            return False
        self._y_shown = (bottom, top)
        self._invalidate_static()
        return True

    # -- messages over the plot ------------------------------------------------------------------
    def set_message(self, text: str | None) -> None:
        """A line of text over the plot (why nothing is drawn), or None to remove it."""
        text = text or ""
        if text != self._message:
            self._message = text
            self.update()

    def message(self) -> str | None:
        return self._message or None

    # -- painting --------------------------------------------------------------------------------
    def _plot_rect(self) -> QRectF:
        return QRectF(
            _LEFT_PX,
            _TOP_PX,
            max(self.width() - _LEFT_PX - _RIGHT_PX, 10),
            max(self.height() - _TOP_PX - _BOTTOM_PX, 10),
        )

    def _to_px(self, rect: QRectF, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self._y_shown
        x_px = rect.left() + np.asarray(x) * (rect.width() / X_MAX_PCT)
        y_px = rect.bottom() - (np.asarray(y) - lo) * (rect.height() / (hi - lo))
        return x_px, y_px

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        self._static.paint(self, p)
        rect = self._plot_rect()
        th = self._theme
        if len(self._x):
            p.setClipRect(rect)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            x_px, y_px = self._to_px(rect, self._x, self._y)
            halo = QPen(QColor(th.out_of_band), HALO_WIDTH_PX)
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(halo)
            for start, stop in _runs(self._outside):
                if stop - start > 1:
                    p.drawPolyline(polygon(x_px[start:stop], y_px[start:stop]))
                else:
                    p.drawPoint(QPointF(x_px[start], y_px[start]))
            trace = QPen(QColor(th.trace), TRACE_WIDTH_PX)
            trace.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(trace)
            if len(x_px) > 1:
                p.drawPolyline(polygon(x_px, y_px))
            p.setClipping(False)
        if self._message:
            p.setFont(self._message_font)
            p.setPen(QColor(th.foreground))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._message)
        p.end()

    def _draw_static(self, p: QPainter) -> None:
        """Background, grid, axes, titles, the expert band, its mean and the legend."""
        th = self._theme
        p.fillRect(self.rect(), QColor(th.background))
        rect = self._plot_rect()
        lo, hi = self._y_shown
        fg = QColor(th.foreground)
        grid = QColor(th.foreground)
        grid.setAlphaF(th.grid_alpha)
        fine = QColor(th.foreground)
        fine.setAlphaF(th.grid_alpha / 2.5)
        metrics = QFontMetrics(self._tick_font)
        p.setFont(self._tick_font)
        # x: a fine line every 5 %, a line and a value every 20 %.
        for k in range(0, int(X_MAX_PCT) + 1, 5):
            x = rect.left() + k * rect.width() / X_MAX_PCT
            p.setPen(QPen(grid if k % 20 == 0 else fine, 1))
            p.drawLine(QLineF(x, rect.top(), x, rect.bottom()))
            if k % 20 == 0 and k > 0:
                p.setPen(QPen(fg, 1))
                p.drawLine(QLineF(x, rect.bottom(), x, rect.bottom() + 4))
                p.drawText(
                    QRectF(x - 25, rect.bottom() + 5, 50, metrics.height()),
                    Qt.AlignmentFlag.AlignHCenter,
                    f"{k}",
                )
        # y: values on round steps, a fine line halfway between them.
        step = nice_step((hi - lo) / 5)
        for value in tick_values(lo, hi, step / 2):
            y = rect.bottom() - (value - lo) * rect.height() / (hi - lo)
            major = abs(value / step - round(value / step)) < 1e-6
            p.setPen(QPen(grid if major else fine, 1))
            p.drawLine(QLineF(rect.left(), y, rect.right(), y))
        draw_value_ticks(p, rect, lo, hi, step, self._tick_font, fg)
        draw_turned_title(p, self._title, 6, rect, self._label_font)
        draw_title_below(
            p, rect, "% of the expert's stroke", 6 + metrics.height(), self._label_font
        )
        p.save()
        p.setClipRect(rect)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        corridor = self._corridor
        if corridor is not None:
            x_px, lo_px = self._to_px(rect, corridor.x_pct, corridor.lo)
            _x, hi_px = self._to_px(rect, corridor.x_pct, corridor.hi)
            band = polygon(np.concatenate([x_px, x_px[::-1]]), np.concatenate([hi_px, lo_px[::-1]]))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(th.band_fill))
            p.drawPolygon(band)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(QColor(th.band_edge), 1))
            p.drawPolyline(polygon(x_px, lo_px))
            p.drawPolyline(polygon(x_px, hi_px))
            _x, mu_px = self._to_px(rect, corridor.x_pct, corridor.mu)
            p.setPen(QPen(QColor(th.mean), 2, Qt.PenStyle.DashLine))
            p.drawPolyline(polygon(x_px, mu_px))
        end_x = rect.left() + 100.0 * rect.width() / X_MAX_PCT
        p.setPen(QPen(QColor(th.muted), 1, Qt.PenStyle.DotLine))
        p.drawLine(QLineF(end_x, rect.top(), end_x, rect.bottom()))
        p.restore()
        p.setPen(QPen(fg, 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(rect)
        if self._legend:
            self._draw_legend(p, rect)

    def _draw_legend(self, p: QPainter, rect: QRectF) -> None:
        """What each line is, in words, at the top right (colour is never the only clue)."""
        th = self._theme
        metrics = QFontMetrics(self._legend_font)
        rows = ("expert band", "expert mean", "your stroke", "outside the band")
        row_h = metrics.height() + 4
        width = 46 + max(metrics.horizontalAdvance(r) for r in rows)
        box = QRectF(rect.right() - width - 10, rect.top() + 8, width, row_h * len(rows) + 8)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor(th.muted), 1))
        p.setBrush(QBrush(QColor(th.background)))
        p.drawRect(box)
        p.setFont(self._legend_font)
        for i, label in enumerate(rows):
            y = box.top() + 4 + i * row_h + row_h / 2
            sample = QLineF(box.left() + 8, y, box.left() + 34, y)
            if i == 0:
                cell = QRectF(box.left() + 10, y - 6, 22, 12)
                p.setPen(QPen(QColor(th.band_edge), 1))
                p.setBrush(QBrush(th.band_fill))
                p.drawRect(cell)
                p.setBrush(Qt.BrushStyle.NoBrush)
            elif i == 1:
                p.setPen(QPen(QColor(th.mean), 2, Qt.PenStyle.DashLine))
                p.drawLine(sample)
            elif i == 2:
                p.setPen(QPen(QColor(th.trace), TRACE_WIDTH_PX))
                p.drawLine(sample)
            else:
                pen = QPen(QColor(th.out_of_band), HALO_WIDTH_PX - 2)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                p.setPen(pen)
                p.drawLine(QLineF(sample.x1() + 4, y, sample.x2() - 4, y))
            p.setPen(QColor(th.foreground))
            p.drawText(
                QRectF(box.left() + 42, y - row_h / 2, width - 44, row_h),
                Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        p.restore()


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in ``mask``."""
    if not mask.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.view(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
