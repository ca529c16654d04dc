"""The recording CSV of docs/interfaces.md: written as it streams, read strictly, faults named."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from devices.samples import SampleBlock
from trainer.recordings.events import events_path
from trainer.recordings.format import RecordingError
from trainer.recordings.reader import _read_and_check, _read_good_file, read_recording
from trainer.recordings.writer import RecordingWriter, write_recording

CH = ("force_n", "angle_deg")


def _signal(n: int = 2000, rate: float = 1000.0) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(n) / rate
    return t, np.c_[8 * np.sin(np.pi * t) ** 2, 45 + 3 * np.cos(t)]


def test_round_trip_keeps_time_values_and_metadata(tmp_path: Path) -> None:
    t, v = _signal()
    path = write_recording(
        tmp_path / "a.csv", t, v, CH, {"device": "iastm-tool fw 1.2.0 serial A13F", "rate_hz": 1000}
    )
    rec = read_recording(path)
    assert rec.channels == CH
    np.testing.assert_allclose(rec.t_s, t, atol=1e-6)
    np.testing.assert_allclose(rec.values, v, rtol=1e-5, atol=1e-5)
    assert rec.metadata["device"] == "iastm-tool fw 1.2.0 serial A13F"
    assert rec.rate_hz == 1000.0


def test_file_is_the_documented_format(tmp_path: Path) -> None:
    t, v = _signal(3)
    path = write_recording(tmp_path / "a.csv", t, v, CH, {"rate_hz": 1000})
    lines = path.read_text().splitlines()
    assert lines[0] == "# iastm-trainer recording"
    assert lines[1] == "# rate_hz: 1000"
    assert lines[2] == "time_s,force_n,angle_deg"
    assert lines[3].startswith("0.000000,")
    assert lines[4].startswith("0.001000,")


def test_pandas_reads_it(tmp_path: Path) -> None:
    import pandas as pd

    t, v = _signal(500)
    path = write_recording(tmp_path / "a.csv", t, v, CH)
    df = pd.read_csv(path, comment="#")
    assert list(df.columns) == ["time_s", *CH]
    assert len(df) == 500


def test_extra_channels_in_any_order_irregular_time_and_gaps(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "# rate_hz: 80\n"
        "time_s,angle_deg,speed_mm_s,force_n\n"
        "0.0,40,10,1.5\n0.0125,41,11,2.5\n0.03,42,12,3.5\n5.0,43,13,4.5\n"
    )
    rec = read_recording(path)
    assert rec.channels == ("angle_deg", "speed_mm_s", "force_n")
    np.testing.assert_array_equal(rec.channel("force_n"), [1.5, 2.5, 3.5, 4.5])
    assert rec.t_s[-1] == 5.0


def test_comment_and_blank_lines_between_rows_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        "# rate_hz: 100\ntime_s,force_n,angle_deg,temp_c\n0,1,40,nan\n# tool lifted\n\n"
        "0.01,2,41,20.5\n"
    )
    rec = read_recording(path)
    assert rec.metadata == {"rate_hz": "100"}
    np.testing.assert_array_equal(rec.t_s, [0.0, 0.01])
    np.testing.assert_array_equal(rec.channel("force_n"), [1.0, 2.0])
    np.testing.assert_array_equal(rec.channel("temp_c"), [np.nan, 20.5])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("time_s,angle_deg\n0,1\n", "line 1: missing required column(s) force_n"),
        ("t,force_n,angle_deg\n0,1,2\n", "line 1: the first column must be 'time_s'"),
        ("time_s,force_n,angle_deg\n0,1,2\n0.1,abc,3\n", "line 3: field 2 is not a number"),
        ("time_s,force_n,angle_deg\n0,1,2\n0.2,1,2\n0.1,1,2\n", "line 4: time goes backwards"),
        ("time_s,force_n,angle_deg\n0,1,2\n0.1,1,2\n0.1,1,2\n", "line 4: time goes backwards"),
        ("# a: b\n\ntime_s,force_n,angle_deg\n0,1,2\n0.2,1\n", "line 5: 2 fields"),
        ("time_s,force_n,angle_deg\n0,1,2\n0.2,,3\n", "line 3: field 2 is empty"),
        ("# only metadata\n", "no header row"),
        ("time_s,force_n,angle_deg\n0,1\n0.1,2\n", "line 2: 2 fields where the header has 3"),
        ("time_s,force_n,angle_deg\n0,1,2\n0.1,nan,2\n", "line 3: force_n is empty or not"),
        ("time_s,force_n,angle_deg\n0,1,2\n0.1,1,nan\n", "line 3: angle_deg is empty or not"),
    ],
)
def test_bad_files_are_rejected_naming_file_and_line(
    tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body)
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_the_fast_reader_gives_what_the_careful_reader_gives(tmp_path: Path) -> None:
    t, v = _signal(3000)
    extra = np.c_[v, np.where(np.arange(3000) % 7 == 0, np.nan, 20.0 + t)]
    path = write_recording(tmp_path / "r.csv", t, extra, (*CH, "temp_c"), {"rate_hz": 1000})
    with open(path, "a") as f:
        f.write("# a note at the end\n\n3.5,1,2,3\n")
    fast, careful = _read_good_file(path), _read_and_check(path)
    assert fast is not None
    np.testing.assert_array_equal(fast.t_s, careful.t_s)
    np.testing.assert_array_equal(fast.values, careful.values)
    assert (fast.channels, fast.metadata) == (careful.channels, careful.metadata)


def test_a_file_that_is_not_text_is_named(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"time_s,force_n,angle_deg\n0,1,2\n0.1,\xff\xfe,2\n")
    with pytest.raises(RecordingError, match=r"binary\.csv, line 3: not a text file .*byte 35"):
        read_recording(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match=r"nope\.csv: no such file"):
        read_recording(tmp_path / "nope.csv")


def test_streaming_writer_flushes_so_a_crash_loses_at_most_a_second(tmp_path: Path) -> None:
    path = tmp_path / "live.csv"
    writer = RecordingWriter(path, CH, {"device": "sim"}, flush_interval_s=0.0)
    t, v = _signal(1000)
    writer.write(SampleBlock(t[:500], v[:500], CH))
    writer.log_event("gap", t_s=0.4, duration_s=1.5)
    # Read while the writer is still open, as after a crash: every flushed row is there.
    rec = read_recording(path)
    assert len(rec.t_s) == 500
    assert rec.events[0]["event"] == "gap"
    assert rec.events[0]["duration_s"] == 1.5
    writer.write(SampleBlock(t[500:], v[500:], CH))
    writer.close({"counters": {"lost_samples": 3}})
    rec = read_recording(path)
    assert len(rec.t_s) == 1000
    assert rec.events[-1]["event"] == "summary"
    assert rec.events[-1]["counters"] == {"lost_samples": 3}


def test_writer_reorders_channels_and_refuses_a_changed_channel_list(tmp_path: Path) -> None:
    writer = RecordingWriter(tmp_path / "r.csv", CH)
    writer.write(SampleBlock(np.array([0.0]), np.array([[45.0, 2.0]]), ("angle_deg", "force_n")))
    with pytest.raises(RecordingError, match="changed its channels"):
        writer.write(SampleBlock(np.array([0.1]), np.array([[1.0]]), ("shear_n",)))
    writer.close()
    rec = read_recording(tmp_path / "r.csv")
    assert rec.values.tolist() == [[2.0, 45.0]]


def test_torn_last_event_line_is_skipped(tmp_path: Path) -> None:
    t, v = _signal(10)
    path = write_recording(tmp_path / "a.csv", t, v, CH)
    with events_path(path).open("a") as f:
        f.write(json.dumps({"event": "tare", "offset_n": 1.2}) + "\n" + '{"event": "ga')
    events = read_recording(path).events
    assert [e["event"] for e in events] == ["tare"]


def test_fast_block_formatting_matches_value_by_value_formatting() -> None:
    from trainer.recordings.writer import _format_rows, _format_value

    rng = np.random.default_rng(3)
    magnitudes = 10.0 ** rng.uniform(-6, 8, size=(4000, 3))
    values = magnitudes * rng.choice([-1.0, 1.0], size=magnitudes.shape)
    values[::97, 1] = 0.0
    t = np.cumsum(rng.uniform(1e-4, 1e-2, 4000))
    for lo in range(0, 4000, 250):
        block_t, block_v = t[lo : lo + 250], values[lo : lo + 250]
        expected = "".join(
            f"{tt:.6f}," + ",".join(_format_value(v) for v in row) + "\n"
            for tt, row in zip(block_t.tolist(), block_v.tolist(), strict=True)
        )
        assert _format_rows(block_t, block_v) == expected
    plain = np.c_[rng.uniform(-50, 50, 1000), rng.uniform(0.001, 90, 1000)]
    expected = "".join(
        f"{tt:.6f}," + ",".join(_format_value(v) for v in row) + "\n"
        for tt, row in zip(t[:1000].tolist(), plain.tolist(), strict=True)
    )
    assert _format_rows(t[:1000], plain) == expected


def test_a_force_plate_recording_has_no_angle_and_may_have_no_centre_of_pressure(
    tmp_path: Path,
) -> None:
    """Angle is a hand tool's; a plate gives force and the centre of pressure, undefined (nan)
    where nothing loads it; a force-only recording is a recording too."""
    plate = tmp_path / "plate.csv"
    plate.write_text("time_s,force_n,cop_x_mm,cop_y_mm\n0,0.01,nan,nan\n0.0125,5.2,10.5,-3\n")
    rec = read_recording(plate)
    assert rec.channels == ("force_n", "cop_x_mm", "cop_y_mm")
    assert np.isnan(rec.channel("cop_x_mm")[0]) and rec.channel("cop_y_mm")[1] == -3.0
    force_only = tmp_path / "force.csv"
    force_only.write_text("time_s,force_n\n0,1\n0.01,2\n")
    assert read_recording(force_only).channels == ("force_n",)
