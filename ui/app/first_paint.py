"""Running something once a window has first been painted on the screen.

The application's window appears before its training screen is built: importing numpy and the
exercise library and building the screen take longer than Python and Qt take to start, and a user
who clicks an icon should see the window come up at once, then fill. Qt paints a widget window
when the window system first exposes it (the ``Expose`` event on its ``QWindow``); the work is
queued behind that paint, so it runs right after the window is on the screen.

A window that is never exposed (started minimised, on a desktop not shown) still gets its work
done, a little later, so it is complete when the user turns to it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

#: How long to wait for the first exposure before doing the work anyway (milliseconds).
UNEXPOSED_AFTER_MS = 1000


class _Once(QObject):
    """Calls ``then`` once: after the first exposure's paint, or after the fallback delay."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then: Callable[[], None] | None = then

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and getattr(watched, "isExposed", bool)():
            watched.removeEventFilter(self)
            # Queued: Qt paints the window when this event reaches it, after this filter.
            QTimer.singleShot(0, self, self.fire)
        return False

    def fire(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            then()


def after_first_paint(widget: QWidget, then: Callable[[], None]) -> None:
    """Call ``then`` once, on the GUI thread, just after ``widget``'s window (shown, or about to
    be) is first painted on the screen; after ``UNEXPOSED_AFTER_MS`` if it is not exposed."""
    once = _Once(widget, then)
    handle = widget.windowHandle()
    if handle is not None and handle.isExposed():
        QTimer.singleShot(0, once, once.fire)
        return
    if handle is None:
        widget.winId()  # creates the native window, and with it the handle to watch
        handle = widget.windowHandle()
    if handle is not None:
        handle.installEventFilter(once)
    QTimer.singleShot(UNEXPOSED_AFTER_MS, once, once.fire)
