"""What the desktop benchmark needs around the application: an event clock, the window, a tool.

- ``EventClock`` is the ``QApplication`` with a ``notify`` that times, from outside the widgets,
  each tick of the display timer and each paint, and notes which sample time a plot showed when
  its paint finished. Nothing in the application is changed to be measured; the clock is off
  (plain ``notify``) unless ``enabled``.
- ``ArrivalLog`` wraps a running link's parser to note, per chunk read from the port, the host
  time it arrived and the session times of the samples in it.
- ``open_window`` builds the real ``MainWindow`` in a temporary home, on the simulator or on a
  port, and waits for its session to run; ``run_for`` turns the event loop for a while;
  ``close_window`` stops the session (the recording closed) and closes the window.
- ``PtyTool`` runs ``pty_device.py`` (an ITP/1 tool on a pseudo-terminal) in a child process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from devices.samples import SampleBlock  # noqa: E402

START_TIMEOUT_S = 20.0


# -- timing the event loop from outside -----------------------------------------------------------
@dataclass
class PaintRecord:
    start_s: float
    end_s: float
    name: str  # "strip", "stroke" or "" for any other widget
    shown_s: float | None  # newest session time the plot held when its paint ended


@dataclass
class EventLog:
    ticks: list[tuple[float, float]] = field(default_factory=list)  # display timer (start, end)
    paints: list[PaintRecord] = field(default_factory=list)
    updates: list[tuple[float, float]] = field(default_factory=list)  # window repaint+flush


class EventClock(QApplication):
    """A QApplication that can time the display timer's ticks and every paint."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.enabled = False
        self.log = EventLog()
        self.display_timer: QTimer | None = None
        self._watched: dict[int, tuple[str, Callable[[], float | None]]] = {}

    def watch_display(
        self, timer: QTimer, plots: dict[str, tuple[QObject, Callable[[], float | None]]]
    ) -> None:
        """Time ``timer``'s ticks; for each named plot (the widget that paints it, the newest time
        it shows) note what its paints showed."""
        self.display_timer = timer
        self._watched = {id(vp): (name, shown) for name, (vp, shown) in plots.items()}

    def notify(self, receiver: QObject, event: QEvent) -> bool:
        if not self.enabled:
            return super().notify(receiver, event)
        kind = event.type()
        if kind == QEvent.Type.Timer and receiver is self.display_timer:
            start = time.monotonic()
            result = super().notify(receiver, event)
            self.log.ticks.append((start, time.monotonic()))
            return result
        if kind == QEvent.Type.Paint:
            start = time.monotonic()
            result = super().notify(receiver, event)
            end = time.monotonic()
            name, shown = self._watched.get(id(receiver), ("", None))
            self.log.paints.append(PaintRecord(start, end, name, shown() if shown else None))
            return result
        if kind == QEvent.Type.UpdateRequest:
            start = time.monotonic()
            result = super().notify(receiver, event)
            self.log.updates.append((start, time.monotonic()))
            return result
        return super().notify(receiver, event)


def make_application(timed: bool) -> QApplication:
    """The application object, set up as ``ui.app.application.create_application`` does."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    cls = EventClock if timed else QApplication
    app = cls(["iastm-trainer"])
    app.setApplicationName("iastm-trainer")
    app.setOrganizationName("iastm-trainer")
    app.setStyle("Fusion")
    return app


# -- when samples reached the host ----------------------------------------------------------------
class ArrivalLog:
    """Per chunk read from the port: host arrival time (time.monotonic) and its samples' times.

    Installed on a running ``SerialSource`` by replacing its parser's ``feed`` on the instance,
    so the stamp is taken the moment the link hands the bytes it just read to the parser.
    """

    def __init__(self, source: object) -> None:
        self.arrival_s: list[float] = []
        self.t_s: list[np.ndarray] = []
        parser = source.parser  # type: ignore[attr-defined]
        original = parser.feed

        def feed(data: bytes, host_t_s: float | None = None) -> list:
            arrived = time.monotonic()
            items = original(data, host_t_s)
            for item in items:
                if isinstance(item, SampleBlock) and len(item):
                    self.arrival_s.append(arrived)
                    self.t_s.append(item.t_s)
            return items

        parser.feed = feed

    def per_sample(self) -> tuple[np.ndarray, np.ndarray]:
        """(sample time on the parser's axis, host arrival time) for every sample seen."""
        if not self.t_s:
            return np.zeros(0), np.zeros(0)
        t = np.concatenate(self.t_s)
        a = np.concatenate(
            [np.full(len(ts), a) for ts, a in zip(self.t_s, self.arrival_s, strict=True)]
        )
        return t, a


# -- the application window -----------------------------------------------------------------------
def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    app = QApplication.instance()
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)


def run_for(seconds: float) -> None:
    """Turn the application's event loop for ``seconds`` (timers and painting as in use)."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def open_window(device: object, size: tuple[int, int] = (1600, 1000)) -> object:
    """The real main window, its session running on ``device`` (a ``DeviceChoice``)."""
    from trainer.library.exercise import shipped_exercises
    from trainer.paths import AppPaths
    from ui.app.main_window import MainWindow
    from ui.app.settings import AppSettings
    from ui.training.session_controller import Phase

    home = tempfile.mkdtemp(prefix="iastm-bench-ui-")
    paths = AppPaths.under(home).ensure()
    settings = AppSettings(paths)
    settings.set_theme("light")
    settings.set_device(device)  # type: ignore[arg-type]
    settings.set_exercise_id("sweep")
    settings.sync()
    speed = getattr(device, "speed", 1.0)
    window = MainWindow(
        shipped_exercises(), paths, autostart=True, probe_ports=False, sim_speed=speed, sim_seed=7
    )
    window.resize(*size)
    window.show()
    wait_until(lambda: window.controller.phase is Phase.RUNNING, START_TIMEOUT_S, "the session")
    return window


def close_window(window: object) -> None:
    from ui.training.session_controller import Phase

    controller = window.controller  # type: ignore[attr-defined]
    if controller.phase is Phase.RUNNING:
        window.view.stop_session()  # type: ignore[attr-defined]
    wait_until(lambda: controller.phase is Phase.IDLE, 20.0, "the session to stop")
    window.close()  # type: ignore[attr-defined]
    QApplication.instance().processEvents()


# -- a tool on a pseudo-terminal in a child process -----------------------------------------------
class PtyTool:
    """``pty_device.py`` in a child process: ``path`` to open, ``go()``, then ``stop()``."""

    def __init__(self, rate_hz: float = 1000.0) -> None:
        self._dir = tempfile.mkdtemp(prefix="iastm-bench-pty-")
        self._log = Path(self._dir) / "send_log.npy"
        self._proc = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("pty_device.py")),
                str(self._log),
                f"{rate_hz:g}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self._proc.stdout is not None
        self.path = self._proc.stdout.readline().strip()
        if not self.path:
            raise RuntimeError("the pty device did not start")

    def _send(self, command: str) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(command + "\n")
        self._proc.stdin.flush()

    def go(self) -> None:
        self._send("go")

    def stop(self) -> np.ndarray:
        """Stop the tool; its send log as rows of (monotonic time, samples sent by then)."""
        if self._proc.poll() is None:
            self._send("stop")
            self._proc.wait(15)
        return np.load(self._log) if self._log.exists() else np.zeros((0, 2))
