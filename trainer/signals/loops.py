"""scipy's compiled filter and peak loops, reached without importing ``scipy.signal``.

Why: ``import scipy.signal`` costs 0.7-0.8 s of CPU (its ``__init__`` imports scipy.stats,
scipy.interpolate and scipy.optimize, and parses docstrings), more than a whole process that
reads an hour's recording with pandas (0.54-0.62 s): with it, ``score`` could not come within 3x
of that process (``benchmarks/bench_score.py``, docs/benchmarks.md). The loops themselves live in
three extension modules (``_sosfilt``, ``_sigtools``, ``_peak_finding_utils``) that import only
numpy and load in about 12 ms. They are loaded here from their files and called with exactly the
arrays scipy's public ``sosfilt``, ``lfilter`` and ``find_peaks`` pass them, so the numbers are
scipy's, bit for bit; the public functions' own argument handling also cost about 0.1 ms a call,
a third of segmenting an hour (``tests/trainer/signals/test_loops.py`` compares both ways on every
scipy release the tests run with).

The modules are private to scipy and may move or change in any release. Nothing here assumes
they exist: if one cannot be loaded, or answers a small known case wrongly, the public function
is used instead, and only the start-up is slower.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

# -- loading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Loops:
    """The compiled functions in use, or None for each that falls back to scipy.signal."""

    sosfilt: Any | None
    linear_filter: Any | None
    local_maxima: Any | None
    peak_distance: Any | None
    peak_prominences: Any | None


_loops: _Loops | None = None
#: The session thread and the GUI thread may both filter first: the modules are loaded once.
_loading = threading.Lock()


def _load_extension(name: str) -> ModuleType | None:
    """``scipy.signal.<name>`` loaded from its file, without running the package's ``__init__``."""
    spec = importlib.util.find_spec("scipy")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(root) / "signal" / f"{name}{suffix}"
            if path.is_file():
                ext = importlib.util.spec_from_file_location(f"scipy.signal.{name}", path)
                if ext is None or ext.loader is None:
                    return None
                module = importlib.util.module_from_spec(ext)
                ext.loader.exec_module(module)
                return module
    return None


def _checked(name: str, attributes: tuple[str, ...]) -> tuple[Any | None, ...]:
    try:
        module = _load_extension(name)
        if module is None:
            return (None,) * len(attributes)
        return tuple(getattr(module, a, None) for a in attributes)
    except (ImportError, OSError, AttributeError):  # moved, renamed, or built against another ABI
        return (None,) * len(attributes)


def _answers_known_cases(loops: _Loops) -> _Loops:
    """Drop any loop that does not give a small case worked out by hand (a changed signature or
    meaning in some scipy release) so that its public function is used instead."""
    sosfilt, linear_filter = loops.sosfilt, loops.linear_filter
    local_maxima, peak_distance, prominences = (
        loops.local_maxima,
        loops.peak_distance,
        loops.peak_prominences,
    )
    # y[n] = 0.5 x[n] + 0.25 x[n-1] + 0.5 y[n-1]: an impulse gives 0.5, 0.5, 0.25, 0.125
    expected = np.array([0.5, 0.5, 0.25, 0.125])
    try:
        if sosfilt is not None:
            x = np.array([[1.0, 0.0, 0.0, 0.0]])
            sosfilt(np.array([[0.5, 0.25, 0.0, 1.0, -0.5, 0.0]]), x, np.zeros((1, 1, 2)))
            if not np.array_equal(x[0], expected):
                sosfilt = None
    except Exception:
        sosfilt = None
    try:
        if linear_filter is not None:
            y, zf = linear_filter(
                np.array([0.5, 0.25]), np.array([1.0, -0.5]), np.array([1.0, 0, 0, 0]), -1, [0.0]
            )
            if not (np.array_equal(y, expected) and math.isclose(float(zf[0]), 0.0625)):
                linear_filter = None
    except Exception:
        linear_filter = None
    try:
        if None not in (local_maxima, peak_distance, prominences):
            x = np.array([0.0, 3.0, 1.0, 2.0, 2.0, 0.0, 5.0, 0.0])
            peaks, _, _ = local_maxima(x)
            keep = peak_distance(peaks, x[peaks], np.float64(1.0))
            prom, _, _ = prominences(x, peaks, -1)
            if not (
                peaks.tolist() == [1, 3, 6]
                and keep.tolist() == [True, True, True]
                and prom.tolist() == [3.0, 1.0, 5.0]
            ):
                local_maxima = peak_distance = prominences = None
    except Exception:
        local_maxima = peak_distance = prominences = None
    return _Loops(sosfilt, linear_filter, local_maxima, peak_distance, prominences)


