"""A force plate's recording in the review window: the picked stroke's path on the plate, the
strokes before it faded, against the experts' corridor; a tool's recording shows no plate."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trainer.library.exercise import shipped_exercises
from trainer.offline.simulation import simulate_recording
from trainer.signals.plate import PLATE_CHANNELS
from ui.plots.plate_view import MAX_POINTS
from ui.review.review_view import ReviewView

LOAD_TIMEOUT_MS = 15_000


def _review(qtbot, path: Path) -> ReviewView:
    exercise = next(e for e in shipped_exercises() if e.id == "fan-plate")
    view = ReviewView([exercise], exercise)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT_MS):
        view.load(path)
    return view


def test_picking_a_plate_stroke_draws_its_path_and_fades_the_ones_before(
    qtbot, tmp_path: Path
) -> None:
    path, _ = simulate_recording(
        tmp_path / "plate.csv",
        stroke_type="fan",
        skill="competent",
        strokes=7,
        seed=3,
        channels=PLATE_CHANNELS,
    )
    view = _review(qtbot, path)
    plate = view.plate_view
    assert plate.isVisible() and plate.envelope is not None and plate.envelope.curved
    view.select_stroke(5)
    stroke = view.review.report.strokes[5]
    x, y = plate.current_path()
    loaded = stroke.force_n >= 1.5
    drawn = np.isfinite(x)
    # The stroke's own loaded samples (a long one thinned), none from under 1.5 N.
    assert drawn.sum() >= min(loaded.sum(), MAX_POINTS) // 2
    assert np.isin(x[drawn], stroke.cop_x_mm[loaded]).all()
    assert np.isin(y[drawn], stroke.cop_y_mm[loaded]).all()
    assert plate.faded_count() == 4
    assert "● end" in plate.legend_lines()[0]  # a finished stroke, not one growing
    assert plate.anchor_mm() == (stroke.cop_x_mm[loaded][0], stroke.cop_y_mm[loaded][0])
    view.select_stroke(0)
    assert plate.faded_count() == 0
    # No angle was measured: the stroke's angle plot is not shown empty beside the plate.
    assert not view.stroke_panel.angle_plot.isVisible()
    assert view.stroke_panel.force_plot.isVisible()
    assert not view.strip.angle_shown  # nor in the strip of the whole recording
    assert not view.summary_panel.shows("angle_in_band")


def test_a_tool_recording_shows_no_plate(qtbot, tmp_path: Path) -> None:
    path, _ = simulate_recording(tmp_path / "tool.csv", skill="competent", strokes=3, seed=3)
    view = _review(qtbot, path)
    assert not view.plate_view.isVisible()
    assert view.stroke_panel.angle_plot.isVisible()
    assert view.strip.angle_shown and view.summary_panel.shows("angle_in_band")


def test_a_home_made_plate_is_drawn_the_size_its_profile_gives(qtbot, tmp_path: Path) -> None:
    path, _ = simulate_recording(
        tmp_path / "plate.csv", stroke_type="fan", strokes=3, seed=3, channels=PLATE_CHANNELS
    )
    lines = path.read_text().splitlines(keepends=True)
    profile = '# plate: {"name":"four cells","width_mm":500,"depth_mm":320,"cells":[]}\n'
    path.write_text(lines[0] + profile + "".join(lines[1:]))
    view = _review(qtbot, path)
    assert view.plate_view.plate_mm == (500.0, 320.0)


def test_a_tool_recording_after_a_plate_one_gets_its_angle_plot_back(qtbot, tmp_path: Path) -> None:
    plate, _ = simulate_recording(
        tmp_path / "plate.csv", stroke_type="fan", strokes=3, seed=3, channels=PLATE_CHANNELS
    )
    tool, _ = simulate_recording(tmp_path / "tool.csv", skill="competent", strokes=3, seed=3)
    view = _review(qtbot, plate)
    assert not view.strip.angle_shown
    with qtbot.waitSignal(view.loaded, timeout=LOAD_TIMEOUT_MS):
        view.load(tool)
    assert view.strip.angle_shown
    assert view.stroke_panel.angle_plot.isVisible()
    assert view.summary_panel.shows("cv_angle")
