"""The rolling strip: the last ten seconds of force and angle, strokes and gaps shaded.

Strokes are shaded in light blue as the segmenter finds them (a stroke in progress is shaded up to
now); gaps in the data (a disconnect, lost samples, an overflow, a device reset) are hatched grey,
so missing data is shown where it happened and never drawn over as if nothing were missing.

Time runs on a fixed axis, seconds before now (-10 to 0): the newest sample is always at the right
edge and the data move, not the axis. That is what keeps the strip cheap at display rate. A
scrolling axis re-lays out its tick labels and grid on every frame, which cost more than the curves
themselves; a fixed one is drawn once and kept as a pixmap (as is each y axis, whose range only
moves when the data leave it or shrink well inside it).

Performance: the curves are float64, 1 px wide, min/max-decimated to the plot's pixels and clipped
to the view, and are redrawn from the display timer, never per sample. Shades are plain rectangles
(no Python in their paint) held by one group per plot that is moved once a frame; they are recycled
as they scroll out of the window, so an eight-hour session holds as many graphics items as a
one-minute one.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsSimpleTextItem

from ui.theme import LIGHT, Theme

WINDOW_S = 10.0
#: Points per curve per pixel of plot width after min/max decimation (a min and a max per pixel).
POINTS_PER_PIXEL = 2
MAX_SHADES = 48  # hard bound on shaded regions per plot, whatever the stroke rate
#: Smallest y span shown (force in N, angle in degrees): a still tool is not blown up into noise.
MIN_SPAN = (2.0, 10.0)


def peak_decimate(t: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` points keeping each bucket's minimum and maximum, in time order.

    Peaks survive (a force spike is never averaged away), which is what a strip chart is for.
    """
    n = len(t)
    if n <= max_points or max_points < 4:
        return t, y
    buckets = max_points // 2
    k = int(np.ceil(n / buckets))
    m = (n // k) * k
    tb = t[:m].reshape(-1, k)
    yb = y[:m].reshape(-1, k)
    i_min = np.argmin(yb, axis=1)
    i_max = np.argmax(yb, axis=1)
    first = np.minimum(i_min, i_max)
    second = np.maximum(i_min, i_max)
    rows = np.arange(len(yb))
    t_out = np.column_stack([tb[rows, first], tb[rows, second]]).ravel()
    y_out = np.column_stack([yb[rows, first], yb[rows, second]]).ravel()
    if m < n:
        t_out = np.append(t_out, t[m:][[0, -1]])
        y_out = np.append(y_out, y[m:][[0, -1]])
    return t_out, y_out


def opaque_over(colour: QColor, background: QColor) -> QColor:
    """The solid colour a translucent ``colour`` shows over ``background``.

    Shades lie on the bare plot background (grid and curves are drawn above them), so a solid
    fill looks the same as a translucent one and costs a plain fill instead of a blend.
    """
    a = colour.alphaF()
    return QColor(
        round(a * colour.red() + (1 - a) * background.red()),
        round(a * colour.green() + (1 - a) * background.green()),
        round(a * colour.blue() + (1 - a) * background.blue()),
    )


def nice_step(raw: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten that is at least ``raw``."""
    if not raw > 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * power >= raw * (1 - 1e-12):
            return factor * power
    return 10.0 * power


def sticky_range(
    current: tuple[float, float] | None, lo: float, hi: float, min_span: float
) -> tuple[float, float] | None:
    """A new y range for data from ``lo`` to ``hi``, or None to keep ``current``.

    It grows at once when the data leave it and shrinks only when they use less than a third of
    it, with edges on round steps: the axis (and so its cached picture) changes a few times a
    minute rather than every frame, and the trace does not breathe with every stroke.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    centre, half = (lo + hi) / 2, max(hi - lo, min_span) / 2
    want_lo, want_hi = centre - 1.1 * half, centre + 1.1 * half
    if current is not None:
        c_lo, c_hi = current
        if lo >= c_lo and hi <= c_hi and (c_hi - c_lo) <= 3 * (want_hi - want_lo):
            return None
    step = nice_step((want_hi - want_lo) / 4)
    return math.floor(want_lo / step) * step, math.ceil(want_hi / step) * step


@dataclass
class _Shade:
    """A shaded span in session seconds: one rectangle per plot, and a word for a gap."""

    start_s: float
    end_s: float
    items: list[QGraphicsRectItem]
    label: QGraphicsSimpleTextItem | None = None


class StripChart(pg.GraphicsLayoutWidget):
    def __init__(self, theme: Theme = LIGHT, window_s: float = WINDOW_S) -> None:
        super().__init__()
        self.window_s = window_s
        self._theme = theme
        self._force_plot = self.addPlot(row=0, col=0)
        self._angle_plot = self.addPlot(row=1, col=0)
        self._plots = (self._force_plot, self._angle_plot)
        # Shades live in session seconds inside one group per plot; the group is moved by -now
        # each frame, so scrolling is one transform, not one call per shade.
        self._groups: list[pg.ItemGroup] = []
        self._y_ranges: list[tuple[float, float] | None] = [None, None]
        for i, plot in enumerate(self._plots):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            # No clipping or downsampling by pyqtgraph: show_data hands over the window alone,
            # already decimated to the pixels, and pyqtgraph's own pass costs a frame's worth.
            plot.enableAutoRange(enable=False)
            plot.setXRange(-window_s, 0.0, padding=0.0)
            plot.setYRange(0.0, 1.0, padding=0.0)
            plot.getAxis("left").setWidth(62)
            for name in ("left", "bottom"):
                # Fixed axes: drawn once into a pixmap, not re-laid out on every frame.
                plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            group = pg.ItemGroup()
            group.setZValue(-20)
            plot.addItem(group, ignoreBounds=True)
            self._groups.append(group)
            plot.getViewBox().sigYRangeChanged.connect(
                lambda *_args, index=i: self._on_y_range(index)
            )
        self._force_plot.getAxis("bottom").setStyle(showValues=False)
        self._force_curve = self._force_plot.plot()
        self._angle_curve = self._angle_plot.plot()
        self._strokes: deque[_Shade] = deque()
        self._gaps: deque[_Shade] = deque()
        self._current: _Shade | None = None
        self._current_growing = False
        self._open_gap_start_s: float | None = None
        self._now_s = 0.0
        self._shown_until_s: float | None = None
        self._masked = False
        self._message = pg.TextItem(anchor=(0.5, 0.5))
        font = QFont()
        font.setPointSize(15)
        font.setBold(True)
        self._message.setFont(font)
        self._force_plot.addItem(self._message, ignoreBounds=True)
        self._message.hide()
        self.apply_theme(theme)

    # -- appearance ------------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setBackground(theme.background)
        tick_font = QFont()
        tick_font.setPointSize(11)
        style = {"color": theme.foreground, "font-size": "12pt"}
        for plot in self._plots:
            plot.showGrid(x=True, y=True, alpha=theme.grid_alpha)
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(theme.foreground, width=1))
                axis.setTextPen(pg.mkPen(theme.foreground))
                axis.setStyle(tickFont=tick_font)
        self._force_plot.setLabel("left", "force (N)", **style)
        self._angle_plot.setLabel("left", "angle (°)", **style)
        self._angle_plot.setLabel("bottom", "time (s, now = 0)", **style)
        self._force_curve.setPen(pg.mkPen(theme.trace, width=1))
        self._angle_curve.setPen(pg.mkPen(theme.trace, width=1))
        self._message.setColor(theme.foreground)
        for shade in self._all_shades():
            self._style_shade(shade, gap=shade in self._gaps)

    def _all_shades(self) -> list[_Shade]:
        shades = [*self._strokes, *self._gaps]
        if self._current is not None:
            shades.append(self._current)
        return shades

    def _style_shade(self, shade: _Shade, gap: bool) -> None:
        if gap:
            brush = QBrush(self._theme.gap_shade, Qt.BrushStyle.BDiagPattern)
        else:
            brush = QBrush(opaque_over(self._theme.stroke_shade, QColor(self._theme.background)))
        for item in shade.items:
            item.setBrush(brush)
        if shade.label is not None:
            shade.label.setBrush(QColor(self._theme.muted))

    # -- data ------------------------------------------------------------------------------------
    def show_data(self, t_s: np.ndarray, force_n: np.ndarray, angle_deg: np.ndarray) -> None:
        """The newest samples (at least the last window); the newest one goes at the right edge."""
        if len(t_s) == 0:
            return
        t = np.asarray(t_s, dtype=np.float64)
        self._now_s = float(t[-1])
        self._shown_until_s = self._now_s
        if self._open_gap_start_s is not None:
            after = t[t > self._open_gap_start_s + 1e-9]
            if len(after):
                self.add_gap(self._open_gap_start_s, float(after[0]), "disconnected")
                self._open_gap_start_s = None
        # Keep the extremes of each pixel column and nothing more: ten seconds at 1 kHz is ten
        # thousand points per curve, a plot a few hundred pixels wide shows a min and a max each.
        width_px = max(int(self._force_plot.getViewBox().width()), 100)
        max_points = POINTS_PER_PIXEL * width_px
        curves = (self._force_curve, self._angle_curve)
        for i, (curve, y) in enumerate(zip(curves, (force_n, angle_deg), strict=True)):
            td, yd = peak_decimate(t, np.asarray(y, dtype=np.float64), max_points)
            finite = bool(np.isfinite(yd).all())
            # Finite by construction (a parser never makes up a sample): skip pyqtgraph's check.
            curve.setData(td - self._now_s, yd, skipFiniteCheck=finite)
            seen = yd[td >= self._now_s - self.window_s]
            if not finite:
                seen = seen[np.isfinite(seen)]
            if len(seen):
                self._fit_y(i, float(seen.min()), float(seen.max()))
        self._scroll_to(self._now_s)

    def _fit_y(self, index: int, lo: float, hi: float) -> None:
        new = sticky_range(self._y_ranges[index], lo, hi, MIN_SPAN[index])
        if new is not None:
            self._y_ranges[index] = new
            self._plots[index].setYRange(*new, padding=0.0)

    def reset(self) -> None:
        """Empty the strip for a new session. (Not ``clear``: GraphicsLayoutWidget binds that
        name to its layout's ``clear``, which would remove the plots themselves.)"""
        self._force_curve.setData([], [])
        self._angle_curve.setData([], [])
        for shade in self._all_shades():
            self._remove(shade)
        self._strokes.clear()
        self._gaps.clear()
        self._current = None
        self._current_growing = False
        self._open_gap_start_s = None
        self._now_s = 0.0
        self._shown_until_s = None
        self._y_ranges = [None, None]
        self._scroll_to(0.0)

    @property
    def shown_until_s(self) -> float | None:
        """The newest sample time the curves hold (None before any data): what the next paint
        puts on screen, so display lag can be told from the sample's arrival."""
        return self._shown_until_s

    def _scroll_to(self, now_s: float) -> None:
        for group in self._groups:
            group.setPos(-now_s, 0.0)
        left = now_s - self.window_s
        self._drop_scrolled_out(left)
        self._grow_current()
        if self._current is not None and self._current.end_s < left:
            self._drop_current()

    # -- shading ---------------------------------------------------------------------------------
    def _span_rect(self, index: int, start_s: float, end_s: float) -> QRectF:
        """A shade's rectangle: the span in time, and well past the plot's y range both ways."""
        lo, hi = self._y_ranges[index] or (0.0, 1.0)
        span = hi - lo
        return QRectF(start_s, lo - span, max(end_s - start_s, 0.0), 3 * span)

    def _new_shade(self, start_s: float, end_s: float, gap: bool, label: str = "") -> _Shade:
        items = []
        for i, group in enumerate(self._groups):
            item = QGraphicsRectItem(self._span_rect(i, start_s, end_s))
            item.setPen(QPen(Qt.PenStyle.NoPen))
            item.setParentItem(group)
            items.append(item)
        text = None
        if label:
            text = QGraphicsSimpleTextItem(label)
            text.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            font = QFont()
            font.setPointSize(11)
            text.setFont(font)
            text.setParentItem(self._groups[0])
            text.setPos(start_s, (self._y_ranges[0] or (0.0, 1.0))[1])
        shade = _Shade(start_s, end_s, items, text)
        self._style_shade(shade, gap)
        return shade

    def _remove(self, shade: _Shade) -> None:
        for item in [*shade.items, shade.label]:
            if item is not None and item.scene() is not None:
                item.scene().removeItem(item)

    def _on_y_range(self, index: int) -> None:
        """Keep the shades taller than the view and the gap words at its top."""
        for shade in self._all_shades():
            item = shade.items[index]
            item.setRect(self._span_rect(index, shade.start_s, shade.end_s))
            if index == 0 and shade.label is not None:
                shade.label.setPos(shade.start_s, self._force_plot.viewRange()[1][1])
        if index == 0 and self._message.isVisible():
            self._place_message()

    def _drop_scrolled_out(self, left_s: float) -> None:
        for shades in (self._strokes, self._gaps):
            while shades and (shades[0].end_s < left_s or len(shades) > MAX_SHADES):
                self._remove(shades.popleft())

    def set_stroke_in_progress(self, start_s: float | None) -> None:
        """Shade from ``start_s`` to now while a stroke goes on.

        None means the contact ended: the shade stops growing but stays, since the segmenter
        confirms a stroke a moment after lift-off (it must rule out a second pulse that belongs to
        the same stroke); ``add_stroke`` then replaces it with the stroke's refined boundaries.
        """
        if start_s is None:
            self._current_growing = False
            return
        if self._current is None:
            self._current = self._new_shade(start_s, max(start_s, self._now_s), gap=False)
        self._current.start_s = start_s
        self._current_growing = True
        self._grow_current()

    def _grow_current(self) -> None:
        current = self._current
        if current is None or not self._current_growing:
            return
        current.end_s = max(self._now_s, current.start_s)
        for i, item in enumerate(current.items):
            item.setRect(self._span_rect(i, current.start_s, current.end_s))

    def _drop_current(self) -> None:
        if self._current is not None:
            self._remove(self._current)
            self._current = None
        self._current_growing = False

    def add_stroke(self, start_s: float, end_s: float) -> None:
        """A finished stroke; replaces the in-progress shading."""
        self._drop_current()
        self._strokes.append(self._new_shade(start_s, end_s, gap=False))
        self._drop_scrolled_out(self._now_s - self.window_s)

    def add_gap(self, start_s: float, end_s: float, label: str) -> None:
        """Missing data from ``start_s`` to ``end_s`` (hatched, with a word saying why)."""
        end_s = max(end_s, start_s + 0.02)  # a few lost samples still get a visible mark
        self._gaps.append(self._new_shade(start_s, end_s, gap=True, label=label))
        self._drop_scrolled_out(self._now_s - self.window_s)

    def open_gap(self, start_s: float) -> None:
        """The tool went away at ``start_s``: the gap is closed by the first sample after it."""
        self._open_gap_start_s = start_s

    def shade_counts(self) -> tuple[int, int]:
        """(stroke shades, gap shades) held now: bounded however long the session runs."""
        return len(self._strokes) + (self._current is not None), len(self._gaps)

    # -- masking ---------------------------------------------------------------------------------
    def set_masked(self, text: str | None) -> None:
        """Hide the curves behind a message (a schedule without live feedback), or show them."""
        visible = not text
        if self._masked == (not visible) and (not text or self._message.toPlainText() == text):
            return  # called every frame: nothing to change, nothing to repaint
        self._masked = not visible
        self._force_curve.setVisible(visible)
        self._angle_curve.setVisible(visible)
        for group in self._groups:
            group.setVisible(visible)
        if text:
            self._message.setText(text)
            self._message.show()
            self._place_message()
        else:
            self._message.hide()

    def _place_message(self) -> None:
        (x0, x1), (y0, y1) = self._force_plot.viewRange()
        self._message.setPos((x0 + x1) / 2, (y0 + y1) / 2)

    def curve_data(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The force curve as drawn: x in seconds before the newest sample."""
        return self._force_curve.getData()
