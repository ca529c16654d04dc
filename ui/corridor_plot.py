"""One quantity (force or angle) of a stroke drawn over the expert corridor.

The band is a filled region between its low and high edges, the expert mean a dashed line, the
trainee's stroke a solid line on top; the parts of the stroke outside the band get a wide
vermillion halo under the line, so "out of band" is told by shape as well as colour. The plot shows
either the stroke in progress (growing from the left as it happens) or a finished stroke's
normalised curve, which stays until the next stroke starts.

Draws only what it is given: it never reads a session or decides what the trainee may see (the
training view and the feedback schedule do that).

Performance: the axes (with their grid) and the legend are kept as pixmaps, since a stroke in
progress repaints the plot at display rate and pyqtgraph would otherwise lay out every tick label
again each frame, which cost more than the stroke itself; the x range never moves and the y range
only when a stroke leaves it. A stroke in progress is averaged into fixed 1 % bins and drawn as
two pieces: the settled part, whose bins are complete and which changes once every
``SETTLE_BINS`` bins, and the short tail after it. Each frame then repaints only the strip of the
plot around the tail, not the whole plot (a full repaint of both plots, band and all, cost more
than a millisecond a frame).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsItem

from ui.corridor import Corridor, bin_mean, pct_axis
from ui.theme import LIGHT, Theme

X_MAX_PCT = 150.0
TRACE_WIDTH_PX = 3
HALO_WIDTH_PX = 11
#: Complete bins are handed from the tail to the settled part this many at a time.
SETTLE_BINS = 10


class CorridorPlot(pg.PlotWidget):
    """Stroke against corridor for one quantity; x is % of the expert's stroke duration."""

    def __init__(self, title: str, unit: str, theme: Theme = LIGHT, legend: bool = False) -> None:
        super().__init__()
        self._theme = theme
        self._title = title
        self._unit = unit
        self._corridor: Corridor | None = None
        self._y_fixed: tuple[float, float] = (0.0, 1.0)
        self._y_top_seen = -np.inf
        self._y_bottom_seen = np.inf
        self._y_shown: tuple[float, float] | None = None
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self.setMouseEnabled(x=False, y=False)
        plot.setXRange(0.0, X_MAX_PCT, padding=0.0)
        plot.enableAutoRange(enable=False)
        plot.showGrid(x=True, y=True, alpha=theme.grid_alpha)
        for name in ("left", "bottom"):
            plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

        self._lo = pg.PlotDataItem()
        self._hi = pg.PlotDataItem()
        self._band = pg.FillBetweenItem(self._lo, self._hi)
        self._mean = pg.PlotDataItem()
        # Plain curves, not PlotDataItems: these change every frame, and a PlotDataItem's own
        # bookkeeping (display transforms, a scatter it does not need) costs more than drawing.
        self._halo = pg.PlotCurveItem(connect="finite")
        self._trace = pg.PlotCurveItem()
        self._halo_tail = pg.PlotCurveItem(connect="finite")
        self._trace_tail = pg.PlotCurveItem()
        self._settled_n = 0  # points in the settled part (its last is also the tail's first)
        self._end_line = pg.InfiniteLine(pos=100.0, angle=90, movable=False)
        for item in (
            self._band,
            self._lo,
            self._hi,
            self._mean,
            self._end_line,
            self._halo,
            self._trace,
            self._halo_tail,
            self._trace_tail,
        ):
            plot.addItem(item)
        self._band.setZValue(-10)
        self._halo.setZValue(5)
        self._halo_tail.setZValue(5)
        self._trace.setZValue(10)
        self._trace_tail.setZValue(10)
        if legend:
            self._legend = plot.addLegend(offset=(-10, 8), labelTextSize="11pt")
            # A FillBetweenItem cannot be a legend sample (pyqtgraph crashes painting one with
            # no data yet): a filled stand-in curve, never added to the plot, shows the band.
            self._band_sample = pg.PlotDataItem(fillLevel=0.0)
            self._legend.addItem(self._band_sample, "expert band")
            self._legend.addItem(self._mean, "expert mean")
            self._legend.addItem(self._trace, "your stroke")
            self._legend.addItem(self._halo, "outside the band")
            self._legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        else:
            self._legend = None
        self._message = pg.TextItem(anchor=(0.5, 0.5))
        font = QFont()
        font.setPointSize(16)
        font.setBold(True)
        self._message.setFont(font)
        self._message.setZValue(20)
        plot.addItem(self._message, ignoreBounds=True)
        self._message.hide()
        self.apply_theme(theme)

    # -- appearance ------------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setBackground(theme.background)
        plot = self.getPlotItem()
        axis_font = QFont()
        axis_font.setPointSize(12)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(theme.foreground, width=1))
            axis.setTextPen(pg.mkPen(theme.foreground))
            axis.setStyle(tickFont=axis_font)
        label_style = {"color": theme.foreground, "font-size": "13pt"}
        plot.setLabel("left", self._title, units=None, **label_style)
        plot.setLabel("bottom", "% of the expert's stroke", **label_style)
        edge = pg.mkPen(theme.band_edge, width=1)
        self._lo.setPen(edge)
        self._hi.setPen(edge)
        self._band.setBrush(pg.mkBrush(theme.band_fill))
        if self._legend is not None:
            self._band_sample.setPen(edge)
            self._band_sample.setFillBrush(pg.mkBrush(theme.band_fill))
        self._mean.setPen(pg.mkPen(theme.mean, width=2, style=Qt.PenStyle.DashLine))
        for halo in (self._halo, self._halo_tail):
            halo.setPen(pg.mkPen(theme.out_of_band, width=HALO_WIDTH_PX))
        for trace in (self._trace, self._trace_tail):
            trace.setPen(pg.mkPen(theme.trace, width=TRACE_WIDTH_PX))
        self._end_line.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DotLine))
        self._message.setColor(theme.foreground)
        if self._legend is not None:
            self._legend.setLabelTextColor(theme.foreground)
            for _sample, label in self._legend.items:
                label.setText(label.text, color=theme.foreground)  # re-render in the new colour

    # -- corridor --------------------------------------------------------------------------------
    def set_corridor(self, corridor: Corridor | None) -> None:
        self._corridor = corridor
        if corridor is None:
            for item in (self._lo, self._hi, self._mean):
                item.setData([], [])
            self._y_fixed = (0.0, 1.0)
        else:
            x = np.asarray(corridor.x_pct, dtype=np.float64)
            self._lo.setData(x, corridor.lo)
            self._hi.setData(x, corridor.hi)
            self._mean.setData(x, corridor.mu)
            lo, hi = float(np.min(corridor.lo)), float(np.max(corridor.hi))
            span = max(hi - lo, 1.0)
            bottom = min(0.0, lo - 0.35 * span) if self._unit == "N" else lo - 0.6 * span
            self._y_fixed = (bottom, hi + 0.5 * span)
        self.clear_stroke()

    @property
    def corridor(self) -> Corridor | None:
        return self._corridor

    # -- stroke ----------------------------------------------------------------------------------
    def clear_stroke(self) -> None:
        for item in (self._trace, self._halo, self._trace_tail, self._halo_tail):
            item.setData([], [])
        self._settled_n = 0
        self._y_top_seen, self._y_bottom_seen = -np.inf, np.inf
        self._apply_y_range()

    def show_stroke(self, x_pct: np.ndarray, y: np.ndarray) -> None:
        """Draw a stroke (in progress or finished) given on the % axis.

        Called frame after frame with the same stroke growing; a stroke that is not the one shown
        grown (it is shorter, or starts elsewhere) is drawn afresh.
        """
        x = np.asarray(x_pct, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        keep = np.isfinite(x) & np.isfinite(y) & (x <= X_MAX_PCT)
        x, y, bins = bin_mean(x[keep], y[keep])
        if self._corridor is not None and len(x):
            halo = np.where(self._corridor.outside(x, y), y, np.nan)
        else:
            halo = np.full(len(x), np.nan)
        # Points in complete bins, SETTLE_BINS at a time; the newest bin may still grow.
        settled = 0
        if len(bins) > 1:
            done = bins[:-1]
            limit = (int(done[-1] - bins[0] + 1) // SETTLE_BINS) * SETTLE_BINS + int(bins[0])
            settled = int(np.searchsorted(done, limit))
        if settled != self._settled_n or not self._settled_matches(x, y, settled):
            self._trace.setData(x[:settled], y[:settled], skipFiniteCheck=True)
            self._halo.setData(x[:settled], halo[:settled], connect="finite")
            self._settled_n = settled
        tail = slice(max(settled - 1, 0), None)  # from the last settled point, to join up
        self._trace_tail.setData(x[tail], y[tail], skipFiniteCheck=True)
        self._halo_tail.setData(x[tail], halo[tail], connect="finite")
        if len(y):
            self._y_top_seen = max(self._y_top_seen, float(np.max(y)))
            self._y_bottom_seen = min(self._y_bottom_seen, float(np.min(y)))
        self._apply_y_range()

    def _settled_matches(self, x: np.ndarray, y: np.ndarray, settled: int) -> bool:
        """Whether the settled part drawn is the start of this stroke (the same stroke, grown)."""
        if settled == 0:
            return True
        shown_x, shown_y = self._trace.getData()
        return (
            shown_x is not None
            and np.array_equal(shown_x, x[:settled])
            and np.array_equal(shown_y, y[:settled])
        )

    def show_normalised(self, y101: np.ndarray) -> None:
        """A finished stroke's 0 to 100 % curve (from its score)."""
        y = np.asarray(y101, dtype=np.float64)
        self.show_stroke(pct_axis(len(y)), y)

    def trace_points(self) -> int:
        """How many points the stroke trace holds now (0 when nothing is shown)."""
        return len(self._trace_xy()[0])

    def outside_x(self) -> np.ndarray:
        """The % positions of the trace points drawn with the out-of-band halo."""
        x, y = self._trace_xy(halo=True)
        return x[np.isfinite(y)]

    def _trace_xy(self, halo: bool = False) -> tuple[np.ndarray, np.ndarray]:
        settled, tail = (self._halo, self._halo_tail) if halo else (self._trace, self._trace_tail)
        sx, sy = settled.getData()
        tx, ty = tail.getData()
        if sx is None or len(sx) == 0:
            return (np.zeros(0), np.zeros(0)) if tx is None else (tx, ty)
        if tx is None or len(tx) == 0:
            return sx, sy
        return np.concatenate([sx, tx[1:]]), np.concatenate([sy, ty[1:]])

    def _apply_y_range(self) -> None:
        # A stroke that leaves the corridor's range widens the plot in quarter-range steps: a
        # rising trace moves the axis (and redraws its cached picture) a few times, not per frame.
        bottom, top = self._y_fixed
        step = (top - bottom) / 4
        if np.isfinite(self._y_top_seen) and self._y_top_seen * 1.08 > top:
            top += math.ceil((self._y_top_seen * 1.08 - top) / step) * step
        if np.isfinite(self._y_bottom_seen):
            want = self._y_bottom_seen - 0.05 * abs(top - bottom)
            if want < bottom:
                bottom -= math.ceil((bottom - want) / step) * step
        if (bottom, top) != self._y_shown:
            self._y_shown = (bottom, top)
            self.getPlotItem().setYRange(bottom, top, padding=0.0)

    # -- messages over the plot ------------------------------------------------------------------
    def set_message(self, text: str | None) -> None:
        """A line of text over the plot (why nothing is drawn), or None to remove it."""
        if not text:
            self._message.hide()
            return
        bottom, top = self._y_fixed
        self._message.setText(text)
        self._message.setPos(X_MAX_PCT / 2, (bottom + top) / 2)
        self._message.show()

    def message(self) -> str | None:
        return self._message.toPlainText() if self._message.isVisible() else None
