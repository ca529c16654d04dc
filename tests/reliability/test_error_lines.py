"""Every fault is one line: a user's mistake exits 2, the program's own fault exits 1 and points
at ``--debug``, which prints the traceback as well.

A fault of the program cannot be caused from outside without a bug to cause it, so one is put in
place of a command (the one stand-in in this suite); everything around it is the real CLI.
"""

from __future__ import annotations

import pytest

from trainer.cli import commands
from trainer.cli.main import main
from trainer.recordings.format import RecordingError


def _broken(_args: object) -> None:
    raise KeyError("a key nobody expected")


def test_a_fault_of_the_program_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(commands, "cmd_exercises", _broken)
    assert main(["exercises"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("iastm-trainer exercises: failed: KeyError: ")
    assert "(run with --debug for the details)" in err

    assert main(["--debug", "exercises"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "_broken" in err and "--debug for the details" not in err
    assert err.rstrip().splitlines()[-1].startswith("iastm-trainer exercises: failed: KeyError")


def test_a_huge_message_is_cut_to_one_short_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(_args: object) -> None:
        raise RecordingError("bad.csv, line 2: " + "x\n" * 50_000)

    monkeypatch.setattr(commands, "cmd_exercises", refuse)
    assert main(["exercises"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 450 and err.rstrip().endswith("...")
