"""Colours, fonts and the light/dark palette of the application.

About one man in twelve cannot tell red from green, and a training screen that says "in band" in
green and "out" in red fails them. The palette is Okabe-Ito (safe for the common colour-vision
deficiencies), and nothing on screen is told apart by colour alone: the expert band is a filled
region in blue, its mean a dashed line, the trainee's trace a solid line in the foreground colour,
and what left the band is drawn thicker in vermillion and always named in text as well.

Text sizes are chosen for a trainee standing at a treatment table with both hands on the tool:
the base font is at least 12 pt and the figures that matter are 20 pt or more.

Never holds state of its own beyond the current ``Theme``; never touches a session.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

# Okabe & Ito (2008), "Color Universal Design".
OI_BLACK = "#000000"
OI_ORANGE = "#E69F00"
OI_SKY_BLUE = "#56B4E9"
OI_BLUISH_GREEN = "#009E73"
OI_YELLOW = "#F0E442"
OI_BLUE = "#0072B2"
OI_VERMILLION = "#D55E00"
OI_REDDISH_PURPLE = "#CC79A7"

BASE_FONT_PT = 13
FIGURE_FONT_PT = 22
STATUS_FONT_PT = 18
READOUT_FONT_PT = 56


@dataclass(frozen=True)
class Theme:
    """Everything a widget needs to draw itself in the current light or dark mode."""

    name: str
    dark: bool
    background: str
    panel: str
    foreground: str
    muted: str
    grid_alpha: float
    band_fill: QColor
    band_edge: str
    mean: str
    trace: str
    out_of_band: str
    good: str  # passed / inside: blue, always with a tick and a word
    bad: str  # failed / outside: vermillion, always with a cross and a word
    stroke_shade: QColor
    gap_shade: QColor
    banner_warning: str
    banner_info: str


def _alpha(hex_colour: str, alpha: int) -> QColor:
    c = QColor(hex_colour)
    c.setAlpha(alpha)
    return c


LIGHT = Theme(
    name="light",
    dark=False,
    background="#FFFFFF",
    panel="#F3F4F6",
    foreground="#111111",
    muted="#555555",
    grid_alpha=0.25,
    band_fill=_alpha(OI_SKY_BLUE, 110),
    band_edge=OI_BLUE,
    mean=OI_BLUE,
    trace="#111111",
    out_of_band=OI_VERMILLION,
    good=OI_BLUE,
    bad=OI_VERMILLION,
    stroke_shade=_alpha(OI_SKY_BLUE, 70),
    gap_shade=_alpha("#777777", 150),
    banner_warning="#FCE9C8",
    banner_info="#DCEBF7",
)

DARK = Theme(
    name="dark",
    dark=True,
    background="#15181C",
    panel="#1E2227",
    foreground="#EDEDED",
    muted="#A8A8A8",
    grid_alpha=0.3,
    band_fill=_alpha(OI_SKY_BLUE, 90),
    band_edge=OI_SKY_BLUE,
    mean=OI_SKY_BLUE,
    trace="#F5F5F5",
    out_of_band=OI_ORANGE,
    good=OI_SKY_BLUE,
    bad=OI_ORANGE,
    stroke_shade=_alpha(OI_SKY_BLUE, 60),
    gap_shade=_alpha("#9A9A9A", 150),
    banner_warning="#5A4310",
    banner_info="#17364F",
)

THEMES = {t.name: t for t in (LIGHT, DARK)}


def system_prefers_dark() -> bool:
    """The desktop's colour scheme, where Qt can tell (Qt 6.5+); light when it cannot."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is None:
        return False
    return scheme() == Qt.ColorScheme.Dark


def theme_named(name: str) -> Theme:
    """``light``, ``dark`` or ``system`` (anything else means the system's choice)."""
    if name in THEMES:
        return THEMES[name]
    return DARK if system_prefers_dark() else LIGHT


def figure_font(point_size: int = FIGURE_FONT_PT, bold: bool = True) -> QFont:
    font = QFont()
    font.setPointSize(point_size)
    font.setBold(bold)
    return font


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Set the Fusion palette and pyqtgraph's defaults for plots made from now on.

    Plots that already exist are restyled by their own ``apply_theme``; pyqtgraph's global options
    only reach new ones. pyqtgraph is configured only once something has imported it (see
    ``configure_pyqtgraph``): the training screen paints its own plots and does not load it.
    """
    global _current
    _current = theme
    app.setStyle("Fusion")
    pal = QPalette()
    bg, panel, fg = QColor(theme.background), QColor(theme.panel), QColor(theme.foreground)
    pal.setColor(QPalette.ColorRole.Window, panel)
    pal.setColor(QPalette.ColorRole.WindowText, fg)
    pal.setColor(QPalette.ColorRole.Base, bg)
    pal.setColor(QPalette.ColorRole.AlternateBase, panel)
    pal.setColor(QPalette.ColorRole.Text, fg)
    pal.setColor(QPalette.ColorRole.Button, panel)
    pal.setColor(QPalette.ColorRole.ButtonText, fg)
    pal.setColor(QPalette.ColorRole.ToolTipBase, bg)
    pal.setColor(QPalette.ColorRole.ToolTipText, fg)
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(theme.muted))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(OI_BLUE))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#FFFFFF"))
    pal.setColor(QPalette.ColorRole.Link, QColor(theme.good))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.muted))
    app.setPalette(pal)
    font = app.font()
    if font.pointSize() < BASE_FONT_PT:
        font.setPointSize(BASE_FONT_PT)
        app.setFont(font)
    if "pyqtgraph" in sys.modules:
        configure_pyqtgraph()


#: The theme last applied, for pyqtgraph's defaults once it is imported.
_current: Theme | None = None


def configure_pyqtgraph() -> None:
    """pyqtgraph's global defaults from the current theme: called by the modules that plot with
    pyqtgraph when they are imported, and by ``apply_theme`` once pyqtgraph is loaded."""
    import pyqtgraph as pg

    theme = _current or LIGHT
    pg.setConfigOptions(background=theme.background, foreground=theme.foreground, antialias=False)
