"""The simulated tool: realistic strokes, honest ground truth, real ITP/1 bytes, a sim:// port."""

from __future__ import annotations

import gc
import time
import tracemalloc

import numpy as np
import pytest
import serial
from scipy.signal import find_peaks

from devices.protocols.itp import ItpParser
from devices.samples import DeviceError, DeviceEvent, EventKind, SampleBlock
from devices.sim.protocol_sim import SimUrlError, parse_sim_url
from devices.sim.simulator import START_REST_S, StrokeSimulator, register
from devices.sim.stroke_models import SKILLS, STROKE_TYPES

RATES_HZ = (10, 50, 80, 100, 120, 250, 333, 500, 1000, 1500, 2000)


def parse(data: bytes) -> tuple[ItpParser, SampleBlock, list[DeviceEvent]]:
    parser = ItpParser()
    items = parser.feed(data)
    blocks = [i for i in items if isinstance(i, SampleBlock)]
    events = [i for i in items if isinstance(i, DeviceEvent)]
    block = SampleBlock.concat(blocks) if blocks else None
    return parser, block, events


def stroke_force(sim: StrokeSimulator, t: np.ndarray, force: np.ndarray, k: int) -> np.ndarray:
    truth = sim.strokes[k]
    inside = (t >= truth.start_s) & (t <= truth.end_s)
    return force[inside] - sim.tare_offset_n


# -- determinism -----------------------------------------------------------------------------------
def test_same_seed_gives_same_session_and_another_seed_does_not():
    a_t, a_v = StrokeSimulator("sweep", "novice", seed=4).generate_strokes(5)
    b_t, b_v = StrokeSimulator("sweep", "novice", seed=4).generate_strokes(5)
    c_t, c_v = StrokeSimulator("sweep", "novice", seed=5).generate_strokes(5)
    assert np.array_equal(a_t, b_t) and np.array_equal(a_v, b_v)
    assert a_t.shape != c_t.shape or not np.allclose(a_v, c_v)


@pytest.mark.parametrize("rate_hz", [1000, 80])
def test_streaming_in_uneven_chunks_gives_the_offline_samples_and_bytes(rate_hz):
    chunks_s = [0.25, 0.125, 1.5, 0.375, 2.75, 0.5, 4.5]  # exact in binary, 10 s in all
    offline = StrokeSimulator("fan", "competent", seed=9, rate_hz=rate_hz)
    t, values = offline.generate(10.0)
    streaming = StrokeSimulator("fan", "competent", seed=9, rate_hz=rate_hz)
    parts = [streaming.next_samples(d) for d in chunks_s]
    assert np.array_equal(np.concatenate([p[0] for p in parts]), t)
    assert np.array_equal(np.concatenate([p[1] for p in parts]), values)
    again = StrokeSimulator("fan", "competent", seed=9, rate_hz=rate_hz)
    assert b"".join(again.next_chunk(d) for d in chunks_s) == offline.itp_bytes(t, values)


# -- rates and samples -----------------------------------------------------------------------------
@pytest.mark.parametrize("rate_hz", RATES_HZ)
def test_every_rate_gives_the_right_number_of_evenly_spaced_samples(rate_hz):
    sim = StrokeSimulator("sweep", "expert", seed=1, rate_hz=rate_hz)
    t, values = sim.generate(3.0)
    assert len(t) == round(3.0 * rate_hz) and values.shape == (len(t), 2)
    assert t[0] == 0.0
    assert np.allclose(np.diff(t), 1.0 / rate_hz)
    streamed = sum(len(sim.next_samples(0.1)[0]) for _ in range(30))
    assert streamed == round(3.0 * rate_hz)


@pytest.mark.parametrize("rate_hz", [10, 80, 1000])
def test_slow_devices_average_over_their_sample_period_rather_than_alias_tremor(rate_hz):
    """An HX711 at 10 Hz integrates; point samples of a 10 Hz tremor would look like slow drift."""
    sim = StrokeSimulator("brush", "novice", seed=2, rate_hz=rate_hz, angle_noise_deg=0.0)
    _, values = sim.generate(2.0)  # the idle lead-in: angle is the resting angle plus tremor
    swing = np.ptp(values[:, 1])
    if rate_hz < 50:
        assert swing < 0.5 * SKILLS["novice"].tremor_deg
    else:
        assert swing > 1.5 * SKILLS["novice"].tremor_deg


