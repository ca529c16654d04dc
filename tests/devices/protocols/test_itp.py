"""The ITP/1 parser: what it makes of good, damaged, lost, repeated and restarted data.

Every sample line built here carries a marker (its line number in the first value), so a test can
tell exactly which lines became samples and check that no damaged line ever did.
"""

from __future__ import annotations

import binascii
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from devices.protocols.itp import _VECTOR_MIN_LINES as VECTOR_MIN_LINES
from devices.protocols.itp import (
    ItpParser,
    crc16_ccitt_false,
    encode_info_line,
    encode_message_line,
    encode_sample_line,
    parse_sample_line,
)
from devices.samples import DEFAULT_CHANNELS, DeviceEvent, EventKind, SampleBlock

FOUR = ["force_n", "shear_n", "angle_deg", "roll_deg"]


# -- helpers ---------------------------------------------------------------------------------------
def marked_line(k: int, seq0: int = 0, t0_us: int = 0, dt_us: int = 1000) -> bytes:
    """Line number k of a stream: its first value is k + 0.5, the second -k/4 (both exact)."""
    return encode_sample_line(seq0 + k, t0_us + k * dt_us, [k + 0.5, -k / 4])


def with_crc(payload: bytes, lowercase: bool = False) -> bytes:
    crc = binascii.crc_hqx(payload, 0xFFFF)
    return payload + (b"*%04x\n" if lowercase else b"*%04X\n") % crc


def feed(data: bytes, parser: ItpParser | None = None, chunks: list[int] | None = None):
    parser = parser or ItpParser()
    items = []
    if chunks is None:
        items += parser.feed(data)
    else:
        cuts = [0, *sorted(c % (len(data) + 1) for c in chunks), len(data)]
        for a, b in itertools.pairwise(cuts):
            items += parser.feed(data[a:b])
    return parser, items


def blocks(items) -> list[SampleBlock]:
    return [it for it in items if isinstance(it, SampleBlock)]


def events(items, kind: EventKind | None = None) -> list[DeviceEvent]:
    return [it for it in items if isinstance(it, DeviceEvent) and kind in (None, it.kind)]


def samples(items) -> tuple[np.ndarray, np.ndarray]:
    bs = blocks(items)
    if not bs:
        return np.zeros(0), np.zeros((0, 2))
    return np.concatenate([b.t_s for b in bs]), np.concatenate([b.values for b in bs])


def markers(items) -> list[int]:
    _, values = samples(items)
    return [int(v - 0.5) for v in values[:, 0]]


def flat(items) -> list[tuple]:
    """Items with block boundaries removed, to compare streams fed in different chunks."""
    out: list[tuple] = []
    for it in items:
        if isinstance(it, SampleBlock):
            out += [("s", t, tuple(v), it.channels) for t, v in zip(it.t_s, it.values, strict=True)]
        else:
            out.append(("e", it.kind, it.t_s, it.text, it.count, it.info))
    return out


def assert_well_formed(items) -> None:
    """What every consumer relies on: finite float64 samples, strictly increasing time."""
    last = -np.inf
    for b in blocks(items):
        assert b.t_s.dtype == np.float64 and b.values.dtype == np.float64
        assert b.values.shape == (len(b.t_s), len(b.channels)) and len(b.t_s) > 0
        assert np.all(np.isfinite(b.values)) and np.all(np.isfinite(b.t_s))
        assert b.t_s[0] > last and np.all(np.diff(b.t_s) > 0)
        last = b.t_s[-1]


# -- known answers ---------------------------------------------------------------------------------
def test_crc_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_protocol_example_line_round_trips_through_the_encoder():
    line = encode_sample_line(4711, 123456789, [12.503, 41.2])
    assert line == b"4711,123456789,12.503,41.2*%04X\n" % binascii.crc_hqx(
        b"4711,123456789,12.503,41.2", 0xFFFF
    )
    parser, items = feed(line)
    assert parser.counters.corrupt_lines == 0
    t, values = samples(items)
    assert t.tolist() == [0.0] and values.tolist() == [[12.503, 41.2]]


def test_fixed_decimals_as_firmware_prints_them():
    line = encode_sample_line(4711, 123456789, [12.503, 41.2], decimals=2)
    assert line.startswith(b"4711,123456789,12.50,41.20*")
    assert parse_sample_line(line[:-1], 2) == (4711, 123456789, [12.5, 41.2])


