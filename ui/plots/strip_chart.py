"""The rolling strip: the last ten seconds of force and angle, strokes and gaps shaded.

Strokes are shaded in light blue as the segmenter finds them (a stroke in progress is shaded up to
now); gaps in the data (a disconnect, lost samples, an overflow, a device reset) are hatched grey,
so missing data is shown where it happened and never drawn over as if nothing were missing.

Time runs on a fixed axis, seconds before now (-10 to 0): the newest sample is always at the right
edge and the data move, not the axis.

Performance: this is the one plot that changes on every display frame, whatever the trainee does,
so it is a plain widget that paints itself rather than a pyqtgraph scene. A scene of items spent
more than a millisecond a frame in Python (bounding boxes, item bookkeeping, path building) for a
picture that is a background, two polylines and a few rectangles. Here the axes, grid and labels
are drawn once into a pixmap (again only when the size, the theme or a y range changes), and a
frame is that pixmap, the shades, and two polylines of at most a min and a max per pixel column
(float64, 1 px, written straight into the polygons' memory). Shades are held in bounded deques, so
an eight-hour session holds as many as a one-minute one.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen, QPolygonF

from ui.plots.plot_painting import (
    PaintedPlot,
    draw_title_below,
    draw_turned_title,
    draw_value_ticks,
    nice_step,
    polygon,
)
from ui.theme import LIGHT, Theme, figure_font

WINDOW_S = 10.0
#: Points per curve per pixel of plot width after min/max decimation (a min and a max per pixel).
POINTS_PER_PIXEL = 2
MAX_SHADES = 48  # hard bound on shaded regions per plot, whatever the stroke rate
#: Smallest y span shown (force in N, angle in degrees): a still tool is not blown up into noise.
MIN_SPAN = (2.0, 10.0)
TICK_FONT_PT = 11
LABEL_FONT_PT = 12
MESSAGE_FONT_PT = 15
_LEFT_PX = 76  # the y label, turned, and the tick values
_RIGHT_PX = 10
_TOP_PX = 6
_GAP_PX = 10  # between the force and the angle plot
_BOTTOM_PX = 44  # time tick values and the time label under the angle plot


class ColumnPeaks:
    """The minimum and maximum of each pixel column of a scrolling curve, column by column.

    Columns are fixed in session time (``column_s`` wide), so a column whose samples have all
    arrived never changes: it is reduced once and kept, and each frame reduces only the samples
    that arrived since. Re-reducing the whole ten-second window every frame cost a fifth of a
    millisecond per curve. Peaks survive (a force spike is never averaged away); a column's two
    points are kept in time order, one if they are the same sample. Not-a-number values are
    passed over (a column of them shows nothing).
    """

    def __init__(self, column_s: float) -> None:
        self.column_s = column_s
        self._t = np.zeros(0)
        self._y = np.zeros(0)
        self._next_column: int | None = None  # the first column not yet complete
        self._last_t = -math.inf

    def update(
        self, t: np.ndarray, y: np.ndarray, keep_from_s: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Take the newest samples (time increasing; those already seen may come again) and
        return the curve from ``keep_from_s`` on: the kept columns and the growing last one."""
        if len(t) == 0:
            return self._t, self._y
        if t[-1] < self._last_t:  # a new session: time started again
            self._t, self._y, self._next_column = np.zeros(0), np.zeros(0), None
        self._last_t = float(t[-1])
        start = 0
        if self._next_column is not None:
            # Only samples from the first incomplete column on (a sample or two earlier, so
            # that rounding at a column's edge cannot leave one out).
            start = max(int(np.searchsorted(t, self._next_column * self.column_s)) - 2, 0)
        t_new, y_new = t[start:], y[start:]
        c_new = np.floor(t_new / self.column_s).astype(np.int64)
        if self._next_column is not None:
            first = int(np.searchsorted(c_new, self._next_column))
            t_new, y_new, c_new = t_new[first:], y_new[first:], c_new[first:]
            if len(t_new) == 0:
                return self._t, self._y
        pt, py, pc = _column_extremes(t_new, y_new, c_new)
        last = int(c_new[-1])
        partial = int(np.searchsorted(pc, last))
        # Complete columns are kept; the last one may still grow and is reduced again next time.
        keep = np.searchsorted(self._t, keep_from_s)
        self._t = np.concatenate((self._t[keep:], pt[:partial]))
        self._y = np.concatenate((self._y[keep:], py[:partial]))
        self._next_column = last
        return np.concatenate((self._t, pt[partial:])), np.concatenate((self._y, py[partial:]))


