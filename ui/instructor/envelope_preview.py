"""The envelope taking shape: every expert stroke overlaid, the band over them, and its check.

While an instructor records, each stroke appears as a thin curve over 0 to 100 % of its own
duration (the normalised curve the envelope is built from); once three strokes are in, the band
(mean ± prediction band) and its dashed mean are drawn over them. Strokes the builder flags as
outliers are drawn dashed in the warning colour and strokes the instructor dropped dotted and
faint, so what goes into the band is visible at a glance, and told by line style as well as
colour. The calibration panel gives the leave-one-out figures against their targets, each with a
tick or a cross and the builder's own note in words.

Draws what it is given; it never builds an envelope (that runs off the GUI thread elsewhere).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from trainer.scoring.envelope_build import EnvelopeBuild
from trainer.scoring.leave_one_out import MEDIAN_TARGET, P5_TARGET
from ui.theme import LIGHT, Theme, configure_pyqtgraph

configure_pyqtgraph()  # the current theme's defaults for the plots made here

_KEPT_ALPHA = 150
_DROPPED_ALPHA = 90


class CurveKind(enum.Enum):
    KEPT = "kept"
    FLAGGED = "flagged"  # kept, but the builder thinks it an outlier
    DROPPED = "dropped"  # left out by the instructor


@dataclass(frozen=True, eq=False)
class ExpertCurve:
    """One expert stroke's normalised curves (101 points each; angle may be None)."""

    index: int
    force_n: np.ndarray
    angle_deg: np.ndarray | None
    kind: CurveKind


def _with_alpha(colour: str, alpha: int) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


