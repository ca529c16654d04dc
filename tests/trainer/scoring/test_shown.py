"""A score written for people never contradicts its verdict against the pass mark."""

from __future__ import annotations

import pytest

from trainer.scoring.shown import score_text


@pytest.mark.parametrize(
    ("score", "mark", "decimals", "text"),
    [
        (69.96, 70.0, 0, "69.9"),  # fails: not "70"
        (69.5, 70.0, 0, "69.5"),
        (69.96, 70.0, 1, "69.96"),  # the command line's one decimal: not "70.0"
        (70.5, 70.5, 0, "70.5"),  # passes a fractional mark: not "70"
        (70.0, 70.0, 0, "70"),
        (55.6, 70.0, 0, "56"),  # far from the mark: a whole number as usual
        (84.26, 70.0, 1, "84.3"),
        (69.96, None, 0, "70"),  # no mark to contradict
        (69.99999999, 70.0, 0, "69.9"),  # a hair under the mark still fails
    ],
)
def test_a_score_is_rounded_without_crossing_its_pass_mark(
    score: float, mark: float | None, decimals: int, text: str
) -> None:
    assert score_text(score, mark, decimals) == text
    if mark is not None:
        assert (float(text) >= mark) == (score >= mark)