def test_the_protocol_documents_example_crc_is_not_accepted():
    # An earlier copy of docs/protocol-itp1.md showed ``*8A3C``; the CRC is 1E80: a damaged line.
    parser, items = feed(b"4711,123456789,12.503,41.20*8A3C\n4711,123456789,12.503,41.20*1E80\n")
    assert parser.counters.corrupt_lines == 1
    assert samples(items)[1].tolist() == [[12.503, 41.2]]


def test_lower_and_upper_case_crc_are_both_accepted():
    payloads = [b"1,1000,2.5,3", b"2,2000,4.5,5"]
    data = with_crc(payloads[0], lowercase=True) + with_crc(payloads[1], lowercase=False)
    assert data.count(b"*") == 2 and data != data.upper()
    parser, items = feed(data)
    assert parser.counters.corrupt_lines == 0
    assert samples(items)[1].tolist() == [[2.5, 3.0], [4.5, 5.0]]


def test_encoder_refuses_what_the_protocol_cannot_carry():
    with pytest.raises(ValueError):
        encode_sample_line(1, 1, [float("nan"), 1.0])
    with pytest.raises(ValueError):
        encode_sample_line(1, 1, [1.0] * 100)  # longer than 256 bytes
    with pytest.raises(ValueError):
        encode_message_line("two\nlines")


def test_encoder_wraps_counters_as_a_device_does():
    assert encode_sample_line(65536 + 3, 2**32 + 7, [1.0]).startswith(b"3,7,1.0*")


# -- time axis -------------------------------------------------------------------------------------
def test_first_sample_is_time_zero_and_time_follows_the_device_clock():
    data = b"".join(encode_sample_line(100 + k, 5_000_000 + k * 2500, [k, 0]) for k in range(5))
    parser, items = feed(data)
    t, _ = samples(items)
    np.testing.assert_allclose(t, [0.0, 0.0025, 0.005, 0.0075, 0.01], rtol=0, atol=1e-12)
    assert parser.last_t_s == t[-1]
    assert parser.channels == DEFAULT_CHANNELS
    assert len(blocks(items)) == 1 and not events(items)


def test_seq_wrap_is_not_a_loss():
    data = b"".join(marked_line(k, seq0=65533) for k in range(6))
    assert b"\n65535," in data and b"\n0," in data
    parser, items = feed(data)
    assert parser.counters.lost_samples == 0 and not events(items)
    assert markers(items) == list(range(6))


def test_clock_wrap_keeps_time_monotonic():
    t0 = 2**32 - 2500
    data = b"".join(marked_line(k, t0_us=t0) for k in range(6))
    parser, items = feed(data)
    t, _ = samples(items)
    np.testing.assert_allclose(t, np.arange(6) * 1e-3, rtol=0, atol=1e-12)
    assert parser.counters.resets == 0 and parser.counters.corrupt_lines == 0


def test_loss_across_a_seq_wrap_is_counted_and_placed():
    lines = [marked_line(k, seq0=65530) for k in range(10)]
    data = b"".join(lines[:4] + lines[8:])  # seq 65534, 65535, 0, 1 never arrive
    parser, items = feed(data)
    assert parser.counters.lost_samples == 4
    lost = events(items, EventKind.LOST)
    assert [e.count for e in lost] == [4]
    assert lost[0].t_s == pytest.approx(0.003)
    # The event sits between the samples before and after the gap.
    kinds = [type(it).__name__ for it in items]
    assert kinds == ["SampleBlock", "DeviceEvent", "SampleBlock"]
    t, _ = samples(items)
    np.testing.assert_allclose(t, [0, 0.001, 0.002, 0.003, 0.008, 0.009], atol=1e-12)


