"""Blocks are first-class: a new schedule starts a new block, marked in the recording, summarised
on its own, and Stop shows the ended block's report."""

from __future__ import annotations

from trainer.live.feedback import Schedule
from trainer.recordings.events import read_events
from ui.training.training_view import TrainingView

STROKES_TIMEOUT_MS = 60_000


def _wait_strokes(qtbot, view: TrainingView, n: int) -> None:
    qtbot.waitUntil(lambda: view.table_model.rowCount() >= n, timeout=STROKES_TIMEOUT_MS)


def test_changing_schedule_starts_a_block_marked_in_the_recording_and_graded_alone(
    qtbot, make_view
) -> None:
    view = make_view(Schedule.CONCURRENT)
    with qtbot.waitSignal(view.controller.started, timeout=15_000):
        assert view.start_session()
    _wait_strokes(qtbot, view, 2)
    practice = view.table_model.rowCount()
    view.set_schedule(Schedule.NONE)  # a retention block, graded on its own
    assert view.summary_panel.title().startswith("Block 2")
    _wait_strokes(qtbot, view, practice + 2)
    with qtbot.waitSignal(view.controller.stopped, timeout=10_000):
        view.stop_session()
    total = view.table_model.rowCount()
    test_strokes = total - practice

    (csv,) = view.controller.sessions_dir.glob("*.csv")
    events = read_events(csv)
    marks = [e for e in events if e["event"] in ("block_start", "block_end")]
    assert [(e["event"], e["block"], e["schedule"]) for e in marks] == [
        ("block_start", 1, "concurrent"),
        ("block_end", 1, "concurrent"),
        ("block_start", 2, "none"),
        ("block_end", 2, "none"),
    ]
    assert all(e["exercise"].startswith("sweep v") for e in marks)
    end1, end2 = marks[1], marks[3]
    assert (end1["strokes"], end1["first_stroke"], end1["last_stroke"]) == (
        practice,
        1,
        practice,
    )
    assert (end2["strokes"], end2["first_stroke"]) == (test_strokes, practice + 1)
    assert end2["score_summary"]["strokes"] == test_strokes
    assert marks[0]["t_s"] <= marks[1]["t_s"] == marks[2]["t_s"] <= marks[3]["t_s"]
    # The session's closing summary still covers every stroke; the blocks each their own.
    assert events[-1]["event"] == "summary"
    assert events[-1]["score_summary"]["strokes"] == total
    test_mean = end2["score_summary"]["mean_score"]
    rows = view.table_model.rows()[practice:]
    assert test_mean == round(sum(r.score for r in rows) / len(rows), 1)

    # Stop shows the test block's report: its own figures, what to practise, where it went.
    assert view.stroke_stack.currentWidget() is view.report_view
    report = view.report_view.text()
    assert report.startswith("Block 2 ended: None (retention / test block) feedback")
    assert f"{test_strokes} strokes (strokes {practice + 1}–{total})" in report
    assert f"Recording saved to {csv}" in report
    assert "Earlier blocks: Block 1 (Concurrent (live))" in report
    assert "Most worth practising" in view.report_view.practise_title.text()
    assert view.report_view.practise.text() != ""
    assert view.summary_panel.value("strokes") == str(test_strokes)
    # Picking a stroke brings the plots back.
    view.report_view.back_button.click()
    assert view.stroke_stack.currentWidget() is view.stroke_panel