# -- ITP/1 bytes -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "channels", [("force_n", "angle_deg"), ("force_n", "angle_deg", "shear_n", "speed_mm_s")]
)
def test_itp_bytes_parse_back_to_the_generated_samples(channels):
    sim = StrokeSimulator("scan", "novice", seed=3, rate_hz=500, channels=channels)
    t, values = sim.generate_strokes(4)
    data = sim.itp_bytes(t, values)
    assert data.startswith(b'#{"proto":"ITP/1","device":"iastm-sim"')
    parser, block, events = parse(data)
    assert parser.counters.corrupt_lines == 0 and parser.counters.lost_samples == 0
    assert events[0].kind is EventKind.INFO
    info = events[0].info
    assert info.serial == "SIM-3" and info.rate_hz == 500 and info.channels == channels
    assert block.channels == channels and len(block) == len(t)
    assert np.allclose(block.t_s, t, atol=1e-6)
    precision = {"force_n": 5e-4, "shear_n": 5e-4, "angle_deg": 5e-3, "speed_mm_s": 5e-2}
    for j, name in enumerate(channels):
        assert np.max(np.abs(block.values[:, j] - values[:, j])) <= precision[name] + 1e-9


def test_sequence_and_device_clock_wrap_as_on_a_real_device():
    sim = StrokeSimulator("strum", "expert", seed=1, rate_hz=1000, clock_start_us=2**32 - 500_000)
    t, values = sim.generate(70.0)  # 70 000 samples: seq wraps once, the clock after 0.5 s
    data = sim.itp_bytes(t, values)
    lines = data.split(b"\n")
    first, wrapped = lines[1].split(b","), lines[1 + 65536].split(b",")
    assert first[:2] == [b"0", str(2**32 - 500_000).encode()]
    assert wrapped[0] == b"0" and int(wrapped[1]) == round(65.536e6) - 500_000
    parser, block, _ = parse(data)
    assert parser.counters.as_dict() == {
        **parser.counters.as_dict(),
        "corrupt_lines": 0,
        "lost_samples": 0,
        "resets": 0,
    }
    assert len(block) == len(t) and np.allclose(block.t_s, t, atol=1e-6)


# -- strokes and ground truth ----------------------------------------------------------------------
@pytest.mark.parametrize("skill", list(SKILLS))
@pytest.mark.parametrize("stroke_type", list(STROKE_TYPES))
def test_strokes_are_separate_lifts_of_plausible_length_force_and_angle(stroke_type, skill):
    model = STROKE_TYPES[stroke_type]
    sim = StrokeSimulator(stroke_type, skill, seed=21, rate_hz=500)
    t, values = sim.generate_strokes(8)
    force = values[:, 0]
    assert len(sim.truth) == len(sim.strokes) == 8
    assert sim.truth[0][0] >= 1.9  # an idle lead-in for the host's tare
    assert t[-1] - sim.strokes[-1].contact_end_s >= 1.9  # and an idle tail
    idle = t < 1.9
    assert abs(np.mean(force[idle]) - sim.tare_offset_n) < 0.05
    for k, s in enumerate(sim.strokes):
        assert (s.start_s, s.end_s) == sim.truth[k]
        assert 0.15 <= s.duration_s <= model.duration_range_s[1]
        assert s.peak_force_n > 0.25 * model.peak_force_n
        if skill == "expert":
            assert 0.6 <= s.peak_force_n / model.peak_force_n <= 1.4
        # the sampled signal shows the stroke the truth describes
        assert np.max(stroke_force(sim, t, force, k)) == pytest.approx(s.peak_force_n, rel=0.1)
        if k:
            lift = (t > sim.strokes[k - 1].contact_end_s + 0.05) & (t < s.contact_start_s - 0.05)
            assert s.contact_start_s - sim.strokes[k - 1].contact_end_s >= 0.3
            assert np.max(np.abs(force[lift] - sim.tare_offset_n)) < 0.6  # back to baseline
    if skill == "expert":
        lo, hi = model.angle_range_deg
        assert all(lo <= s.mean_angle_deg <= hi for s in sim.strokes)
        period_s = np.mean(np.diff([s.contact_start_s for s in sim.strokes]))
        assert 1.0 <= period_s <= 4.0  # 0.25 to 1 strokes a second