class OverlayPlot(pg.PlotWidget):
    """Expert curves of one quantity over 0 to 100 % of the stroke, with the band if built."""

    def __init__(self, title: str, theme: Theme = LIGHT, legend: bool = False) -> None:
        super().__init__()
        self._title = title
        self._theme = theme
        self._curves: list[tuple[ExpertCurve, pg.PlotDataItem]] = []
        self._selected: int | None = None
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self.setMouseEnabled(x=False, y=False)
        plot.setXRange(0.0, 100.0, padding=0.02)
        plot.enableAutoRange(axis="x", enable=False)
        plot.enableAutoRange(axis="y", enable=True)
        self._lo = pg.PlotDataItem()
        self._hi = pg.PlotDataItem()
        self._band = pg.FillBetweenItem(self._lo, self._hi)
        self._mean = pg.PlotDataItem()
        for item in (self._band, self._lo, self._hi, self._mean):
            plot.addItem(item)
        self._band.setZValue(-10)
        self._mean.setZValue(20)
        # Legend samples are stand-ins never added to the plot (a FillBetweenItem cannot be one).
        self._sample_kept = pg.PlotDataItem()
        self._sample_flagged = pg.PlotDataItem()
        self._sample_dropped = pg.PlotDataItem()
        self._sample_band = pg.PlotDataItem(fillLevel=0.0)
        self._legend = None
        if legend:
            # Bottom centre, in two columns: the strokes are high there only at the edges.
            self._legend = plot.addLegend(labelTextSize="11pt", colCount=2)
            self._legend.anchor(itemPos=(0.5, 1.0), parentPos=(0.5, 1.0), offset=(0, -6))
            self._legend.addItem(self._sample_kept, "expert stroke")
            self._legend.addItem(self._sample_flagged, "flagged as outlier")
            self._legend.addItem(self._sample_dropped, "dropped")
            self._legend.addItem(self._sample_band, "band (mean ± prediction band)")
            self._legend.addItem(self._mean, "mean")
        self._message = pg.TextItem(anchor=(0.5, 0.5))
        font = QFont()
        font.setPointSize(14)
        self._message.setFont(font)
        plot.addItem(self._message, ignoreBounds=True)
        self._message.hide()
        self.apply_theme(theme)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setBackground(theme.background)
        plot = self.getPlotItem()
        plot.showGrid(x=True, y=True, alpha=theme.grid_alpha)
        axis_font = QFont()
        axis_font.setPointSize(11)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(theme.foreground, width=1))
            axis.setTextPen(pg.mkPen(theme.foreground))
            axis.setStyle(tickFont=axis_font)
        style = {"color": theme.foreground, "font-size": "12pt"}
        plot.setLabel("left", self._title, **style)
        plot.setLabel("bottom", "% of the stroke", **style)
        edge = pg.mkPen(theme.band_edge, width=1)
        self._lo.setPen(edge)
        self._hi.setPen(edge)
        self._band.setBrush(pg.mkBrush(theme.band_fill))
        self._sample_band.setPen(edge)
        self._sample_band.setFillBrush(pg.mkBrush(theme.band_fill))
        self._mean.setPen(pg.mkPen(theme.mean, width=3, style=Qt.PenStyle.DashLine))
        self._sample_kept.setPen(self._pen(CurveKind.KEPT, False))
        self._sample_flagged.setPen(self._pen(CurveKind.FLAGGED, False))
        self._sample_dropped.setPen(self._pen(CurveKind.DROPPED, False))
        self._message.setColor(theme.muted)
        for curve, item in self._curves:
            item.setPen(self._pen(curve.kind, curve.index == self._selected))
        if self._legend is not None:
            self._legend.setBrush(pg.mkBrush(_with_alpha(theme.background, 210)))
            self._legend.setLabelTextColor(theme.foreground)
            for _sample, label in self._legend.items:
                label.setText(label.text, color=theme.foreground)

    def _pen(self, kind: CurveKind, selected: bool) -> QPen:
        theme = self._theme
        width = 3 if selected else 1.5
        if kind is CurveKind.FLAGGED:
            return pg.mkPen(theme.out_of_band, width=width + 0.5, style=Qt.PenStyle.DashLine)
        if kind is CurveKind.DROPPED:
            colour = _with_alpha(theme.muted, 255 if selected else _DROPPED_ALPHA)
            return pg.mkPen(colour, width=width, style=Qt.PenStyle.DotLine)
        colour = _with_alpha(theme.trace, 255 if selected else _KEPT_ALPHA)
        return pg.mkPen(colour, width=width)

    # -- content ---------------------------------------------------------------------------------
    def set_curves(self, curves: Sequence[tuple[ExpertCurve, np.ndarray]], selected: int | None):
        """``curves`` pairs each stroke with the values to draw for this quantity."""
        plot = self.getPlotItem()
        while len(self._curves) > len(curves):
            _, item = self._curves.pop()
            plot.removeItem(item)
        while len(self._curves) < len(curves):
            item = pg.PlotDataItem()
            plot.addItem(item)
            self._curves.append((curves[0][0], item))
        self._selected = selected
        x = np.linspace(0.0, 100.0, 101)
        for i, (curve, y) in enumerate(curves):
            item = self._curves[i][1]
            self._curves[i] = (curve, item)
            values = np.asarray(y, dtype=np.float64)
            item.setData(np.linspace(0.0, 100.0, len(values)) if len(values) != 101 else x, values)
            is_selected = curve.index == selected
            item.setPen(self._pen(curve.kind, is_selected))
            # Dropped under kept under flagged; the selected stroke on top of all.
            z = {CurveKind.DROPPED: 0, CurveKind.KEPT: 5, CurveKind.FLAGGED: 8}[curve.kind]
            item.setZValue(30 if is_selected else z)
        self._show_message("" if curves else "Strokes appear here as they are recorded.")

    def set_band(self, lo: np.ndarray | None, mu: np.ndarray | None, hi: np.ndarray | None):
        if lo is None or mu is None or hi is None:
            for item in (self._lo, self._hi, self._mean):
                item.setData([], [])
            return
        x = np.linspace(0.0, 100.0, len(mu))
        self._lo.setData(x, lo)
        self._hi.setData(x, hi)
        self._mean.setData(x, mu)

    def _show_message(self, text: str) -> None:
        if not text:
            self._message.hide()
            return
        self._message.setText(text)
        (x0, x1), (y0, y1) = self.getPlotItem().viewRange()
        self._message.setPos((x0 + x1) / 2, (y0 + y1) / 2)
        self._message.show()

    # -- reading back ----------------------------------------------------------------------------
    def curve_count(self) -> int:
        return len(self._curves)

    def band_shown(self) -> bool:
        x, _ = self._mean.getData()
        return x is not None and len(x) > 0

    def kinds(self) -> dict[int, CurveKind]:
        return {curve.index: curve.kind for curve, _ in self._curves}


