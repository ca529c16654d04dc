"""A whole recording at a glance: force and angle over time, strokes shaded, gaps hatched.

The review screen needs the entire recording, not the training screen's rolling ten seconds: where
the strokes were, how regular they came, and where data is missing. Strokes are shaded in light
blue, the selected one more strongly; gaps named in the recording's event log (a disconnect, lost
samples, an overflow, a device reset) are hatched grey with a word saying why, so missing data is
never drawn over as if nothing were missing. Time can be zoomed and panned with the mouse;
clicking on a stroke selects it.

All strokes and all gaps are each drawn as one item, so an hour-long recording with thousands of
strokes costs no more graphics items than a short one; curves are peak-downsampled to the view.
Draws only what it is given: it never reads a file or scores anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from ui.theme import LIGHT, Theme, configure_pyqtgraph

configure_pyqtgraph()  # the current theme's defaults for the plots made here

MAX_GAP_LABELS = 40  # beyond this many the hatching alone tells the story
#: A click this close (seconds) to a stroke, outside it, still selects it.
CLICK_SLACK_S = 0.25
_SELECTED_ALPHA = 120
GAP_INTERVALS = 5.0
GAP_MIN_S = 0.05


@dataclass(frozen=True)
class Gap:
    """Missing or doubtful data from ``start_s`` to ``end_s`` (equal for an instant)."""

    start_s: float
    end_s: float
    label: str


def gaps_from_events(events: Sequence[dict[str, Any]], t_s: np.ndarray) -> list[Gap]:
    """The gaps a recording's event log names, on the recording's time axis.

    A disconnect lasts until the first sample after it; lost samples and a device reset are
    instants. Events without a time are left out (they happened before the first sample).
    """
    t = np.asarray(t_s, dtype=np.float64)
    gaps: list[Gap] = []
    for ev in events:
        kind = ev.get("event")
        at = ev.get("t_s")
        if not isinstance(at, int | float) or isinstance(at, bool):
            continue
        at = float(at)
        duration = ev.get("duration_s")
        duration = float(duration) if isinstance(duration, int | float) else 0.0
        if kind == "gap":
            gaps.append(Gap(at, at + duration, "gap"))
        elif kind == "overflow":
            gaps.append(Gap(at, at + duration, "overflow"))
        elif kind == "lost":
            gaps.append(Gap(at, at, f"lost {ev.get('count', '?')}"))
        elif kind == "reset":
            gaps.append(Gap(at, at, "device reset"))
        elif kind == "disconnected":
            after = t[t > at + 1e-9]
            end = float(after[0]) if after.size else at
            gaps.append(Gap(at, end, "disconnected"))
    return gaps


def break_at_gaps(t_s: np.ndarray, *curves: np.ndarray) -> tuple[np.ndarray, ...]:
    """The samples with a NaN put into each pause of the time axis, so a line is not drawn over
    missing data. A pause is longer than 5 sample intervals (median) and than 50 ms."""
    t = np.asarray(t_s, dtype=np.float64)
    if t.size < 3:
        return (t, *(np.asarray(c, dtype=np.float64) for c in curves))
    dt = np.diff(t)
    limit = max(GAP_INTERVALS * float(np.median(dt)), GAP_MIN_S)
    at = np.flatnonzero(dt > limit) + 1
    if at.size == 0:
        return (t, *(np.asarray(c, dtype=np.float64) for c in curves))
    middle = (t[at - 1] + t[at]) / 2
    out = [np.insert(t, at, middle)]
    out += [np.insert(np.asarray(c, dtype=np.float64), at, np.nan) for c in curves]
    return tuple(out)


class RecordingStrip(pg.GraphicsLayoutWidget):
    """Force above angle on one time axis; ``stroke_clicked(i)`` names a stroke by position."""

    stroke_clicked = Signal(int)

    def __init__(self, theme: Theme = LIGHT) -> None:
        super().__init__()
        self._theme = theme
        self._force_plot = self.addPlot(row=0, col=0)
        self._angle_plot = self.addPlot(row=1, col=0)
        self._angle_plot.setXLink(self._force_plot)
        self._plots = (self._force_plot, self._angle_plot)
        self._spans = np.empty((0, 2))
        self._gaps: list[Gap] = []
        self._gap_labels: list[pg.TextItem] = []
        self._selected: int | None = None
        self._t_range = (0.0, 1.0)
        self._stroke_bars: list[pg.BarGraphItem] = []
        self._gap_bars: list[pg.BarGraphItem] = []
        self._highlights: list[pg.LinearRegionItem] = []
        for plot in self._plots:
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=True, y=False)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.enableAutoRange(axis="y", enable=True)
            plot.setAutoVisible(y=True)
            plot.getAxis("left").setWidth(62)
            plot.getViewBox().setLimits(xMin=-1.0)
            highlight = pg.LinearRegionItem(values=(0, 0), movable=False)
            for line in highlight.lines:
                line.setPen(pg.mkPen(None))
                line.setHoverPen(pg.mkPen(None))
            highlight.setZValue(-15)
            highlight.hide()
            plot.addItem(highlight, ignoreBounds=True)
            self._highlights.append(highlight)
        self._force_plot.getAxis("bottom").setStyle(showValues=False)
        self._force_curve = self._force_plot.plot()
        self._angle_curve = self._angle_plot.plot()
        self._empty = pg.TextItem("", anchor=(0.5, 0.5))
        font = QFont()
        font.setPointSize(14)
        self._empty.setFont(font)
        self._force_plot.addItem(self._empty, ignoreBounds=True)
        self.scene().sigMouseClicked.connect(self._on_click)
        self._force_plot.getViewBox().sigRangeChanged.connect(self._place_gap_labels)
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
        self._angle_plot.setLabel("bottom", "time in the recording (s)", **style)
        self._force_curve.setPen(pg.mkPen(theme.trace, width=1))
        self._angle_curve.setPen(pg.mkPen(theme.trace, width=1))
        selected = QColor(theme.band_edge)
        selected.setAlpha(_SELECTED_ALPHA)
        for item in self._highlights:
            item.setBrush(QBrush(selected))
            item.setHoverBrush(QBrush(selected))
        self._empty.setColor(theme.muted)
        for label in self._gap_labels:
            label.setColor(theme.muted)
        self._draw_spans()
        self._draw_gaps()

    # -- content ---------------------------------------------------------------------------------
    def show_recording(
        self, t_s: np.ndarray, force_n: np.ndarray, angle_deg: np.ndarray | None
    ) -> None:
        """The recording's samples; the view shows all of it."""
        t = np.asarray(t_s, dtype=np.float64)
        angle = np.full(t.shape, np.nan) if angle_deg is None else angle_deg
        tb, force_b, angle_b = break_at_gaps(t, force_n, angle)
        self._force_curve.setData(tb, force_b, connect="finite")
        if angle_deg is not None:
            self._angle_curve.setData(tb, angle_b, connect="finite")
        else:
            self._angle_curve.setData([], [])
        self._show_angle_row(angle_deg is not None)
        self._t_range = (float(t[0]), float(t[-1])) if t.size > 1 else (0.0, 1.0)
        self._empty.hide()
        self.show_all()

    def _show_angle_row(self, shown: bool) -> None:
        """A recording with no angle (a force plate, a force-only tool) gets no empty angle plot:
        force takes the whole strip and carries the time axis."""
        if shown == self.angle_shown:
            return
        if shown:
            self.ci.addItem(self._angle_plot, row=1, col=0)
        else:
            self.ci.removeItem(self._angle_plot)
        self._angle_plot.setVisible(shown)
        bottom = self._force_plot.getAxis("bottom")
        bottom.setStyle(showValues=not shown)
        style = {"color": self._theme.foreground, "font-size": "12pt"}
        self._force_plot.setLabel("bottom", "" if shown else "time in the recording (s)", **style)
        self._force_plot.showAxis("bottom")

    @property
    def angle_shown(self) -> bool:
        return self._angle_plot.isVisible() and self._angle_plot.scene() is not None

    def clear_recording(self, message: str = "") -> None:
        self._force_curve.setData([], [])
        self._angle_curve.setData([], [])
        self.set_strokes([])
        self.set_gaps([])
        self._t_range = (0.0, 1.0)
        self.show_all()
        self._empty.setText(message)
        self._empty.setPos(0.5, 0.5)
        self._empty.setVisible(bool(message))

    def set_strokes(self, spans: Sequence[tuple[float, float]]) -> None:
        """Every stroke as (start_s, end_s), in list order."""
        self._spans = np.asarray(spans, dtype=np.float64).reshape(-1, 2)
        self._selected = None
        for item in self._highlights:
            item.hide()
        self._draw_spans()

    def set_gaps(self, gaps: Sequence[Gap]) -> None:
        self._gaps = list(gaps)
        self._draw_gaps()

    def select(self, i: int | None) -> None:
        """Mark stroke ``i``; if it is out of view, the view pans to it (keeping its zoom)."""
        if i is None or not 0 <= i < len(self._spans):
            self._selected = None
            for item in self._highlights:
                item.hide()
            return
        self._selected = i
        start, end = (float(v) for v in self._spans[i])
        for item in self._highlights:
            item.setRegion((start, end))
            item.show()
        (x0, x1), _ = self._force_plot.viewRange()
        if start < x0 or end > x1:
            half = (x1 - x0) / 2
            mid = (start + end) / 2
            self._force_plot.setXRange(mid - half, mid + half, padding=0.0)

    def show_all(self) -> None:
        t0, t1 = self._t_range
        self._force_plot.setXRange(t0, t1, padding=0.01)

    # -- reading back (for tests and the screen's captions) --------------------------------------
    @property
    def selected(self) -> int | None:
        return self._selected

    def shade_counts(self) -> tuple[int, int]:
        """(strokes shaded, gaps hatched)."""
        return len(self._spans), len(self._gaps)

    @property
    def force_plot(self) -> pg.PlotItem:
        return self._force_plot

    def x_range(self) -> tuple[float, float]:
        (x0, x1), _ = self._force_plot.viewRange()
        return float(x0), float(x1)

    # -- drawing ---------------------------------------------------------------------------------
    def _bars(
        self,
        old: list[pg.BarGraphItem],
        starts: np.ndarray,
        ends: np.ndarray,
        brush: QBrush,
        pen: Any,
    ) -> list[pg.BarGraphItem]:
        for plot, item in zip(self._plots, old, strict=False):
            plot.removeItem(item)
        if starts.size == 0:
            return []
        items = []
        for plot in self._plots:
            # Tall bars, left out of the plot's bounds: the y range follows the data alone.
            item = pg.BarGraphItem(x0=starts, x1=ends, y0=-1e4, y1=1e4, brush=brush, pen=pen)
            item.setZValue(-20)
            plot.addItem(item, ignoreBounds=True)
            items.append(item)
        return items

    def _draw_spans(self) -> None:
        self._stroke_bars = self._bars(
            self._stroke_bars,
            self._spans[:, 0],
            self._spans[:, 1],
            QBrush(self._theme.stroke_shade),
            pg.mkPen(None),
        )

    def _draw_gaps(self) -> None:
        for label in self._gap_labels:
            self._force_plot.removeItem(label)
        self._gap_labels = []
        starts = np.array([g.start_s for g in self._gaps], dtype=np.float64)
        ends = np.array([g.end_s for g in self._gaps], dtype=np.float64)
        shade = self._theme.gap_shade
        self._gap_bars = self._bars(
            self._gap_bars,
            starts,
            ends,
            QBrush(shade, Qt.BrushStyle.BDiagPattern),
            pg.mkPen(shade, width=2),  # an instant (lost samples, a reset) is still a mark
        )
        font = QFont()
        font.setPointSize(10)
        for gap in self._gaps[:MAX_GAP_LABELS]:
            label = pg.TextItem(gap.label, anchor=(0, 0), color=self._theme.muted)
            label.setFont(font)
            self._force_plot.addItem(label, ignoreBounds=True)
            self._gap_labels.append(label)
        self._place_gap_labels()

    def _place_gap_labels(self, *_args: object) -> None:
        top = self._force_plot.viewRange()[1][1]
        for gap, label in zip(self._gaps, self._gap_labels, strict=False):
            label.setPos(gap.start_s, top)

    def _on_click(self, event: Any) -> None:
        if len(self._spans) == 0:
            return
        pos = event.scenePos()
        for plot in self._plots:
            box = plot.getViewBox()
            if box.sceneBoundingRect().contains(pos):
                x = float(box.mapSceneToView(pos).x())
                i = self.stroke_at(x)
                if i is not None:
                    self.stroke_clicked.emit(i)
                return

    def stroke_at(self, t_s: float) -> int | None:
        """The stroke at ``t_s`` (or within a quarter second of it), by position."""
        if len(self._spans) == 0:
            return None
        starts, ends = self._spans[:, 0], self._spans[:, 1]
        distance = np.maximum(starts - t_s, 0.0) + np.maximum(t_s - ends, 0.0)
        i = int(np.argmin(distance))
        return i if distance[i] <= CLICK_SLACK_S else None