def test_experts_are_less_variable_than_novices():
    def cv(values):
        return float(np.std(values) / np.mean(values))

    stats = {}
    for skill in ("expert", "novice"):
        sim = StrokeSimulator("sweep", skill, seed=8, rate_hz=200)
        sim.generate_strokes(40)
        stats[skill] = (
            cv([s.peak_force_n for s in sim.strokes]),
            cv([s.duration_s for s in sim.strokes]),
            float(np.std([s.mean_angle_deg for s in sim.strokes])),
        )
    expert, novice = stats["expert"], stats["novice"]
    assert 0.05 <= expert[0] <= 0.15 and novice[0] >= 0.25
    assert expert[1] < novice[1] and expert[2] < novice[2]


def test_novices_press_too_hard_and_too_steep_experts_do_not():
    model = STROKE_TYPES["sweep"]
    for skill, force_ratio, angle_bias in (
        ("expert", (0.9, 1.1), (-2, 2)),
        ("novice", (1.2, 2.0), (5, 15)),
    ):
        sim = StrokeSimulator("sweep", skill, seed=6, rate_hz=200)
        t, values = sim.generate_strokes(30)
        peaks = [np.max(stroke_force(sim, t, values[:, 0], k)) for k in range(30)]
        angles = [np.mean(values[(t >= a) & (t <= b), 1]) for a, b in sim.truth]
        assert force_ratio[0] <= np.mean(peaks) / model.peak_force_n <= force_ratio[1], skill
        assert angle_bias[0] <= np.mean(angles) - model.angle_deg <= angle_bias[1], skill


def test_novice_strokes_are_jerkier():
    """Extra force peaks within a stroke are what the smoothness score penalises."""
    peaks_per_stroke = {}
    for skill in ("expert", "novice"):
        sim = StrokeSimulator("sweep", skill, seed=12, rate_hz=500, noise_n=0.0)
        t, values = sim.generate_strokes(30)
        counts = []
        for k in range(30):
            f = stroke_force(sim, t, values[:, 0], k)
            counts.append(len(find_peaks(f, prominence=0.1 * f.max())[0]))
        peaks_per_stroke[skill] = np.mean(counts)
    assert peaks_per_stroke["expert"] == 1.0
    assert peaks_per_stroke["novice"] >= 1.3


def test_tremor_is_between_8_and_12_hz():
    sim = StrokeSimulator("sweep", "novice", seed=5, rate_hz=1000, angle_noise_deg=0.0)
    t, values = sim.generate(2.0)  # lead-in: the hand holds the tool still, trembling
    spectrum = np.abs(np.fft.rfft(values[:, 1] - np.mean(values[:, 1])))
    freqs = np.fft.rfftfreq(len(t), 1e-3)
    assert 8.0 <= freqs[np.argmax(spectrum)] <= 12.0


# -- sensor effects --------------------------------------------------------------------------------
def test_untared_offset_drift_and_noise_are_there_as_configured():
    sim = StrokeSimulator(
        "brush", "expert", seed=1, rate_hz=1000, tare_offset_n=2.0, drift_n_per_s=0.01, noise_n=0.05
    )
    t, values = sim.generate(60.0)
    idle = np.ones(len(t), dtype=bool)
    for s in sim.strokes:
        idle &= (t < s.contact_start_s - 0.02) | (t > s.contact_end_s + 0.02)
    idle &= t < sim.strokes[-1].contact_end_s + 0.3  # a stroke cut by the end is not listed
    residual = values[idle, 0] - (2.0 + 0.01 * t[idle])
    assert abs(np.mean(residual)) < 0.01
    assert np.std(residual) == pytest.approx(0.05, rel=0.1)
    default = StrokeSimulator(seed=123).tare_offset_n
    assert 0.5 <= default <= 3.0 and default != StrokeSimulator(seed=124).tare_offset_n