def test_reset_shown_by_info_line_and_restart():
    info = encode_info_line(
        {"proto": "ITP/1", "rate_hz": 500, "channels": ["force_n", "angle_deg"]}
    )
    before = [marked_line(k, seq0=3000, t0_us=90_000_000, dt_us=2000) for k in range(5)]
    after = [marked_line(k, seq0=0, t0_us=1000, dt_us=2000) for k in range(5, 9)]
    parser, items = feed(b"".join([info, *before, info, *after]))
    assert parser.counters.resets == 1 and parser.counters.lost_samples == 0
    kinds = [it.kind if isinstance(it, DeviceEvent) else "block" for it in items]
    assert kinds == [EventKind.INFO, "block", EventKind.INFO, EventKind.RESET, "block"]
    t, _ = samples(items)
    last_before = 4 * 0.002
    # New time base just after the last sample, at the info line's interval (1/500 Hz).
    np.testing.assert_allclose(t[5:], last_before + 0.002 * np.arange(1, 5), atol=1e-12)
    assert events(items, EventKind.RESET)[0].t_s == pytest.approx(last_before + 0.002)
    assert markers(items) == list(range(9))


@pytest.mark.parametrize("before_wrap_us", [60_000_000, 30_000_000, 1_000_000, 10_000, 2000])
@pytest.mark.parametrize("byte_by_byte", [False, True], ids=["one-chunk", "byte-by-byte"])
def test_reset_just_before_the_clock_wraps_is_a_reset(before_wrap_us, byte_by_byte):
    # The clock restarting near 0 looks like a short step forward through the 2**32 wrap; the info
    # line and seq starting again say the device reset: no samples were lost and no time passed.
    info = encode_info_line(
        {"proto": "ITP/1", "rate_hz": 500, "channels": ["force_n", "angle_deg"]}
    )
    t_last = 2**32 - before_wrap_us
    before = [marked_line(k, seq0=3000, t0_us=t_last - 8000, dt_us=2000) for k in range(5)]
    after = [marked_line(k, seq0=-5, t0_us=1000 - 10_000, dt_us=2000) for k in range(5, 9)]
    assert after[0].startswith(b"0,1000,")
    data = b"".join([info, *before, info, *after])
    parser, items = feed(data, chunks=list(range(len(data))) if byte_by_byte else None)
    assert parser.counters.resets == 1
    assert parser.counters.lost_samples == 0 and not events(items, EventKind.LOST)
    assert parser.counters.corrupt_lines == 0
    assert [e.kind for e in events(items)] == [EventKind.INFO, EventKind.INFO, EventKind.RESET]
    t, _ = samples(items)
    # No gap: the new time base starts one interval (1/500 Hz) after the last sample.
    np.testing.assert_allclose(t[5:], 0.008 + 0.002 * np.arange(1, 5), atol=1e-12)
    assert events(items, EventKind.RESET)[0].t_s == pytest.approx(0.010)
    assert markers(items) == list(range(9))
    assert_well_formed(items)


def test_a_clock_wrap_with_lost_samples_is_still_a_wrap_with_or_without_an_info_line():
    # seq 3003..3006 are lost while the clock wraps: a wrap, four samples lost, no reset; an info
    # line among them (the host asked for one) does not make it a reset, as the steps agree.
    info = encode_info_line({"device": "tool", "channels": ["force_n", "angle_deg"]})
    lines = [marked_line(k, seq0=3000, t0_us=2**32 - 5000) for k in range(10)]
    for extra in ([], [info]):
        parser, items = feed(b"".join([*lines[:3], *extra, *lines[7:]]))
        assert parser.counters.resets == 0 and not events(items, EventKind.RESET)
        assert parser.counters.lost_samples == 4
        assert [e.count for e in events(items, EventKind.LOST)] == [4]
        np.testing.assert_allclose(samples(items)[0], [0, 0.001, 0.002, 0.007, 0.008, 0.009])
        assert markers(items) == [0, 1, 2, 7, 8, 9]


def test_info_line_with_seq_carrying_on_is_not_a_reset():
    info = encode_info_line({"device": "tool", "channels": ["force_n", "angle_deg"]})
    lines = [marked_line(k) for k in range(6)]
    parser, items = feed(b"".join([*lines[:3], info, *lines[3:]]))
    assert parser.counters.resets == 0 and parser.counters.lost_samples == 0
    np.testing.assert_allclose(samples(items)[0], np.arange(6) * 1e-3, atol=1e-12)
    assert parser.info is not None and parser.info.device == "tool"


