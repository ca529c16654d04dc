"""Point 8: every field of an exercise file, given a wrong value, is refused naming the field.

``"scoring": [1]`` used to exit 1 with an ``AttributeError``; other type errors exited 2 without
naming the field; ``schema_version: true`` was accepted; ``envelope --id "Bad ID!"`` and
``--name ''`` wrote an exercise the program then refused to load. Every field of a shipped
exercise is replaced in turn by values of every wrong kind and the file loaded: each is either
refused by an ``ExerciseError`` naming the file and the field, or (a whole number where a number
goes, a null for an optional section) accepted. A few go through the CLI for the exit status.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import assert_user_error, run_cli
from trainer.library.exercise import ExerciseError, library_dir, load_exercise_file

BASE = json.loads((library_dir() / "sweep.json").read_text(encoding="utf-8"))
WRONG: tuple[Any, ...] = ("x", "", 1, -1.5, True, None, [1], {"a": 1}, 1e300, [])
#: Sections kept as they are written (the leave-one-out report an exercise carries for reading).
FREE_FORM = ("calibration",)
#: Sections that may be left out, so null stands for "absent".
OPTIONAL = ("detection", "scoring", "scoring.weights", "scoring.block", "calibration")
#: Figures an envelope may lack (null: no angle channel, too few strokes for a spread).
NULLABLE = tuple(
    f"envelope.{k}"
    for k in (
        "duration_log_sd",
        "mean_angle_mean_deg",
        "mean_angle_sd_deg",
        "sparc_mean",
        "sparc_sd",
    )
)


def _fields(d: dict[str, Any], within: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for key, value in d.items():
        path = (*within, key)
        yield path
        if isinstance(value, dict) and path[0] not in FREE_FORM:
            yield from _fields(value, path)


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    at = d
    for key in path[:-1]:
        at = at[key]
    at[path[-1]] = value
    return d


def _valid_anyway(path: tuple[str, ...], original: Any, value: Any) -> bool:
    """A replacement that is a fair value of the field (so loading it must succeed)."""
    dotted = ".".join(path)
    if value is None and dotted in OPTIONAL:
        return True
    if value is None and dotted in NULLABLE:
        return True
    if value == [] and isinstance(original, list) and all(isinstance(x, str) for x in original):
        return True  # an empty list of text (no source files named)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(original, float) and number and type(original) is not bool:
        return True  # range checks are the sections' own tests
    return type(value) is type(original) and not isinstance(value, list | dict)


def test_every_wrong_value_of_every_field_is_refused_naming_the_field(tmp_path: Path) -> None:
    target = tmp_path / "edited.json"
    tried = refused = 0
    for path in _fields(BASE):
        if path[0] == "format":
            continue
        original = _original(path)
        for value in WRONG:
            if value == original and type(value) is type(original):
                continue
            target.write_text(json.dumps(_with(path, value)), encoding="utf-8")
            tried += 1
            try:
                load_exercise_file(target)
            except ExerciseError as exc:
                refused += 1
                message = str(exc)
                assert message.startswith(f"{target}: "), message
                assert len(message) < 600, message
                # The field, or the list or section it sits in, by its dotted path.
                named = [".".join(path[:k]) for k in range(len(path), 0, -1)]
                assert any(f"'{n}" in message or n in message for n in named), (path, message)
                continue
            except Exception as exc:
                pytest.fail(f"{'.'.join(path)} = {value!r}: {type(exc).__name__}: {exc}")
            dotted = ".".join(path)
            assert _valid_anyway(path, original, value) or dotted.startswith(FREE_FORM), (
                f"{dotted} = {value!r} was accepted"
            )
    assert tried > 500 and refused > 400, (tried, refused)


def _original(path: tuple[str, ...]) -> Any:
    at: Any = BASE
    for key in path:
        at = at[key]
    return at


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"schema_version": True}, "schema_version"),
        ({"schema_version": 0}, "schema_version"),
        ({"schema_version": 2.0}, "schema_version"),
        ({"pass_mark": 80}, "pass_mark"),  # a typo'd place: a setting silently ignored
        ({"scoring": {**BASE["scoring"], "passmark": 80}}, "scoring.passmark"),
        ({"provenance": {**BASE["provenance"], "by": "me"}}, "provenance.by"),
    ],
)
def test_a_wrong_version_or_an_unknown_field_is_refused(
    tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    target = tmp_path / "edited.json"
    target.write_text(json.dumps({**BASE, **change}), encoding="utf-8")
    with pytest.raises(ExerciseError, match=f"field '{field}'"):
        load_exercise_file(target)


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"scoring": [1]}, "field 'scoring' must be an object"),
        ({"detection": "fast"}, "field 'detection' must be an object"),
        ({"envelope": {**BASE["envelope"], "force_mu_n": "x"}}, "force_mu_n"),
        ({"schema_version": True}, "field 'schema_version'"),
    ],
)
def test_the_cli_refuses_a_bad_exercise_field_with_one_line_and_exit_2(
    tmp_path: Path, change: dict[str, Any], needle: str
) -> None:
    target = tmp_path / "edited.json"
    target.write_text(json.dumps({**BASE, **change}), encoding="utf-8")
    recording = tmp_path / "r.csv"
    recording.write_text("time_s,force_n,angle_deg\n0,0,40\n0.001,0,40\n", encoding="utf-8")
    done = run_cli("score", str(recording), "--exercise", str(target))
    assert_user_error(done, str(target), needle)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--id", "Bad ID!", "--name", "Fine"), "id 'Bad ID!'"),
        (("--id", "fine", "--name", ""), "the name must not be empty"),
        (("--id", "fine", "--name", "   "), "the name must not be empty"),
        (("--id", "x" * 65, "--name", "Fine"), "at most 64 characters"),
    ],
)
def test_envelope_never_writes_an_exercise_the_program_would_refuse(
    tmp_path: Path, args: tuple[str, ...], needle: str
) -> None:
    recording = tmp_path / "r.csv"
    recording.write_text("time_s,force_n,angle_deg\n0,0,40\n0.001,0,40\n", encoding="utf-8")
    out = tmp_path / "ex.json"
    done = run_cli("envelope", str(recording), *args, "--out", str(out))
    assert_user_error(done, needle)
    assert not out.exists()
