"""Reading the fields of a dict loaded from a JSON file, naming the field that is wrong.

Tares, calibrations, detection settings, envelopes, scoring weights and exercises are all stored as
JSON that a person may have edited, so nothing in them is trusted: every value is checked before
use, and a wrong one is reported by its path (``scoring.pass_mark``, ``weights.tempo``) so that
the user can find it in the file. The readers here are shared by all of those, so a wrong field is
named the same way wherever it is: ``field '<path>' <what is wrong>``, optionally after the name of
what was being read (``tare: field 'sd_n' must be ...``).

Every reader raises ``FieldError``, which carries the path; each room turns it into its own error
type with ``reported_as`` (a ``ConditioningError``, an ``EnvelopeError``...), so callers catch
what they always caught. Never does I/O or imports Qt.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final, TypeVar

import numpy as np

T = TypeVar("T")


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of a field that must be present.
REQUIRED: Final[Any] = _Required()

#: Values longer than this are cut short when a message shows them.
_SHOWN_CHARS = 40


class FieldError(ValueError):
    """A missing or wrong field of a stored dict; ``path`` names it, ``problem`` says why."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"field '{path}' {problem}")
        self.path = path
        self.problem = problem


@contextmanager
def reported_as(error: type[Exception], context: str = "") -> Iterator[None]:
    """Turn a ``FieldError`` raised inside into ``error``, its message after ``context: ``."""
    try:
        yield
    except FieldError as exc:
        raise error(f"{context}: {exc}" if context else str(exc)) from exc


def path_of(key: str, within: str = "") -> str:
    """The dotted path of ``key`` in the section ``within`` (empty: at the top)."""
    return f"{within}.{key}" if within else key


