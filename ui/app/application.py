"""Starting the desktop application: Qt set-up, theme, exercises, the window, the event loop.

High-DPI scaling is left to the platform's exact factor (no rounding), the style is Fusion on every
platform (so the palette, and with it the colour-blind-safe colours, look the same everywhere),
and the theme follows the system unless the user chose one. Settings and recordings live in the
per-user folders of ``trainer.paths``.

Options come from the environment only (the command line belongs to the sub-commands):
``IASTM_TRAINER_HOME`` puts settings and recordings under one folder, ``IASTM_TRAINER_SIM_SPEED``
runs the simulated tool faster than real time (demonstrations), and Qt's own variables
(``QT_QPA_PLATFORM``, ``QT_SCALE_FACTOR``) work as usual.

The window appears before the exercises are loaded: ``run`` shows its frame (title, menus, size,
"Loading exercises…"), which needs neither numpy nor the exercise library, and builds the training
screen just after that frame's first paint (``ui.app.first_paint``). Importing numpy alone takes
about as long as starting Python and Qt, so the window comes up in about half the time it would
if it waited for them; ``build_window`` builds it whole, at once, for scripts and tests.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from trainer.paths import AppPaths
from ui.app.first_paint import after_first_paint
from ui.app.main_window import MainWindow
from ui.app.settings import AppSettings
from ui.theme import apply_theme, theme_named

if TYPE_CHECKING:  # numpy: loaded once the window is on the screen
    from trainer.library.exercise import Exercise

SIM_SPEED_ENV = "IASTM_TRAINER_SIM_SPEED"


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication, configured once (reused if one exists, as under pytest-qt)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(list(argv or ["iastm-trainer"]))
    app.setApplicationName("iastm-trainer")
    app.setApplicationDisplayName("iastm-trainer")
    app.setOrganizationName("iastm-trainer")
    app.setStyle("Fusion")
    return app


def sim_speed_from_env() -> float:
    try:
        speed = float(os.environ.get(SIM_SPEED_ENV, "1"))
    except ValueError:
        return 1.0
    return speed if 0.1 <= speed <= 50.0 else 1.0


def load_exercises() -> tuple[list[Exercise], str | None]:
    """The shipped exercises, or none and a message saying why (the window still opens)."""
    from trainer.library.exercise import ExerciseError, shipped_exercises

    try:
        return shipped_exercises(), None
    except ExerciseError as exc:
        return [], str(exc)


def frame_window(
    paths: AppPaths | None = None,
    autostart: bool = False,
    probe_ports: bool = True,
    sim_speed: float | None = None,
) -> MainWindow:
    """The application's window without its training screen yet (``fill_window`` adds it)."""
    paths = paths or AppPaths.default()
    app = create_application()
    apply_theme(app, theme_named(AppSettings(paths.ensure()).theme()))
    return MainWindow(
        None,
        paths,
        autostart=autostart,
        probe_ports=probe_ports,
        sim_speed=sim_speed_from_env() if sim_speed is None else sim_speed,
        connect=not autostart,
    )


def fill_window(window: MainWindow) -> None:
    """The shipped exercises loaded and the training screen built into ``window``; exercises
    that cannot be loaded are said in its banner (the window is still usable)."""
    exercises, problem = load_exercises()
    window.build(exercises)
    if problem and window.built:
        window.view.banner.show_message("exercises", f"Exercises not loaded: {problem}", "warning")


def build_window(
    paths: AppPaths | None = None,
    autostart: bool = False,
    probe_ports: bool = True,
    sim_speed: float | None = None,
) -> MainWindow:
    """The application's window, built whole: it connects the tool (or the simulator) in
    standby, and the trainee starts the session; ``autostart`` starts one at once instead."""
    window = frame_window(paths, autostart, probe_ports, sim_speed)
    fill_window(window)
    return window


def run(argv: Sequence[str] | None = None) -> int:
    app = create_application(argv or sys.argv[:1])
    try:
        window = frame_window()
    except OSError as exc:
        QMessageBox.critical(None, "iastm-trainer", f"Cannot start: {exc}")
        return 1
    # However the event loop ends, the session's recording is closed properly.
    app.aboutToQuit.connect(window.shutdown)
    # Ctrl+C in the terminal closes the window the normal way (stopping the session first);
    # a timer lets Python look at signals while Qt's event loop runs.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    heartbeat = QTimer()
    heartbeat.start(250)
    heartbeat.timeout.connect(lambda: None)
    window.show()

    failed: list[Exception] = []

    def fill() -> None:
        try:
            fill_window(window)
        except OSError as exc:  # the records or sessions folder cannot be made
            QMessageBox.critical(window, "iastm-trainer", f"Cannot start: {exc}")
            app.exit(1)
        except Exception as exc:  # a bug: raised from run() as before, not left "Loading…"
            failed.append(exc)
            app.exit(1)

    # The frame is on the screen first; the training screen is built just after its first paint.
    after_first_paint(window, fill)
    code = app.exec()
    if failed:
        raise failed[0]
    return code
