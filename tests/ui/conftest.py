"""Qt tests run offscreen unless a display was asked for (screenshots use Xvfb)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


# -- no test may leave a thread, a QThread or a running QTimer behind ------------------------------
# A GUI test that leaves the session's thread, a port-listing worker or the display
# timer running would pass here and fail in the application, where they pile up. Each test is
# checked after pytest-qt has closed and deleted its widgets.
import threading

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QThread, QTimer

_LEAK_GRACE_S = 5.0


@pytest.fixture(autouse=True)
def _fail_on_leaked_threads_and_timers(monkeypatch: pytest.MonkeyPatch):
    started_timers: list[QTimer] = []
    started_qthreads: list[QThread] = []
    original_timer_start = QTimer.start
    original_qthread_start = QThread.start

    def tracking_timer_start(self, *args):
        started_timers.append(self)
        return original_timer_start(self, *args)

    def tracking_qthread_start(self, *args):
        started_qthreads.append(self)
        return original_qthread_start(self, *args)

    monkeypatch.setattr(QTimer, "start", tracking_timer_start)
    monkeypatch.setattr(QThread, "start", tracking_qthread_start)
    threads_before = set(threading.enumerate())
    yield
    app = QCoreApplication.instance()
    if app is not None:
        # Widgets closed by pytest-qt are deleted later: delete them now, with their timers.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    from ui.runtime.background import wait_for_all

    wait_for_all(_LEAK_GRACE_S)
    new_threads = [t for t in threading.enumerate() if t not in threads_before]
    for t in new_threads:
        t.join(_LEAK_GRACE_S)  # a thread that is on its way out gets time to finish
    leaked = [t.name for t in new_threads if t.is_alive()]
    leaked += [f"QThread {q!r}" for q in started_qthreads if shiboken6.isValid(q) and q.isRunning()]
    leaked += [
        f"QTimer (interval {t.interval()} ms, parent {type(t.parent()).__name__})"
        for t in started_timers
        if shiboken6.isValid(t) and t.isActive()
    ]
    if leaked:
        pytest.fail("test left running: " + ", ".join(leaked), pytrace=False)


# -- an exercise to train against, built the way the shipped library is ---------------------------
@pytest.fixture(scope="session")
def sweep_exercise(tmp_path_factory: pytest.TempPathFactory):
    from trainer.library.shipped import LIBRARY
    from trainer.offline.library_build import build_library_exercise

    draft = next(d for d in LIBRARY if d.id == "sweep")
    return build_library_exercise(draft, tmp_path_factory.mktemp("sweep-exercise"))
