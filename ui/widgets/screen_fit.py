"""Windows that open within the screen they are on.

A lab laptop at 1280x720 (or a 1920x1080 screen at 150 %) has far less room than the machine a
window was designed on: a window that opens at its designed size puts its lower buttons below the
screen's edge, where nobody can reach them. Every window asks for its preferred size through
``fit_to_screen`` and gets at most the screen's free area, less room for the window frame.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: Room left for a window manager's title bar and borders, which ``resize`` does not include.
FRAME_ALLOWANCE = QSize(16, 40)


def available_area(widget: QWidget | None = None) -> QRect:
    """The free area (taskbars excluded) of the screen ``widget`` is on, or the primary one's."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 720)


def fitted_size(preferred: QSize, area: QRect, minimum: QSize | None = None) -> QSize:
    """``preferred``, shrunk to fit ``area`` with its frame, and never below ``minimum``."""
    width = min(preferred.width(), area.width() - FRAME_ALLOWANCE.width())
    height = min(preferred.height(), area.height() - FRAME_ALLOWANCE.height())
    if minimum is not None:
        width = max(width, minimum.width())
        height = max(height, minimum.height())
    return QSize(width, height)


def fit_to_screen(window: QWidget, preferred: QSize) -> None:
    """Size ``window`` to ``preferred`` or its screen's free area, whichever is smaller, and
    centre it there."""
    area = available_area(window)
    size = fitted_size(preferred, area, window.minimumSizeHint().expandedTo(window.minimumSize()))
    window.resize(size)
    x = area.x() + max((area.width() - size.width() - FRAME_ALLOWANCE.width()) // 2, 0)
    y = area.y() + max((area.height() - size.height() - FRAME_ALLOWANCE.height()) // 2, 0)
    window.move(x, y)


def keep_on_screen(window: QWidget) -> None:
    """A window restored from saved settings on a smaller screen: bring it back within it."""
    area = available_area(window)
    frame = window.frameGeometry()
    if area.contains(frame):
        return
    fit_to_screen(window, window.size())
