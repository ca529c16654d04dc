"""A score written for people: never a number that contradicts its verdict.

A stroke scoring 69.96 against a pass mark of 70 fails; rounded for print it would read "70",
and "70 ✗ fail" (or "70.0 FAIL") looks like a mistake in the grading. Every place that writes a
score for a person (the screens, the command line's table, the reports) writes it through here;
the JSON keeps the number as it is.
"""

from __future__ import annotations

import math


def score_text(score: float, pass_mark: float | None, decimals: int = 0) -> str:
    """``score`` with ``decimals`` decimals, or one more, cut towards the right side of the mark,
    when rounding would carry it across ``pass_mark``: 69.96 against 70 reads "69.9", 70.5
    against a mark of 70.5 reads "70.5". Without a mark, plainly rounded."""
    shown = f"{score:.{decimals}f}"
    if pass_mark is None or (float(shown) >= pass_mark) == (score >= pass_mark):
        return shown
    scale = 10.0 ** (decimals + 1)
    scaled = round(score * scale, 6)  # 69.96 x 100 is 6995.999...: cut 6996, not 6995
    cut = math.floor(scaled) if score < pass_mark else math.ceil(scaled)
    if (cut / scale >= pass_mark) != (score >= pass_mark):  # within 1e-6 of the mark
        cut += -1 if score < pass_mark else 1
    return f"{cut / scale:.{decimals + 1}f}"