def test_clock_leap_of_more_than_60_s_is_a_reset_and_60_s_is_not():
    base = [marked_line(k, dt_us=1000) for k in range(4)]
    exactly = encode_sample_line(4, 3000 + 60_000_000, [4.5, -1.0])
    more = encode_sample_line(5, 3000 + 60_000_000 + 60_000_001, [5.5, -1.25])
    parser, items = feed(b"".join([*base, exactly, more]))
    assert parser.counters.resets == 1 and parser.counters.lost_samples == 0
    t, _ = samples(items)
    assert t[4] == pytest.approx(60.003)
    # Placed after the last sample by the median recent interval (the 1 ms steps win the median).
    assert t[5] == pytest.approx(60.004)
    reset = events(items, EventKind.RESET)[0]
    assert "leapt" in reset.text and reset.t_s == pytest.approx(t[5])


def test_clock_going_back_without_info_line():
    good = [marked_line(k) for k in range(5)]
    small_back = encode_sample_line(5, 3500, [99.5, 0])  # 0.5 ms behind the last: out of order
    restart = [encode_sample_line(k - 5, 100 + (k - 5) * 1000, [k + 0.5, -k / 4]) for k in (5, 6)]
    parser, items = feed(b"".join([*good, small_back]))
    assert parser.counters.corrupt_lines == 1 and markers(items) == list(range(5))

    # A device that restarted long after its clock passed 1 s, with its info line lost.
    lines = [marked_line(k, t0_us=10_000_000) for k in range(5)] + restart
    parser, items = feed(b"".join(lines))
    assert parser.counters.resets == 1 and parser.counters.corrupt_lines == 0
    assert markers(items) == list(range(7))
    assert_well_formed(items)


def test_repeated_line_and_repeated_seq_are_corrupt_not_lost():
    lines = [marked_line(k) for k in range(5)]
    same_seq_later_clock = encode_sample_line(2, 2500, [77.5, 0])
    data = b"".join([*lines[:3], lines[2], same_seq_later_clock, *lines[3:]])
    parser, items = feed(data)
    assert parser.counters.corrupt_lines == 2 and parser.counters.lost_samples == 0
    assert markers(items) == list(range(5))
    assert_well_formed(items)


def test_new_time_base_after_reconnect():
    parser, items = feed(b"".join(marked_line(k) for k in range(5)) + b"5,5000,5.")
    assert parser.last_t_s == pytest.approx(0.004)
    parser.new_time_base(not_before_s=2.5)
    assert parser.counters.corrupt_lines == 1  # the line cut by the disconnect
    after = b"".join(marked_line(k, seq0=4000 - 20, t0_us=7_000_000) for k in range(20, 23))
    items = parser.feed(after)
    assert parser.counters.lost_samples == 0 and parser.counters.resets == 0
    np.testing.assert_allclose(samples(items)[0], [2.5, 2.501, 2.502], atol=1e-12)
    # A reconnect that was quicker than one interval still leaves the interval after the last.
    parser.new_time_base(not_before_s=0.0)
    items = parser.feed(marked_line(30, t0_us=0))
    assert samples(items)[0].tolist() == pytest.approx([2.503])


def test_new_time_base_before_any_sample_starts_there():
    parser = ItpParser()
    parser.new_time_base(not_before_s=1.25)
    _, items = feed(marked_line(0, t0_us=42) + marked_line(1, t0_us=42), parser)
    np.testing.assert_allclose(samples(items)[0], [1.25, 1.251], atol=1e-12)


# -- channels, messages, framing -------------------------------------------------------------------
def test_info_mid_stream_switches_to_four_channels():
    info = encode_info_line({"proto": "ITP/1", "rate_hz": 1000, "channels": FOUR})
    two = [marked_line(k) for k in range(3)]
    four = [encode_sample_line(k, k * 1000, [k + 0.5, 1, 2, 3]) for k in range(3, 6)]
    stale_two_field = marked_line(6)
    parser, items = feed(b"".join([*two, info, *four, stale_two_field]))
    bs = blocks(items)
    assert [b.channels for b in bs] == [tuple(DEFAULT_CHANNELS), tuple(FOUR)]
    assert bs[1].values.shape == (3, 4) and bs[1].values[:, 3].tolist() == [3, 3, 3]
    assert parser.channels == tuple(FOUR)
    assert parser.counters.corrupt_lines == 1  # two values where four are expected
    assert events(items, EventKind.INFO)[0].info.rate_hz == 1000