class EnvelopePreview(QWidget):
    """Force above angle: the overlaid expert strokes and, once built, the band."""

    def __init__(self, theme: Theme = LIGHT) -> None:
        super().__init__()
        self.force_plot = OverlayPlot("force (N)", theme, legend=True)
        self.angle_plot = OverlayPlot("angle (°)", theme)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.force_plot, 3)
        layout.addWidget(self.angle_plot, 2)

    def apply_theme(self, theme: Theme) -> None:
        self.force_plot.apply_theme(theme)
        self.angle_plot.apply_theme(theme)

    def show_curves(self, curves: Sequence[ExpertCurve], selected: int | None = None) -> None:
        self.force_plot.set_curves([(c, c.force_n) for c in curves], selected)
        self.angle_plot.set_curves(
            [(c, c.angle_deg) for c in curves if c.angle_deg is not None], selected
        )

    def show_build(self, build: EnvelopeBuild | None) -> None:
        """The band of ``build``, or none (fewer than three strokes kept)."""
        if build is None:
            self.force_plot.set_band(None, None, None)
            self.angle_plot.set_band(None, None, None)
            return
        env = build.envelope
        self.force_plot.set_band(env.force_lo_n, env.force_mu_n, env.force_hi_n)
        if env.has_angle:
            self.angle_plot.set_band(env.angle_lo_deg, env.angle_mu_deg, env.angle_hi_deg)
        else:
            self.angle_plot.set_band(None, None, None)


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "–"
    mark = "✓" if value >= target else "✗"
    return f"{value:.0f} {mark}  (target ≥ {target:.0f})"


class CalibrationPanel(QGroupBox):
    """The envelope's own check: how the experts' strokes score against the others'."""

    _ROWS = (
        ("strokes", "Strokes used", "Expert strokes the band is built from"),
        (
            "band",
            "Band",
            "Mean ± this many standard deviations: a 95 % prediction band for one more stroke of "
            "the same expert, never narrower than the floor",
        ),
        (
            "median",
            "Own median score",
            "Each expert stroke scored against an envelope of the others (leave-one-out); the "
            "median should be 90 or more",
        ),
        (
            "p5",
            "Own 5th percentile",
            "The 5th percentile of the same leave-one-out scores; it should be 75 or more",
        ),
        ("outliers", "Flagged as outliers", "Strokes the functional boxplot screening flags"),
    )

    def __init__(self) -> None:
        super().__init__("Envelope check (leave-one-out)")
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        bold = QFont()
        bold.setPointSize(14)
        bold.setBold(True)
        self._values: dict[str, QLabel] = {}
        for i, (key, label, tip) in enumerate(self._ROWS):
            name = QLabel(label)
            name.setToolTip(tip)
            value = QLabel("–")
            value.setToolTip(tip)
            value.setFont(bold)
            value.setWordWrap(True)  # "96 ✓ (target ≥ 90)" wraps in a narrow column, never clipped
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, i, 0)
            grid.addWidget(value, i, 1)
            self._values[key] = value
        self.note = QLabel("Record at least 3 strokes (10 to 20 give a reliable envelope).")
        self.note.setWordWrap(True)
        grid.addWidget(self.note, len(self._ROWS), 0, 1, 2)
        grid.setColumnStretch(1, 1)

    def show_pending(self, text: str) -> None:
        for label in self._values.values():
            label.setText("–")
        self.note.setText(text)

    def show_build(self, build: EnvelopeBuild, total: int) -> None:
        env = build.envelope
        cal = build.calibration
        self._values["strokes"].setText(f"{env.n_strokes} of {total}")
        self._values["band"].setText(f"mean ± {env.band_multiplier:.2f} SD")
        angle = f" and ±{env.angle_floor_deg:.0f}°" if env.has_angle else ""
        self._values["band"].setToolTip(
            f"A 95 % prediction band for one more stroke of the same expert, never narrower "
            f"than ±{env.force_floor_n:.2f} N{angle}"
        )
        self._values["median"].setText(_verdict(cal.median, MEDIAN_TARGET))
        self._values["p5"].setText(_verdict(cal.p5, P5_TARGET))
        flagged = build.outlier_indices
        self._values["outliers"].setText(
            "none" if not flagged else f"{len(flagged)}: stroke {', '.join(map(str, flagged))}"
        )
        self.note.setText(cal.note[:1].upper() + cal.note[1:] + "." if cal.note else "")

    def value(self, key: str) -> str:
        return self._values[key].text()
