"""Point 1, in the application: an unfinished recording can always be reached again.

The start-up offer used to be dismissed *before* the recording was loaded, so one that failed to
open was never offered again and could not be reached from the application. Now the offer is
dismissed only once the review window has opened the recording; a recording that fails stays
offered, saying why; and File > Recover... lists every unfinished recording, dismissed or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from trainer.library.exercise import Exercise, find_exercise
from trainer.paths import AppPaths
from trainer.recordings.writer import write_recording
from ui.app.main_window import RECOVERY_KEY, MainWindow
from ui.app.settings import AppSettings

LOAD_TIMEOUT_MS = 30_000


@pytest.fixture
def make_window(qtbot, tmp_path: Path) -> Iterator[Callable[[], MainWindow]]:
    made: list[MainWindow] = []
    exercise: Exercise = find_exercise("sweep")

    def make() -> MainWindow:
        window = MainWindow(
            [exercise], AppPaths.under(tmp_path), autostart=False, probe_ports=False
        )
        qtbot.addWidget(window)
        made.append(window)
        window.show()
        return window

    yield make
    for window in made:
        if window.review is not None:
            window.review.close()
        if window.recovery.dialog is not None:
            window.recovery.dialog.close()


def _unfinished(sessions: Path, name: str, *, broken: bool = False) -> Path:
    """What a crash leaves: flushed rows, a cut-short last row, an event log with no summary."""
    sessions.mkdir(parents=True, exist_ok=True)
    t = np.arange(3000) / 1000.0
    force = 8.0 * np.sin(np.pi * t) ** 2
    path = write_recording(
        sessions / name, t, np.column_stack([force, np.full_like(t, 40.0)]),
        ("force_n", "angle_deg"),
    )  # fmt: skip
    data = path.read_bytes() + b"3.000000,0.0,4"
    if broken:
        data = data.replace(b"time_s", b"tim\xe9_s")  # a byte that is not UTF-8
    path.write_bytes(data)
    path.with_name(path.stem + ".events.jsonl").write_text('{"event": "connected"}\n')
    return path


def _click(banner, label: str, qtbot) -> None:
    (button,) = [b for b in banner.findChildren(QPushButton) if b.text() == label]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_recording_that_fails_to_open_stays_offered(qtbot, make_window, tmp_path: Path) -> None:
    sessions = AppPaths.under(tmp_path).ensure().sessions_dir
    broken = _unfinished(sessions, "20260101-100000-sweep.csv", broken=True)
    window = make_window()
    banner = window.view.banner
    assert banner.showing(RECOVERY_KEY) and broken.name in banner.text()
    _click(banner, "Open for review", qtbot)
    review = window.review
    assert review is not None
    qtbot.waitUntil(lambda: window.recovery.opening is None, timeout=LOAD_TIMEOUT_MS)
    assert "not a text file" in review.banner.text()
    assert banner.showing(RECOVERY_KEY)  # still offered, saying why
    assert "could not be opened" in banner.text() and "File > Recover" in banner.text()
    assert [r.path for r in window.offer_recovery()] == [broken]
    assert str(broken) not in AppSettings(AppPaths.under(tmp_path)).dismissed_recoveries()


def test_an_opened_recording_is_dismissed_and_file_recover_reaches_it_again(
    qtbot, make_window, tmp_path: Path
) -> None:
    sessions = AppPaths.under(tmp_path).ensure().sessions_dir
    cut = _unfinished(sessions, "20260101-110000-sweep.csv")
    window = make_window()
    banner = window.view.banner
    _click(banner, "Open for review", qtbot)
    review = window.review
    assert review is not None
    qtbot.waitUntil(lambda: review.review is not None, timeout=LOAD_TIMEOUT_MS)
    assert len(review.review.recording.t_s) == 3000  # every whole row; the cut one left out
    assert review.review.recording.notes
    assert not banner.showing(RECOVERY_KEY)
    assert window.offer_recovery() == []  # offered once
    review.close()

    assert window.recover_action.text() == "Recover…"
    window.recover_action.trigger()
    dialog = window.recovery.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.found is not None, timeout=LOAD_TIMEOUT_MS)
    assert [r.path for r in dialog.found] == [cut]
    assert "dismissed at start-up" in dialog.list.item(0).text()
    assert dialog.open_button.isEnabled()
    with qtbot.waitSignal(window.review.loaded, timeout=LOAD_TIMEOUT_MS):
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert window.review.isVisible() and window.review.review.path == cut


def test_file_recover_says_when_there_is_nothing_to_recover(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = make_window()
    dialog = window.recover()
    qtbot.waitUntil(lambda: dialog.found is not None, timeout=LOAD_TIMEOUT_MS)
    assert dialog.found == [] and "No unfinished recordings" in dialog.note.text()
    assert not dialog.open_button.isEnabled()