@pytest.mark.parametrize(
    "line",
    [
        b"#{not json}\n",
        b'#["force_n"]\n',
        b'#{"channels": []}\n',
        b'#{"channels": ["force_n", "force_n"]}\n',
        b'#{"channels": ["force_n", 3]}\n',
        b'#{"device": "caf\xc3\xa9"}\n',
    ],
)
def test_damaged_info_lines_are_corrupt_and_change_nothing(line):
    parser, items = feed(line + marked_line(0))
    assert parser.counters.corrupt_lines == 1 and parser.info is None
    assert parser.channels == DEFAULT_CHANNELS and markers(items) == [0]


def test_info_without_channels_keeps_the_current_ones():
    info = encode_info_line({"proto": "ITP/1", "device": "tool", "fw": "1.2.0", "serial": "A13F"})
    parser, items = feed(info + marked_line(0))
    assert parser.channels == DEFAULT_CHANNELS
    assert parser.info.describe() == "tool fw 1.2.0 serial A13F"
    assert markers(items) == [0]


def test_device_messages_arrive_in_order_with_the_time_of_the_last_sample():
    lines = [marked_line(k) for k in range(4)]
    data = b"".join([*lines[:2], b"!OVERLOAD force_n\n", *lines[2:], b"!  \n"])
    parser, items = feed(data)
    kinds = [it.kind if isinstance(it, DeviceEvent) else "block" for it in items]
    assert kinds == ["block", EventKind.MESSAGE, "block"]
    message = events(items, EventKind.MESSAGE)[0]
    assert message.text == "OVERLOAD force_n" and message.t_s == pytest.approx(0.001)
    assert parser.counters.messages == 1 and parser.counters.corrupt_lines == 1  # the empty one


def test_crlf_endings_and_blank_lines():
    lines = [marked_line(k) for k in range(4)]
    crlf = b"\r\n".join(line[:-1] for line in lines) + b"\r\n\r\n\n"
    parser, items = feed(crlf)
    assert parser.counters.corrupt_lines == 0 and markers(items) == list(range(4))


def _line_of_length(n: int) -> bytes:
    """A valid-looking sample line of exactly n bytes (without its ``\\n``), padded with zeros."""
    head = b"1,1000,"
    pad = n - len(head) - len(b"1.5,2.5") - 5
    return with_crc(head + b"0" * pad + b"1.5,2.5")[:-1]


def test_line_length_limit_is_256_bytes():
    ok, too_long = _line_of_length(256), _line_of_length(257)
    assert len(ok) == 256 and len(too_long) == 257
    assert parse_sample_line(too_long, 2) is not None  # only its length is wrong
    parser, items = feed(ok + b"\n" + too_long + b"\n")
    assert samples(items)[1].tolist() == [[1.5, 2.5]]
    assert parser.counters.corrupt_lines == 1


@pytest.mark.parametrize("chunk", [1, 7, 64, 100_000])
def test_over_long_line_is_dropped_up_to_its_newline_however_it_arrives(chunk):
    junk = b"9" * 1000  # digits only: would look like the start of a sample
    data = marked_line(0) + junk + marked_line(1) + b"x" * 300 + b"\r\n" + marked_line(2)
    parser, items = feed(data, chunks=list(range(chunk, len(data), chunk)))
    assert parser.counters.corrupt_lines == 2
    assert markers(items) == [0, 2] and parser.counters.lost_samples == 1


#: Line counts that take the line-by-line path and the vectorised path of the parser.
PATHS = pytest.mark.parametrize("n_before", [1, VECTOR_MIN_LINES], ids=["few", "many"])


def _one_bad_line_among_good(n_before: int, bad_payload: bytes) -> tuple[ItpParser, list]:
    """Good lines 0..n_before-1, the bad line where line n_before belongs, then one more."""
    good = [marked_line(k) for k in range(n_before + 2)]
    return feed(b"".join([*good[:n_before], with_crc(bad_payload), good[n_before + 1]]))


@PATHS
@pytest.mark.parametrize(
    "values",
    [
        b"nan,1",
        b"inf,1",
        b"-inf,1",
        b"1e999,1",
        b"1_0,1",
        b"0x10,1",
        b"1.2.3,1",
        b",1",
        b"1,",
        b"1e,1",
        b"1,2,3",
        b"1",
        b"\xc3\xa9,1",
    ],
)
def test_fields_that_are_not_finite_decimals_are_corrupt(n_before, values):
    payload = b"%d,%d," % (n_before, n_before * 1000) + values
    parser, items = _one_bad_line_among_good(n_before, payload)
    assert parser.counters.corrupt_lines == 1
    assert markers(items) == [*range(n_before), n_before + 1]


