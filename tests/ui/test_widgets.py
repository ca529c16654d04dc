"""The training screen's parts on their own: what each shows for given data (offscreen)."""

from __future__ import annotations

import numpy as np
import pytest

from devices.samples import Counters
from trainer.live.connection import DeviceChoice
from trainer.live.feedback import Reveal
from trainer.scoring.band import inside_band
from ui.plots.angle_readout import AngleReadout, angle_verdict
from ui.plots.corridor import Corridor, bin_mean, pct_axis, stroke_x_pct
from ui.plots.corridor_plot import CorridorPlot
from ui.plots.strip_chart import MAX_SHADES, ColumnPeaks, StripChart
from ui.strokes.stroke_rows import StrokeRow
from ui.strokes.stroke_table import (
    COL_RESULT,
    COL_SCORE,
    COL_WHY,
    StrokeListPanel,
    StrokeTable,
    StrokeTableModel,
)
from ui.strokes.summary_panel import summary_texts
from ui.training.device_panel import DevicePanel, RateMeter, describe_port
from ui.widgets.banner import Banner


def _corridor() -> Corridor:
    x = pct_axis()
    mu = 10.0 * np.sin(np.pi * x / 100.0) ** 2
    return Corridor(x, mu - 2.0, mu, mu + 2.0, "force", "N")


# -- corridor arithmetic ---------------------------------------------------------------------------
def test_the_plot_marks_out_of_band_exactly_where_the_score_counts_out() -> None:
    c = _corridor()
    rng = np.random.default_rng(5)
    y = c.mu + rng.normal(0.0, 2.0, c.mu.size)
    y[[0, 50, 100]] = c.hi[[0, 50, 100]]  # on the edge is inside, for both
    y[10] = np.nan  # a dropped sample is not in the band: the score does not count it in
    outside = c.outside(c.x_pct, y)
    assert outside.any() and not outside.all()
    assert (outside == ~inside_band(y, c.lo, c.hi)).all()


def test_a_stroke_in_progress_is_placed_on_the_experts_time_axis() -> None:
    t = np.array([10.0, 10.5, 11.0, 11.5])
    assert stroke_x_pct(t, 10.0, 1.0).tolist() == [0.0, 50.0, 100.0, 150.0]
    with pytest.raises(ValueError):
        stroke_x_pct(t, 10.0, 0.0)


def test_outside_marks_above_below_and_after_the_expert_finished() -> None:
    c = _corridor()
    x = np.array([50.0, 50.0, 50.0, 120.0])
    y = np.array([10.0, 13.0, 7.0, 0.0])
    assert c.outside(x, y).tolist() == [False, True, True, True]


def test_binning_bounds_points_keeps_the_level_and_leaves_complete_bins_alone() -> None:
    x = np.arange(5003) * 0.02
    y = np.full_like(x, 4.0) + np.sin(x * 50)
    xs, ys, bins = bin_mean(x, y, 1.0)
    assert len(xs) == 101 and bins.tolist() == list(range(101))
    assert abs(float(np.mean(ys[:-1])) - 4.0) < 0.05
    # The same stroke grown by more samples: every bin already complete is unchanged.
    grown_x = np.arange(6004) * 0.02
    grown = bin_mean(grown_x, np.full_like(grown_x, 4.0) + np.sin(grown_x * 50), 1.0)
    assert np.array_equal(grown[0][:100], xs[:100]) and np.array_equal(grown[1][:100], ys[:100])
    # Sparse samples (a slow tool): one point each, where they are.
    few_x = np.array([0.5, 3.2, 7.9])
    assert np.array_equal(bin_mean(few_x, few_x * 2, 1.0)[0], few_x)


def test_typical_band_is_the_middle_of_the_stroke() -> None:
    x = pct_axis()
    c = Corridor(x, np.full(101, 38.0), np.full(101, 45.0), np.full(101, 52.0), "angle", "°")
    assert c.typical_band() == (38.0, 52.0)


