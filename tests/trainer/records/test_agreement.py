"""Rater agreement against Shrout and Fleiss (1979), Table 2, and on stored ratings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.trainer.records.conftest import PASSPHRASE
from tests.trainer.records.helpers import START, make_session
from trainer.records.agreement import icc
from trainer.records.errors import RecordsError
from trainer.records.repository import Records

#: Six targets rated by four judges (Shrout & Fleiss 1979, Table 2).
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def test_shrout_and_fleiss_table_2() -> None:
    a = icc(SHROUT_FLEISS)
    got = [a.icc_1_1, a.icc_2_1, a.icc_3_1, a.icc_1_k, a.icc_2_k, a.icc_3_k]
    assert [round(x, 2) for x in got] == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    # McGraw & Wong's interval for ICC(2,1), as other implementations print it for this table.
    assert [round(x, 2) for x in a.ci95] == [0.02, 0.76]
    y = np.array(SHROUT_FLEISS, dtype=float)
    assert a.sem == pytest.approx(y.std(ddof=1) * math.sqrt(1 - a.icc_2_1))
    assert a.mdc95 == pytest.approx(1.96 * math.sqrt(2) * a.sem)
    assert (a.subjects, a.raters) == (6, 4)


def test_a_table_agreement_cannot_be_taken_of_is_refused() -> None:
    with pytest.raises(ValueError, match="two raters"):
        icc([[1.0], [2.0], [3.0]])
    with pytest.raises(ValueError, match="every subject rated"):
        icc([[1.0, 2.0], [2.0, float("nan")]])


def test_agreement_of_stored_ratings_with_each_other_and_the_score(db_target: str) -> None:
    with Records.open(db_target) as r:
        r.add_course(PASSPHRASE, "c1", "Soft tissue")
        r.add_student(PASSPHRASE, "s1", "Ann Archer", course_id="c1")
        new = make_session("s1", [50.0, 60.0, 70.0, 80.0, 90.0, 95.0], started=START)
        r.add_session(new)
        for judge in range(4):
            for k, row in enumerate(SHROUT_FLEISS, start=1):
                r.rate(
                    PASSPHRASE,
                    new.id,
                    rater=f"judge {judge + 1}",
                    item="form",
                    value=row[judge],
                    stroke=k,
                )
        # A judge correcting a mark replaces it: still one rating a judge a stroke.
        r.rate(PASSPHRASE, new.id, rater="judge 1", item="form", value=9, stroke=1)
        out = r.agreement("c1")
        assert out["item"] == "form"
        assert (out["raters"], out["subjects"]) == (4, 6)
        assert round(out["icc_2_1"], 2) == 0.29
        assert out["automated"] is not None and out["automated"]["subjects"] == 6
        with pytest.raises(RecordsError, match="--item other: not rated in course 'c1'"):
            r.agreement("c1", item="other")
