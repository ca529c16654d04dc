"""The plain CSV line parser: column mappings, headers, host and device time, damaged lines."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.protocols.csvline import CsvLineParser
from devices.samples import DeviceError, DeviceEvent, EventKind, SampleBlock


def samples(items) -> tuple[np.ndarray, np.ndarray]:
    bs = [it for it in items if isinstance(it, SampleBlock)]
    return np.concatenate([b.t_s for b in bs]), np.concatenate([b.values for b in bs])


def test_mapping_picks_channels_and_ignores_skipped_columns():
    parser = CsvLineParser.from_spec(" force_n , _ ,angle_deg")
    assert parser.channels == ("force_n", "angle_deg") and not parser.has_device_time
    items = parser.feed(b"12.5,999,41.2\n13.0,999,40.8\n", host_t_s=10.0)
    assert [type(it) for it in items] == [SampleBlock]
    assert items[0].channels == ("force_n", "angle_deg")
    assert items[0].values.tolist() == [[12.5, 41.2], [13.0, 40.8]]
    assert parser.counters.corrupt_lines == 0


@pytest.mark.parametrize("sep", [b",", b", ", b";", b"\t", b" ", b"  "])
def test_separators_a_sketch_may_print(sep):
    parser = CsvLineParser(("force_n", "angle_deg"))
    items = parser.feed(b"1.5" + sep + b"-2e1\r\n", host_t_s=0.0)
    assert samples(items)[1].tolist() == [[1.5, -20.0]]


def test_header_is_skipped_and_repeated_headers_too_but_other_text_is_corrupt():
    parser = CsvLineParser.from_spec("t_ms,force_n,angle_deg")
    data = b"t_ms,force,angle\n0,1,2\n10,2,3\nCalibrating...\nt_ms,force,angle\n20,3,4\n"
    t, values = samples(parser.feed(data))
    assert values[:, 0].tolist() == [1, 2, 3] and t.tolist() == pytest.approx([0, 0.01, 0.02])
    assert parser.counters.corrupt_lines == 1


def test_damaged_lines_are_corrupt():
    parser = CsvLineParser(("force_n", "angle_deg"))
    data = b"1,2\n1,2,3\n4\nnan,1\n1e999,1\n1,,2\n\xff\xfe,1\n" + b"9" * 300 + b"\n5,6\n\n\r\n"
    _t, values = samples(parser.feed(data, host_t_s=1.0))
    assert values.tolist() == [[1, 2], [5, 6]]
    assert parser.counters.corrupt_lines == 7


def test_host_timestamps_spread_each_chunk_and_increase_strictly():
    parser = CsvLineParser(("force_n",))
    chunks = [
        (b"1\n2\n", 100.0),
        (b"3\n4\n5\n6\n", 100.4),
        (b"7\n", 100.4),
        (b"8\n9", 100.3),
        (b"\n10\n", 101.0),
    ]
    t = np.concatenate([samples(parser.feed(c, h))[0] for c, h in chunks])
    assert np.all(np.diff(t) > 0) and t[0] == 0.0
    # Lines of a chunk share the time since the previous line evenly; the last is at arrival.
    np.testing.assert_allclose(t[2:6], 0.001 + 0.4 * np.arange(1, 5) / 4, atol=1e-9)
    assert t[9] == pytest.approx(1.001)
    assert parser.last_t_s == t[-1]


def test_host_time_is_required_without_a_time_column():
    with pytest.raises(ValueError, match="host_t_s"):
        CsvLineParser(("force_n",)).feed(b"1\n")


@pytest.mark.parametrize(("column", "scale"), [("t_s", 1.0), ("t_ms", 1e-3), ("t_us", 1e-6)])
def test_device_time_column_sets_the_time_axis(column, scale):
    parser = CsvLineParser(("force_n", column))
    data = b"".join(b"%d,%d\n" % (k, 5000 + 7 * k) for k in range(5))
    t, values = samples(parser.feed(data, host_t_s=123.0))
    np.testing.assert_allclose(t, 7 * scale * np.arange(5), rtol=1e-12, atol=1e-12)
    assert values[:, 0].tolist() == [0, 1, 2, 3, 4] and parser.channels == ("force_n",)


def test_device_clock_reset_repeat_and_wrap():
    parser = CsvLineParser.from_spec("t_ms,force_n")
    # 10 ms steps; a repeat; an Arduino reset (clock back to 0); millis() wrapping past 2**32.
    data = b"5000,1\n5010,2\n5010,99\n5005,98\n0,3\n10,4\n"
    items = parser.feed(data)
    t, values = samples(items)
    assert values[:, 0].tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(t, [0, 0.01, 0.02, 0.03], atol=1e-9)
    assert parser.counters.corrupt_lines == 2 and parser.counters.resets == 1
    reset = [it for it in items if isinstance(it, DeviceEvent)]
    assert [e.kind for e in reset] == [EventKind.RESET] and reset[0].t_s == pytest.approx(0.02)

    wrap = CsvLineParser.from_spec("t_ms,force_n")
    top = 2**32 - 10
    t, _ = samples(wrap.feed(b"%d,1\n%d,2\n5,3\n" % (top - 10, top)))
    np.testing.assert_allclose(t, [0, 0.01, 0.025], atol=1e-9)
    assert wrap.counters.resets == 0


def test_device_clock_leap_of_more_than_60_s_is_a_reset():
    parser = CsvLineParser.from_spec("t_s,force_n")
    t, _ = samples(parser.feed(b"0,1\n0.5,2\n61,3\n61.5,4\n"))
    np.testing.assert_allclose(t, [0, 0.5, 1.0, 1.5])
    assert parser.counters.resets == 1


def test_new_time_base_after_reconnect():
    parser = CsvLineParser(("force_n",))
    parser.feed(b"1\n2\n3", host_t_s=50.0)
    parser.new_time_base(not_before_s=5.0)
    assert parser.counters.corrupt_lines == 1  # the line cut by the disconnect
    t, values = samples(parser.feed(b"force\n4\n5\n", host_t_s=50.5))
    assert values[:, 0].tolist() == [4, 5]  # the header printed again after the reset is skipped
    assert t[0] >= 5.0 and np.all(np.diff(t) > 0)

    # Lines after a reconnect arrived after the gap: they are not spread back across it.
    quick = CsvLineParser(("force_n",))
    quick.feed(b"1\n", host_t_s=10.0)
    quick.new_time_base(not_before_s=0.0)
    t, _ = samples(quick.feed(b"2\n3\n", host_t_s=20.0))
    np.testing.assert_allclose(t, [9.999, 10.0])

    timed = CsvLineParser.from_spec("t_ms,force_n")
    timed.feed(b"100,1\n110,2\n")
    timed.new_time_base(not_before_s=3.0)
    t, _ = samples(timed.feed(b"0,3\n10,4\n"))
    np.testing.assert_allclose(t, [3.0, 3.01])
    assert timed.counters.resets == 0


def test_skip_first_line_drops_a_possibly_partial_line():
    parser = CsvLineParser(("force_n", "angle_deg"), skip_first_line=True)
    _, values = samples(parser.feed(b"2.5,41.2\n13.0,40.8\n", host_t_s=1.0))
    assert values.tolist() == [[13.0, 40.8]] and parser.counters.corrupt_lines == 0
    # After a reconnect the port may again open mid-line: ".5,41.2" is what is left of
    # "12.5,41.2", numbers all the same, and must not become a sample of 0.5 N.
    parser.new_time_base(not_before_s=2.0)
    _, values = samples(parser.feed(b".5,41.2\n14.0,40.1\n", host_t_s=3.0))
    assert values.tolist() == [[14.0, 40.1]]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "is empty"),
        ("force_n,,angle_deg", "field 2 is empty"),
        ("force_n,angle deg", "field 2 'angle deg' is not a column name"),
        ("t_ms,force_n,t_us", "field 3 't_us' is a second time column (field 1 is 't_ms')"),
        ("force_n,angle_deg,force_n", "field 3 'force_n' repeats field 1"),
        ("t_ms,_", "names no channel"),
    ],
)
def test_bad_spec_names_the_field(spec, message):
    with pytest.raises(DeviceError) as caught:
        CsvLineParser.from_spec(spec)
    assert message in str(caught.value) and repr(spec) in str(caught.value)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"1.5,2", b"x,y", b"", b"3", b"1,2,3", b"-4e2,+.5", b"\xff"]), max_size=30
    ),
    st.lists(st.integers(0, 400), max_size=8),
)
def test_chunking_does_not_change_device_timed_results(lines, cuts):
    data = b"".join(b"%d,%s\n" % (10 * k, line) for k, line in enumerate(lines))

    def run(pieces):
        parser = CsvLineParser.from_spec("t_ms,force_n,angle_deg")
        items = list(itertools.chain.from_iterable(parser.feed(p) for p in pieces))
        return items, parser.counters

    bounds = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    split_items, split_counts = run([data[a:b] for a, b in itertools.pairwise(bounds)])
    whole_items, whole_counts = run([data])
    assert split_counts == whole_counts
    if any(isinstance(it, SampleBlock) for it in whole_items):
        for a, b in zip(samples(split_items), samples(whole_items), strict=True):
            assert a.tolist() == b.tolist()
        assert np.all(np.diff(samples(whole_items)[0]) > 0)