@PATHS
@pytest.mark.parametrize(
    "seq_clock",
    [
        b"%(seq)d,%(ms)de3",  # the right time, not as plain digits
        b"%(seq)d,+%(us)d",
        b"%(seq)d,-%(us)d",
        b"%(seq)d,%(us)d.0",
        b"%(wrapped_seq)d,%(us)d",  # one wrap too far
        b"%(seq)d,%(wrapped_us)d",
    ],
)
def test_seq_and_clock_must_be_plain_digits_in_range(n_before, seq_clock):
    k = n_before
    head = seq_clock % {
        b"seq": k,
        b"ms": k,
        b"us": k * 1000,
        b"wrapped_seq": k + 65536,
        b"wrapped_us": k * 1000 + 2**32,
    }
    parser, items = _one_bad_line_among_good(n_before, head + b",%d.5,0" % k)
    assert parser.counters.corrupt_lines == 1
    assert markers(items) == [*range(n_before), n_before + 1]


def test_padded_values_as_dtostrf_prints_them_are_accepted():
    parser, items = feed(with_crc(b"1,1000,   12.50,  -3.25"))
    assert parser.counters.corrupt_lines == 0
    assert samples(items)[1].tolist() == [[12.5, -3.25]]


def test_junk_between_lines():
    data = marked_line(0) + b"\x00\xff\xfe garbage\n   \nhello\n*\n#\n!\x01\n" + marked_line(1)
    parser, items = feed(data)
    assert parser.counters.corrupt_lines == 6 and markers(items) == [0, 1]


# -- properties ------------------------------------------------------------------------------------
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=3000), st.lists(st.integers(0, 3000), max_size=10))
def test_random_bytes_never_raise_and_emit_only_well_formed_items(data, cuts):
    parser, items = feed(data, chunks=cuts)
    assert_well_formed(items)
    counts = parser.counters
    assert counts.samples == 0 and min(counts.as_dict().values()) >= 0


@FUZZ
@given(
    st.lists(
        st.one_of(st.binary(max_size=40), st.sampled_from([b"!msg", b"#{}", b"", b"\r"])),
        max_size=30,
    ),
    st.integers(0, 65535),
    st.integers(0, 2**32 - 1),
)
def test_junk_lines_among_good_lines_never_become_samples(junk, seq0, t0_us):
    good = [marked_line(k, seq0, t0_us) for k in range(len(junk) + 1)]
    parts = [good[0]]
    for k, j in enumerate(junk, start=1):
        parts += [j.replace(b"\n", b"") + b"\n", good[k]]
    _parser, items = feed(b"".join(parts))
    assert_well_formed(items)
    assert set(markers(items)) <= set(range(len(good)))


def _hex_case_only(old: int, new: int) -> bool:
    return bytes([old]).lower() == bytes([new]).lower()


@st.composite
def damaged_streams(draw):
    """A valid stream with some lines damaged; returns the bytes and what must come of them."""
    n = draw(st.integers(1, 60))
    seq0 = draw(st.integers(0, 65535))
    t0_us = draw(st.integers(0, 2**32 - 1))
    dt_us = draw(st.sampled_from([500, 1000, 9999]))
    damage = draw(
        st.dictionaries(
            st.integers(0, n - 1), st.sampled_from(["flip", "drop", "truncate", "dup"]), max_size=n
        )
    )
    header = draw(st.sampled_from([b"", encode_info_line({"rate_hz": 1000})]))
    messages = draw(st.sets(st.integers(0, n - 1), max_size=5))
    crlf = draw(st.booleans())
    parts, kept = [header], []
    for k in range(n):
        line = marked_line(k, seq0, t0_us, dt_us)[:-1]
        kind = damage.get(k)
        if kind == "flip":
            pos = draw(st.integers(0, len(line) - 1))
            new = draw(st.integers(0, 255).filter(lambda b, old=line[pos]: b not in (10, old)))
            assume(not (pos == 0 and new in b"!#"))
            assume(not (pos >= len(line) - 4 and _hex_case_only(line[pos], new)))
            line = line[:pos] + bytes([new]) + line[pos + 1 :]
        elif kind == "drop":
            pos = draw(st.integers(0, len(line) - 1))
            line = line[:pos] + line[pos + 1 :]
            payload, _, crc = line.rpartition(b"*")
            assume(crc.upper() != b"%04X" % binascii.crc_hqx(payload, 0xFFFF))
        elif kind == "truncate":
            line = line[: draw(st.integers(1, len(line) - 1))]
        if kind in (None, "dup"):
            kept.append(k)
        end = b"\r\n" if crlf else b"\n"
        parts.append(line + end + (line + end if kind == "dup" else b""))
        if k in messages:
            parts.append(b"!note %d\n" % k)
    lost = (kept[-1] - kept[0] + 1 - len(kept)) if kept else 0
    return b"".join(parts), kept, len(damage), lost, len(messages), dt_us


