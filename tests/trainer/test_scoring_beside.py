"""A long recording's strokes scored in a second process while the rest is segmented
(``trainer/offline/beside.py``): the same scores as in one process, in the same order, and
none lost when the second process fails or dies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from trainer.library.exercise import find_exercise
from trainer.offline import analysis, beside
from trainer.offline.analysis import score_recording
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("beside") / "novice.csv"
    simulate_recording(path, stroke_type="sweep", skill="novice", strokes=40, seed=11)
    return read_recording(path)


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> list[beside.ScoringBeside]:
    """Every recording scored beside, however short, in pieces of 5000 samples; the hand-overs
    made are kept to be looked at."""
    made: list[beside.ScoringBeside] = []

    class Watched(beside.ScoringBeside):
        def __init__(self, scorer) -> None:
            super().__init__(scorer)
            made.append(self)

    monkeypatch.setattr(beside, "MIN_SAMPLES", 0)
    monkeypatch.setattr(analysis, "PIECE_SAMPLES", 5000)
    monkeypatch.setattr(analysis, "ScoringBeside", Watched)
    return made


def _as_json(report) -> str:
    return json.dumps(report.as_json(), sort_keys=True)


def test_the_second_process_gives_the_same_scores_in_the_same_order(recording, watched) -> None:
    exercise = find_exercise("sweep")
    alone = score_recording(recording, exercise)
    with_second = score_recording(recording, exercise, beside=True)
    assert len(with_second.scores) == len(alone.scores) >= 30
    assert _as_json(with_second) == _as_json(alone)
    assert [s.index for s in with_second.strokes] == [s.index for s in alone.strokes]
    assert watched and watched[0].scored_beside == len(alone.scores)


def _die(strokes):
    os._exit(3)  # the second process killed mid-way (out of memory, a signal)


def _fail(strokes):
    raise RuntimeError("a piece that fails there")


@pytest.mark.parametrize("trouble", [_die, _fail], ids=["dies", "fails"])
def test_a_second_process_in_trouble_loses_no_score(
    recording, watched, monkeypatch: pytest.MonkeyPatch, trouble
) -> None:
    exercise = find_exercise("sweep")
    alone = score_recording(recording, exercise)
    monkeypatch.setattr(beside, "score_in_worker", trouble)
    with_second = score_recording(recording, exercise, beside=True)
    assert _as_json(with_second) == _as_json(alone)
    assert watched[0].scored_beside == 0  # every stroke was scored here instead


def test_a_short_recording_is_scored_in_one_process(
    recording, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = []
    monkeypatch.setattr(analysis, "ScoringBeside", lambda scorer: made.append(scorer))
    report = score_recording(recording, find_exercise("sweep"), beside=True)
    assert report.scores and not made  # 40 strokes: a second process would cost more


def test_score_of_a_long_recording_on_the_command_line(tmp_path: Path) -> None:
    """The real command, past ``MIN_SAMPLES``: the second process is forked from it (the suite
    runs on Linux with two cores, where ``can_score_beside`` holds)."""
    assert beside.can_score_beside(beside.MIN_SAMPLES)
    path = tmp_path / "long.csv"
    _, samples = simulate_recording(
        path, stroke_type="sweep", skill="competent", strokes=330, seed=5
    )
    assert samples >= beside.MIN_SAMPLES
    proc = run_cli("score", str(path), "--exercise", "sweep", "--json")
    assert proc.returncode == 0, proc.stderr
    expected = score_recording(read_recording(path), find_exercise("sweep")).as_json()
    assert json.loads(proc.stdout) == json.loads(json.dumps(expected))


_interrupt_at_fork = {"armed": False}


def _press_ctrl_c_while_forking() -> None:
    if _interrupt_at_fork["armed"]:
        _interrupt_at_fork["armed"] = False
        os.kill(os.getpid(), signal.SIGINT)


os.register_at_fork(before=_press_ctrl_c_while_forking)


def test_ctrl_c_while_the_second_process_is_forked_still_stops_the_command(
    recording, watched
) -> None:
    """Without holding it back, Python dropped it in the fork's handlers ("Exception ignored")
    and the command ran on to the end."""
    _interrupt_at_fork["armed"] = True
    try:
        with pytest.raises(KeyboardInterrupt):
            score_recording(recording, find_exercise("sweep"), beside=True)
    finally:
        _interrupt_at_fork["armed"] = False
    assert watched  # it was the second process's fork that the key came during


_HOLDS_A_SECOND_PROCESS = """
import sys, time
from trainer.library.exercise import find_exercise
from trainer.offline.analysis import segment_recording_noted
from trainer.offline.beside import ScoringBeside
from trainer.recordings.reader import read_recording
from trainer.scoring.scorer import Scorer

exercise = find_exercise("sweep")
strokes, _ = segment_recording_noted(read_recording(sys.argv[1]), exercise.detection)
scoring = ScoringBeside(
    Scorer(exercise.envelope, exercise.weights, exercise.pass_mark, exercise.stroke_type)
)
scoring.submit(strokes)
scoring.scores()
print(*scoring._pool._processes, flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_the_second_process_ends_with_the_command(tmp_path: Path, how) -> None:
    """However the command ends: a forked process holds both ends of its work pipe and never
    saw the command go; it stayed, holding the memory and the terminal's output."""
    path = tmp_path / "r.csv"
    simulate_recording(path, stroke_type="sweep", skill="novice", strokes=6, seed=2)
    command = subprocess.Popen(
        [sys.executable, "-c", _HOLDS_A_SECOND_PROCESS, str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    second = 0
    try:
        second = int(command.stdout.readline())
        assert Path(f"/proc/{second}").exists()
        command.send_signal(how)
        command.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _alive(second) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(second), "the second process outlived the command"
    finally:
        command.kill()
        command.wait()
        if second and _alive(second):  # not left behind by a failing run
            os.kill(second, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for its (now gone) parent to collect it."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