def shown(value: Any) -> str:
    """``repr(value)``, cut short if long, for a message."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


# -- single values ---------------------------------------------------------------------------------


def is_number(value: Any) -> bool:
    """A finite int or float; ``True`` and ``False`` are not numbers here."""
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def as_number(
    value: Any,
    path: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
) -> float:
    """``value`` as a float, if it is a finite number within the bounds (both included, unless
    ``exclusive_minimum``)."""
    if not is_number(value):
        raise FieldError(path, f"must be a finite number, not {shown(value)}")
    too_low = minimum is not None and (value < minimum or (exclusive_minimum and value == minimum))
    if too_low or (maximum is not None and value > maximum):
        bounds = _bounds(minimum, maximum, exclusive_minimum)
        raise FieldError(path, f"must be {bounds}, not {value!r}")
    return float(value)


def as_bool(value: Any, path: str) -> bool:
    """``value`` if it is ``True`` or ``False``."""
    if not isinstance(value, bool):
        raise FieldError(path, f"must be true or false, not {shown(value)}")
    return value


def _bounds(minimum: float | None, maximum: float | None, exclusive_minimum: bool) -> str:
    parts = []
    if minimum is not None:
        parts.append(f"greater than {minimum:g}" if exclusive_minimum else f"at least {minimum:g}")
    if maximum is not None:
        parts.append(f"at most {maximum:g}")
    return " and ".join(parts)


# -- fields of a dict ------------------------------------------------------------------------------


def _absent(key: str, within: str, default: Any) -> Any:
    """What an absent field reads as: its default, unless it is required."""
    if default is REQUIRED:
        raise FieldError(path_of(key, within), "is missing")
    return default


def number(
    d: Mapping[str, Any],
    key: str,
    *,
    within: str = "",
    default: Any = REQUIRED,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    nullable: bool = False,
) -> float:
    """A finite number within the bounds, as a float; ``default`` (returned as it is) when absent,
    NaN when null and ``nullable``."""
    if key not in d:
        return _absent(key, within, default)
    value = d[key]
    if value is None and nullable:
        return math.nan
    return as_number(
        value,
        path_of(key, within),
        minimum=minimum,
        maximum=maximum,
        exclusive_minimum=exclusive_minimum,
    )


def integer(
    d: Mapping[str, Any],
    key: str,
    *,
    within: str = "",
    default: Any = REQUIRED,
    minimum: int | None = None,
) -> int:
    """A whole number written as one (``3``, not ``3.0`` or ``true``), at least ``minimum``."""
    if key not in d:
        return _absent(key, within, default)
    value = d[key]
    path = path_of(key, within)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(path, f"must be a whole number, not {shown(value)}")
    if minimum is not None and value < minimum:
        raise FieldError(path, f"must be {_bounds(minimum, None, False)}, not {value!r}")
    return int(value)


def number_list(
    d: Mapping[str, Any],
    key: str,
    *,
    within: str = "",
    default: Any = REQUIRED,
    length: int | None = None,
) -> list[float]:
    """A list of finite numbers (``length`` of them if given), as floats."""
    if key not in d:
        return _absent(key, within, default)
    value = d[key]
    path = path_of(key, within)
    what = f"a list of {length} numbers" if length is not None else "a list of numbers"
    if not isinstance(value, list):
        raise FieldError(path, f"must be {what}, not {shown(value)}")
    if length is not None and len(value) != length:
        raise FieldError(path, f"must be {what}, not {len(value)}")
    for i, v in enumerate(value):
        if not is_number(v):
            raise FieldError(path, f"must hold only finite numbers; item {i} is {shown(v)}")
    return [float(v) for v in value]


def number_array(d: Mapping[str, Any], key: str, length: int, *, within: str = "") -> np.ndarray:
    """A required list of exactly ``length`` finite numbers, as a float array."""
    return np.array(number_list(d, key, within=within, length=length), dtype=float)


def text(
    d: Mapping[str, Any],
    key: str,
    *,
    within: str = "",
    default: Any = REQUIRED,
    blank: bool = True,
) -> str:
    """A string; one of only spaces (or empty) is refused unless ``blank``."""
    if key not in d:
        return _absent(key, within, default)
    value = d[key]
    path = path_of(key, within)
    if not isinstance(value, str):
        raise FieldError(path, f"must be text, not {shown(value)}")
    if not blank and not value.strip():
        raise FieldError(path, "is missing or empty")
    return value


def text_list(
    d: Mapping[str, Any], key: str, *, within: str = "", default: Any = REQUIRED
) -> tuple[str, ...]:
    """A list of strings, as a tuple."""
    if key not in d:
        return _absent(key, within, default)
    value = d[key]
    path = path_of(key, within)
    if not isinstance(value, list):
        raise FieldError(path, f"must be a list of text, not {shown(value)}")
    for i, v in enumerate(value):
        if not isinstance(v, str):
            raise FieldError(path, f"must hold only text; item {i} is {shown(v)}")
    return tuple(value)


def choice(
    d: Mapping[str, Any],
    key: str,
    options: Sequence[T],
    *,
    within: str = "",
    default: Any = REQUIRED,
) -> T:
    """One of ``options``."""
    if key not in d:
        return _absent(key, within, default)
    value = d[key]
    if value not in options:
        raise FieldError(
            path_of(key, within),
            f"is {shown(value)}; expected one of {', '.join(str(o) for o in options)}",
        )
    return value


def section(
    d: Mapping[str, Any], key: str, *, within: str = "", optional: bool = False
) -> dict[str, Any]:
    """A nested object; when ``optional``, an absent or null one is an empty dict."""
    value = d.get(key)
    if value is None and optional:
        return {}
    if key not in d:
        raise FieldError(path_of(key, within), "is missing")
    return as_section(value, path_of(key, within))


def as_section(value: Any, path: str) -> dict[str, Any]:
    """``value`` if it is an object (a dict)."""
    if not isinstance(value, dict):
        raise FieldError(path, f"must be an object, not {shown(value)}")
    return value


def known_only(d: Mapping[str, Any], known: Iterable[str], *, within: str = "") -> None:
    """Refuse the first field (in sorted order) that is not one of ``known``."""
    names = list(known)
    unknown = sorted(set(d) - set(names))
    if unknown:
        raise FieldError(path_of(unknown[0], within), f"is unknown (known: {', '.join(names)})")
