"""What the application remembers, where, and which recordings a crash left unfinished."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from devices.samples import SampleBlock
from trainer.live.connection import DeviceChoice
from trainer.live.feedback import Schedule
from trainer.paths import HOME_ENV, AppPaths
from trainer.recordings.events import events_path
from trainer.recordings.recovery import find_unfinished, is_unfinished
from trainer.recordings.writer import RecordingWriter
from ui.app.settings import AppSettings


def test_settings_survive_a_restart(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path).ensure()
    s = AppSettings(paths)
    s.set_device(
        DeviceChoice(
            "csv", skill="expert", port="/dev/ttyUSB0", baud=9600, columns="t_ms,force_n,angle_deg"
        )
    )
    s.set_exercise_id("sweep")
    s.set_schedule(Schedule.FADED)
    s.set_theme("dark")
    s.set_calibration("A13F", {"gain": 0.01, "offset": -0.2})
    s.sync()
    again = AppSettings(paths)
    assert again.device() == DeviceChoice(
        "csv", skill="expert", port="/dev/ttyUSB0", baud=9600, columns="t_ms,force_n,angle_deg"
    )
    assert again.exercise_id() == "sweep"
    assert again.schedule() is Schedule.FADED
    assert again.theme() == "dark"
    assert again.calibration("A13F") == {"gain": 0.01, "offset": -0.2}
    assert again.calibration("other") is None
    assert paths.settings_file.read_text().count("sweep") == 1  # a plain file a person can read


def test_a_mangled_settings_file_falls_back_to_defaults(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path).ensure()
    paths.settings_file.write_text(
        "[device]\nkind=teleport\nbaud=fast\n[training]\nfeedback=loud\n[appearance]\ntheme=neon\n"
    )
    s = AppSettings(paths)
    assert s.device().kind == "sim" and s.device().baud == 115200
    assert s.schedule() is Schedule.CONCURRENT
    assert s.theme() == "system"


def test_home_variable_keeps_everything_in_one_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    paths = AppPaths.default()
    assert paths.sessions_dir == tmp_path / "data" / "sessions"
    assert paths.settings_file == tmp_path / "config" / "settings.ini"


def _recording(path: Path, finish: bool) -> Path:
    writer = RecordingWriter(path, ("force_n", "angle_deg"), {"exercise": "sweep v1"}, t0_s=0.0)
    t = np.arange(0, 1.0, 0.01)
    writer.write(
        SampleBlock(t, np.c_[np.ones_like(t), np.full_like(t, 45.0)], ("force_n", "angle_deg"))
    )
    writer.log_event("gap", 0.5, duration_s=0.1)
    if finish:
        writer.close({"counters": {}})
    else:
        writer._flush()  # a crash: flushed data on disk, never closed,
        writer._lock.release()  # and the dead process's lock gone with it
    return path


def test_only_recordings_without_a_final_summary_are_offered(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    done = _recording(sessions / "20250101-100000-sweep.csv", finish=True)
    crashed = _recording(sessions / "20250101-110000-sweep.csv", finish=False)
    no_log = sessions / "20250101-120000-sweep.csv"
    no_log.write_text("# iastm-trainer recording\ntime_s,force_n,angle_deg\n0,1,45\n")
    (sessions / "empty.csv").write_text("")
    assert not is_unfinished(done)
    assert is_unfinished(crashed) and is_unfinished(no_log)
    found = find_unfinished(sessions)
    assert {f.path for f in found} == {crashed, no_log}
    assert [f.path for f in find_unfinished(sessions, {str(no_log)})] == [crashed]
    assert events_path(crashed).exists()
    assert find_unfinished(tmp_path / "nowhere") == []


def test_a_sub_command_runs_without_loading_qt() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from ui.app.launcher import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    status = main(['exercises', '--json'])\n"
        "qt = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken6'))]\n"
        "print(status, qt)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0 []", out.stderr
