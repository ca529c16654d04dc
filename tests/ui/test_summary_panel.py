"""The session summary shows consistency as a figure of the block, not of any stroke."""

from __future__ import annotations

from tests.synthetic import make_stroke
from trainer.scoring.envelope_build import build_envelope
from trainer.scoring.scorer import Scorer
from trainer.scoring.summary import summarise
from ui.strokes.stroke_rows import SUB_SCORE_COLUMNS
from ui.strokes.stroke_table import HEADERS
from ui.strokes.summary_panel import summary_texts

ENVELOPE = build_envelope(
    [make_stroke(i + 1, 2.0 * i, peak_n=p) for i, p in enumerate([18.0, 19.0, 20.0, 21.0, 22.0])]
).envelope


def test_consistency_is_in_the_summary_with_its_mark_and_ratio() -> None:
    steady = Scorer(ENVELOPE).score_many([make_stroke(i + 1, 2.0 * i) for i in range(5)])
    assert summary_texts(summarise(steady, 70.0, ENVELOPE))["consistency"] == "100 ✓ (×0.0)"
    peaks = [10.0, 30.0, 12.0, 28.0, 15.0]
    erratic = Scorer(ENVELOPE).score_many(
        [make_stroke(i + 1, 2.0 * i, peak_n=p) for i, p in enumerate(peaks)]
    )
    text = summary_texts(summarise(erratic, 70.0, ENVELOPE))["consistency"]
    assert text.startswith("0 ✗ (×")
    assert summary_texts(summarise(steady[:2], 70.0, ENVELOPE))["consistency"] == "–"


def test_the_stroke_list_has_no_per_stroke_consistency_column() -> None:
    assert "consistency" not in [key for key, _ in SUB_SCORE_COLUMNS]
    assert not any(h.startswith("Consist") for h in HEADERS)