def test_force_past_the_range_is_clipped_and_reported_as_overload():
    sim = StrokeSimulator("scoop", "novice", seed=1, rate_hz=200, force_range_n=10.0)
    t, values = sim.generate_strokes(5)
    assert np.max(values[:, 0]) == 10.0
    _, _, events = parse(sim.itp_bytes(t, values))
    overloads = [e for e in events if e.kind is EventKind.MESSAGE]
    assert overloads and all(e.text == "OVERLOAD force_n" for e in overloads)
    assert len(overloads) <= 5  # once per excursion, not once per sample


# -- commands --------------------------------------------------------------------------------------
def test_commands_answer_as_the_protocol_says():
    sim = StrokeSimulator("sweep", "expert", seed=2, rate_hz=1000, tare_offset_n=2.5)
    data = sim.next_chunk(1.0)
    data += sim.command("TARE")
    data += sim.next_chunk(0.5)
    data += sim.command(b"INFO")
    data += sim.command("RATE 250")
    data += sim.next_chunk(0.4)
    errors = [sim.command(c) for c in ("RATE 5", "RATE 3000", "RATE fast", "RATE", "WOBBLE")]
    assert errors == [b"!ERR bad rate\n"] * 4 + [b"!ERR unknown command\n"]
    parser, _, events = parse(data)
    infos = [e.info for e in events if e.kind is EventKind.INFO]
    assert [i.rate_hz for i in infos] == [1000, 1000, 1000, 250]
    assert infos[1].raw["tare_n"] == pytest.approx(2.5, abs=0.01)
    blocks = [i for i in ItpParser().feed(data) if isinstance(i, SampleBlock)]
    t = np.concatenate([b.t_s for b in blocks])
    force = np.concatenate([b.channel("force_n") for b in blocks])
    assert np.mean(force[t < 0.99]) == pytest.approx(2.5, abs=0.02)  # before TARE
    assert abs(np.mean(force[(t > 1.0) & (t < 1.5)])) < 0.02  # after it, still idle
    assert np.allclose(np.diff(t[t > 1.51]), 1 / 250)
    assert parser.counters.corrupt_lines == 0 and parser.counters.lost_samples == 0


def test_stop_sends_nothing_and_start_carries_on_without_loss():
    sim = StrokeSimulator("sweep", "expert", seed=2, rate_hz=100)
    data = sim.next_chunk(1.0)
    data += sim.command("STOP")
    stopped = sim.next_chunk(2.0)
    data += sim.command("START") + sim.next_chunk(1.0)
    assert stopped == b"" and sim.streaming
    parser, block, _ = parse(data)
    assert len(block) == 200 and parser.counters.lost_samples == 0
    assert np.max(np.diff(block.t_s)) == pytest.approx(2.01)  # the pause shows as a time gap


def test_a_person_who_waits_for_the_session_rests_until_start_then_strokes():
    # The application connects first and the trainee tares; strokes begin once Space starts the
    # session, not after a fixed few seconds that a student reading the screen may overrun.
    sim = StrokeSimulator("sweep", "expert", seed=4, rate_hz=100, wait_for_start=True)
    t, v = sim.next_samples(20.0)
    force = v[:, 0] - sim.tare_offset_n
    assert np.max(np.abs(force)) < 0.5  # 20 s and never a stroke: the tool rests, tare works
    sim.command("START")
    t, v = sim.next_samples(10.0)
    force = v[:, 0] - sim.tare_offset_n
    pressed = t[force > 2.0]
    assert pressed.size and 20.0 + START_REST_S <= pressed[0] < 20.0 + START_REST_S + 1.0
    # Without waiting, the person strokes on their own after the power-up rest.
    eager = StrokeSimulator("sweep", "expert", seed=4, rate_hz=100)
    _, v = eager.next_samples(20.0)
    assert np.max(v[:, 0] - eager.tare_offset_n) > 2.0


