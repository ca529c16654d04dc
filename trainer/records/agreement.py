"""Agreement between raters: ICC(1,1), ICC(2,1), ICC(3,1) and their k-rater forms, with ICC(2,1)'s
95 % confidence interval, the standard error of measurement and the minimal detectable change.

Shrout and Fleiss (1979), "Intraclass correlations: uses in assessing rater reliability",
Psychological Bulletin 86(2), 420-428: the two-way ANOVA mean squares and the six forms. The
interval for ICC(2,1) is McGraw and Wong (1996), Psychological Methods 1(1), 30-46, case 2A
(absolute agreement), with Satterthwaite's degrees of freedom. SEM = SD x sqrt(1 - ICC), SD of all
the ratings (Weir 2005, J Strength Cond Res 19(1)); MDC95 = 1.96 x sqrt(2) x SEM.

Written out (about forty lines of numpy and scipy) rather than taken from pingouin, which is GPL
and brings pandas' statistics stack with it. Tested against Shrout and Fleiss' Table 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Agreement:
    """Every figure of one subjects-by-raters table."""

    subjects: int
    raters: int
    icc_1_1: float
    icc_2_1: float
    icc_3_1: float
    icc_1_k: float
    icc_2_k: float
    icc_3_k: float
    ci95: tuple[float, float]
    sem: float
    mdc95: float

    def as_json(self) -> dict[str, Any]:
        r = _round
        return {
            "icc_2_1": r(self.icc_2_1),
            "ci95": [r(self.ci95[0]), r(self.ci95[1])],
            "raters": self.raters,
            "subjects": self.subjects,
            "sem": r(self.sem),
            "mdc95": r(self.mdc95),
            "icc_1_1": r(self.icc_1_1),
            "icc_3_1": r(self.icc_3_1),
            "icc_1_k": r(self.icc_1_k),
            "icc_2_k": r(self.icc_2_k),
            "icc_3_k": r(self.icc_3_k),
        }


def icc(table: np.ndarray | list[list[float]]) -> Agreement:
    """The agreement of ``table``: one row a subject (a stroke, a session), one column a rater.
    Needs at least two subjects and two raters, every cell rated."""
    from scipy.stats import f as f_dist

    y = np.asarray(table, dtype=float)
    if y.ndim != 2 or y.shape[0] < 2 or y.shape[1] < 2:
        raise ValueError("agreement needs at least two subjects rated by at least two raters")
    if not np.all(np.isfinite(y)):
        raise ValueError("agreement needs every subject rated by every rater")
    n, k = y.shape
    grand = y.mean()
    ss_rows = k * np.sum((y.mean(axis=1) - grand) ** 2)
    ss_cols = n * np.sum((y.mean(axis=0) - grand) ** 2)
    ss_err = np.sum((y - grand) ** 2) - ss_rows - ss_cols
    msr = ss_rows / (n - 1)
    msc = ss_cols / (k - 1)
    mse = ss_err / ((n - 1) * (k - 1))
    msw = (ss_cols + ss_err) / (n * (k - 1))

    icc11 = (msr - msw) / (msr + (k - 1) * msw)
    icc21 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    icc31 = (msr - mse) / (msr + (k - 1) * mse)
    icc1k = (msr - msw) / msr
    icc2k = (msr - mse) / (msr + (msc - mse) / n)
    icc3k = (msr - mse) / msr

    # McGraw & Wong case 2A: Satterthwaite's degrees of freedom for the denominator.
    fj = msc / mse if mse > 0 else math.inf
    a = k * icc21 / (n * (1 - icc21)) if icc21 < 1 else math.inf
    b = 1 + k * icc21 * (n - 1) / (n * (1 - icc21)) if icc21 < 1 else math.inf
    if math.isfinite(a) and math.isfinite(fj) and mse > 0:
        v = (a * msc + b * mse) ** 2 / (
            (a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1))
        )
        f1 = f_dist.ppf(0.975, n - 1, v)
        f2 = f_dist.ppf(0.975, v, n - 1)
        lo = n * (msr - f1 * mse) / (f1 * (k * msc + (k * n - k - n) * mse) + n * msr)
        hi = n * (f2 * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f2 * msr)
    else:  # perfect agreement: nothing to be unsure of
        lo = hi = float(icc21)
    sd = float(np.std(y, ddof=1))
    sem = sd * math.sqrt(max(0.0, 1.0 - icc21))
    return Agreement(
        subjects=n,
        raters=k,
        icc_1_1=float(icc11),
        icc_2_1=float(icc21),
        icc_3_1=float(icc31),
        icc_1_k=float(icc1k),
        icc_2_k=float(icc2k),
        icc_3_k=float(icc3k),
        ci95=(float(lo), float(hi)),
        sem=sem,
        mdc95=1.96 * math.sqrt(2.0) * sem,
    )


def _round(x: float) -> float | None:
    return round(float(x), 4) if math.isfinite(x) else None