def _get() -> _Loops:
    global _loops
    loaded = _loops
    if loaded is not None:
        return loaded
    with _loading:
        if _loops is None:
            (sosfilt,) = _checked("_sosfilt", ("_sosfilt",))
            (linear_filter,) = _checked("_sigtools", ("_linear_filter",))
            peaks = _checked(
                "_peak_finding_utils",
                ("_local_maxima_1d", "_select_by_peak_distance", "_peak_prominences"),
            )
            _loops = _answers_known_cases(_Loops(sosfilt, linear_filter, *peaks))
        return _loops


def use_public_functions() -> None:
    """From now on call scipy.signal's public functions only (for tests of the fallback)."""
    global _loops
    _loops = _Loops(None, None, None, None, None)


def forget() -> None:
    """Load the compiled loops again on next use (after ``use_public_functions``)."""
    global _loops
    _loops = None


def compiled_in_use() -> bool:
    """Whether every loop runs compiled (False: scipy.signal's public functions are used)."""
    return None not in vars(_get()).values()


# -- the loops -------------------------------------------------------------------------------------


def sosfilt_rows(sos: np.ndarray, rows: np.ndarray, zi: np.ndarray) -> np.ndarray:
    """``scipy.signal.sosfilt(sos, rows, zi=zi)[0]``: each row of a 2-D array filtered along its
    length, ``zi`` shaped ``(sections, rows, 2)`` as scipy takes it. Returns a new array."""
    fn = _get().sosfilt
    if fn is None:
        from scipy import signal

        y, _ = signal.sosfilt(sos, rows, zi=zi)
        return np.asarray(y)
    y = np.array(rows, dtype=np.float64, order="C")  # filtered in place
    state = np.array(np.moveaxis(np.asarray(zi, dtype=np.float64), 0, 1), order="C")  # changed too
    fn(np.ascontiguousarray(sos, dtype=np.float64), y, state)
    return y


def sosfilt_from_rest(sos: np.ndarray, rows: np.ndarray, zi_unit: np.ndarray) -> np.ndarray:
    """Each row of a 2-D array through ``sosfilt`` as if its first sample had always been there:
    ``sosfilt(sos, rows, zi=zi_unit[:, None, :] * rows[None, :, :1])[0]``, ``zi_unit`` being
    ``sosfilt_zi(sos)``. The state is built straight in the layout the loop takes (a zero-phase
    pass of each stroke makes two such calls)."""
    fn = _get().sosfilt
    if fn is None:
        return sosfilt_rows(sos, rows, zi_unit[:, None, :] * rows[None, :, :1])
    y = np.array(rows, dtype=np.float64, order="C")
    state = zi_unit[None, :, :] * y[:, :1, None]
    fn(np.ascontiguousarray(sos, dtype=np.float64), y, state)
    return y


def lfilter(
    b: np.ndarray, a: np.ndarray, x: np.ndarray, zi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``scipy.signal.lfilter(b, a, x, zi=zi)`` of a 1-D float array, with ``len(a) > 1``."""
    fn = _get().linear_filter
    if fn is None:
        from scipy import signal

        y, zf = signal.lfilter(b, a, x, zi=zi)
        return np.asarray(y), np.asarray(zf)
    return fn(b, a, x, -1, zi)


def find_peaks(x: np.ndarray, *, prominence: float, distance: float) -> np.ndarray:
    """``scipy.signal.find_peaks(x, prominence=prominence, distance=distance)[0]``: the local
    maxima at least ``distance`` samples apart (the higher kept) that stand ``prominence`` above
    their surroundings, in scipy's order of selection."""
    loops = _get()
    if loops.local_maxima is None or loops.peak_distance is None or loops.peak_prominences is None:
        from scipy import signal

        peaks, _ = signal.find_peaks(x, prominence=prominence, distance=distance)
        return np.asarray(peaks)
    if distance < 1:
        raise ValueError("distance must be at least 1")
    values = np.asarray(x, order="C", dtype=np.float64)
    peaks, _, _ = loops.local_maxima(values)
    peaks = peaks[loops.peak_distance(peaks, values[peaks], np.float64(distance))]
    prom, _, _ = loops.peak_prominences(values, peaks, -1)
    return peaks[prominence <= prom]
