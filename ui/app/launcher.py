"""The ``iastm-trainer`` entry point: a sub-command runs the command line, nothing opens the app.

Sub-commands must work on a machine with no display and no Qt libraries (a lab server scoring
recordings, a CI job), so this module imports neither Qt nor the application unless it is about
to open a window; the command line is imported only when a sub-command was given. Before Qt
starts, the window is checked to have a display to go to (``display_problem``).
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping, Sequence

# Seconds after which the application closes its windows by itself (see close_after).
CLOSE_AFTER_ENV = "IASTM_TRAINER_CLOSE_AFTER"


def main(argv: Sequence[str] | None = None) -> int:
    from trainer.cli.threads import one_blas_thread

    one_blas_thread()  # before anything imports numpy
    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        from trainer.cli.main import main as cli_main

        return cli_main(args)
    problem = display_problem(os.environ, sys.platform)
    if problem is not None:
        print(f"iastm-trainer: {problem}", file=sys.stderr)
        return 2
    _close_on_terminate()
    from ui.app.application import run

    argv0 = [sys.argv[0] if sys.argv else "iastm-trainer"]
    if os.environ.get(CLOSE_AFTER_ENV):
        try:
            seconds = float(os.environ[CLOSE_AFTER_ENV])
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds < 1e6:
            print(f"iastm-trainer: {CLOSE_AFTER_ENV} must be a number of seconds", file=sys.stderr)
            return 2
        close_after(seconds, argv0)
    return run(argv0)


def _close_on_terminate() -> None:
    """SIGTERM (a logout, a service manager) and SIGHUP (its terminal closed) close the windows
    the way their close buttons do: the session stopped and its recording finished with its
    summary, then exit 0. By default either signal kills the application at once, leaving the
    recording unfinished. Before the application exists there is nothing to finish: exit 0.
    Python runs the handler between Qt events (the application's timer lets it look). Here, not
    in ``ui.app.application``, so that it holds from the first moment Qt could be starting."""
    import signal

    def close(_signum: int, _frame: object) -> None:
        # Only what is already imported: the signal may come in the middle of importing Qt.
        qt_widgets, qt_core = (
            sys.modules.get("PySide6.QtWidgets"),
            sys.modules.get("PySide6.QtCore"),
        )
        application = getattr(qt_widgets, "QApplication", None)
        timer = getattr(qt_core, "QTimer", None)
        if application is None or timer is None or application.instance() is None:
            raise SystemExit(0)
        # Once the event loop runs, so a window still being built is closed too.
        timer.singleShot(0, application.closeAllWindows)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), close)


def close_after(seconds: float, argv: list[str]) -> None:
    """Close the application's windows, the normal way, ``seconds`` after it starts.

    For smoke tests of an installed copy (the frozen bundle's, tests/packaging/): Qt runs the timer
    only once the event loop runs, after the main window was shown, so however slow the machine
    the window has opened first; it waits, too, until the window has built its training screen
    (its frame shows first), so a smoke test loads the exercises and numpy. The titles of the
    windows shown are printed, as evidence. A window may not close yet (a session still opening
    closes it once open) or open later (the first-run guide), so the windows are asked again
    every half second, as a user would, until the last one has closed and the application ends.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.app.application import create_application

    app = create_application(argv)

    def close_all() -> None:
        app.closeAllWindows()
        # Every window closed the normal way: end here too when the last one to close was not
        # the main window (a dialog closing does not end the application by itself).
        if not any(w.isVisible() for w in QApplication.topLevelWidgets()):
            app.quit()

    again = QTimer(app)
    again.setInterval(500)
    again.timeout.connect(close_all)

    def close() -> None:
        loading = [w for w in QApplication.topLevelWidgets() if getattr(w, "built", True) is False]
        if any(w.isVisible() for w in loading):
            QTimer.singleShot(100, app, close)  # the training screen is still being built
            return
        shown = [w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()]
        print(f"iastm-trainer: closing after {seconds:g} s, windows shown: {shown}", flush=True)
        close_all()
        again.start()

    QTimer.singleShot(max(0, round(seconds * 1000)), app, close)


#: Qt platforms that need no display server (a frame buffer, off-screen, a VNC server...).
_NO_SERVER = ("offscreen", "minimal", "linuxfb", "eglfs", "vnc", "vkkhrdisplay", "minimalegl")
_HINT = (
    "start it in a desktop session (or over ssh -X), or use a sub-command, which needs no display "
    "(iastm-trainer --help)"
)


def display_problem(env: Mapping[str, str], platform: str) -> str | None:
    """Why the window cannot be shown, in one line, or None if it can be tried.

    With no display Qt aborts the process (exit 134, a core dump) after a hint about
    ``xcb-cursor0`` that sends the user installing libraries; this says what is missing instead.
    Only X11 and Wayland (Linux and the BSDs) need a display server; Windows and macOS always
    have theirs. ``QT_QPA_PLATFORM`` chooses the platform as it does for Qt (its first choice).
    """
    if platform.startswith(("win", "darwin", "cygwin")):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen.startswith(_NO_SERVER):
        return None
    x11, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if chosen.startswith("wayland"):
        missing = "no display to open the window on (WAYLAND_DISPLAY is not set)"
        return None if wayland else f"{missing}; {_HINT}"
    if chosen and chosen != "xcb":
        return None  # a platform Qt knows better than this check does
    if not x11:
        if wayland and not chosen:
            return None  # Qt goes on to Wayland
        return f"no display to open the window on (DISPLAY is not set); {_HINT}"
    if not _x11_reachable(x11):
        return f"cannot connect to the display {x11!r} (no X server answers there); {_HINT}"
    return None


def _x11_reachable(display: str) -> bool:
    """Whether an X server listens for ``display`` (``:0``, ``:1.0``, ``host:10.0``): its local
    socket, or TCP port 6000 + n on a host. What this cannot parse is left for Qt to try."""
    host, sep, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not sep or not number.isdigit() or host.startswith("/"):  # XQuartz's socket paths
        return True
    if host in ("", "unix"):
        # The abstract socket (what current X servers listen on first), then the file.
        for address in (f"\0/tmp/.X11-unix/X{number}", f"/tmp/.X11-unix/X{number}"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(2.0)
                try:
                    s.connect(address)
                except OSError:
                    continue
                return True
        return False
    try:
        with socket.create_connection((host, 6000 + int(number)), timeout=2.0):
            return True
    except OSError:
        return False


if __name__ == "__main__":  # pragma: no cover - `python -m ui.app.launcher`
    raise SystemExit(main())
