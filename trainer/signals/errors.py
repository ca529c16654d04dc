"""The signals room's user error, and the field checks of the files it reads (tare, calibration).

A tare or a calibration a user must redo raises ``ConditioningError`` with a message fit to show.
"""

from __future__ import annotations

import math
from typing import Any


class ConditioningError(Exception):
    """A tare or calibration a user must redo; the message says what was wrong and by how much."""


# -- field helpers for from_dict -------------------------------------------------------------------


_MISSING = object()


def _number(
    d: dict[str, Any], key: str, where: str, default: Any = _MISSING, minimum: float | None = None
) -> float:
    value = d.get(key, default)
    if value is _MISSING:
        raise ConditioningError(f"{where}: field '{key}' is missing")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConditioningError(f"{where}: field '{key}' must be a number, not {value!r}")
    if minimum is not None and value < minimum:
        raise ConditioningError(f"{where}: field '{key}' must be at least {minimum}")
    return float(value)


def _number_list(d: dict[str, Any], key: str) -> list[float]:
    value = d.get(key, [])
    if not isinstance(value, list):
        raise ConditioningError(f"calibration: field '{key}' must be a list of numbers")
    return [_number({key: v}, key, "calibration") for v in value]


def _string(d: dict[str, Any], key: str, default: str) -> str:
    value = d.get(key, default)
    if not isinstance(value, str):
        raise ConditioningError(f"calibration: field '{key}' must be text, not {value!r}")
    return value
