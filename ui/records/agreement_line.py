"""How far the raters agree, in one line an instructor can act on.

Several instructors rating the same strokes is how a course checks that its rubric is applied
the same way by everyone (and, with the automated score beside them, that the score agrees with
the people). The figures are ``trainer.records.ratings.agreement``'s: ICC(2,1) with its 95 %
interval, and the change a student must show to be more than rating noise (MDC95). The words are
Koo and Li's (2016, J Chiropr Med 15(2)) reading of an ICC, which physiotherapy papers use.
"""

from __future__ import annotations

from typing import Any

from trainer.records.repository import Records


def read_agreement(target: str, course_id: str, item: str | None) -> dict[str, Any]:
    with Records.open(target) as records:
        return records.agreement(course_id, item)


def icc_words(icc: float) -> str:
    """Koo and Li's reading of an intraclass correlation."""
    if icc < 0.5:
        return "poor"
    if icc < 0.75:
        return "moderate"
    if icc < 0.9:
        return "good"
    return "excellent"


def reading(lo: float, hi: float) -> str:
    """Koo and Li's words for a 95 % interval ("good to excellent"): they read an ICC by its
    interval, since a point estimate from a few strokes says little on its own."""
    low, high = icc_words(lo), icc_words(hi)
    return low if low == high else f"{low} to {high}"


def agreement_line(result: dict[str, Any]) -> tuple[str, str]:
    """A short line for the tab and the whole reading for its tooltip: "Rater agreement on
    pressure: ICC 0.82 (95 % CI 0.61 to 0.93: moderate to excellent), 3 raters" and, in full,
    the targets rated by all, the change that is more than rating noise (MDC95), and how the
    automated score agrees with the raters' mean."""
    icc = float(result["icc_2_1"])
    lo, hi = (float(v) for v in result["ci95"])
    short = (
        f"Rater agreement on {result['item']}: ICC {icc:.2f} (95 % CI {lo:.2f} to {hi:.2f}: "
        f"{reading(lo, hi)}), {result['raters']} raters"
    )
    full = (
        f"{short}, over the {result['subjects']} strokes or sessions every one of them rated. "
        f"A change of {result['mdc95']:.1f} in a student's rating is more than rating noise "
        "(MDC95)."
    )
    auto = result.get("automated")
    if auto:
        a = float(auto["icc_2_1"])
        alo, ahi = (float(v) for v in auto["ci95"])
        full += (
            f" The automated score against the raters' mean: ICC {a:.2f} (95 % CI {alo:.2f} "
            f"to {ahi:.2f}: {reading(alo, ahi)})."
        )
    return short, full


def not_yet_line(reason: str) -> str:
    """Why there is no agreement to show yet, in the tab's words (the records' reason in full
    goes to the tooltip)."""
    if "no ratings yet" in reason:
        return "Rater agreement: no ratings in this course yet."
    if "agreement needs" in reason:
        return "Rater agreement: needs two raters who rated the same two strokes or sessions."
    return f"Rater agreement: {reason}"