# -- corridor plot ---------------------------------------------------------------------------------
def test_corridor_plot_haloes_only_what_left_the_band(qtbot) -> None:
    plot = CorridorPlot("force (N)", "N", legend=True)
    qtbot.addWidget(plot)
    plot.set_corridor(_corridor())
    x = np.linspace(0, 100, 5000)
    y = 10.0 * np.sin(np.pi * x / 100.0) ** 2
    y[(x > 40) & (x < 60)] += 5.0  # too hard from 40 to 60 %
    plot.show_stroke(x, y)
    assert plot.trace_points() == 101  # a long stroke is averaged into 1 % bins before drawing
    marked = plot.outside_x()
    assert marked.min() > 38 and marked.max() < 62
    # Drawn growing, frame by frame, it ends up the same as drawn at once.
    plot.clear_stroke()
    for n in range(1, len(x) + 1, 137):
        plot.show_stroke(x[:n], y[:n])
    plot.show_stroke(x, y)
    assert plot.trace_points() == 101 and np.array_equal(plot.outside_x(), marked)
    # Another stroke with as many points replaces it (clicking through the stroke list).
    plot.show_stroke(x, 10.0 * np.sin(np.pi * x / 100.0) ** 2)
    assert plot.trace_points() == 101 and plot.outside_x().size == 0
    plot.clear_stroke()
    assert plot.trace_points() == 0
    plot.set_message("Stroke in progress")
    assert plot.message() == "Stroke in progress"
    plot.grab()  # paints without error


# -- strip chart -----------------------------------------------------------------------------------
def test_strip_chart_shading_stays_bounded_over_a_long_session(qtbot) -> None:
    strip = StripChart(window_s=10.0)
    qtbot.addWidget(strip)
    for i in range(600):  # ten minutes of strokes, one a second, and a gap every ten
        t0 = float(i)
        t = np.linspace(t0, t0 + 1.0, 50)
        strip.show_data(t, np.ones_like(t), np.full_like(t, 45.0))
        strip.add_stroke(t0 + 0.2, t0 + 0.8)
        if i % 10 == 0:
            strip.add_gap(t0 + 0.9, t0 + 0.95, "lost 3")
    strokes, gaps = strip.shade_counts()
    assert strokes <= 12 and gaps <= 2  # only what the 10 s window can show
    assert strokes <= MAX_SHADES
    strip.resize(600, 300)
    strip.grab()  # paints what it holds


def test_column_peaks_keep_every_spike_and_a_min_and_max_per_column() -> None:
    t = np.arange(0, 10.0, 0.001)
    y = np.zeros_like(t)
    y[[1234, 5678, 9001]] = [30.0, -5.0, 12.0]  # one-sample spikes
    td, yd = ColumnPeaks(10.0 / 400).update(t, y, keep_from_s=0.0)
    assert len(td) <= 2 * 401 and np.all(np.diff(td) >= 0)
    assert {30.0, -5.0, 12.0} <= set(yd.tolist())


def test_column_peaks_fed_frame_by_frame_match_one_pass_over_the_window() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(0, 30.0, 0.001)
    y = np.sin(t * 7.0) + rng.normal(0.0, 0.1, t.size)
    y[12_000:12_300] = np.nan  # a stretch the tool could not measure
    column_s = 10.0 / 450
    live = ColumnPeaks(column_s)
    for now in np.arange(0.5, 30.0, 1 / 60):  # a display at 60 frames a second
        i1 = int(now * 1000)
        window = slice(max(0, i1 - 10_500), i1)
        td, yd = live.update(t[window], y[window], keep_from_s=now - 10.0 - column_s)
    left = t[i1 - 1] - 10.0
    once_t, once_y = ColumnPeaks(column_s).update(t[window], y[window], keep_from_s=0.0)
    shown = td >= left
    assert np.array_equal(td[shown], once_t[once_t >= left])
    assert np.array_equal(yd[shown], once_y[once_t >= left])
    assert np.isfinite(yd).all()


