"""The application window: start-up device choice, closing cleanly, crash recovery, theme, keys."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QPushButton

from trainer.live.connection import DeviceChoice
from trainer.offline.simulation import simulate_recording
from trainer.paths import AppPaths
from trainer.recordings.events import read_events
from ui.app.main_window import RECOVERY_KEY, choose_device
from ui.app.settings import AppSettings
from ui.training.session_controller import Phase

ITP_PORT = {"device": "/dev/ttyACM0", "itp": True}
PLAIN_PORT = {"device": "/dev/ttyUSB0", "itp": False}


def test_start_up_prefers_the_saved_tool_then_any_itp_tool_then_the_simulator() -> None:
    saved_port = DeviceChoice("serial", skill="novice", port="/dev/ttyACM0")
    assert choose_device(saved_port, [PLAIN_PORT, ITP_PORT]) == saved_port
    other = choose_device(DeviceChoice("sim"), [PLAIN_PORT, ITP_PORT])
    assert (other.kind, other.port) == ("serial", "/dev/ttyACM0")
    fallback = choose_device(DeviceChoice("serial", skill="expert", port="/dev/gone"), [PLAIN_PORT])
    assert (fallback.kind, fallback.skill) == ("sim", "expert")
    csv = DeviceChoice("csv", port="/dev/ttyUSB0", columns="force_n,angle_deg")
    assert choose_device(csv, [PLAIN_PORT]) == csv


def test_with_no_tool_the_window_trains_on_the_simulator_and_closes_cleanly(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = make_window(autostart=True, probe_ports=True)
    qtbot.waitUntil(lambda: window.controller.phase is Phase.RUNNING, timeout=15_000)
    assert window.view.device_panel.choice().kind == "sim"
    qtbot.waitUntil(lambda: window.view.table_model.rowCount() >= 2, timeout=30_000)
    # Closing stops the session off the GUI thread, then closes once the recording is closed.
    with qtbot.waitSignal(window.controller.stopped, timeout=10_000):
        window.close()
    qtbot.waitUntil(lambda: not window.isVisible())
    (csv,) = AppPaths.under(tmp_path).sessions_dir.glob("*.csv")
    assert read_events(csv)[-1]["event"] == "summary"
    settings = AppSettings(AppPaths.under(tmp_path))
    assert settings.exercise_id() == "sweep"
    assert settings.window_geometry() is not None


def test_an_unfinished_recording_is_offered_for_review_without_a_dialog(
    qtbot, make_window, tmp_path: Path
) -> None:
    sessions = AppPaths.under(tmp_path).ensure().sessions_dir
    crashed, _ = simulate_recording(sessions / "20250101-100000-sweep.csv", strokes=6, seed=5)
    window = make_window(autostart=False, probe_ports=False)
    banner = window.view.banner
    assert banner.showing(RECOVERY_KEY)
    assert crashed.name in banner.text()
    (open_button,) = [b for b in banner.findChildren(QPushButton) if b.text() == "Open for review"]
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.review is not None and window.review.stroke_count() == 6, timeout=15_000
    )
    assert window.review.banner.text().startswith(f"Reviewing {crashed.name}")
    # Offered once: the next start does not ask again.
    assert window.offer_recovery() == []


def test_theme_toggle_changes_the_palette_and_is_remembered(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = make_window(autostart=False, probe_ports=False)
    window.set_theme("light")
    light_bg = window.palette().color(QPalette.ColorRole.Window)
    window.toggle_theme()
    assert window.theme.dark
    qtbot.waitUntil(lambda: window.palette().color(QPalette.ColorRole.Window) != light_bg)
    assert AppSettings(AppPaths.under(tmp_path)).theme() == "dark"
    window.toggle_theme()
    assert not window.theme.dark


def test_space_starts_and_stops_a_session_from_the_keyboard(qtbot, make_window) -> None:
    window = make_window(autostart=False, probe_ports=False)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(window.controller.started, timeout=15_000):
        qtbot.keyClick(window.view, Qt.Key.Key_Space)
    with qtbot.waitSignal(window.controller.stopped, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert window.controller.phase is Phase.IDLE
    for key in ("Space", "T", "N", "F"):
        assert window.view.actions_by_key[key].shortcut().toString() == key


def test_the_application_connects_in_standby_tares_and_starts_only_on_space(
    qtbot, make_window, tmp_path: Path
) -> None:
    """The start teaches the start: the tool is shown and can be tared while nothing is recorded
    or scored; Space starts the session; after Stop the tool is connected again, ready."""
    sessions = AppPaths.under(tmp_path).sessions_dir
    window = make_window(connect=True, probe_ports=True)
    view = window.view
    qtbot.waitUntil(lambda: window.controller.standby, timeout=15_000)
    assert "Press T to tare" in view.status.text()
    assert view.start_button.text() == "▶ Start"
    assert view.tare_button.isEnabled()
    with qtbot.waitSignal(window.controller.tare, timeout=15_000) as tared:
        assert view.request_tare()
    assert tared.args[1] is None  # the simulated person rests: the tare succeeds
    assert "zeroed" in view.device_panel.tare_text()
    # However long the student waits, nothing is recorded or scored before Space.
    qtbot.wait(1500)
    assert view.table_model.rowCount() == 0 and not list(sessions.glob("*.csv"))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(window.controller.began, timeout=15_000):
        qtbot.keyClick(view, Qt.Key.Key_Space)
    assert view.start_button.text() == "■ Stop"
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= 2, timeout=30_000)
    with qtbot.waitSignal(window.controller.stopped, timeout=10_000):
        qtbot.keyClick(view, Qt.Key.Key_Space)
    (csv,) = sessions.glob("*.csv")
    events = read_events(csv)
    assert events[-1]["event"] == "summary"
    assert "tare_offset_n" in csv.read_text().split("time_s")[0]  # the standby tare carried over
    # Back to standby, the block's report on show.
    qtbot.waitUntil(lambda: window.controller.standby, timeout=15_000)
    assert view.stroke_stack.currentWidget() is view.report_view


def test_the_first_start_shows_a_guide_once_and_help_lists_every_key(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = make_window(connect=True, probe_ports=False)
    qtbot.waitUntil(lambda: window.guide is not None and window.guide.isVisible(), timeout=5_000)
    text = window.guide.text()
    for words in ("Tare", "press <b>T</b>", "band", "Space", "Feedback"):
        assert words in text
    window.guide.close()
    assert window.guide_action.shortcut().toString() == "F1"
    window._show_keys()
    keys = window.keys_box.text()
    for key in ("Space", "T ", "N ", "F ", "Ctrl+O", "Ctrl+E", "Ctrl+R", "Ctrl+L", "Ctrl+Q", "F1"):
        assert key in keys
    window.keys_box.close()
    # Quit closes the window the normal way: the session's recording closed first.
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    window.view.stay_connected = False
    with qtbot.waitSignal(window.controller.stopped, timeout=15_000):
        qtbot.waitUntil(lambda: window.controller.phase is Phase.RUNNING, timeout=15_000)
        window.quit_action.trigger()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    # Seen once: the next start does not show it again.
    again = make_window(connect=True, probe_ports=False)
    qtbot.wait(200)
    assert again.guide is None
