"""A live session on a replayed recording: the same path the application uses, end to end."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from devices.replay import ReplaySource
from devices.samples import DeviceEvent, EventKind, SampleBlock
from trainer.library.exercise import find_exercise
from trainer.live.connection import DeviceChoice, open_device
from trainer.live.session import TrainingSession
from trainer.offline.analysis import score_recording
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording
from trainer.scoring.summary import summarise


class Collector:
    def __init__(self) -> None:
        self.strokes: list = []
        self.events: list[DeviceEvent] = []
        self.tares: list = []
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.done = threading.Event()

    def on_stroke(self, stroke, score) -> None:
        self.strokes.append((stroke, score))

    def on_event(self, event: DeviceEvent) -> None:
        self.events.append(event)
        if event.kind is EventKind.DISCONNECTED:
            self.done.set()

    def on_tare(self, result, error) -> None:
        self.tares.append((result, error))

    def on_error(self, message: str) -> None:
        self.errors.append(message)

    def on_note(self, message: str) -> None:
        self.notes.append(message)


def _replay(path: Path, speed: float = float("inf")) -> ReplaySource:
    rec = read_recording(path)
    return ReplaySource(rec.t_s, rec.values, rec.channels, speed=speed)


def test_live_session_scores_like_offline_and_records_every_sample(tmp_path: Path) -> None:
    exercise = find_exercise("sweep")
    src_path, n = simulate_recording(
        tmp_path / "trainee.csv",
        stroke_type="sweep",
        skill="competent",
        strokes=8,
        seed=4,
        rate_hz=1000.0,
    )
    listener = Collector()
    out = tmp_path / "live.csv"
    session = TrainingSession(_replay(src_path), exercise, recording_path=out, listener=listener)
    session.start()
    assert listener.done.wait(30), "replay did not finish"
    session.stop()
    assert not listener.errors
    live = read_recording(out)
    assert len(live.t_s) == n
    offline = score_recording(read_recording(src_path), exercise)
    assert [round(s.score, 6) for _, s in listener.strokes] == [
        round(s.score, 6) for s in offline.scores
    ]
    assert len(listener.strokes) == 8
    assert live.events[-1]["event"] == "summary"
    assert live.events[-1]["score_summary"]["strokes"] == 8


def test_tare_removes_the_offset_of_a_still_tool(tmp_path: Path) -> None:
    t = np.arange(0, 4.0, 0.001)
    values = np.c_[np.full_like(t, 2.5) + 0.01 * np.sin(50 * t), np.full_like(t, 45.0)]
    listener = Collector()
    session = TrainingSession(
        ReplaySource(t, values, ("force_n", "angle_deg")),
        recording_path=tmp_path / "r.csv",
        listener=listener,
    )
    session.request_tare(2.0)
    session.start()
    assert listener.done.wait(30)
    session.stop()
    ((result, error),) = listener.tares
    assert error is None
    assert abs(result.offset_n - 2.5) < 0.02
    rec = read_recording(tmp_path / "r.csv")
    assert abs(rec.channel("force_n")[-500:].mean()) < 0.02
    assert any(e["event"] == "tare" for e in rec.events)


def test_a_moving_tool_is_not_tared(tmp_path: Path) -> None:
    t = np.arange(0, 4.0, 0.001)
    values = np.c_[10 * np.sin(2 * np.pi * t) ** 2, np.full_like(t, 45.0)]
    listener = Collector()
    session = TrainingSession(ReplaySource(t, values, ("force_n", "angle_deg")), listener=listener)
    session.request_tare(2.0)
    session.start()
    assert listener.done.wait(30)
    session.stop()
    ((result, error),) = listener.tares
    assert result is None and "still" in error
    assert session.tare_offset_n == 0.0


def test_a_failing_listener_loses_neither_strokes_nor_the_recording(tmp_path: Path) -> None:
    class Broken(Collector):
        def on_stroke(self, stroke, score) -> None:
            raise RuntimeError("display went away")

    src_path, n = simulate_recording(
        tmp_path / "t.csv", stroke_type="sweep", skill="expert", strokes=3, seed=2, rate_hz=500.0
    )
    listener = Broken()
    out = tmp_path / "live.csv"
    session = TrainingSession(
        _replay(src_path), find_exercise("sweep"), recording_path=out, listener=listener
    )
    session.start()
    assert listener.done.wait(30)
    session.stop()
    assert len(session.records) == 3
    assert len(session.listener_errors) == 3 and "display went away" in session.listener_errors[0]
    rec = read_recording(out)
    assert len(rec.t_s) == n and rec.events[-1]["event"] == "summary"


def test_new_calibration_clears_a_tare_taken_in_other_units(tmp_path: Path) -> None:
    from trainer.signals.calibration import fit_calibration

    t = np.arange(0, 3.0, 0.001)
    values = np.c_[np.full_like(t, 1.0), np.full_like(t, 45.0)]
    session = TrainingSession(
        ReplaySource(t, values, ("force_n", "angle_deg")), recording_path=tmp_path / "r.csv"
    )
    session.tare_offset_n = 1.0
    session.process_items([SampleBlock(t[:10], values[:10], ("force_n", "angle_deg"))])
    session.set_calibration(fit_calibration([0.0, 100.0], [0.0, 1.0]))
    session.log_event("feedback", stroke=1, shown=True)
    session.stop()
    assert session.tare_offset_n == 0.0
    kinds = [e["event"] for e in read_recording(tmp_path / "r.csv").events]
    assert "calibration" in kinds and "feedback" in kinds


def test_a_long_session_keeps_old_strokes_as_figures_and_summarises_them_all(
    tmp_path: Path, monkeypatch
) -> None:
    import trainer.live.session as session_module

    monkeypatch.setattr(session_module, "RAW_STROKES_KEPT", 3)
    monkeypatch.setattr(session_module, "RECORDS_KEPT", 4)
    src_path, _ = simulate_recording(
        tmp_path / "t.csv", stroke_type="sweep", skill="novice", strokes=6, seed=8, rate_hz=500.0
    )
    listener = Collector()
    exercise = find_exercise("sweep")
    session = TrainingSession(_replay(src_path), exercise, listener=listener)
    session.start()
    assert listener.done.wait(30)
    session.stop()
    assert len(listener.strokes) == 6
    # The newest four strokes stay whole, the newest three with their samples...
    assert [r.start_s for r in session.records] == [s.start_s for s, _ in listener.strokes[2:]]
    assert [r.stroke is None for r in session.records] == [True, False, False, False]
    assert len(session.scores()) == 4
    # ...and the summary still covers all six.
    every_score = [score for _, score in listener.strokes]
    assert session.summary() == summarise(
        every_score, exercise.pass_mark, exercise.envelope, exercise.block
    )
    assert session.summary().strokes == 6


def test_a_replay_that_starts_at_5_s_is_recorded_on_the_sessions_own_axis(tmp_path: Path) -> None:
    # A replayed slice (or a restarted source) whose first sample is not at 0: the recording's
    # time column, its events and the strokes the session reported must all share one zero.
    exercise = find_exercise("sweep")
    src_path, n = simulate_recording(
        tmp_path / "trainee.csv", stroke_type="sweep", skill="competent", strokes=4, seed=7
    )
    rec = read_recording(src_path)
    t_device = rec.t_s + 5.0
    listener = Collector()
    out = tmp_path / "live.csv"
    session = TrainingSession(
        ReplaySource(t_device, rec.values, rec.channels, speed=float("inf")),
        exercise,
        recording_path=out,
        listener=listener,
    )
    session.start()
    assert listener.done.wait(30), "replay did not finish"
    session.stop()
    assert not listener.errors
    assert session.t0_s == 5.0

    live = read_recording(out)
    assert len(live.t_s) == n
    assert live.t_s[0] == 0.0 and live.t_s.min() >= 0.0
    np.testing.assert_allclose(live.t_s, t_device - session.t0_s, rtol=0, atol=1e-6)

    # Scoring the written file offline finds the strokes the live session reported, at the same
    # times on the same axis.
    offline = score_recording(live, exercise)
    live_strokes = [stroke for stroke, _ in listener.strokes]
    assert len(live_strokes) == len(offline.strokes) == 4
    for mine, theirs in zip(live_strokes, offline.strokes, strict=True):
        assert theirs.start_s == pytest.approx(mine.start_s, abs=1e-6)
        assert theirs.end_s == pytest.approx(mine.end_s, abs=1e-6)
        assert 0.0 <= mine.start_s < mine.end_s <= live.t_s[-1]
    assert [round(s.score, 6) for _, s in listener.strokes] == [
        round(s.score, 6) for s in offline.scores
    ]

    # The end of the replay is logged at the last sample's time, on the recording's axis.
    (end,) = [e for e in live.events if e["event"] == "disconnected"]
    assert end["t_s"] == pytest.approx(live.t_s[-1], abs=1e-6)


def test_the_events_sidecar_shares_the_recordings_zero(tmp_path: Path) -> None:
    # Device time starts at 5 s; a tare, a device reset, a feedback note and a new calibration
    # are each logged at the time of the sample they belong to, on the recording's axis.
    from trainer.signals.calibration import fit_calibration

    ch = ("force_n", "angle_deg")
    t = 5.0 + np.arange(0, 3.0, 0.001)
    values = np.c_[np.full_like(t, 2.5) + 0.01 * np.sin(50 * t), np.full_like(t, 45.0)]
    out = tmp_path / "r.csv"
    session = TrainingSession(ReplaySource(t, values, ch), recording_path=out)
    session.request_tare(1.0)
    half = len(t) // 2
    session.process_items(
        [
            SampleBlock(t[:half], values[:half], ch),
            DeviceEvent(EventKind.RESET, t_s=float(t[half]), text="device reset"),
            SampleBlock(t[half:], values[half:], ch),
        ]
    )
    session.log_event("feedback", stroke=1)
    session.set_calibration(fit_calibration([0.0, 100.0], [0.0, 1.0]))
    session.stop()

    rec = read_recording(out)
    assert rec.t_s[0] == 0.0
    at = {e["event"]: e.get("t_s") for e in rec.events}
    assert at["reset"] == pytest.approx(rec.t_s[half], abs=1e-6)
    assert 1.0 <= at["tare"] <= rec.t_s[-1]
    assert at["feedback"] == pytest.approx(rec.t_s[-1], abs=1e-6)
    assert at["calibration"] == pytest.approx(rec.t_s[-1], abs=1e-6)


def test_a_tare_right_after_connecting_the_simulated_tool_succeeds(tmp_path: Path) -> None:
    """The application's simulated tool rests after connecting, as a trainee waits for the tare:
    T pressed half a second after the first samples finds the tool still."""
    exercise = find_exercise("sweep")
    listener = Collector()
    source = open_device(DeviceChoice("sim", skill="competent", speed=5.0, seed=3), exercise)
    session = TrainingSession(
        source, exercise, recording_path=tmp_path / "s.csv", listener=listener
    )
    session.start()
    try:
        _wait_for(lambda: (session.state().last_t_s or 0.0) >= 0.5)
        session.request_tare(2.0)
        _wait_for(lambda: listener.tares and len(listener.strokes) >= 3)
    finally:
        session.stop()
    ((result, error),) = listener.tares
    assert error is None
    assert 0.5 <= result.offset_n <= 3.0  # the simulated load cell's offset at power-up
    # every stroke is measured from the tared zero
    assert all(abs(stroke.baseline_n) < 0.1 for stroke, _ in listener.strokes)
    assert not listener.errors


def test_standby_shows_and_tares_the_tool_and_records_only_from_begin(tmp_path: Path) -> None:
    """Connect, tare with the tool still, then start: nothing is recorded or scored before the
    start, however long the trainee takes, and the tare made in standby carries into the session."""
    exercise = find_exercise("sweep")
    listener = Collector()
    choice = DeviceChoice("sim", skill="competent", speed=10.0, seed=5)
    source = open_device(choice, exercise, wait=True)
    path = tmp_path / "s.csv"
    session = TrainingSession(source, exercise, listener=listener, standby=True)
    session.start()
    try:
        _wait_for(lambda: (session.state().last_t_s or 0.0) >= 0.5)
        session.request_tare(2.0)
        _wait_for(lambda: bool(listener.tares))
        _wait_for(lambda: (session.state().last_t_s or 0.0) >= 15.0)  # a slow student
        assert session.standby and session.writer is None and not path.exists()
        assert session.display is not None and session.display.total_appended > 0
        assert not listener.strokes
        session.begin(path, metadata={"feedback_schedule": "concurrent"})
        _wait_for(lambda: len(listener.strokes) >= 3)
    finally:
        session.stop()
    ((result, error),) = listener.tares
    assert error is None and 0.5 <= result.offset_n <= 3.0
    rec = read_recording(path)
    assert rec.t_s[0] == pytest.approx(0.0, abs=0.01)  # the recording starts at the start
    assert float(rec.metadata["tare_offset_n"]) == pytest.approx(result.offset_n, abs=1e-3)
    force = rec.channel("force_n")
    assert abs(float(np.median(force[rec.t_s < 2.0]))) < 0.1  # tared before the first sample
    first = listener.strokes[0][0]
    assert first.start_s >= 2.0  # the simulated person began after the start, not before
    assert all(abs(stroke.baseline_n) < 0.1 for stroke, _ in listener.strokes)


def _wait_for(condition, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_contact_left_out_is_told_at_once_and_kept_in_the_notes(tmp_path: Path) -> None:
    """A stroke, then the tool put down and left resting: the trainee is told straight away that
    the resting contact was not scored (not left to wonder where a stroke went), and so is
    whoever reads the session's notes afterwards."""
    ch = ("force_n", "angle_deg")
    t = np.arange(0.0, 12.0, 0.001)
    force = 1.0 + np.random.default_rng(4).normal(0.0, 0.03, t.size)
    m = (t >= 3.0) & (t < 4.0)
    force[m] += 8.0 * np.sin(np.pi * (t[m] - 3.0)) ** 2
    force[t >= 6.0] += 5.0  # the tool put down on the skin and left there
    values = np.c_[force, np.full_like(t, 45.0)]
    listener = Collector()
    session = TrainingSession(
        ReplaySource(t, values, ch),
        exercise=find_exercise("sweep"),
        recording_path=tmp_path / "r.csv",
        listener=listener,
    )
    blocks = [SampleBlock(t[i : i + 10], values[i : i + 10], ch) for i in range(0, t.size, 10)]
    session.process_items(blocks[:800])  # to 8 s: the resting load has held still for 1 s
    assert len(listener.strokes) == 1
    assert listener.notes == [
        "Not scored: that contact held still for 1 s, so it was taken as the tool resting."
    ]
    session.process_items(blocks[800:])
    session.stop()
    assert len(listener.notes) == 1  # told once, not once a block
    assert any(n.startswith("1 contact(s) held a load still") for n in session.notes)
    summary = [e for e in read_recording(tmp_path / "r.csv").events if e["event"] == "summary"]
    assert summary[-1]["left_out"]["dropped_held"] == 1