def test_resetting_the_strip_keeps_its_plots(qtbot) -> None:
    strip = StripChart()
    qtbot.addWidget(strip)
    strip.add_stroke(1.0, 2.0)
    strip.reset()
    assert strip.shade_counts() == (0, 0)
    strip.show_data(np.array([0.0, 1.0]), np.array([1.0, 2.0]), np.array([40.0, 41.0]))
    assert len(strip.curve_data()[0]) == 2
    assert strip.curve_data()[0][-1] == 0.0  # the newest sample at the right edge


def test_strip_chart_closes_a_disconnect_gap_when_data_resumes(qtbot) -> None:
    strip = StripChart()
    qtbot.addWidget(strip)
    strip.show_data(np.array([0.0, 1.0, 2.0]), np.zeros(3), np.zeros(3))
    strip.open_gap(2.0)
    assert strip.shade_counts() == (0, 0)
    strip.show_data(np.array([0.0, 1.0, 2.0, 5.0, 5.5]), np.zeros(5), np.zeros(5))
    assert strip.shade_counts() == (0, 1)
    assert strip.gaps() == [(2.0, 5.0, "disconnected")]


def test_strip_chart_masking_hides_the_curves(qtbot) -> None:
    strip = StripChart()
    qtbot.addWidget(strip)
    strip.resize(600, 300)
    t = np.linspace(0.0, 10.0, 1000)
    strip.show_data(t, 5.0 + np.sin(t), np.full_like(t, 45.0))
    shown = strip.grab().toImage()
    strip.set_masked("live view off (terminal feedback)")
    assert strip.masked and strip.message() == "live view off (terminal feedback)"
    masked = strip.grab().toImage()
    assert masked != shown
    strip.set_masked(None)
    assert not strip.masked and strip.grab().toImage() == shown


# -- angle read-out --------------------------------------------------------------------------------
def test_angle_verdict_in_words_and_arrows() -> None:
    assert angle_verdict(61.0, 35.0, 55.0) == "▲ 6° too steep"
    assert angle_verdict(30.0, 35.0, 55.0) == "▼ 5° too flat"
    assert angle_verdict(45.0, 35.0, 55.0).startswith("✓ in band")
    # Judged on the degrees shown: 50 against a band shown as 41-50 is in it, never "0° too
    # steep"; one degree past the shown edge is one degree too steep.
    assert angle_verdict(50.0, 41.2, 49.6) == "✓ in band 41–50°"
    assert angle_verdict(51.0, 41.2, 49.6) == "▲ 1° too steep"
    assert angle_verdict(40.6, 41.2, 49.6) == "✓ in band 41–50°"


def test_angle_readout_shows_a_big_number_and_hides_on_request(qtbot) -> None:
    readout = AngleReadout()
    qtbot.addWidget(readout)
    readout.set_band((35.0, 55.0))
    readout.set_angle(43.4)
    assert readout.value_text() == "43°"
    assert readout._value.font().pointSize() >= 48
    readout.set_masked("live view off")
    assert readout.value_text() == "–" and readout.verdict_text() == "live view off"
    readout.set_angle(float("nan"))
    assert readout.value_text() == "–"
    readout.grab()  # paints the bar without error


def test_angle_readout_number_holds_still_through_jitter_and_agrees_with_its_verdict(
    qtbot,
) -> None:
    readout = AngleReadout()
    qtbot.addWidget(readout)
    readout.set_band((35.0, 55.0))
    shown = []
    for angle in (43.4, 43.6, 43.3, 43.7, 43.5):  # a steady hand's tremor around a .5 boundary
        readout.set_angle(angle)
        shown.append(readout.value_text())
    assert shown == ["43°"] * 5
    readout.set_angle(43.8)
    assert readout.value_text() == "44°"
    readout.set_angle(55.3)
    assert readout.value_text() == "55°" and readout.verdict_text().startswith("✓ in band")
    readout.set_angle(55.8)
    assert readout.value_text() == "56°" and readout.verdict_text() == "▲ 1° too steep"


