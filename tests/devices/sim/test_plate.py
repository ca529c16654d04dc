"""The simulated force plate: each stroke type's path on the plate, its centre of pressure seen
through a plate's noise, and the true path of every stroke to check a measurement against."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from devices.opening import open_source, simulator_choice, simulator_url
from devices.protocols.itp import ItpParser
from devices.samples import DeviceError, DeviceEvent, EventKind, SampleBlock
from devices.sim.protocol_sim import SimUrlError, parse_sim_url
from devices.sim.simulator import (
    COP_MIN_LOAD_N,
    COP_NOISE_REF_N,
    PLATE_CHANNELS,
    StrokeSimulator,
)
from devices.sim.stroke_models import PLATE_MM, STROKE_TYPES
from trainer.strokes.path import path_features


def plate(stroke: str, skill: str = "expert", seed: int = 1, **kw) -> StrokeSimulator:
    return StrokeSimulator(stroke, skill, seed=seed, channels=PLATE_CHANNELS, **kw)


def measured(sim: StrokeSimulator, t: np.ndarray, values: np.ndarray):
    """Each stroke's path as the trainer measures it from the samples, beside its truth."""
    force = values[:, 0] - sim.tare_offset_n
    out = []
    for truth in sim.strokes:
        inside = (t >= truth.start_s) & (t <= truth.end_s)
        out.append(
            (path_features(t[inside], force[inside], values[inside, 1], values[inside, 2]), truth)
        )
    return out


