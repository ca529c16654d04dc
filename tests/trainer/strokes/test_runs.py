"""The segmenter's run lengths (how long the force has stayed over or under a level) agree with
counting them one sample at a time, carried runs and every start included: onsets, ends and
settling all hang on them."""

from __future__ import annotations

import numpy as np

from trainer.strokes.segmentation import _Runs


def _counted(mask: list[bool], carried: int) -> list[int]:
    runs, run = [], carried
    for value in mask:
        run = run + 1 if value else 0
        runs.append(run)
    return runs


def test_run_lengths_match_counting_them() -> None:
    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(3000):
        n = int(rng.integers(1, 40))
        mask = rng.random(n) < rng.choice([0.1, 0.5, 0.8, 0.95, 1.0])
        carried = int(rng.choice([0, 0, 1, 3, 7, 50]))
        runs = _Runs(mask, carried)
        counted = _counted(mask.tolist(), carried)
        for k in range(n):
            assert runs.at(k) == counted[k]
        assert runs.at(-1) == counted[-1]
        for length in (1, 2, 3, 5, 8):
            for start in (0, 1, 4, n - 1, n, n + 3):
                expected = next((k for k in range(max(start, 0), n) if counted[k] >= length), -1)
                assert runs.reaching(length, start) == expected, (mask, carried, length, start)
                checked += 1
    assert checked == 3000 * 30


def test_a_carried_run_completes_at_the_first_sample_it_can() -> None:
    runs = _Runs(np.array([True, True, False, True]), carried=4)
    assert runs.reaching(5) == 0  # four before it, this one the fifth
    assert runs.reaching(6) == 1
    assert runs.reaching(7) == -1  # broken by the third sample, the fourth starts anew
    assert runs.at(-1) == 1