# -- stroke list -----------------------------------------------------------------------------------
def _row(n: int, score: float, passed: bool) -> StrokeRow:
    return StrokeRow(
        number=n,
        start_s=n,
        end_s=n + 0.8,
        duration_s=0.8,
        peak_force_n=9.0,
        mean_angle_deg=44.0,
        score=score,
        passed=passed,
        sub_scores={
            "force": 80.0,
            "angle": 90.0,
            "tempo": 70.0,
            "smoothness": None,
            "consistency": None,
        },
        explanation=("Too hard from 40 to 60 % of the stroke.",),
        force_in_band_pct=70.0,
        angle_in_band_pct=95.0,
    )


def test_stroke_list_obeys_reveals_and_never_relies_on_colour(qtbot) -> None:
    model = StrokeTableModel()
    model.add(_row(1, 84.0, True), Reveal.FULL)
    model.add(_row(2, 41.0, False), Reveal.HIDDEN)
    model.add(_row(3, 90.0, True), Reveal.IN_BAND)

    def text(r: int, c: int) -> str:
        return model.data(model.index(r, c))

    assert text(0, COL_SCORE) == "84" and text(0, COL_RESULT) == "✓ pass"
    assert text(0, COL_WHY).startswith("Too hard")
    assert text(1, COL_SCORE) == "" and text(1, COL_RESULT) == "held back"
    assert text(2, COL_SCORE) == "" and text(2, COL_RESULT) == "✓ in band"
    model.set_reveal(2, Reveal.FULL)
    assert text(1, COL_SCORE) == "41" and text(1, COL_RESULT) == "✗ fail"
    # A missing sub-score is a dash, not a zero.
    assert text(0, 6) == "–"


def test_on_a_force_plate_the_angle_column_gives_the_path(qtbot) -> None:
    from dataclasses import replace

    from PySide6.QtCore import Qt

    from ui.strokes.stroke_table import COL_ANGLE

    model = StrokeTableModel()
    tool = _row(1, 84.0, True)
    assert model.headerData(COL_ANGLE, Qt.Orientation.Horizontal) == "Angle"
    model.add(tool, Reveal.FULL)
    assert model.data(model.index(0, COL_ANGLE)) == "90"
    plate = replace(tool, number=2, sub_scores={**tool.sub_scores, "angle": None, "path": 64.0})
    model.add(plate, Reveal.FULL)
    assert model.headerData(COL_ANGLE, Qt.Orientation.Horizontal) == "Path"
    assert model.data(model.index(1, COL_ANGLE)) == "64"


def test_the_whole_why_of_the_stroke_picked_is_under_the_list_when_revealed(qtbot) -> None:
    from dataclasses import replace

    model = StrokeTableModel()
    panel = StrokeListPanel(StrokeTable(model))
    qtbot.addWidget(panel)
    panel.resize(500, 300)  # a laptop's narrow list: the Why column cuts its sentence short
    panel.show()
    long_why = (
        "Too hard from 40 to 60 % of the stroke (up to 2.1 N above the band).",
        "Angle 6 degrees too steep throughout the stroke.",
    )
    model.add(replace(_row(1, 62.0, False), explanation=long_why), Reveal.FULL)
    assert panel.why.isVisible()
    assert panel.why.text() == "Stroke 1: " + "; ".join(long_why)
    # The newest stroke held back by the schedule: nothing of it under the list.
    model.add(_row(2, 41.0, False), Reveal.HIDDEN)
    assert not panel.why.isVisible()
    # The student picks the first stroke again: its why comes back.
    panel.table.selectRow(0)
    assert panel.why.isVisible() and panel.why.text().startswith("Stroke 1: Too hard")