def circle_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Centre and radius of the least-squares circle through the points (Kasa's fit)."""
    a = np.column_stack([x, y, np.ones_like(x)])
    cx, cy, c = np.linalg.lstsq(a, x * x + y * y, rcond=None)[0]
    return cx / 2, cy / 2, math.sqrt(c + cx * cx / 4 + cy * cy / 4)


# -- geometry per stroke type ----------------------------------------------------------------------
@pytest.mark.parametrize("rate_hz", [1000, 80])
def test_a_sweep_is_a_straight_line_along_the_fibres_of_its_stroke_length(rate_hz):
    sim = plate("sweep", rate_hz=rate_hz)
    t, values = sim.generate_strokes(8)
    length = STROKE_TYPES["sweep"].stroke_length_mm
    for features, truth in measured(sim, t, values):
        assert 0.85 * length <= features.path_length_mm <= 1.15 * length
        assert features.straightness > 0.98
        assert abs(features.direction_deg - 90.0) < 8.0  # +y: along the fibres
        # the measurement agrees with what the simulated hand did where the plate could see it
        assert abs(features.path_length_mm - truth.loaded_path.path_length_mm) < 3.0
        assert abs(features.direction_deg - truth.loaded_path.direction_deg) < 2.0


def test_a_fan_is_a_70_degree_arc_about_a_still_end_100_mm_away():
    sim = plate("fan", cop_noise_mm=0.2)
    t, values = sim.generate_strokes(8)
    force = values[:, 0] - sim.tare_offset_n
    for features, truth in measured(sim, t, values):
        assert 60.0 <= truth.path.turn_deg <= 80.0
        assert abs(features.turn_deg - truth.loaded_path.turn_deg) < 6.0
        assert features.straightness < 0.975  # a chord of 0.94 to 0.96 of a 60 to 70 degree arc
        inside = (t >= truth.start_s) & (t <= truth.end_s) & (force >= 1.5)
        cx, cy, radius = circle_fit(values[inside, 1], values[inside, 2])
        assert 85.0 <= radius <= 115.0
        # the still end is the arc's centre, to the left of where the stroke set off
        assert abs(cy - truth.path.start_y_mm) < 15.0 and cx < truth.path.start_x_mm - 80.0


def test_a_j_stroke_runs_straight_then_hooks():
    sim = plate("j_stroke")
    t, values = sim.generate_strokes(8)
    force = values[:, 0] - sim.tare_offset_n
    for features, truth in measured(sim, t, values):
        assert 105.0 <= truth.path.turn_deg <= 135.0
        assert features.turn_deg > 90.0
        # its first half is the straight run: hardly any turning there
        inside = np.flatnonzero((t >= truth.start_s) & (t <= truth.end_s))
        first = inside[: inside.size * 2 // 5]
        run = path_features(t[first], force[first], values[first, 1], values[first, 2])
        assert abs(run.turn_deg) < 15.0 and run.straightness > 0.97


def test_a_scan_goes_out_along_the_fibres_and_comes_back():
    sim = plate("scan")
    t, values = sim.generate_strokes(6)
    for features, truth in measured(sim, t, values):
        assert 170.0 <= features.path_length_mm <= 230.0  # 100 mm out, 100 back
        assert features.straightness < 0.15
        assert abs(truth.path.turn_deg) < 6.0  # the about-turn at the far end left out


@pytest.mark.parametrize("stroke_type", list(STROKE_TYPES))
def test_every_stroke_type_makes_its_documented_path_and_the_truth_is_what_is_measured(
    stroke_type,
):
    model = STROKE_TYPES[stroke_type].path
    sim = plate(stroke_type, "expert", seed=21)
    t, values = sim.generate_strokes(12)
    pairs = measured(sim, t, values)
    lengths = [truth.path.path_length_mm for _, truth in pairs]
    turns = [truth.path.turn_deg for _, truth in pairs]
    assert abs(np.mean(lengths) / model.length_mm - 1.0) < 0.05
    assert abs(np.mean(turns) - model.turn_deg) < 8.0
    headings = np.array([truth.path.heading_deg for _, truth in pairs])
    assert np.all(np.abs(headings - model.heading_deg) < 7.0)
    for features, truth in pairs:  # at 1 kHz the trainer reads the path the hand made
        assert abs(features.path_length_mm - truth.loaded_path.path_length_mm) < 2.0
        if model.legs == 1:
            assert abs(features.direction_deg - truth.loaded_path.direction_deg) < 2.0


@pytest.mark.parametrize("stroke_type", list(STROKE_TYPES))
def test_every_stroke_type_stays_on_the_plate_and_strokes_lie_side_by_side(stroke_type):
    sim = plate(stroke_type, "novice", seed=5)
    _, values = sim.generate_strokes(12)
    loaded = values[:, 0] - sim.tare_offset_n >= 2.0
    assert np.all(np.abs(values[loaded, 1]) <= PLATE_MM[0] / 2)
    assert np.all(np.abs(values[loaded, 2]) <= PLATE_MM[1] / 2)
    starts = np.array([(s.path.start_x_mm, s.path.start_y_mm) for s in sim.strokes])
    apart = np.hypot(*np.diff(starts, axis=0).T)
    assert np.all(apart > 15.0), apart  # consecutive strokes never start on the same spot


# -- sensor noise ----------------------------------------------------------------------------------
def test_the_cop_error_grows_as_the_load_falls_and_means_nothing_below_1_n():
    noisy = plate("sweep", seed=2, cop_noise_mm=0.3)
    clean = plate("sweep", seed=2, cop_noise_mm=0.0)
    _, v = noisy.generate_strokes(10)
    _, exact = clean.generate_strokes(10)
    force = v[:, 0] - noisy.tare_offset_n
    error = v[:, 1] - exact[:, 1]
    expected_sd = 0.3 * COP_NOISE_REF_N / np.maximum(force, COP_MIN_LOAD_N)
    light = (force >= 1.2) & (force < 2.5)
    heavy = force >= 6.0
    assert light.sum() > 100 and heavy.sum() > 1000
    assert np.std(error[light]) > 2.5 * np.std(error[heavy])
    for band in (light, heavy):  # and it is the documented noise_mm * F_ref / F
        assert 0.85 < np.std(error[band] / expected_sd[band]) < 1.15
    # below 1 N of load the plate's CoP is the ratio of noises: wild, nothing like a path
    unloaded = force < 0.5
    x, y = v[unloaded, 1], v[unloaded, 2]
    assert np.percentile(np.abs(x), 75) > 20.0 and np.percentile(np.abs(y), 75) > 20.0
    assert np.mean(np.hypot(x, y) > max(PLATE_MM)) > 0.05  # often off the plate altogether
    assert abs(np.median(x)) < 10.0 and abs(np.median(y)) < 10.0  # about the plate's centre


# -- skill -----------------------------------------------------------------------------------------
def test_experts_keep_length_and_direction_novices_wander_off_the_line():
    spread = {}
    for skill in ("expert", "novice"):
        sim = plate("sweep", skill, seed=11)
        t, values = sim.generate_strokes(30)
        features = [f for f, _ in measured(sim, t, values)]
        lengths = np.array([f.path_length_mm for f in features])
        directions = np.array([f.direction_deg for f in features])
        straight = np.array([f.straightness for f in features])
        spread[skill] = (lengths.std() / lengths.mean(), directions.std(), straight.min())
    expert, novice = spread["expert"], spread["novice"]
    assert expert[0] < 0.08 and novice[0] > 2 * expert[0]  # length
    assert expert[1] < 4.0 and novice[1] > 2.5 * expert[1]  # direction
    assert expert[2] > 0.99 and novice[2] < expert[2]  # drifting off the line curves it


def test_a_novices_fan_opens_less_and_less_evenly_than_an_experts():
    turns = {}
    for skill in ("expert", "novice"):
        sim = plate("fan", skill, seed=4)
        sim.generate_strokes(30)
        turns[skill] = np.array([s.path.turn_deg for s in sim.strokes])
    assert 65.0 < turns["expert"].mean() < 75.0 and turns["expert"].std() < 6.0
    assert turns["novice"].mean() < turns["expert"].mean() - 8.0
    assert turns["novice"].std() > 2.0 * turns["expert"].std()


def test_a_plate_and_a_tool_with_one_seed_see_the_same_strokes():
    tool = StrokeSimulator("fan", "novice", seed=6)
    board = plate("fan", "novice", seed=6)
    tool.generate_strokes(5)
    board.generate_strokes(5)
    assert [(s.start_s, s.end_s, s.peak_force_n) for s in tool.strokes] == [
        (s.start_s, s.end_s, s.peak_force_n) for s in board.strokes
    ]


# -- ITP/1 -----------------------------------------------------------------------------------------
def test_plate_bytes_parse_back_with_force_and_cop_and_no_angle():
    sim = plate("j_stroke", "competent", seed=3, rate_hz=250)
    t, values = sim.generate_strokes(4)
    parser = ItpParser()
    items = parser.feed(sim.itp_bytes(t, values))
    assert parser.counters.corrupt_lines == 0 and parser.counters.lost_samples == 0
    info = items[0].info
    assert items[0].kind is EventKind.INFO and info.channels == PLATE_CHANNELS
    assert info.raw["plate_mm"] == list(PLATE_MM)  # for drawing the plate's outline
    block = SampleBlock.concat([i for i in items if isinstance(i, SampleBlock)])
    assert block.channels == ("force_n", "cop_x_mm", "cop_y_mm") and len(block) == len(t)
    assert np.max(np.abs(block.values[:, 1:] - values[:, 1:])) <= 5e-3 + 1e-9
    assert np.max(np.abs(block.values[:, 0] - values[:, 0])) <= 5e-4 + 1e-9


def test_streaming_a_plate_in_uneven_chunks_gives_the_offline_samples():
    chunks_s = [0.25, 0.125, 1.5, 0.375, 2.75, 0.5, 4.5]
    offline = plate("fan", "competent", seed=9, rate_hz=80)
    _, values = offline.generate(10.0)
    streaming = plate("fan", "competent", seed=9, rate_hz=80)
    parts = [streaming.next_samples(d) for d in chunks_s]
    assert np.array_equal(np.concatenate([p[1] for p in parts]), values)


# -- sim:plate -------------------------------------------------------------------------------------
def read_items(source, done, timeout_s: float = 10.0) -> list:
    """Read from a started source until ``done(items)``; fail rather than hang."""
    items: list = []
    deadline = time.monotonic() + timeout_s
    while not done(items):
        assert time.monotonic() < deadline, "the simulated plate did not deliver in time"
        items += source.read(0.05)
    return items


def loaded_cop(items) -> np.ndarray:
    blocks = [i for i in items if isinstance(i, SampleBlock)]
    if not blocks:
        return np.empty((0, 3))
    values = SampleBlock.concat(blocks).values
    return values[values[:, 0] >= 4.0]  # the untared offset is at most 3 N


def test_sim_plate_opens_and_streams_force_and_centre_of_pressure():
    source = open_source("sim:plate:expert", stroke="fan", seed=2, speed=50)
    source.start()
    try:
        items = read_items(source, lambda it: len(loaded_cop(it)) >= 200)
    finally:
        source.stop()
    info = next(i for i in items if isinstance(i, DeviceEvent) and i.kind is EventKind.INFO).info
    assert info.channels == PLATE_CHANNELS and info.device == "iastm-sim"
    blocks = [i for i in items if isinstance(i, SampleBlock)]
    assert all(b.channels == PLATE_CHANNELS for b in blocks)
    cop = loaded_cop(items)
    assert np.all(np.abs(cop[:, 1]) < PLATE_MM[0] / 2)
    assert np.all(np.abs(cop[:, 2]) < PLATE_MM[1] / 2)
    assert np.ptp(cop[:, 2]) > 30.0  # the stroke moved over the plate


@pytest.mark.parametrize(
    ("dev", "skill", "channels"),
    [
        ("sim", "competent", None),
        ("sim:novice", "novice", None),
        ("sim:plate", "competent", PLATE_CHANNELS),
        ("sim:plate:expert", "expert", PLATE_CHANNELS),
    ],
)
def test_sim_names_choose_a_tool_or_a_plate_and_a_skill(dev, skill, channels):
    assert simulator_choice(dev) == (skill, channels)
    kwargs, _ = parse_sim_url(simulator_url(skill, "scan", channels=channels))
    assert kwargs["skill"] == skill and kwargs["stroke_type"] == "scan"
    assert kwargs.get("channels") == channels


@pytest.mark.parametrize("dev", ["sim:plate:bogus", "sim:bogus", "sim:plate:expert:x"])
def test_a_bad_simulator_name_is_a_user_error_naming_it(dev):
    with pytest.raises(DeviceError, match=f"in '{dev}'"):
        open_source(dev)


def test_a_sim_url_sets_the_plates_cop_noise():
    kwargs, _ = parse_sim_url("sim://?channels=force_n,cop_x_mm,cop_y_mm&cop_noise_mm=0.5")
    assert StrokeSimulator(**kwargs).cop_noise_mm == 0.5
    with pytest.raises(SimUrlError, match="cop_noise_mm"):
        parse_sim_url("sim://?cop_noise_mm=-1")
