"""The window appears before the exercises are loaded, then fills: the start-up path of ``run``.

The frame (title, menus, "Loading exercises…") must come up without numpy, which takes as long to
import as Python and Qt take to start; the training screen follows just after the first paint,
and what needs it cannot be reached before it is there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from trainer.paths import AppPaths
from ui.app import main_window as main_window_module
from ui.app.application import fill_window, frame_window
from ui.app.first_paint import after_first_paint
from ui.app.settings import AppSettings
from ui.training.training_view import TrainingView

ROOT = Path(__file__).resolve().parents[3]


def test_the_window_module_loads_without_numpy_or_the_device_layer() -> None:
    code = (
        "import sys, ui.app.application, ui.app.main_window; "
        "print(sorted(m for m in ('numpy', 'scipy', 'serial', 'devices', "
        "'trainer.library.exercise') if m in sys.modules))"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_built_window_has_not_waited_for_the_database_library(tmp_path: Path) -> None:
    # SQLAlchemy (about 0.2 s to import) loads when a session is stored or a records view opens.
    code = (
        "import sys, os\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(['iastm-trainer'])\n"
        "from ui.app.application import build_window\n"
        "window = build_window(probe_ports=False)\n"
        "print(window.records.target.endswith('records.sqlite'), "
        "sorted(m for m in ('sqlalchemy', 'alembic') if m in sys.modules), flush=True)\n"
        "os._exit(0)\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", IASTM_TRAINER_HOME=str(tmp_path))
    env.pop("IASTM_TRAINER_DB", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True []", out.stdout + out.stderr


def test_the_frame_shows_first_and_the_training_screen_follows_its_first_paint(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(main_window_module, "list_port_entries", lambda probe=True: [])
    paths = AppPaths.under(tmp_path).ensure()
    AppSettings(paths).set_guide_seen()  # not the first start: no guide over the window
    window = frame_window(paths, probe_ports=False, sim_speed=8.0)
    qtbot.addWidget(window)
    assert not window.built
    assert window.windowTitle().startswith("iastm-trainer")
    assert window.centralWidget() is window.loading
    assert window.loading.text() == "Loading exercises…"
    # Nothing that needs the training screen can be reached before it is built...
    assert not window.open_recording_action.isEnabled()
    assert not window.record_expert_action.isEnabled()
    assert window.quit_action.isEnabled() and window.guide_action.isEnabled()
    with qtbot.waitActive(window):
        window.show()
    with qtbot.waitSignal(window.ready, timeout=30_000):
        after_first_paint(window, lambda: fill_window(window))
    # The keyboard starts where it did when the window was built before it showed.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5_000)
    assert window.view.isAncestorOf(QApplication.focusWidget())
    # ...and all of it once it is, with the shipped exercises listed and the sweep chosen.
    assert window.built
    assert isinstance(window.centralWidget(), TrainingView)
    assert window.open_recording_action.isEnabled()
    assert window.record_expert_action.isEnabled()
    ids = [e.id for e in window.view.picker.exercises]
    assert "sweep" in ids and len(ids) > 1
    assert window.view.picker.current().id == "sweep"
    qtbot.waitUntil(lambda: window.controller.session is not None, timeout=15_000)
    window.view.stay_connected = False
    with qtbot.waitSignal(window.controller.stopped, timeout=15_000):
        window.close()
    qtbot.waitUntil(lambda: not window.isVisible())


def test_closed_while_loading_it_closes_at_once_and_never_builds(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(main_window_module, "list_port_entries", lambda probe=True: [])
    paths = AppPaths.under(tmp_path)
    window = frame_window(paths, probe_ports=False, sim_speed=8.0)
    qtbot.addWidget(window)
    window.show()
    assert window.close()
    fill_window(window)  # the build queued behind the first paint comes after the close
    assert not window.built
    assert window.centralWidget() is window.loading
    assert AppSettings(paths).window_geometry() is not None
