"""Every window fits a lab laptop: 1280x720, or a 1920x1080 screen at 150 %.

A window that cannot shrink to the screen puts its lower half (the stroke list, the strip, the
Tare and Save buttons) where nobody can reach it, even maximised. The windows are measured the way
a window manager sizes them: by their minimum size, with room left for the title bar.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize

from trainer.library.exercise import Exercise
from ui.training.session_controller import Phase
from ui.widgets.screen_fit import FRAME_ALLOWANCE, fitted_size

LAPTOP = QRect(0, 0, 1280, 720)
ROOM = QSize(LAPTOP.width() - FRAME_ALLOWANCE.width(), LAPTOP.height() - FRAME_ALLOWANCE.height())


def _fits(size: QSize) -> bool:
    return size.width() <= ROOM.width() and size.height() <= ROOM.height()


def test_the_training_window_fits_1280x720_idle_and_with_a_session_on_show(
    qtbot, make_window
) -> None:
    window = make_window(autostart=False, probe_ports=False)
    assert _fits(window.minimumSizeHint()), window.minimumSizeHint()
    # Long texts (a result line, a caption, a device status) must wrap, not widen the window.
    with qtbot.waitSignal(window.controller.started, timeout=15_000):
        window.view.start_session()
    qtbot.waitUntil(lambda: window.view.table_model.rowCount() >= 3, timeout=30_000)
    assert _fits(window.minimumSizeHint()), window.minimumSizeHint()
    with qtbot.waitSignal(window.controller.stopped, timeout=10_000):
        window.view.stop_session()
    assert window.controller.phase is Phase.IDLE
    assert _fits(window.minimumSizeHint()), window.minimumSizeHint()
    # What a first start on that laptop opens at: within the screen.
    opened = fitted_size(QSize(1600, 1000), LAPTOP, window.minimumSizeHint())
    assert _fits(opened)


def test_the_review_and_expert_windows_open_within_a_1280x720_screen(
    qtbot, make_window, sweep_exercise: Exercise
) -> None:
    window = make_window(autostart=False, probe_ports=False)
    for other in (window.review_window(), window.open_expert_recording()):
        minimum = other.minimumSizeHint()
        assert _fits(minimum), (type(other).__name__, minimum)
        assert _fits(fitted_size(other.size(), LAPTOP, minimum))
        # On the screen the tests run on, the window opened within it too.
        area = other.screen().availableGeometry()
        assert other.width() <= max(area.width(), minimum.width())
        assert other.height() <= max(area.height(), minimum.height())
        other.close()
