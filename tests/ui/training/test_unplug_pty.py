"""Unplugging and replugging a real serial tool while the training screen records from it.

The tool is an ITP/1 emulator on a pseudo-terminal, opened by its path through the application's
own plumbing (``SessionController`` -> ``open_device`` -> ``SerialSource``), exactly as a USB
tool at ``/dev/ttyACM0`` would be. Pulling it must not stop practice or the recording: a
non-modal banner says so, it goes on its own once data flow again, and the same recording file
carries on with the gap written into its event log. A manual stop is different: it stays stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from devices.sim.itp_emulator import ItpEmulator
from trainer.library.exercise import Exercise
from trainer.live.connection import DeviceChoice
from trainer.recordings.events import read_events
from trainer.recordings.reader import read_recording
from ui.training.session_controller import Phase, SessionController
from ui.training.training_view import DISCONNECT_KEY, TrainingView

START_TIMEOUT_MS = 15_000
#: The link tries the vanished port twice a second; data must be back well within this.
RECONNECT_TIMEOUT_MS = 10_000


@pytest.fixture
def tool() -> Iterator[ItpEmulator]:
    with ItpEmulator(rate_hz=1000.0) as emulator:
        yield emulator


@pytest.fixture
def view(qtbot, tmp_path: Path, sweep_exercise: Exercise, tool: ItpEmulator) -> TrainingView:
    def stop_properly(v: TrainingView) -> None:
        if v.controller.phase is Phase.RUNNING:
            with qtbot.waitSignal(v.controller.stopped, timeout=10_000):
                v.stop_session()
        qtbot.waitUntil(lambda: v.controller.phase is Phase.IDLE, timeout=10_000)

    controller = SessionController(tmp_path / "sessions")
    v = TrainingView([sweep_exercise], controller, device=DeviceChoice("serial", port=tool.path))
    controller.setParent(v)
    qtbot.addWidget(v, before_close_func=stop_properly)
    v.resize(1400, 900)
    v.show()
    return v


def _shown_s(view: TrainingView) -> float:
    """The newest sample time the strip has on screen (-1 before any)."""
    shown = view.strip.shown_until_s
    return -1.0 if shown is None else shown


def test_unplug_shows_a_banner_replug_clears_it_and_the_recording_carries_on(
    qtbot, view: TrainingView, tool: ItpEmulator
) -> None:
    with qtbot.waitSignal(view.controller.started, timeout=START_TIMEOUT_MS):
        assert view.start_session()
    qtbot.waitUntil(lambda: _shown_s(view) > 0.5, timeout=START_TIMEOUT_MS)
    assert not view.banner.showing(DISCONNECT_KEY)
    session = view.session
    assert session is not None

    tool.unplug()
    qtbot.waitUntil(lambda: view.banner.showing(DISCONNECT_KEY), timeout=RECONNECT_TIMEOUT_MS)
    assert "disconnected" in view.banner.text() and "reconnecting" in view.banner.text()
    assert QApplication.activeModalWidget() is None  # practice is not interrupted
    assert view.controller.phase is Phase.RUNNING
    unplugged_at_s = _shown_s(view)

    tool.replug()
    qtbot.waitUntil(lambda: not view.banner.showing(DISCONNECT_KEY), timeout=RECONNECT_TIMEOUT_MS)
    assert view.device_panel.status_label.text() == "Connected"
    # Data flow again on the same screen, after the gap.
    resumed_at_s = _shown_s(view)
    assert resumed_at_s > unplugged_at_s
    qtbot.waitUntil(lambda: _shown_s(view) > resumed_at_s + 0.5, timeout=RECONNECT_TIMEOUT_MS)
    assert view.strip.shade_counts()[1] >= 1  # the gap is shown where it happened
    assert view.session is session  # one session all along

    with qtbot.waitSignal(view.controller.stopped, timeout=10_000):
        assert view.stop_session()
    assert tool.counts().replugs == 1

    # One recording, continued across the unplug: the gap logged, samples on both sides of it,
    # time strictly increasing, the file closed with its summary.
    (csv,) = (view.controller.sessions_dir).glob("*.csv")
    recording = read_recording(csv)
    events = read_events(csv)
    kinds = [e["event"] for e in events]
    assert "disconnected" in kinds and "gap" in kinds
    assert kinds[-1] == "summary"
    gap = next(e for e in events if e["event"] == "gap")
    t = recording.t_s
    assert np.all(np.diff(t) > 0)
    before, after = t[t <= gap["t_s"]], t[t > gap["t_s"] + gap["duration_s"] - 1e-6]
    assert len(before) > 500 and len(after) > 500
    assert after[0] - before[-1] >= gap["duration_s"] - 0.01  # the missing time is not hidden
    assert events[-1]["counters"]["disconnects"] == 1


def test_a_manual_stop_stays_disconnected_without_a_banner(
    qtbot, view: TrainingView, tool: ItpEmulator
) -> None:
    with qtbot.waitSignal(view.controller.started, timeout=START_TIMEOUT_MS):
        assert view.start_session()
    qtbot.waitUntil(lambda: _shown_s(view) > 0.3, timeout=START_TIMEOUT_MS)
    session = view.controller.session
    assert session is not None
    with qtbot.waitSignal(view.controller.stopped, timeout=10_000):
        assert view.stop_session()
    QApplication.processEvents()  # any report still queued from the session's last moments
    assert not view.banner.showing(DISCONNECT_KEY)
    assert view.device_panel.status_label.text().startswith("Stopped")
    assert view.controller.phase is Phase.IDLE
    assert not session.source.running  # no reader left to reconnect
    # The tool is still plugged in and streaming, yet nothing opens it again: the host asks a
    # port it (re)connects to for INFO, and no such request arrives over several retry periods.
    asked = len(tool.counts().commands)
    assert not tool.wait_for(lambda c: len(c.commands) > asked, timeout_s=1.5)
    assert not view.banner.showing(DISCONNECT_KEY)
    assert view.controller.phase is Phase.IDLE
