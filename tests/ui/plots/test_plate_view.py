"""The plate view paints what it is given: the stroke's path, the experts' corridor, the last
strokes, and nothing of the centre of pressure where the load is too low for it to mean anything.

Checked on the painted pixels (``grab()``), as a trainee would see them."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from trainer.scoring.path_score import PathEnvelope
from ui.plots.plate_view import (
    DEFAULT_PLATE_MM,
    PlateView,
    corridor_outline,
    plate_size_from_info,
    plate_size_from_metadata,
)

#: An expert sweep: 150 mm straight ahead (+y), little spread.
STRAIGHT_UP = PathEnvelope(12, 150.0, 0.05, 90.0, 3.0, 0.98, 0.01, 1.0, 3.0)
#: An expert fan: 120 mm, chord along +x, turning 70 degrees anticlockwise.
FAN = PathEnvelope(12, 120.0, 0.05, 0.0, 3.0, 0.9, 0.02, 70.0, 5.0)


@pytest.fixture
def view(qtbot) -> PlateView:
    v = PlateView()
    qtbot.addWidget(v)
    v.resize(400, 460)
    v.show()
    qtbot.waitExposed(v)
    return v


def _image(view: PlateView) -> QImage:
    return view.grab().toImage()


def _darkest(image: QImage, view: PlateView, x_mm: float, y_mm: float, r: int = 2) -> int:
    """The darkest grey level (0 black, 255 white) within ``r`` pixels of a plate point."""
    px, py = view.to_px(np.array([x_mm]), np.array([y_mm]))
    cx, cy = round(float(px[0])), round(float(py[0]))
    levels = [
        QColor(image.pixel(x, y)).lightness()
        for x in range(cx - r, cx + r + 1)
        for y in range(cy - r, cy + r + 1)
    ]
    return min(levels)


def _stroke(x0: float, x1: float, y: float, n: int = 400, force: float = 10.0):
    t = np.linspace(0.0, 1.0, n)
    return t, np.full(n, force), x0 + (x1 - x0) * t, np.full(n, y)


def test_the_stroke_in_progress_is_drawn_where_its_centre_of_pressure_went(view) -> None:
    before = _image(view)
    assert _darkest(before, view, 30.0, 20.0) > 200  # an empty plate there
    view.show_live(*_stroke(-120.0, 120.0, 20.0), stroke_start_s=1.0)
    after = _image(view)
    for x in (-90.0, -30.0, 30.0, 90.0):
        assert _darkest(after, view, x, 20.0) < 80, x  # the dark trace runs through it
    assert _darkest(after, view, 30.0, 110.0) > 200  # nothing drawn off the path
    x, y = view.current_path()
    assert (
        np.isfinite(x).all()
        and (y == 20.0).all()
        and view.anchor_mm() == pytest.approx((-120.0, 20.0))
    )


def test_the_centre_of_pressure_under_1_5_n_is_not_drawn(view) -> None:
    t, force, x, y = _stroke(-120.0, 120.0, 20.0)
    force[x > 10.0] = 1.0  # the second half barely loads the plate
    view.show_live(t, force, x, y, stroke_start_s=1.0)
    image = _image(view)
    assert _darkest(image, view, -60.0, 20.0) < 80
    for x_mm in (40.0, 80.0, 110.0):
        assert _darkest(image, view, x_mm, 20.0) > 200, x_mm
    assert np.isnan(view.current_path()[0][x > 10.0]).all()


def test_a_new_stroke_fades_the_last_one_and_draws_the_corridor_from_its_own_start(view) -> None:
    view.set_envelope(STRAIGHT_UP)
    view.show_live(*_stroke(-150.0, -60.0, -80.0), stroke_start_s=1.0)
    view.show_live(*_stroke(60.0, 61.0, -100.0, force=8.0), stroke_start_s=3.0)
    assert view.faded_count() == 1
    image = _image(view)
    old = _darkest(image, view, -110.0, -80.0, r=3)
    assert 80 < old < 235  # still there, fainter than the stroke in progress
    # The corridor runs from the new stroke's start straight up (+y), 150 mm, and not down.
    assert view.anchor_mm() == pytest.approx((60.0, -100.0))
    inside = QColor(image.pixel(*(round(float(v[0])) for v in view.to_px([53.0], [-30.0]))))
    outside = QColor(image.pixel(*(round(float(v[0])) for v in view.to_px([-60.0], [-30.0]))))
    assert inside.lightness() < outside.lightness() - 10
    assert "150 mm at 90±10°" in " ".join(view.legend_lines())


def test_a_fan_corridor_curves_the_way_the_experts_turned() -> None:
    shapes, mean, zone = corridor_outline(FAN, (0.0, 0.0))
    assert zone is None and len(shapes) == 1
    # 70 degrees anticlockwise, chord along +x: sets off 35 deg below it and ends 35 above.
    start_heading = np.degrees(np.arctan2(*(mean[1] - mean[0])[::-1]))
    end_heading = np.degrees(np.arctan2(*(mean[-1] - mean[-2])[::-1]))
    assert start_heading == pytest.approx(-35.0, abs=2.0)
    assert end_heading == pytest.approx(35.0, abs=2.0)
    assert np.degrees(np.arctan2(mean[-1, 1], mean[-1, 0])) == pytest.approx(0.0, abs=0.5)
    assert np.sum(np.hypot(*np.diff(mean, axis=0).T)) == pytest.approx(120.0, rel=0.01)


def test_masked_for_the_feedback_schedule_no_path_is_drawn(view) -> None:
    # Along the plate's near edge, clear of the message in its middle.
    view.show_live(*_stroke(-120.0, 120.0, -110.0), stroke_start_s=1.0)
    view.set_masked("live view off (terminal feedback)")
    image = _image(view)
    for x in (-90.0, 30.0, 90.0):
        assert _darkest(image, view, x, -110.0) > 200, x
    assert "terminal feedback" in view.accessibleDescription()
    view.set_masked(None)
    assert _darkest(_image(view), view, 30.0, -110.0) < 80


def test_the_plate_size_comes_from_the_device_info_line(view) -> None:
    assert plate_size_from_info({"plate_mm": [500, 500]}) == (500.0, 500.0)
    for bad in ({}, None, {"plate_mm": "400x300"}, {"plate_mm": [400]}, {"plate_mm": [0, 3]}):
        assert plate_size_from_info(bad) is None
    view.set_plate_from_info({"plate_mm": [500, 500]})
    x, y = view.to_px(np.array([-250.0, 250.0]), np.array([-250.0, 250.0]))
    assert abs(x[1] - x[0]) == pytest.approx(abs(y[1] - y[0]))  # square on screen
    view.set_plate_from_info({"device": "a plate that does not say"})
    assert view.plate_mm == DEFAULT_PLATE_MM
    assert view.accessibleName().startswith("Plate view")


def test_an_onset_moved_while_the_stroke_goes_on_is_the_same_stroke(view) -> None:
    """The segmenter refines a stroke's onset as it goes: that is not a new stroke to fade."""
    t, force, x, y = _stroke(-120.0, 120.0, 20.0)
    view.show_live(t[:200], force[:200], x[:200], y[:200], stroke_start_s=0.05)
    view.show_live(t, force, x, y, stroke_start_s=0.0)
    assert view.faded_count() == 0
    view.show_live(t + 2.0, force, x, y - 60.0, stroke_start_s=2.0)  # the next stroke
    assert view.faded_count() == 1


def test_a_home_made_plate_s_size_comes_from_its_profile_in_the_recording(view) -> None:
    profile = '{"name": "hx711 x4", "width_mm": 500, "depth_mm": 320, "cells": []}'
    assert plate_size_from_metadata({"plate": profile}) == (500.0, 320.0)
    assert plate_size_from_metadata({"plate": {"width_mm": 450, "depth_mm": 450}}) == (450, 450)
    for bad in ({}, None, {"plate": "not json"}, {"plate": '{"width_mm": 500}'}):
        assert plate_size_from_metadata(bad) is None
    view.set_plate_from_metadata({"plate": profile})
    assert view.plate_mm == (500.0, 320.0)
    assert "Plate 500 by 320 mm" in view.accessibleDescription()