# -- long sessions ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "channels", [("force_n", "angle_deg"), ("force_n", "cop_x_mm", "cop_y_mm")]
)
def test_streaming_memory_stays_bounded_over_a_long_session(channels):
    sim = StrokeSimulator("sweep", "novice", seed=1, rate_hz=100, channels=channels)
    # Not the snapshots' own memory, nor cycles the collector has not reached yet.
    not_ours = [tracemalloc.Filter(False, tracemalloc.__file__)]
    tracemalloc.start()
    try:
        # Fifteen minutes: everything the stream keeps is made once by now. After five, with a
        # plate's channels, numpy's small objects were still settling: 15-25 kB more in the
        # next ten minutes, run to run, against 1.5-8 kB after fifteen.
        for _ in range(900):
            sim.next_chunk(1.0)
        gc.collect()
        before = tracemalloc.take_snapshot().filter_traces(not_ours)
        for _ in range(600):  # ten more minutes
            sim.next_chunk(1.0)
        gc.collect()
        after = tracemalloc.take_snapshot().filter_traces(not_ours)
    finally:
        tracemalloc.stop()
    growth = sum(s.size_diff for s in after.compare_to(before, "filename"))
    # 60 000 samples, 370 strokes: what is kept does not grow (one float kept a stroke would be
    # 12 kB; one small object with its fields, 20 kB and more).
    assert growth < 20_000
    stream = sim._stream
    assert len(stream.timeline.window) <= 4 and len(sim.stream_truth) <= 100
    assert sim.skip(8 * 3600.0) == 8 * 3600 * 100  # a blocked day costs neither time nor memory
    assert len(stream.timeline.window) <= 4
    assert sim.next_chunk(1.0).count(b"\n") == 100


# -- sim:// ----------------------------------------------------------------------------------------
@pytest.fixture
def open_port():
    register()
    ports = []

    def opener(url: str, **kwargs) -> serial.SerialBase:
        port = serial.serial_for_url(url, **kwargs)
        ports.append(port)
        return port

    yield opener
    for port in ports:
        port.close()


def read_until(port, parser: ItpParser, done, timeout_s: float = 5.0) -> list:
    """Read and parse until ``done(items)`` holds; fail rather than hang."""
    items: list = []
    deadline = time.monotonic() + timeout_s
    while not done(items):
        assert time.monotonic() < deadline, "the simulated port did not deliver in time"
        items += parser.feed(port.read(4096))
    return items


def n_samples(items) -> int:
    return sum(len(i) for i in items if isinstance(i, SampleBlock))


def test_register_is_idempotent():
    register()
    register()
    assert serial.protocol_handler_packages.count("devices.sim") == 1


@pytest.mark.parametrize(("rate_hz", "speed"), [(200, 1), (500, 20)])
def test_sim_url_streams_at_about_the_configured_rate(open_port, rate_hz, speed):
    port = open_port(
        f"sim://?stroke=sweep&skill=novice&seed=3&rate={rate_hz}&speed={speed}", timeout=0.05
    )
    parser = ItpParser()
    wall0 = time.monotonic()
    items = read_until(port, parser, lambda it: n_samples(it) >= rate_hz * speed * 0.5)
    elapsed = time.monotonic() - wall0
    items += parser.feed(port.read(port.in_waiting))
    rate_seen = n_samples(items) / (time.monotonic() - wall0)
    assert elapsed >= 0.3  # paced by the clock, not dumped at once
    assert 0.6 * rate_hz * speed <= rate_seen <= 1.4 * rate_hz * speed
    assert parser.counters.corrupt_lines == 0 and parser.counters.lost_samples == 0
    assert items[0].kind is EventKind.INFO and items[0].info.device == "iastm-sim"


def test_sim_url_answers_info_tare_and_rate(open_port):
    port = open_port("sim://?stroke=brush&skill=expert&seed=1&rate=1000&tare_n=1.5", timeout=0.05)
    parser = ItpParser()

    def infos(items):
        return [i.info for i in items if isinstance(i, DeviceEvent) and i.kind is EventKind.INFO]

    read_until(port, parser, lambda it: n_samples(it) >= 200)
    port.write(b"INFO\n")
    assert infos(read_until(port, parser, lambda it: infos(it)))[0].rate_hz == 1000
    port.write(b"TARE\r\nRATE 100\n")
    items = read_until(port, parser, lambda it: len(infos(it)) == 2 and n_samples(it) >= 20)
    tared, slowed = infos(items)
    assert tared.raw["tare_n"] == pytest.approx(1.5, abs=0.05) and slowed.rate_hz == 100
    after = SampleBlock.concat([i for i in items if isinstance(i, SampleBlock)][-1:])
    assert abs(np.mean(after.channel("force_n"))) < 0.1  # still idle, now zeroed
    assert np.allclose(np.diff(after.t_s), 0.01)
    port.write(b"RATE 1\n")

    def refused(items):
        return any(isinstance(i, DeviceEvent) and i.text == "ERR bad rate" for i in items)

    read_until(port, parser, refused)
    assert parser.counters.corrupt_lines == 0 and parser.counters.lost_samples == 0