@FUZZ
@given(damaged_streams())
def test_damaged_lines_are_counted_exactly_and_never_become_samples(case):
    data, kept, n_damaged, n_lost, n_messages, dt_us = case
    parser, items = feed(data)
    assert markers(items) == kept
    assert parser.counters.corrupt_lines == n_damaged
    assert parser.counters.lost_samples == n_lost
    assert sum(e.count for e in events(items, EventKind.LOST)) == n_lost
    assert parser.counters.messages == n_messages and parser.counters.resets == 0
    t, _ = samples(items)
    if kept:
        expected = (np.asarray(kept) - kept[0]) * dt_us * 1e-6
        np.testing.assert_allclose(t, expected, rtol=0, atol=1e-9)
    assert_well_formed(items)


@FUZZ
@given(damaged_streams(), st.lists(st.integers(0, 10_000), max_size=40))
def test_chunk_boundaries_do_not_change_the_result(case, cuts):
    data = case[0]
    whole_parser, whole = feed(data)
    split_parser, split = feed(data, chunks=cuts)
    assert flat(split) == flat(whole)
    assert split_parser.counters == whole_parser.counters


_FIELD = st.one_of(
    st.text(alphabet="0123456789.eE+- ", min_size=0, max_size=8),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-(10**20), 10**20).map(str),
)


@FUZZ
@given(st.lists(st.tuples(_FIELD, _FIELD), min_size=1, max_size=40))
def test_fast_path_agrees_with_the_line_by_line_definition(rows):
    # Enough lines in one chunk that the parser takes its vectorised path.
    lines = [marked_line(k) for k in range(VECTOR_MIN_LINES)]
    lines += [
        with_crc(b"%d,%d,%s,%s" % (k, k * 1000, a.encode(), b.encode()))
        for k, (a, b) in enumerate(rows, start=len(lines))
    ]
    expected = [parse_sample_line(line[:-1], 2) for line in lines]
    parser, items = feed(b"".join(lines))
    good_values = [e[2] for e in expected if e is not None]
    assert [list(v) for b in blocks(items) for v in b.values.tolist()] == good_values
    assert parser.counters.corrupt_lines == expected.count(None)


def test_a_live_link_feeding_a_few_lines_at_a_time_gets_what_one_chunk_gets():
    """A live link hands over a few lines every few milliseconds, the common case parsed on its
    own plain path; wraps, padding, CR LF, lower-case CRCs and one damaged line in a short chunk
    must come out exactly as from one big chunk."""
    lines = [marked_line(k, seq0=65530, t0_us=2**32 - 3500) for k in range(40)]
    lines[7] = with_crc(b"65537,%d,   12.50,  -3.25" % 3500, lowercase=True)  # seq past a wrap
    lines[12] = lines[12][:-1] + b"\r\n"
    lines[20] = lines[20][:5] + b"9" + lines[20][6:]  # damaged: bad CRC
    data = b"".join(lines)
    whole_parser, whole = feed(data)
    for per_chunk in (1, 3, 10):
        cuts = list(
            itertools.accumulate(
                len(b"".join(lines[i : i + per_chunk])) for i in range(0, len(lines), per_chunk)
            )
        )
        split_parser, split = feed(data, chunks=cuts)
        assert flat(split) == flat(whole)
        assert split_parser.counters == whole_parser.counters
    assert whole_parser.counters.corrupt_lines == 2  # the damaged line and the seq out of range
