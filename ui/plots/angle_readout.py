"""The large tool-angle read-out: a number readable from a metre away, against its target band.

A trainee working with both hands glances at the screen between strokes; a plot needs reading, a
big number and a bar do not. The verdict is given in words and an arrow ("▲ 7° too steep") as well
as by the marker's place against the band, never by colour alone.

Shows what it is given; it never reads a session.

Performance: it is told the angle every display frame, but a number that flickers between two
values is unreadable and repainting 64 pt text sixty times a second is not free. The number moves
only when the angle leaves its shown value by more than ``NUMBER_HYSTERESIS_DEG``, the marker only
when it would move by a whole pixel, and the bar's scale and band are kept as a picture.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.plots.plot_painting import StaticPicture
from ui.theme import FIGURE_FONT_PT, LIGHT, READOUT_FONT_PT, Theme, figure_font

#: The shown whole degree changes once the angle is this far from it (half a degree plus a margin).
NUMBER_HYSTERESIS_DEG = 0.75
_MARGIN_PX = 14.0
_BAR_TOP_PX, _BAR_H_PX = 14.0, 26.0


def angle_verdict(angle_deg: float, lo_deg: float, hi_deg: float) -> str:
    """Words for where the angle is against the band (steeper = larger angle to the skin).

    Judged on the whole degrees shown, so that the words agree with the number beside them:
    50.3 degrees against a band of 41 to 50 reads "50" and "in band", never "0 deg too steep".
    """
    shown, lo, hi = round(angle_deg), round(lo_deg), round(hi_deg)
    if shown > hi:
        return f"▲ {shown - hi}° too steep"
    if shown < lo:
        return f"▼ {lo - shown}° too flat"
    return f"✓ in band {lo}–{hi}°"


class BandBar(QWidget):
    """A horizontal scale from ``lo`` to ``hi`` degrees with the band and a marker."""

    def __init__(self, theme: Theme = LIGHT, scale_deg: tuple[float, float] = (0.0, 90.0)) -> None:
        super().__init__()
        self._theme = theme
        self._scale = scale_deg
        self._band: tuple[float, float] | None = None
        self._value: float | None = None
        self._static = StaticPicture(self._draw_static)  # the scale and the band
        self.setMinimumHeight(66)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._static.invalidate()
        self.update()

    def set_band(self, band: tuple[float, float] | None) -> None:
        self._band = band
        self._static.invalidate()
        self.update()

    def resizeEvent(self, event) -> None:
        self._static.invalidate()
        super().resizeEvent(event)

    def set_value(self, value: float | None) -> None:
        a, b = self._scale
        old = self._value
        if old is not None and value is not None and abs(value - old) * self.width() < (b - a):
            return  # the marker would move by less than a pixel: no repaint at display rate
        self._value = value
        self.update()

    def _x(self, deg: float, left: float, width: float) -> float:
        a, b = self._scale
        frac = min(max((deg - a) / (b - a), 0.0), 1.0)
        return left + frac * width

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        self._static.paint(self, p)
        if self._value is not None and math.isfinite(self._value):
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            left, width = _MARGIN_PX, max(self.width() - 2 * _MARGIN_PX, 10.0)
            top, height = _BAR_TOP_PX, _BAR_H_PX
            x = self._x(self._value, left, width)
            p.setPen(QPen(QColor(self._theme.foreground), 4))
            p.drawLine(int(x), int(top - 4), int(x), int(top + height + 2))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(QColor(self._theme.foreground)))
            tri = QPolygonF([QPointF(x - 9, top - 12), QPointF(x + 9, top - 12), QPointF(x, top)])
            p.drawPolygon(tri)
        p.end()

    def _draw_static(self, p: QPainter) -> None:
        """The scale, its ticks and the band: everything but the marker."""
        th = self._theme
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        left, width = _MARGIN_PX, max(self.width() - 2 * _MARGIN_PX, 10.0)
        bar_top, bar_h = _BAR_TOP_PX, _BAR_H_PX
        p.setPen(QPen(QColor(th.muted), 1))
        p.setBrush(QBrush(QColor(th.background)))
        p.drawRect(QRectF(left, bar_top, width, bar_h))
        if self._band is not None:
            x0, x1 = (self._x(v, left, width) for v in self._band)
            band_rect = QRectF(x0, bar_top, max(x1 - x0, 2.0), bar_h)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(th.band_fill))
            p.drawRect(band_rect)
            p.setBrush(QBrush(QColor(th.band_edge), Qt.BrushStyle.BDiagPattern))
            p.drawRect(band_rect)
            p.setPen(QPen(QColor(th.band_edge), 2))
            p.drawLine(int(x0), int(bar_top), int(x0), int(bar_top + bar_h))
            p.drawLine(int(x1), int(bar_top), int(x1), int(bar_top + bar_h))
        font = QFont(self.font())
        font.setPointSize(11)
        p.setFont(font)
        p.setPen(QPen(QColor(th.muted), 1))
        a, b = self._scale
        step = 15.0
        tick = math.ceil(a / step) * step
        while tick <= b + 1e-9:
            x = self._x(tick, left, width)
            p.drawLine(int(x), int(bar_top + bar_h), int(x), int(bar_top + bar_h + 4))
            p.drawText(
                QRectF(x - 20, bar_top + bar_h + 4, 40, 18),
                Qt.AlignmentFlag.AlignHCenter,
                f"{tick:.0f}°",
            )
            tick += step


class AngleReadout(QFrame):
    """Big angle number, a verdict in words, and the band bar."""

    def __init__(self, theme: Theme = LIGHT) -> None:
        super().__init__()
        self.setObjectName("angleReadout")
        self._theme = theme
        self._band: tuple[float, float] | None = None
        self._shown_deg: int | None = None  # the whole degree on show (None: a dash)
        self._title = QLabel("Tool angle")
        title_font = QFont()
        title_font.setPointSize(14)
        self._title.setFont(title_font)
        self._value = QLabel("–")
        self._value.setFont(figure_font(READOUT_FONT_PT))
        self._value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._verdict = QLabel("")
        self._verdict.setFont(figure_font(FIGURE_FONT_PT - 5))
        self._verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._verdict.setWordWrap(True)  # a narrow column wraps the words instead of cutting them
        self._bar = BandBar(theme)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self._title)
        layout.addWidget(self._value)
        layout.addWidget(self._verdict)
        layout.addWidget(self._bar)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.apply_theme(theme)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._bar.apply_theme(theme)
        self._title.setStyleSheet(f"color: {theme.muted};")

    def set_band(self, band: tuple[float, float] | None) -> None:
        self._band = band
        self._bar.set_band(band)
        if self._shown_deg is not None:
            self._show_number(self._shown_deg)

    def set_angle(self, angle_deg: float | None) -> None:
        if angle_deg is None or not math.isfinite(angle_deg):
            self._shown_deg = None
            self._value.setText("–")
            self._verdict.setText("")
            self._bar.set_value(None)
            return
        self._bar.set_value(angle_deg)
        shown = self._shown_deg
        if shown is None or abs(angle_deg - shown) >= NUMBER_HYSTERESIS_DEG:
            self._show_number(round(angle_deg))

    def _show_number(self, degrees: int) -> None:
        """The number and the verdict always agree: both are of the whole degree shown."""
        self._shown_deg = degrees
        self._value.setText(f"{degrees}°")
        if self._band is not None:
            self._verdict.setText(angle_verdict(float(degrees), *self._band))
        else:
            self._verdict.setText("")

    def set_masked(self, text: str | None) -> None:
        """Hide the number (a schedule without live feedback) behind a short reason."""
        if text:
            self._shown_deg = None
            self._value.setText("–")
            self._verdict.setText(text)
            self._bar.set_value(None)

    def value_text(self) -> str:
        return self._value.text()

    def verdict_text(self) -> str:
        return self._verdict.text()