def test_sim_url_port_reopens_with_an_info_line_and_counts_what_it_missed(open_port):
    port = open_port("sim://?rate=1000&speed=5", timeout=0.05)
    parser = ItpParser()
    read_until(port, parser, lambda it: n_samples(it) >= 500)
    parser.feed(port.read(port.in_waiting))  # whole lines: nothing half-read at the close
    port.close()
    with pytest.raises(serial.SerialException):
        port.read(1)
    time.sleep(0.05)  # the tool runs on for a while with nobody listening
    port.open()
    items = read_until(port, parser, lambda it: n_samples(it) >= 100)
    assert items[0].kind is EventKind.INFO
    assert parser.counters.lost_samples >= 200  # 0.05 s at 5x and 1 kHz, at least
    assert parser.counters.resets == 0 and parser.counters.corrupt_lines == 0


def test_sim_url_in_waiting_grows_with_time_and_reset_empties_it(open_port):
    port = open_port("sim://?rate=1000&speed=5", timeout=0)
    deadline = time.monotonic() + 5
    while port.in_waiting < 20_000:  # about 0.1 s of wall time
        assert time.monotonic() < deadline
        time.sleep(0.005)
    port.reset_input_buffer()
    assert port.in_waiting < 20_000
    while port.in_waiting == 0:
        assert time.monotonic() < deadline
    wall0 = time.monotonic()
    data = port.read(10_000_000)  # timeout 0: what there is, at once, in whole lines
    assert time.monotonic() - wall0 < 0.05
    assert data.endswith(b"\n") and 0 < len(data) < 20_000


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("sim://?skill=guru", "skill"),
        ("sim://?stroke=wiggle", "stroke"),
        ("sim://?rate=5", "rate"),
        ("sim://?rate=abc", "rate"),
        ("sim://?seed=-1", "seed"),
        ("sim://?speed=0", "speed"),
        ("sim://?channels=force_n,torque", "channels"),
        ("sim://?noise_n=-1", "noise_n"),
        ("sim://?colour=blue", "colour"),
        ("sim://?rate=100&rate=200", "rate"),
    ],
)
def test_a_bad_sim_url_parameter_is_named(open_port, url, named):
    with pytest.raises(serial.SerialException, match=f"'{named}'") as err:
        open_port(url)
    assert isinstance(err.value, DeviceError)  # the devices package's user error, too


def test_sim_url_parameters_reach_the_simulator():
    kwargs, speed = parse_sim_url(
        "sim://?stroke=scoop&skill=novice&seed=7&rate=80&speed=60&channels=force_n,angle_deg,"
        "shear_n&tare_n=1.2&drift_n_per_s=0&noise_n=0.1&angle_noise_deg=0.5&wait=1"
    )
    assert speed == 60
    sim = StrokeSimulator(**kwargs)
    assert (sim.stroke_model.name, sim.skill_model.name, sim.seed, sim.rate_hz) == (
        "scoop",
        "novice",
        7,
        80,
    )
    assert sim.channels == ("force_n", "angle_deg", "shear_n")
    assert (sim.tare_offset_n, sim.drift_n_per_s, sim.noise_n, sim.angle_noise_deg) == (
        1.2,
        0.0,
        0.1,
        0.5,
    )
    assert sim.wait_for_start
    assert parse_sim_url("sim://")[0] == {"skill": "competent"}
    with pytest.raises(SimUrlError, match="socket"):
        parse_sim_url("socket://localhost:7000")


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"stroke_type": "wiggle"}, "stroke type"),
        ({"skill": "guru"}, "skill"),
        ({"rate_hz": 5}, "rate"),
        ({"rate_hz": 2500}, "rate"),
        ({"channels": ("force_n", "torque")}, "channels"),
        ({"seed": -3}, "seed"),
    ],
)
def test_bad_simulator_settings_raise_a_device_error_naming_them(kwargs, named):
    with pytest.raises(DeviceError, match=named):
        StrokeSimulator(**kwargs)
