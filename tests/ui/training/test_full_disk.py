"""Point 2, in the training window: a disk that fills up mid-session.

The window used to show a banner and then go on showing "Stop / Connected / Stroke 5: in
progress", frozen. Now the session stops: the window is stopped, a warning banner names the file
and the reason, and what was saved stays readable where it says. The disk is a real one, a small
ext4 image mounted through a loop device and filled while the session records (where the machine
allows mounting; elsewhere a file size limit fails the writes the same way).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from pathlib import Path

from devices.sim.itp_emulator import ItpEmulator
from tests.reliability.disks import SmallDisk, file_size_limit
from tests.reliability.test_device_channels import _change_channels
from trainer.library.exercise import find_exercise
from trainer.live.connection import DeviceChoice
from trainer.recordings.reader import read_recording
from ui.training.session_controller import Phase, SessionController
from ui.training.training_view import TrainingView

TIMEOUT_MS = 30_000


def _view(qtbot, sessions: Path, device: DeviceChoice) -> TrainingView:
    controller = SessionController(sessions)
    view = TrainingView([find_exercise("sweep")], controller, device=device)
    controller.setParent(view)
    qtbot.addWidget(view)
    view.show()
    return view


def test_a_device_that_changes_its_channels_stops_the_window_with_it(qtbot, tmp_path: Path) -> None:
    """The session stops itself when the tool drops a channel; the window follows it to Stop."""
    with ItpEmulator(rate_hz=500.0) as tool:
        view = _view(qtbot, tmp_path / "sessions", DeviceChoice("serial", port=tool.path))
        with qtbot.waitSignal(view.controller.started, timeout=TIMEOUT_MS):
            assert view.start_session()
        session = view.session
        qtbot.waitUntil(
            lambda: session.writer is not None and session.writer.rows > 500, timeout=TIMEOUT_MS
        )
        _change_channels(tool, ("angle_deg",))
        qtbot.waitUntil(lambda: view.controller.phase is Phase.IDLE, timeout=TIMEOUT_MS)
    assert view.start_button.text() == "▶ Start"
    assert "changed its channels" in view.banner.text()
    assert len(read_recording(session.recording_path).t_s) >= 500


def test_a_full_disk_stops_the_session_and_says_what_was_kept(qtbot, tmp_path: Path) -> None:
    if SmallDisk.available():
        with SmallDisk() as disk:
            full = "No space left on device"
            _full_mid_session(qtbot, disk.root, lambda _path: disk.fill(), full)
        return
    # No root to mount a disk: a file size limit on this process, set just past what is written,
    # fails the recording's next writes through the same code path (EFBIG instead of ENOSPC).
    with contextlib.ExitStack() as limits:

        def no_more_room(path: Path) -> None:
            limits.enter_context(file_size_limit(path.stat().st_size + 64 * 1024))

        _full_mid_session(qtbot, tmp_path, no_more_room, "File too large")


def _full_mid_session(qtbot, root: Path, fill: Callable[[Path], object], reason: str) -> None:
    controller = SessionController(root / "sessions")
    view = TrainingView(
        [find_exercise("sweep")], controller, device=DeviceChoice("sim", skill="expert", speed=4.0)
    )
    controller.setParent(view)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(controller.started, timeout=TIMEOUT_MS):
        assert view.start_session()
    session = view.session
    assert session is not None
    qtbot.waitUntil(
        lambda: session.writer is not None and session.writer.rows > 2000, timeout=TIMEOUT_MS
    )
    assert view.controller.phase is Phase.RUNNING
    path = session.recording_path
    fill(path)
    # The session stops by itself (its thread ends, stopped_reason is set); the window must follow.
    qtbot.waitUntil(lambda: controller.phase is Phase.IDLE, timeout=TIMEOUT_MS)
    assert view.start_button.text() == "▶ Start"
    text = view.banner.text()
    assert str(path) in text and reason in text and "kept up to" in text
    # What was written before the disk filled reads back; the banner says up to when.
    recording = read_recording(path)
    assert len(recording.t_s) >= 1000
    kept = float(re.search(r"kept up to ([0-9.]+) s", text)[1])
    assert recording.t_s[-1] <= kept + 1e-6
    assert recording.t_s[-1] >= kept - 1.5  # at most the unflushed last second is lost