def _column_extremes(
    t: np.ndarray, y: np.ndarray, columns: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per run of equal ``columns``: the samples with the smallest and largest y, in time order,
    with their column."""
    n = len(t)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(columns)) + 1))
    counts = np.diff(np.append(starts, n))
    run = np.repeat(np.arange(len(starts)), counts)
    index = np.arange(n)
    with np.errstate(invalid="ignore"):
        lows = np.fmin.reduceat(y, starts)
        highs = np.fmax.reduceat(y, starts)
        i_low = np.minimum.reduceat(np.where(y == lows[run], index, n), starts)
        i_high = np.minimum.reduceat(np.where(y == highs[run], index, n), starts)
    found = i_low < n  # False for a column of NaN
    first = np.minimum(i_low, i_high)[found]
    second = np.maximum(i_low, i_high)[found]
    picks = np.column_stack((first, second)).ravel()
    picks = picks[np.column_stack((np.ones_like(first, dtype=bool), second != first)).ravel()]
    return t[picks], y[picks], columns[picks]


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
    """A shaded span in session seconds, with a word for a gap."""

    start_s: float
    end_s: float
    label: str = ""


class StripChart(PaintedPlot):
    """Force over angle, the last ``window_s`` seconds, newest at the right edge."""

    def __init__(self, theme: Theme = LIGHT, window_s: float = WINDOW_S) -> None:
        super().__init__(theme, self._draw_static, minimum=QSize(240, 140), hint=QSize(520, 300))
        self.window_s = window_s
        self._y_ranges: list[tuple[float, float] | None] = [None, None]
        self._curves: list[tuple[np.ndarray, np.ndarray] | None] = [None, None]  # t, y decimated
        self._peaks = [ColumnPeaks(0.0), ColumnPeaks(0.0)]
        self._strokes: deque[_Shade] = deque()
        self._gaps: deque[_Shade] = deque()
        self._current: _Shade | None = None
        self._current_growing = False
        self._open_gap_start_s: float | None = None
        self._now_s = 0.0
        self._shown_until_s: float | None = None
        self._masked = False
        self._message = ""
        self._grid: list[list[QLineF]] = [[], []]  # per plot, laid out with the static picture
        #: A device without angle (a force plate): the force plot takes the angle plot's room.
        self._with_angle = True
        self._tick_font = figure_font(TICK_FONT_PT, bold=False)
        self._label_font = figure_font(LABEL_FONT_PT, bold=False)
        self._message_font = figure_font(MESSAGE_FONT_PT)

    def _update_data(self) -> None:
        """Repaint the plots' insides; the axes around them have not changed (unless the static
        picture was dropped, which repaints everything)."""
        if not self._static.valid:
            self.update()
        else:
            self.update(self._plot_rect(0).united(self._plot_rect(1)).toAlignedRect())

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
        column_s = self.window_s / max(int(self._plot_rect(0).width()), 100)
        if self._peaks[0].column_s != column_s:
            self._peaks = [ColumnPeaks(column_s), ColumnPeaks(column_s)]
        left = self._now_s - self.window_s
        for i, y in enumerate((force_n, angle_deg)):
            td, yd = self._peaks[i].update(t, np.asarray(y, dtype=np.float64), left - column_s)
            self._curves[i] = (td, yd)
            seen = yd[td >= left]
            if len(seen):
                self._fit_y(i, float(seen.min()), float(seen.max()))
        self._drop_scrolled_out(left)
        self._grow_current()
        if self._current is not None and self._current.end_s < left:
            self._drop_current()
        self._update_data()

    def _fit_y(self, index: int, lo: float, hi: float) -> None:
        new = sticky_range(self._y_ranges[index], lo, hi, MIN_SPAN[index])
        if new is not None:
            self._y_ranges[index] = new
            self._static.invalidate()  # the y axis is part of the picture

    def reset(self) -> None:
        """Empty the strip for a new session."""
        self._curves = [None, None]
        self._peaks = [ColumnPeaks(0.0), ColumnPeaks(0.0)]
        self._strokes.clear()
        self._gaps.clear()
        self._current = None
        self._current_growing = False
        self._open_gap_start_s = None
        self._now_s = 0.0
        self._shown_until_s = None
        self._y_ranges = [None, None]
        self._invalidate_static()

    @property
    def shown_until_s(self) -> float | None:
        """The newest sample time the curves hold (None before any data): what the next paint
        puts on screen, so display lag can be told from the sample's arrival."""
        return self._shown_until_s

    def curve_data(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The force curve as drawn: x in seconds before the newest sample."""
        curve = self._curves[0]
        if curve is None:
            return None, None
        return curve[0] - self._now_s, curve[1]

    def y_range(self, index: int) -> tuple[float, float]:
        """The y range shown by the force (0) or the angle (1) plot."""
        return self._y_ranges[index] or (0.0, 1.0)

    # -- shading ---------------------------------------------------------------------------------
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
            self._current = _Shade(start_s, max(start_s, self._now_s))
        self._current.start_s = start_s
        self._current_growing = True
        self._grow_current()
        self._update_data()

    def _grow_current(self) -> None:
        current = self._current
        if current is not None and self._current_growing:
            current.end_s = max(self._now_s, current.start_s)

    def _drop_current(self) -> None:
        self._current = None
        self._current_growing = False

    def add_stroke(self, start_s: float, end_s: float) -> None:
        """A finished stroke; replaces the in-progress shading."""
        self._drop_current()
        self._strokes.append(_Shade(start_s, end_s))
        self._drop_scrolled_out(self._now_s - self.window_s)
        self._update_data()

    def add_gap(self, start_s: float, end_s: float, label: str) -> None:
        """Missing data from ``start_s`` to ``end_s`` (hatched, with a word saying why)."""
        end_s = max(end_s, start_s + 0.02)  # a few lost samples still get a visible mark
        self._gaps.append(_Shade(start_s, end_s, label))
        self._drop_scrolled_out(self._now_s - self.window_s)
        self._update_data()

    def open_gap(self, start_s: float) -> None:
        """The tool went away at ``start_s``: the gap is closed by the first sample after it."""
        self._open_gap_start_s = start_s

    def gaps(self) -> list[tuple[float, float, str]]:
        """The gaps held now: (start, end, word), oldest first."""
        return [(g.start_s, g.end_s, g.label) for g in self._gaps]

    def shade_counts(self) -> tuple[int, int]:
        """(stroke shades, gap shades) held now: bounded however long the session runs."""
        return len(self._strokes) + (self._current is not None), len(self._gaps)

    def _drop_scrolled_out(self, left_s: float) -> None:
        for shades in (self._strokes, self._gaps):
            while shades and (shades[0].end_s < left_s or len(shades) > MAX_SHADES):
                shades.popleft()

    # -- masking ---------------------------------------------------------------------------------
    def set_masked(self, text: str | None) -> None:
        """Hide the curves and shades behind a message (a schedule without live feedback)."""
        masked, message = bool(text), text or ""
        if (masked, message) == (self._masked, self._message):
            return  # called every frame: nothing to change, nothing to repaint
        self._masked, self._message = masked, message
        self.update()

    @property
    def masked(self) -> bool:
        return self._masked

    def message(self) -> str | None:
        return self._message or None

    def set_with_angle(self, with_angle: bool) -> None:
        """Show the angle plot (a tool) or give its room to force (a force plate, no angle)."""
        if with_angle != self._with_angle:
            self._with_angle = with_angle
            self._static.invalidate()
            self.update()

    @property
    def with_angle(self) -> bool:
        return self._with_angle

    def _panels(self) -> tuple[int, ...]:
        return (0, 1) if self._with_angle else (0,)

    # -- geometry --------------------------------------------------------------------------------
    def _plot_rect(self, index: int) -> QRectF:
        """Where plot ``index`` (0 force, 1 angle) draws its data, in widget pixels. Without an
        angle the force plot fills both, and the angle's is an empty strip at its foot (where the
        time axis goes)."""
        width = max(self.width() - _LEFT_PX - _RIGHT_PX, 10)
        if not self._with_angle:
            full = max(self.height() - _TOP_PX - _BOTTOM_PX, 10.0)
            if index == 0:
                return QRectF(_LEFT_PX, _TOP_PX, width, full)
            return QRectF(_LEFT_PX, _TOP_PX + full, width, 0.0)
        height = max((self.height() - _TOP_PX - _GAP_PX - _BOTTOM_PX) / 2, 10.0)
        top = _TOP_PX + index * (height + _GAP_PX)
        return QRectF(_LEFT_PX, top, width, height)

    # -- painting --------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        self._static.paint(self, p)
        th = self._theme
        left_s = self._now_s - self.window_s
        grid = QColor(th.foreground)
        grid.setAlphaF(th.grid_alpha)
        for i in self._panels():
            rect = self._plot_rect(i)
            p.save()
            p.setClipRect(rect)
            if not self._masked:
                self._paint_shades(p, i, rect, left_s)
            # The grid goes over the shades, which can then be solid: a solid fill is a plain
            # copy, a translucent one a blend of every pixel, every frame.
            p.setPen(QPen(grid, 1))
            p.drawLines(self._grid[i])
            if not self._masked:
                curve = self._curves[i]
                if curve is not None and len(curve[0]) > 1:
                    p.setPen(QPen(QColor(th.trace), 1))
                    p.drawPolyline(self._polygon(i, rect, *curve))
            p.restore()
        if self._masked:
            p.setFont(self._message_font)
            p.setPen(QColor(th.foreground))
            p.drawText(
                self._plot_rect(0).united(self._plot_rect(1)),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._message,
            )
        p.end()

    def _polygon(self, index: int, rect: QRectF, t: np.ndarray, y: np.ndarray) -> QPolygonF:
        lo, hi = self.y_range(index)
        x_px = rect.left() + (t - (self._now_s - self.window_s)) * (rect.width() / self.window_s)
        y_px = rect.bottom() - (y - lo) * (rect.height() / (hi - lo))
        # A missing value (NaN) cannot be drawn: it is put on the bottom edge, never made up.
        return polygon(x_px, np.where(np.isfinite(y_px), y_px, rect.bottom()))

    def _paint_shades(self, p: QPainter, index: int, rect: QRectF, left_s: float) -> None:
        th = self._theme
        scale = rect.width() / self.window_s

        def span(shade: _Shade) -> QRectF:
            x0 = rect.left() + (shade.start_s - left_s) * scale
            x1 = rect.left() + (shade.end_s - left_s) * scale
            return QRectF(x0, rect.top(), max(x1 - x0, 1.0), rect.height())

        stroke_brush = QBrush(opaque_over(th.stroke_shade, QColor(th.background)))
        strokes = list(self._strokes)
        if self._current is not None:
            strokes.append(self._current)
        for shade in strokes:
            p.fillRect(span(shade), stroke_brush)
        gap_brush = QBrush(th.gap_shade, Qt.BrushStyle.BDiagPattern)
        for shade in self._gaps:
            p.fillRect(span(shade), gap_brush)
        if index == 0 and self._gaps:
            p.setFont(self._tick_font)
            p.setPen(QColor(th.muted))
            ascent = QFontMetrics(self._tick_font).ascent()
            for shade in self._gaps:
                if shade.label:
                    at = span(shade)
                    p.drawText(QPointF(at.left() + 2, rect.top() + ascent + 1), shade.label)

    def _draw_static(self, p: QPainter) -> None:
        """Background, frames, tick values and axis titles, and the grid's layout: all that does
        not move."""
        th = self._theme
        p.fillRect(self.rect(), QColor(th.background))
        fg = QColor(th.foreground)
        tick_height = QFontMetrics(self._tick_font).height()
        for i, label in enumerate(("force (N)", "angle (°)")):
            if i not in self._panels():
                self._grid[i] = []
                continue
            rect = self._plot_rect(i)
            lo, hi = self.y_range(i)
            heights = draw_value_ticks(
                p, rect, lo, hi, nice_step((hi - lo) / 4), self._tick_font, fg
            )
            # Grid: a line a second and one at each y tick, drawn over the shades every frame.
            self._grid[i] = [
                *(QLineF(x, rect.top(), x, rect.bottom()) for x in self._second_lines_x(rect)),
                *(QLineF(rect.left(), y, rect.right(), y) for y in heights),
            ]
            p.setPen(QPen(fg, 1))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect)
            draw_turned_title(p, label, 4, rect, self._label_font)
        rect = self._plot_rect(1)
        p.setFont(self._tick_font)
        for k in range(0, int(self.window_s) + 1, 2):
            x = rect.left() + k * rect.width() / self.window_s
            p.drawLine(QPointF(x, rect.bottom()), QPointF(x, rect.bottom() + 4))
            value = k - self.window_s
            if value != 0:  # "now" is the edge itself; the title below says so
                p.drawText(
                    QRectF(x - 20, rect.bottom() + 4, 40, tick_height),
                    Qt.AlignmentFlag.AlignHCenter,
                    f"{value:g}",
                )
        draw_title_below(p, rect, "time (s, now = 0)", 4 + tick_height, self._label_font)

    def _second_lines_x(self, rect: QRectF) -> list[float]:
        return [
            rect.left() + k * rect.width() / self.window_s for k in range(1, int(self.window_s))
        ]
