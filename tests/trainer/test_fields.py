"""The shared field readers: every wrong field is named by its path, in one wording.

Each stored dict (tare, calibration, detection settings, envelope, weights, exercise) is read with
these readers, so a reader that forgot the path would leave a user hunting through a file.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trainer.fields import (
    FieldError,
    as_bool,
    as_number,
    choice,
    integer,
    known_only,
    number,
    number_array,
    number_list,
    reported_as,
    section,
    text,
    text_list,
)
from trainer.library.exercise import Exercise, ExerciseError, find_exercise
from trainer.scoring.envelope import Envelope, EnvelopeError
from trainer.scoring.weights import ScoringError, ScoringWeights
from trainer.signals.calibration import Calibration, fit_calibration
from trainer.signals.errors import ConditioningError
from trainer.signals.tare import TareResult
from trainer.strokes.detection import DetectionSettings, SegmentationError

Reader = Callable[[dict[str, Any]], Any]

BAD_VALUES: list[tuple[str, Reader, Any, str]] = [
    ("number, text", lambda d: number(d, "x", within="s"), "big", "must be a finite number"),
    ("number, bool", lambda d: number(d, "x", within="s"), True, "must be a finite number"),
    ("number, NaN", lambda d: number(d, "x", within="s"), math.nan, "must be a finite number"),
    ("number, null", lambda d: number(d, "x", within="s"), None, "must be a finite number"),
    ("number, low", lambda d: number(d, "x", within="s", minimum=0.0), -1, "at least 0, not -1"),
    (
        "number, exclusive",
        lambda d: number(d, "x", within="s", minimum=0.0, exclusive_minimum=True),
        0,
        "greater than 0, not 0",
    ),
    (
        "number, high",
        lambda d: number(d, "x", within="s", minimum=0.0, maximum=1.0),
        1.5,
        "at least 0 and at most 1, not 1.5",
    ),
    ("integer, float", lambda d: integer(d, "x", within="s"), 3.0, "whole number, not 3.0"),
    ("integer, bool", lambda d: integer(d, "x", within="s"), True, "whole number, not True"),
    ("integer, low", lambda d: integer(d, "x", within="s", minimum=3), 2, "at least 3, not 2"),
    ("list, text", lambda d: number_list(d, "x", within="s"), "1,2", "a list of numbers"),
    ("list, item", lambda d: number_list(d, "x", within="s"), [1, "a"], "item 1 is 'a'"),
    ("list, NaN item", lambda d: number_list(d, "x", within="s"), [math.nan], "item 0 is nan"),
    (
        "array, length",
        lambda d: number_array(d, "x", 3, within="s"),
        [1.0, 2.0],
        "a list of 3 numbers, not 2",
    ),
    ("text, number", lambda d: text(d, "x", within="s"), 5, "must be text, not 5"),
    ("text, blank", lambda d: text(d, "x", within="s", blank=False), "  ", "is missing or empty"),
    ("text list, item", lambda d: text_list(d, "x", within="s"), ["a", 1], "item 1 is 1"),
    (
        "choice",
        lambda d: choice(d, "x", ("a", "b"), within="s"),
        "c",
        "is 'c'; expected one of a, b",
    ),
    ("section", lambda d: section(d, "x", within="s"), [1], "must be an object, not [1]"),
    ("optional section", lambda d: section(d, "x", within="s", optional=True), 0, "an object"),
]


@pytest.mark.parametrize(
    ("reader", "value", "problem"), [c[1:] for c in BAD_VALUES], ids=[c[0] for c in BAD_VALUES]
)
def test_a_wrong_value_is_named_by_its_path(reader: Reader, value: Any, problem: str) -> None:
    with pytest.raises(FieldError) as info:
        reader({"x": value, "y": 1.0})
    assert info.value.path == "s.x"
    assert str(info.value).startswith("field 's.x' ")
    assert problem in info.value.problem


@pytest.mark.parametrize(
    "reader",
    [
        lambda d: number(d, "x", within="s"),
        lambda d: integer(d, "x", within="s"),
        lambda d: number_list(d, "x", within="s"),
        lambda d: text(d, "x", within="s"),
        lambda d: text_list(d, "x", within="s"),
        lambda d: choice(d, "x", ("a",), within="s"),
        lambda d: section(d, "x", within="s"),
    ],
)
def test_a_missing_required_field_is_named(reader: Reader) -> None:
    with pytest.raises(FieldError, match=r"^field 's\.x' is missing$"):
        reader({"y": 1})


def test_defaults_nulls_and_good_values() -> None:
    d = {"n": 3, "f": 2, "nul": None, "xs": [1, 2.5], "t": "a", "ts": ["p"], "c": "b", "s": {}}
    assert number(d, "f") == 2.0 and isinstance(number(d, "f"), float)
    assert number(d, "absent", default=7) == 7
    assert math.isnan(number(d, "nul", nullable=True))
    assert integer(d, "n", minimum=3) == 3
    assert number_list(d, "xs") == [1.0, 2.5]
    np.testing.assert_array_equal(number_array(d, "xs", 2), [1.0, 2.5])
    assert text(d, "t") == "a" and text(d, "absent", default="") == ""
    assert text_list(d, "ts") == ("p",)
    assert choice(d, "c", ("a", "b")) == "b"
    assert section(d, "s") == {} and section(d, "absent", optional=True) == {}
    assert section(d, "nul", optional=True) == {}
    assert as_bool(False, "p") is False
    with pytest.raises(FieldError, match="field 'p' must be true or false, not 1"):
        as_bool(1, "p")
    with pytest.raises(FieldError, match="field 'p' must be at most 0, not 1"):
        as_number(1, "p", maximum=0.0)


def test_an_unknown_field_is_named_with_the_known_ones() -> None:
    known_only({"a": 1}, ("a", "b"))
    with pytest.raises(FieldError) as info:
        known_only({"a": 1, "zz": 2, "c": 3}, ("a", "b"), within="s")
    assert info.value.path == "s.c"  # the first in sorted order
    assert str(info.value) == "field 's.c' is unknown (known: a, b)"


def test_a_long_value_is_shown_cut_short() -> None:
    with pytest.raises(FieldError) as info:
        number({"x": "y" * 500}, "x")
    assert len(str(info.value)) < 100 and "..." in str(info.value)


def test_reported_as_turns_a_field_error_into_the_rooms_error() -> None:
    with (
        pytest.raises(EnvelopeError, match=r"^envelope: field 'k' is missing$") as info,
        reported_as(EnvelopeError, "envelope"),
    ):
        number({}, "k")
    assert isinstance(info.value.__cause__, FieldError)
    assert info.value.__cause__.path == "k"
    with pytest.raises(ScoringError, match=r"^field 'k' is missing$"), reported_as(ScoringError):
        number({}, "k")
    with reported_as(ScoringError):  # other errors pass through untouched
        pass
    with pytest.raises(KeyError), reported_as(ScoringError):
        raise KeyError("k")


# -- every room names the field in its own error type ---------------------------------------------


def _exercise_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    d = copy.deepcopy(find_exercise("sweep").to_dict())
    change(d)
    return d


@pytest.mark.parametrize(
    ("read", "error", "expected"),
    [
        (
            lambda: TareResult.from_dict({"offset_n": 0.0, "sd_n": -1.0, "duration_s": 2.0}),
            ConditioningError,
            "tare: field 'sd_n' must be at least 0, not -1.0",
        ),
        (
            lambda: Calibration.from_dict(
                {**fit_calibration([0.0, 1000.0], [0.0, 1.0]).to_dict(), "residuals": [0, "x"]}
            ),
            ConditioningError,
            "calibration: field 'residuals' must hold only finite numbers; item 1 is 'x'",
        ),
        (
            lambda: DetectionSettings.from_dict({"on_ms": -1}),
            SegmentationError,
            "field 'detection.on_ms' must be at least 0, not -1",
        ),
        (
            lambda: DetectionSettings(off_ms=math.inf),
            SegmentationError,
            "field 'detection.off_ms' must be a finite number, not inf",
        ),
        (
            lambda: ScoringWeights.from_dict({"tempo": "x"}),
            ScoringError,
            "field 'weights.tempo' must be a finite number, not 'x'",
        ),
        (
            lambda: Envelope.from_dict(
                {**find_exercise("sweep").envelope.to_dict(), "registration": "dtw"}
            ),
            EnvelopeError,
            "envelope: field 'registration' is 'dtw'; expected one of linear, peak",
        ),
        (
            lambda: Exercise.from_dict(
                _exercise_with(lambda d: d["provenance"].update(strokes="many")),
                source=Path("ex.json"),
            ),
            ExerciseError,
            "ex.json: field 'provenance.strokes' must be a whole number, not 'many'",
        ),
        (
            lambda: Exercise.from_dict(
                _exercise_with(lambda d: d["scoring"].update(pass_mark="high")),
                source=Path("ex.json"),
            ),
            ExerciseError,
            "ex.json: field 'scoring.pass_mark' must be a finite number, not 'high'",
        ),
        (
            lambda: Exercise.from_dict(
                _exercise_with(lambda d: d["envelope"].update(sparc_mean=1.0)),
                source=Path("ex.json"),
            ),
            ExerciseError,
            "ex.json: envelope: field 'sparc_mean' must be at most 0, not 1.0",
        ),
        (
            lambda: Exercise.from_dict(
                _exercise_with(lambda d: d["detection"].update(gap_ms=0)), source=Path("ex.json")
            ),
            ExerciseError,
            "ex.json: field 'detection.gap_ms' must be greater than 0, not 0",
        ),
        (
            lambda: Exercise.from_dict(
                _exercise_with(lambda d: d.update(scoring=[1])), source=Path("ex.json")
            ),
            ExerciseError,
            "ex.json: field 'scoring' must be an object, not [1]",
        ),
    ],
)
def test_each_room_names_the_field_in_its_own_error(
    read: Callable[[], Any], error: type[Exception], expected: str
) -> None:
    with pytest.raises(error) as info:
        read()
    assert str(info.value) == expected
