"""The application window as the tests open it: real sessions, no real serial ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import ui.app.main_window as main_window_module
from trainer.library.exercise import Exercise
from trainer.paths import AppPaths
from ui.app.main_window import MainWindow
from ui.training.session_controller import Phase


@pytest.fixture
def make_window(
    qtbot, tmp_path: Path, sweep_exercise: Exercise, monkeypatch
) -> Iterator[Callable[..., MainWindow]]:
    made: list[MainWindow] = []
    # No real serial ports in tests: the start-up probe finds none.
    monkeypatch.setattr(main_window_module, "list_port_entries", lambda probe=True: [])

    def stop_properly(window: MainWindow) -> None:
        window.view.stay_connected = False  # stopped for good: not back to standby
        c = window.controller
        if c.phase is Phase.STARTING:
            qtbot.waitUntil(lambda: c.phase is not Phase.STARTING, timeout=15_000)
        if c.phase is Phase.RUNNING:
            with qtbot.waitSignal(c.stopped, timeout=10_000):
                window.view.stop_session()
        elif c.phase is Phase.STOPPING:
            qtbot.waitUntil(lambda: c.phase is Phase.IDLE, timeout=10_000)

    def make(**kwargs) -> MainWindow:
        kwargs.setdefault("sim_speed", 8.0)
        window = MainWindow([sweep_exercise], AppPaths.under(tmp_path), **kwargs)
        qtbot.addWidget(window, before_close_func=stop_properly)
        made.append(window)
        window.show()
        return window

    yield make
    made.clear()
