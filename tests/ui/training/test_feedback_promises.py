"""Feedback schedules keep their promise: what a schedule holds back, no widget gives away.

Each test runs a real session on the simulated tool, waits for a stroke whose result the schedule
hides, and at that moment reads every visible widget's text (labels, buttons, group titles, the
stroke list's cells and tooltips, the plots' messages): the stroke's score, verdict and reasons
must be nowhere, and the running figures (a mean going from 85 to 88 gives away a hidden 91)
must be held back.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QWidget

from trainer.live.feedback import Reveal, Schedule
from ui.strokes.stroke_rows import StrokeRow
from ui.strokes.summary_panel import HELD_BACK
from ui.training.session_controller import Phase
from ui.training.training_view import TrainingView

STROKES_TIMEOUT_MS = 60_000


def visible_texts(view: TrainingView) -> list[str]:
    """Every text a trainee can read on the training screen now."""
    texts: list[str] = [view.window().windowTitle()]
    for w in view.findChildren(QWidget):
        if not w.isVisibleTo(view):
            continue
        if isinstance(w, QLabel | QAbstractButton):
            texts.append(w.text())
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QComboBox):
            texts.append(w.currentText())
        if w.toolTip():
            texts.append(w.toolTip())
    model = view.table_model
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if value:
                    texts.append(str(value))
    for plot in (view.stroke_panel.force_plot, view.stroke_panel.angle_plot):
        texts.append(plot.message() or "")
    texts.append(view.stroke_panel.caption())
    return [t for t in texts if t]


def _numbers(texts: list[str]) -> set[str]:
    return {m for t in texts for m in re.findall(r"(?<![\d.])\d+(?:\.\d)?(?![\d.])", t)}


def _hidden_stroke(qtbot, view: TrainingView, hidden: Reveal) -> tuple[StrokeRow, list, list]:
    """Run until a stroke gets ``hidden``; the texts just before it and right after it."""
    seen: dict[str, object] = {"before": visible_texts(view)}

    def on_stroke(_stroke: object, _score: object) -> None:
        if "row" in seen:
            return
        row = view.table_model.rows()[-1]
        if view.table_model.reveal_of(row.number) is hidden:
            seen["row"] = row
            seen["after"] = visible_texts(view)
            view.display_timer.stop()  # hold the screen as it was for the checks below
        else:
            seen["before"] = visible_texts(view)

    # Connected after the view's own slot: runs once the view has shown the stroke.
    view.controller.stroke.connect(on_stroke)
    with qtbot.waitSignal(view.controller.started, timeout=15_000):
        assert view.start_session()
    qtbot.waitUntil(lambda: "row" in seen, timeout=STROKES_TIMEOUT_MS)
    view.controller.stroke.disconnect(on_stroke)
    return seen["row"], seen["before"], seen["after"]  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("schedule", "hidden"),
    [
        (Schedule.BANDWIDTH, Reveal.IN_BAND),
        (Schedule.FADED, Reveal.HIDDEN),
        (Schedule.SELF_CONTROLLED, Reveal.HIDDEN),
        (Schedule.NONE, Reveal.HIDDEN),
    ],
)
def test_no_widget_gives_away_a_held_back_result(
    qtbot, make_view, schedule: Schedule, hidden: Reveal
) -> None:
    view = make_view(schedule)
    row, before, after = _hidden_stroke(qtbot, view, hidden)
    assert row.score is not None
    joined, joined_before = "\n".join(after), "\n".join(before)
    for sentence in row.explanation:
        # (The same words may already be on show for an earlier stroke that was revealed.)
        if sentence not in joined_before:
            assert sentence not in joined, f"{schedule.value}: the reason {sentence!r} is on show"
    # Its score appears nowhere it was not already before the stroke (a coincidence elsewhere).
    score = f"{row.score:.0f}"
    assert score not in _numbers(after) - _numbers(before), (
        f"{schedule.value}: stroke {row.number}'s score {score} appeared: "
        + "; ".join(t for t in after if score in t and t not in before)
    )
    i = [r.number for r in view.table_model.rows()].index(row.number)
    cells = [view.table_model.data(view.table_model.index(i, c)) for c in range(1, 7)]
    assert not any(re.search(r"\d", c or "") for c in cells), cells
    assert "pass" not in " ".join(cells) and "fail" not in " ".join(cells)
    # The running figures are held back: only the count of strokes is given.
    for key in ("mean_score", "pass_rate", "force_in_band", "angle_in_band", "consistency"):
        assert view.summary_panel.value(key) == HELD_BACK, (schedule.value, key)
    view.display_timer.start()
    # The block's end shows its figures.
    with qtbot.waitSignal(view.controller.stopped, timeout=10_000):
        view.stop_session()
    assert view.controller.phase is Phase.IDLE
    assert view.summary_panel.value("mean_score") != HELD_BACK