def test_stroke_list_keeps_the_newest_strokes_of_a_long_session(qtbot, monkeypatch) -> None:
    import ui.strokes.stroke_table as stroke_table

    monkeypatch.setattr(stroke_table, "MAX_ROWS", 5)
    model = StrokeTableModel()
    for n in range(1, 9):
        model.add(_row(n, 80.0, True), Reveal.HIDDEN)
    assert model.rowCount() == 5
    assert [model.row_at(i).number for i in range(5)] == [4, 5, 6, 7, 8]
    assert model.strokes_added == 8 and model.strokes_dropped == 3
    panel = StrokeListPanel(StrokeTable(model))
    qtbot.addWidget(panel)
    model.add(_row(9, 80.0, True), Reveal.HIDDEN)  # one more dropped: the list says so
    assert "newest 5 of 9 strokes" in panel.note.text() and not panel.note.isHidden()
    model.clear()
    assert panel.note.isHidden()
    for n in range(1, 9):
        model.add(_row(n, 80.0, True), Reveal.HIDDEN)
    model.set_reveal(2, Reveal.FULL)  # a stroke no longer listed: nothing to show, no error
    model.set_reveal(8, Reveal.FULL)
    assert model.data(model.index(4, COL_SCORE)) == "80"
    assert model.data(model.index(3, COL_SCORE)) == ""


def test_summary_texts_say_dash_for_what_cannot_be_known() -> None:
    texts = summary_texts(None)
    assert set(texts.values()) == {"–"}


# -- banner and device panel -----------------------------------------------------------------------
def test_banner_clears_only_its_own_message(qtbot) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    banner.show_message("disconnected", "Tool disconnected — reconnecting…", "warning")
    banner.clear("tare")
    assert banner.showing("disconnected")
    banner.clear("disconnected")
    assert banner.key == ""


def test_rate_meter_measures_delivered_samples() -> None:
    meter = RateMeter(window_s=1.0)
    assert meter.update(0, now_s=0.0) is None
    assert meter.update(500, now_s=0.5) is None  # not a full window yet
    assert meter.update(940, now_s=1.0) == pytest.approx(940.0)


def test_device_panel_round_trips_a_choice_and_marks_itp_ports(qtbot) -> None:
    panel = DevicePanel(DeviceChoice("sim", skill="novice"))
    qtbot.addWidget(panel)
    assert panel.choice().kind == "sim" and panel.choice().skill == "novice"
    panel.set_ports([{"device": "/dev/ttyACM0", "itp": True, "description": "iastm-tool"}])
    assert "ITP/1" in describe_port({"device": "/dev/ttyACM0", "itp": True})
    with qtbot.waitSignal(panel.choice_changed) as blocker:
        panel.source_combo.setCurrentIndex(panel.source_combo.findData("/dev/ttyACM0"))
    assert blocker.args[0] == DeviceChoice("serial", skill="novice", port="/dev/ttyACM0")
    panel.show_counters(Counters(samples=10, lost_samples=3, corrupt_lines=2))
    assert panel.lost_label.text() == "3" and panel.corrupt_label.text() == "2"


def test_a_bridge_whose_qt_side_is_gone_does_not_break_the_session() -> None:
    import shiboken6

    from ui.runtime.bridge import SessionBridge

    bridge = SessionBridge()
    shiboken6.delete(bridge)  # the application quit while the session was stopping
    bridge.on_error("late report")  # dropped, not raised into the session thread
    bridge.on_event(None)


def test_expert_stroke_list_tick_boxes_stand_out_on_the_dark_theme(qtbot) -> None:
    from PySide6.QtGui import QColor, QPalette

    from ui.instructor.expert_stroke_list import ExpertStrokeModel, ExpertStrokeTable
    from ui.theme import DARK

    table = ExpertStrokeTable(ExpertStrokeModel(DARK))
    qtbot.addWidget(table)
    table.apply_theme(DARK)
    # Fusion outlines a tick box a shade darker than the window colour: it must not be near-black.
    window = table.palette().color(QPalette.ColorRole.Window)
    assert window == QColor(DARK.muted) and window.lightness() > 120


