"""scipy's compiled loops reached without ``import scipy.signal``: the same numbers, bit for bit,
as its public functions, and the public functions when the loops cannot be used."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest
from scipy import signal

from trainer.signals import loops


@pytest.fixture
def public_only() -> Iterator[None]:
    loops.use_public_functions()
    yield
    loops.forget()


def test_the_compiled_loops_load_with_this_scipy() -> None:
    # If a scipy release moves them, the program still works (the public functions are used),
    # but every command that scores starts 0.7-0.8 s slower: this says so.
    assert loops.compiled_in_use()


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (3, 500), (40, 101)])
@pytest.mark.parametrize("order", [1, 2, 4])
def test_sosfilt_rows_is_scipys_sosfilt(shape: tuple[int, int], order: int) -> None:
    rng = np.random.default_rng(order * 1000 + shape[1])
    rows = rng.normal(size=shape).cumsum(axis=1)
    sos = signal.butter(order, 0.07, output="sos")
    zi = signal.sosfilt_zi(sos)[:, None, :] * rows[None, :, :1]
    expected, _ = signal.sosfilt(sos, rows, zi=zi)
    got = loops.sosfilt_rows(sos, rows, zi)
    np.testing.assert_array_equal(got, expected)
    assert got is not rows


def test_sosfilt_rows_leaves_its_arguments_alone() -> None:
    rows = np.arange(20.0).reshape(2, 10)
    sos = signal.butter(2, 0.2, output="sos")
    zi = np.zeros((1, 2, 2))
    before = rows.copy(), sos.copy(), zi.copy()
    loops.sosfilt_rows(sos, rows, zi)
    for arr, copy in zip((rows, sos, zi), before, strict=True):
        np.testing.assert_array_equal(arr, copy)


@pytest.mark.parametrize(
    ("b", "a"),
    [
        (np.array([0.01]), np.array([1.0, -0.99])),  # the baseline's exponential average
        tuple(np.split(signal.butter(2, 0.04, output="sos")[0], 2)),  # one detection section
    ],
)
def test_lfilter_is_scipys_lfilter(b: np.ndarray, a: np.ndarray) -> None:
    x = np.random.default_rng(5).normal(size=777) + 3.0
    zi = np.full(max(a.size, b.size) - 1, 0.7)
    y, zf = loops.lfilter(b, a, x, zi)
    y_ref, zf_ref = signal.lfilter(b, a, x, zi=zi)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(zf, zf_ref)


@pytest.mark.parametrize("seed", range(40))
def test_find_peaks_is_scipys_find_peaks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=rng.integers(3, 600)).cumsum(), 1)  # rounded: plateaus too
    prominence = float(rng.uniform(0.1, 4.0))
    distance = float(rng.choice([1.0, 2.5, 7.0, 33.3]))
    expected, _ = signal.find_peaks(x, prominence=prominence, distance=distance)
    np.testing.assert_array_equal(
        loops.find_peaks(x, prominence=prominence, distance=distance), expected
    )


def test_without_the_compiled_loops_the_public_functions_give_the_same(public_only: None) -> None:
    assert not loops.compiled_in_use()
    rng = np.random.default_rng(9)
    rows = rng.normal(size=(2, 300))
    sos = signal.butter(2, 0.1, output="sos")
    zi = np.zeros((1, 2, 2))
    np.testing.assert_array_equal(
        loops.sosfilt_rows(sos, rows, zi), signal.sosfilt(sos, rows, zi=zi)[0]
    )
    y, _ = loops.lfilter(np.array([0.1]), np.array([1.0, -0.9]), rows[0], np.array([0.0]))
    np.testing.assert_array_equal(y, signal.lfilter([0.1], [1.0, -0.9], rows[0], zi=[0.0])[0])
    walk = rows[1].cumsum()
    np.testing.assert_array_equal(
        loops.find_peaks(walk, prominence=1.0, distance=3.0),
        signal.find_peaks(walk, prominence=1.0, distance=3.0)[0],
    )


@pytest.mark.parametrize(
    ("exercise", "channels"),
    [("sweep", "None"), ("fan-plate", "PLATE_CHANNELS")],
    ids=["hand tool", "force plate"],
)
def test_scoring_a_recording_does_not_import_scipy_signal(tmp_path, exercise, channels) -> None:
    """What the loops are for: ``import scipy.signal`` alone costs 0.4-0.8 s of start-up. On a
    force plate the path is smoothed too (``savgol.py``), and the exercise scores it."""
    stroke_type = exercise.removesuffix("-plate")
    script = (
        "import sys\n"
        "from devices.sim.simulator import PLATE_CHANNELS\n"
        "from trainer.library.exercise import find_exercise\n"
        "from trainer.offline.analysis import score_recording\n"
        "from trainer.offline.simulation import simulate_recording\n"
        "from trainer.recordings.reader import read_recording\n"
        "path = sys.argv[1]\n"
        f"simulate_recording(path, stroke_type='{stroke_type}', skill='competent', strokes=4,\n"
        f"                   seed=3, channels={channels})\n"
        f"report = score_recording(read_recording(path), find_exercise('{exercise}'))\n"
        "paths = sum(s.path is not None for s in report.scores)\n"
        "print(len(report.scores), paths, 'scipy.signal' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "r.csv")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["4", "4" if channels != "None" else "0", "False"]


def test_the_loops_and_scipy_signal_live_side_by_side() -> None:
    """A process that loaded the loops first can still import scipy.signal (a script using the
    package alongside its own analysis does), and both give the same numbers after."""
    script = (
        "import numpy as np\n"
        "from trainer.signals import loops\n"
        "x = np.random.default_rng(1).normal(size=(1, 50))\n"
        "sos = np.array([[0.2, 0.4, 0.2, 1.0, -0.5, 0.3]])\n"
        "a = loops.sosfilt_rows(sos, x, np.zeros((1, 1, 2)))\n"
        "from scipy import signal\n"
        "b = signal.sosfilt(sos, x)\n"
        "print(loops.compiled_in_use(), np.array_equal(a, b))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_threads_that_filter_first_together_load_the_modules_once(monkeypatch) -> None:
    """The session thread and the GUI thread may both be the first to filter."""
    import threading
    import time

    real = loops._load_extension
    loaded: list[str] = []

    def slow_load(name: str):
        loaded.append(name)
        time.sleep(0.02)  # long enough for every thread to arrive while the first loads
        return real(name)

    monkeypatch.setattr(loops, "_load_extension", slow_load)
    loops.forget()
    barrier = threading.Barrier(4)
    seen: list[object] = []

    def first_use() -> None:
        barrier.wait()
        seen.append(loops._get())

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(loaded) == ["_peak_finding_utils", "_sigtools", "_sosfilt"]
    assert len(seen) == 4 and all(s is seen[0] for s in seen)
    assert loops.compiled_in_use()