def _on_screen_matches_a_full_repaint(widget) -> bool:
    """What the window shows (built up from partial repaints) is what a whole repaint draws."""
    from PySide6.QtGui import QGuiApplication

    shown = QGuiApplication.primaryScreen().grabWindow(widget.winId()).toImage()
    full = widget.grab().toImage()
    return shown.convertToFormat(full.format()) == full


def test_a_growing_stroke_repainted_piece_by_piece_leaves_no_trace_behind(qtbot) -> None:
    plot = CorridorPlot("force (N)", "N", legend=True)
    qtbot.addWidget(plot)
    plot.set_corridor(_corridor())
    plot.resize(700, 300)
    plot.show()
    qtbot.waitExposed(plot)
    x = np.linspace(0, 120, 3000)
    y = 10.0 * np.sin(np.pi * x / 100.0) ** 2 + 1.5 * np.sin(x / 7.0)  # in and out of the band
    for n in range(10, len(x), 47):  # a stroke growing, frame by frame
        plot.show_stroke(x[:n], y[:n])
        qtbot.wait(1)
    plot.show_stroke(x, y)
    qtbot.wait(5)
    assert _on_screen_matches_a_full_repaint(plot)


def test_the_strip_repainted_inside_its_plots_matches_a_full_repaint(qtbot) -> None:
    strip = StripChart()
    qtbot.addWidget(strip)
    strip.resize(600, 300)
    strip.show()
    qtbot.waitExposed(strip)
    t = np.arange(0.0, 14.0, 0.001)
    force = 6.0 * np.clip(np.sin(np.pi * t / 1.6), 0.0, None) ** 2
    for now in np.arange(11.0, 14.0, 1 / 30):
        i1 = int(now * 1000)
        strip.show_data(t[:i1], force[:i1], 40.0 + np.sin(t[:i1]))
        strip.set_stroke_in_progress(12.0 if now > 12.0 else None)
        qtbot.wait(1)
    qtbot.wait(5)
    assert _on_screen_matches_a_full_repaint(strip)


def test_the_strip_gives_the_angle_plots_room_to_force_on_a_device_without_angle(qtbot) -> None:
    strip = StripChart()
    qtbot.addWidget(strip)
    strip.resize(600, 300)
    strip.show()
    t = np.linspace(0.0, 10.0, 500)
    strip.show_data(t, 5.0 + np.sin(t), np.full(t.size, np.nan))
    with_angle = strip.grab().toImage()
    tool_force = strip._plot_rect(0).height()
    strip.set_with_angle(False)
    assert strip._plot_rect(0).height() > 1.8 * tool_force
    assert strip.grab().toImage() != with_angle
    strip.set_with_angle(True)
    assert strip._plot_rect(0).height() == tool_force


def test_a_score_never_reads_as_the_pass_mark_it_missed(qtbot) -> None:
    """69.96 against a mark of 70 fails: the list must not say "70 ✗ fail" (nor 70.5 passing a
    mark of 70.5 "70 ✓ pass"); ordinary scores stay whole numbers."""
    from dataclasses import replace

    model = StrokeTableModel()
    model.add(replace(_row(1, 69.96, False), pass_mark=70.0), Reveal.FULL)
    model.add(replace(_row(2, 70.5, True), pass_mark=70.5), Reveal.FULL)
    model.add(replace(_row(3, 55.6, False), pass_mark=70.0), Reveal.FULL)
    model.add(replace(_row(4, 70.0, True), pass_mark=70.0), Reveal.FULL)
    shown = [model.data(model.index(r, COL_SCORE)) for r in range(4)]
    assert shown == ["69.9", "70.5", "56", "70"]
