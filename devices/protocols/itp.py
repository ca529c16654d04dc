"""The ITP/1 wire format: a pure parser (bytes in, sample blocks and device events out) and encoder.

The parser is the one place that decides what a damaged, missing or repeated line means, so it is
written to be fed anything (a real port, the simulator, a replayed raw log, a fuzzer) without a
port or a thread. It must never do I/O, never block, never raise on bad input, and never emit a
sample that did not arrive intact: a line is a sample only if its CRC, its field count and every
number in it check out.

Time axis (seconds, float64, strictly increasing over everything one parser emits):

- The first sample ever is at 0.0 s; after it, time follows the device clock ``t_us``, unwrapped
  across its 2**32 wraps.
- A device reset starts a new time base just after the last sample (the last time plus the nominal
  interval: ``1/rate_hz`` of the info line, else the median recent interval, else 1 ms). A reset is
  (a) an info line followed by a sample whose ``seq`` does not continue, whatever its clock does,
  unless the clock went forward by what the ``seq`` jump takes at the recent interval (samples lost
  next to an info line; a reset shortly before the clock's 2**32 wrap restarts the clock near 0,
  which looks like a short step forward through the wrap, but its ``seq`` jump does not fit),
  (b) a clock that leaps forward by more than 60 s, or (c) a clock that goes back by more than 1 s
  without an info line. (c) is not in the protocol text; it keeps a device whose info line
  was itself damaged from having every later sample rejected until its clock catches up.
- A sample whose clock does not go forward (by up to 1 s back, or not at all), or whose ``seq``
  repeats the previous one, is a repeated or out-of-order line: it is counted corrupt and dropped.
- A ``seq`` jump counts ``jump - 1`` lost samples (modulo 65536). A damaged sample line is therefore
  counted twice, as one corrupt line and as one lost sample: the line was damaged, and the sample
  is missing from the record. Jumps across a reset or a new time base are not counted lost.

Numbers: fields are decimals as Python ``float`` reads them, without underscores, ``nan`` or
``inf`` (spaces around a value are allowed); ``seq`` and ``t_us`` are plain digits in range.
"""

from __future__ import annotations

import binascii
import json
import math
import re
from collections.abc import Sequence
from itertools import repeat
from typing import Any

import numpy as np

from devices.samples import (
    DEFAULT_CHANNELS,
    Counters,
    DeviceEvent,
    DeviceInfo,
    EventKind,
    SampleBlock,
)

#: Lines longer than this (without the line ending) are damaged.
MAX_LINE_BYTES = 256
#: A forward clock step larger than this is a device reset (protocol: more than 60 s).
LEAP_US = 60_000_000
#: A backward clock step larger than this is a device reset even without an info line.
BACK_RESET_US = 1_000_000
#: Nominal sample interval when neither the info line nor recent samples tell one.
DEFAULT_INTERVAL_S = 1e-3

SEQ_MOD = 1 << 16
CLOCK_MOD = 1 << 32
_CLOCK_HALF = 1 << 31
_RECENT_INTERVALS = 64
_VECTOR_MIN_LINES = 24

_DECIMAL = re.compile(rb"[ \t]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t]*")
_CHANNEL_NAME_BAD = re.compile(r"[\x00-\x1f\x7f,\"]")


def _table(chars: bytes) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[np.frombuffer(chars, np.uint8)] = True
    return table


_IS_DIGIT = _table(b"0123456789")
# Bytes the fast path lets through in a sample payload; anything else goes to the exact slow path.
_IS_FAST_PAYLOAD = _table(b"0123456789.eE+-,")
_HEX_VALUE = np.full(256, -1, dtype=np.int32)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX_VALUE[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _HEX_VALUE[_c] = 10 + _i
_NL, _CR, _COMMA, _STAR, _HASH, _BANG = 10, 13, 44, 42, 35, 33


def crc16_ccitt_false(payload: bytes) -> int:
    """CRC-16/CCITT-FALSE of an ITP/1 payload (everything before the ``*``)."""
    return binascii.crc_hqx(payload, 0xFFFF)


# -- encoder ---------------------------------------------------------------------------------------
def _format_value(value: float, decimals: int | None) -> str:
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"ITP/1 cannot carry a non-finite value ({v})")
    return float.__repr__(v) if decimals is None else f"{v:.{decimals}f}"


def encode_sample_line(
    seq: int,
    t_us: int,
    values: Sequence[float],
    *,
    decimals: int | None = None,
    lowercase: bool = False,
) -> bytes:
    """One ITP/1 sample line with its CRC and ``\\n``, as a device sends it.

    ``seq`` and ``t_us`` are reduced to their 16- and 32-bit ranges, as a device's counters wrap,
    so a producer can pass running counts. Values are written shortest-exact unless ``decimals``
    fixes the number of decimals (as firmware usually does).
    """
    fields = [str(int(seq) % SEQ_MOD), str(int(t_us) % CLOCK_MOD)]
    fields += [_format_value(v, decimals) for v in values]
    payload = ",".join(fields).encode("ascii")
    crc = f"{crc16_ccitt_false(payload):04x}" if lowercase else f"{crc16_ccitt_false(payload):04X}"
    line = payload + b"*" + crc.encode("ascii")
    if len(line) > MAX_LINE_BYTES:
        raise ValueError(f"sample line of {len(line)} bytes exceeds {MAX_LINE_BYTES}")
    return line + b"\n"


def encode_info_line(info: dict[str, Any]) -> bytes:
    """One ITP/1 info line (``#`` and compact ASCII JSON) with its ``\\n``."""
    line = b"#" + json.dumps(info, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    if len(line) > MAX_LINE_BYTES:
        raise ValueError(f"info line of {len(line)} bytes exceeds {MAX_LINE_BYTES}")
    return line + b"\n"


def encode_message_line(text: str) -> bytes:
    """One ITP/1 device message line (``!`` and the text) with its ``\\n``."""
    line = b"!" + text.encode("ascii")
    if b"\n" in line or len(line) > MAX_LINE_BYTES:
        raise ValueError("a message must be one ASCII line of at most 255 characters")
    return line + b"\n"


# -- line framing (shared with the plain CSV parser) -----------------------------------------------
class LineFramer:
    """Holds partial lines between chunks and drops over-long ones.

    ``push`` returns the bytes of all complete lines (each ending in ``\\n``) and how many over-long
    lines it dropped while they were still incomplete; the caller checks complete lines' lengths.
    """

    def __init__(self, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self.max_line_bytes = max_line_bytes
        self._pending = b""
        self._skipping = False

    def push(self, data: bytes) -> tuple[bytes, int]:
        dropped = 0
        if self._skipping:
            nl = data.find(b"\n")
            if nl < 0:
                return b"", 0
            data = data[nl + 1 :]
            self._skipping = False
        if self._pending:
            data = self._pending + data
            self._pending = b""
        last_nl = data.rfind(b"\n")
        body, tail = data[: last_nl + 1], data[last_nl + 1 :]
        # One byte of slack: a trailing ``\r`` does not count towards the length.
        if len(tail) > self.max_line_bytes + 1:
            dropped = 1
            self._skipping = True
        else:
            self._pending = tail
        return body, dropped

    def discard(self) -> int:
        """Forget a partial line (the link reconnected); 1 if it held anything, which was lost."""
        had = bool(self._pending.rstrip(b"\r"))
        self._pending = b""
        self._skipping = False
        return int(had)


def parse_info(line: bytes, current: tuple[str, ...]) -> DeviceInfo | None:
    """A ``#`` line as DeviceInfo, or None if it is damaged (not ASCII, not a JSON object, bad
    channel list). Channels default to ``current`` when the line names none."""
    try:
        obj = json.loads(line[1:].decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(obj, dict):
        return None
    channels = obj.get("channels", list(current))
    if (
        not isinstance(channels, list)
        or not channels
        or not all(isinstance(c, str) and c and c == c.strip() for c in channels)
        or any(_CHANNEL_NAME_BAD.search(c) for c in channels)
        or len(set(channels)) != len(channels)
    ):
        return None
    rate = obj.get("rate_hz")
    rate_hz = (
        float(rate)
        if isinstance(rate, int | float)
        and not isinstance(rate, bool)
        and math.isfinite(rate)
        and rate > 0
        else None
    )
    return DeviceInfo(
        device=str(obj.get("device", "unknown")),
        firmware=str(obj.get("fw", "")),
        serial=str(obj.get("serial", "")),
        channels=tuple(channels),
        rate_hz=rate_hz,
        protocol=str(obj.get("proto", "ITP/1")),
        raw=obj,
    )


def parse_message(line: bytes) -> str | None:
    """The text of a ``!`` line, or None if it is empty or not printable ASCII."""
    try:
        text = line[1:].decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    if not text or not text.isprintable():
        return None
    return text


def parse_sample_line(line: bytes, n_channels: int) -> tuple[int, int, list[float]] | None:
    """One sample line (no line ending) checked field by field, or None if it is damaged.

    This is the definition of a good sample line; the parser's vectorised path accepts only lines
    this function accepts.
    """
    if len(line) < 6 or line[-5] != _STAR or not line[:1].isdigit():
        return None
    crc_text = line[-4:]
    if not all(c in b"0123456789abcdefABCDEF" for c in crc_text):
        return None
    payload = line[:-5]
    if crc16_ccitt_false(payload) != int(crc_text, 16):
        return None
    fields = payload.split(b",")
    if len(fields) != n_channels + 2:
        return None
    seq_text, clock_text = fields[0], fields[1]
    if not (seq_text.isdigit() and clock_text.isdigit()):
        return None
    seq, clock = int(seq_text), int(clock_text)
    if seq >= SEQ_MOD or clock >= CLOCK_MOD:
        return None
    values = []
    for text in fields[2:]:
        if _DECIMAL.fullmatch(text) is None:
            return None
        v = float(text)
        if not math.isfinite(v):
            return None
        values.append(v)
    return seq, clock, values


_PLAIN_PATTERNS: dict[int, re.Pattern[bytes]] = {}


def _plain_sample_pattern(n_channels: int) -> re.Pattern[bytes]:
    """A whole sample line of ``n_channels`` values, as ``parse_sample_line`` defines it (digits
    for seq and clock, decimals for values, four hex digits of CRC), in one regular expression."""
    pattern = _PLAIN_PATTERNS.get(n_channels)
    if pattern is None:
        value = rb",(" + _DECIMAL.pattern + rb")"
        pattern = re.compile(rb"(\d+),(\d+)" + value * n_channels + rb"\*([0-9A-Fa-f]{4})")
        _PLAIN_PATTERNS[n_channels] = pattern
    return pattern


# -- the parser ------------------------------------------------------------------------------------
class ItpParser:
    """Turns ITP/1 bytes, in chunks of any size, into sample blocks and device events in order.

    Consecutive good samples form one block; blocks are split where an event falls (an info line,
    which may change the channels, a message, a seq jump, a reset) and at the end of each chunk.
    Event times: ``INFO``, ``MESSAGE`` and ``LOST`` carry the time of the last sample before them;
    ``RESET`` carries the start of the new time base (the time of the first sample after it).

    Counts corrupt lines, lost samples, resets and messages in ``counters`` (samples are counted by
    the Source that emits the blocks). Parsing is vectorised per chunk: lines are split, checked
    and converted with numpy, with a CRC call per line, and a line-by-line path only for lines the
    vectorised checks cannot vouch for; both accept exactly what ``parse_sample_line`` accepts.
    """

    def __init__(
        self, counters: Counters | None = None, max_line_bytes: int = MAX_LINE_BYTES
    ) -> None:
        self.counters = counters if counters is not None else Counters()
        self.max_line_bytes = max_line_bytes
        self.channels: tuple[str, ...] = DEFAULT_CHANNELS
        self.info: DeviceInfo | None = None
        self.last_t_s: float | None = None
        self._framer = LineFramer(max_line_bytes)
        # Clock state of the last accepted sample.
        self._last_seq: int | None = None
        self._last_clock = 0
        self._u = 0  # unwrapped clock of the last accepted sample, microseconds
        self._base_u = 0  # unwrapped clock at the start of the current time base
        self._base_s = 0.0  # session time at the start of the current time base
        self._recent_dt_us = np.zeros(0, dtype=np.int64)
        self._info_pending = False
        self._new_base_not_before: float | None = None
        # Accepted samples not yet emitted as a block.
        self._acc_t: list[np.ndarray] = []
        self._acc_v: list[np.ndarray] = []

    # -- public ----------------------------------------------------------------------------------
    def feed(self, data: bytes, host_t_s: float | None = None) -> list[SampleBlock | DeviceEvent]:
        """Parse a chunk; partial lines wait for their ``\\n``. ``host_t_s`` is not needed here:
        ITP/1 time comes from the device clock."""
        out: list[SampleBlock | DeviceEvent] = []
        if not data:
            return out
        body, dropped = self._framer.push(bytes(data))
        self.counters.corrupt_lines += dropped
        if body:
            if not self._parse_plain_run(body):
                self._parse_body(body, out)
            self._flush(out)
        return out

    def new_time_base(self, not_before_s: float) -> None:
        """Start a new time base at the next sample (the link reconnected): at ``not_before_s``
        or just after the last sample, whichever is later; its seq jump is not counted lost."""
        self.counters.corrupt_lines += self._framer.discard()
        self._new_base_not_before = float(not_before_s)

    def nominal_interval_s(self) -> float:
        """The interval a new time base leaves after the last sample."""
        if self.info is not None and self.info.rate_hz:
            return 1.0 / self.info.rate_hz
        if self._recent_dt_us.size:
            return float(np.median(self._recent_dt_us)) * 1e-6
        return DEFAULT_INTERVAL_S

    # -- chunk level -----------------------------------------------------------------------------
    def _parse_plain_run(self, body: bytes) -> bool:
        """The common case of a live link, a few lines every few milliseconds, each a good sample
        one step after the last: handled in plain Python, since numpy's per-call set-up costs
        more than a dozen lines. Returns False, having changed nothing, for anything else (a
        long chunk, any line that is not such a sample), which the general path then parses.
        Accepts exactly what ``parse_sample_line`` and the general path accept for such lines."""
        if (
            self._last_seq is None
            or self._new_base_not_before is not None
            or self._info_pending
            or body.count(b"\n") >= _VECTOR_MIN_LINES
        ):
            return False
        match = _plain_sample_pattern(len(self.channels)).fullmatch
        seq, clock, u = self._last_seq, self._last_clock, self._u
        base_u, base_s = self._base_u, self._base_s
        times: list[float] = []
        rows: list[list[float]] = []
        dts: list[int] = []
        for line in body.split(b"\n")[:-1]:
            if line[-1:] == b"\r":
                line = line[:-1]
            m = match(line) if len(line) <= self.max_line_bytes else None
            if m is None or binascii.crc_hqx(line[:-5], 0xFFFF) != int(line[-4:], 16):
                return False
            fields = m.groups()
            s, c = int(fields[0]), int(fields[1])
            d_clock = (c - clock) % CLOCK_MOD
            if s >= SEQ_MOD or c >= CLOCK_MOD or (s - seq) % SEQ_MOD != 1:
                return False
            if d_clock == 0 or d_clock > LEAP_US:
                return False
            row = [float(v) for v in fields[2:-1]]
            if not all(map(math.isfinite, row)):
                return False
            seq, clock = s, c
            u += d_clock
            dts.append(d_clock)
            times.append(base_s + (u - base_u) * 1e-6)
            rows.append(row)
        if not times:
            return False
        self._acc_t.append(np.array(times))
        self._acc_v.append(np.array(rows, dtype=np.float64).reshape(len(rows), len(self.channels)))
        self.last_t_s = times[-1]
        self._last_seq, self._last_clock, self._u = seq, clock, u
        self._recent_dt_us = np.concatenate((self._recent_dt_us, np.array(dts, dtype=np.int64)))[
            -_RECENT_INTERVALS:
        ]
        return True

    def _parse_body(self, body: bytes, out: list[SampleBlock | DeviceEvent]) -> None:
        buf = np.frombuffer(body, dtype=np.uint8)
        ends = np.flatnonzero(buf == _NL)
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        nonempty = ends > starts
        ends = ends - (nonempty & (buf[ends - nonempty] == _CR))
        length = ends - starts
        first = np.where(length > 0, buf[starts], 0)

        if len(ends) >= _VECTOR_MIN_LINES:
            ok, n_commas = self._fast_candidates(body, buf, starts, ends, length, first)
        else:  # a few lines: the numpy set-up would cost more than checking them one by one
            ok = np.zeros(len(ends), dtype=bool)
            n_commas = np.zeros(len(ends), dtype=np.int64)
        info_lines = np.flatnonzero(first == _HASH).tolist()
        bounds = [*info_lines, len(ends)]
        a = 0
        for b in bounds:
            if b > a:
                self._parse_segment(body, starts, ends, length, ok, n_commas, a, b, out)
            if b < len(ends):
                self._info_line(body[starts[b] : ends[b]], int(length[b]), out)
            a = b + 1

    def _fast_candidates(
        self,
        body: bytes,
        buf: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        length: np.ndarray,
        first: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lines that are certainly good samples for some channel count, checked without a
        Python loop except for the CRC; returns that mask and each line's comma count."""
        n = len(starts)
        ok = np.zeros(n, dtype=bool)
        n_commas = np.zeros(n, dtype=np.int64)
        cand = _IS_DIGIT[first] & (length >= 10) & (length <= self.max_line_bytes)
        cand[cand] = buf[ends[cand] - 5] == _STAR
        idx = np.flatnonzero(cand)
        if idx.size == 0:
            return ok, n_commas
        st, en = starts[idx], ends[idx]
        pe = en - 5  # end of payload, the ``*``
        hexdig = _HEX_VALUE[buf[en[:, None] - np.arange(4, 0, -1)]]
        crc_sent = (hexdig[:, 0] << 12) | (hexdig[:, 1] << 8) | (hexdig[:, 2] << 4) | hexdig[:, 3]
        good = (hexdig >= 0).all(axis=1)

        # Bytes outside the fast set, and empty fields (``,,`` or ``,*``), are counted per line.
        bad_byte = ~_IS_FAST_PAYLOAD[buf]
        bad_byte[:-1] |= (buf[:-1] == _COMMA) & ((buf[1:] == _COMMA) | (buf[1:] == _STAR))
        cum_bad = np.concatenate(([0], np.cumsum(bad_byte)))
        good &= cum_bad[pe] == cum_bad[st]

        is_comma = buf == _COMMA
        cum_comma = np.concatenate(([0], np.cumsum(is_comma)))
        commas = cum_comma[pe] - cum_comma[st]
        good &= commas >= 2
        # ``seq`` and ``t_us`` must be plain digits: between the line start and the second comma
        # there is exactly one non-digit byte, the first comma.
        comma_pos = np.flatnonzero(is_comma)
        second = comma_pos[np.minimum(cum_comma[st] + 1, comma_pos.size - 1)]
        cum_nondigit = np.concatenate(([0], np.cumsum(~_IS_DIGIT[buf])))
        good &= (cum_nondigit[second] - cum_nondigit[st]) == 1

        gi = np.flatnonzero(good)
        if gi.size:
            crc_calc = list(
                map(
                    binascii.crc_hqx,
                    [body[s:e] for s, e in zip(st[gi].tolist(), pe[gi].tolist(), strict=True)],
                    repeat(0xFFFF),
                )
            )
            crc_ok = np.asarray(crc_calc, dtype=np.int64) == crc_sent[gi]
            ok[idx[gi[crc_ok]]] = True
        n_commas[idx] = commas
        return ok, n_commas

    def _parse_segment(
        self,
        body: bytes,
        starts: np.ndarray,
        ends: np.ndarray,
        length: np.ndarray,
        ok: np.ndarray,
        n_commas: np.ndarray,
        a: int,
        b: int,
        out: list[SampleBlock | DeviceEvent],
    ) -> None:
        """Lines a..b-1, all under the current channel list (no info line among them)."""
        nch = len(self.channels)
        width = nch + 2
        fast = ok[a:b] & (n_commas[a:b] == nch + 1)
        fast_idx = np.flatnonzero(fast) + a
        seq = clock = np.zeros(0, dtype=np.int64)
        values = np.zeros((0, nch))
        if fast_idx.size:
            st, pe = starts[fast_idx].tolist(), (ends[fast_idx] - 5).tolist()
            text = b",".join([body[s:e] for s, e in zip(st, pe, strict=True)])
            try:
                numbers = np.fromstring(text, sep=",")  # type: ignore[call-overload]
            except ValueError:
                numbers = None
            if numbers is not None and numbers.size == fast_idx.size * width:
                table = numbers.reshape(-1, width)
                seq_f, clock_f, vals = table[:, 0], table[:, 1], table[:, 2:]
                in_range = (seq_f < SEQ_MOD) & (clock_f < CLOCK_MOD) & np.isfinite(vals).all(1)
                if not in_range.all():
                    fast[fast_idx[~in_range] - a] = False
                    fast_idx = fast_idx[in_range]
                    seq_f, clock_f, vals = seq_f[in_range], clock_f[in_range], vals[in_range]
                seq, clock = seq_f.astype(np.int64), clock_f.astype(np.int64)
                values = np.ascontiguousarray(vals)
            else:  # a line the fast checks let through is not a number: check each line
                fast[:] = False
                fast_idx = fast_idx[:0]

        # Everything else, line by line, in order: messages, odd-but-valid samples, damage.
        slow_idx = np.flatnonzero(~fast & (length[a:b] > 0)) + a
        slow_samples: list[tuple[int, int, int, list[float]]] = []
        messages: list[tuple[int, str]] = []
        for i in slow_idx.tolist():
            line = body[starts[i] : ends[i]]
            if len(line) > self.max_line_bytes:
                self.counters.corrupt_lines += 1
            elif line[0] == _BANG:
                text = parse_message(line)
                if text is None:
                    self.counters.corrupt_lines += 1
                else:
                    messages.append((i, text))
            else:
                sample = parse_sample_line(line, nch)
                if sample is None:
                    self.counters.corrupt_lines += 1
                else:
                    slow_samples.append((i, *sample))

        line_idx = fast_idx
        if slow_samples:
            line_idx = np.concatenate((fast_idx, [s[0] for s in slow_samples]))
            seq = np.concatenate((seq, [s[1] for s in slow_samples]))
            clock = np.concatenate((clock, [s[2] for s in slow_samples]))
            values = np.concatenate((values, np.array([s[3] for s in slow_samples], dtype=float)))
            order = np.argsort(line_idx, kind="stable")
            line_idx, seq, clock, values = line_idx[order], seq[order], clock[order], values[order]

        cut = 0
        for i, text in messages:
            pos = int(np.searchsorted(line_idx, i))
            if pos > cut:
                self._place(seq[cut:pos], clock[cut:pos], values[cut:pos], out)
            cut = pos
            self.counters.messages += 1
            self._emit_event(DeviceEvent(EventKind.MESSAGE, t_s=self.last_t_s, text=text), out)
        if cut < seq.size:
            self._place(seq[cut:], clock[cut:], values[cut:], out)

    def _info_line(self, line: bytes, length: int, out: list[SampleBlock | DeviceEvent]) -> None:
        info = None if length > self.max_line_bytes else parse_info(line, self.channels)
        if info is None:
            self.counters.corrupt_lines += 1
            return
        self._flush(out)  # samples before the line keep the channels they came with
        self.info = info
        self.channels = info.channels
        self._info_pending = True
        out.append(DeviceEvent(EventKind.INFO, t_s=self.last_t_s, info=info, text=info.describe()))

    # -- time axis -------------------------------------------------------------------------------
    def _place(
        self,
        seq: np.ndarray,
        clock: np.ndarray,
        values: np.ndarray,
        out: list[SampleBlock | DeviceEvent],
    ) -> None:
        """Put consecutive samples on the time axis: runs of ordinary steps in one numpy pass,
        anything unusual (first sample, reset, repeat, new time base) one sample at a time."""
        n = seq.size
        d_seq = np.zeros(n, dtype=np.int64)
        d_clock = np.zeros(n, dtype=np.int64)
        d_seq[1:] = np.diff(seq) % SEQ_MOD
        d_clock[1:] = np.diff(clock) % CLOCK_MOD
        ordinary = (d_seq != 0) & (d_clock > 0) & (d_clock <= LEAP_US)
        breaks = np.flatnonzero(~ordinary[1:]) + 1
        i = 0
        while i < n:
            step = self._step(int(seq[i]), int(clock[i]), out)
            if step is None:  # rejected
                self.counters.corrupt_lines += 1
                i += 1
                continue
            first_dt_us, first_lost = step
            k = int(np.searchsorted(breaks, i, side="right"))
            j = int(breaks[k]) if k < breaks.size else n
            dts = d_clock[i:j].copy()
            dts[0] = first_dt_us
            u = self._u + np.cumsum(dts)
            t = self._base_s + (u - self._base_u) * 1e-6
            lost = d_seq[i:j] - 1
            lost[0] = first_lost
            self._accept(t, values[i:j], lost, out)
            self._u = int(u[-1])
            self._last_seq = int(seq[j - 1])
            self._last_clock = int(clock[j - 1])
            recent = dts if first_dt_us > 0 else dts[1:]
            if recent.size:
                self._recent_dt_us = np.concatenate((self._recent_dt_us, recent))[
                    -_RECENT_INTERVALS:
                ]
            i = j

    def _step(
        self, seq: int, clock: int, out: list[SampleBlock | DeviceEvent]
    ) -> tuple[int, int] | None:
        """Judge one sample against the last accepted one: None to reject it, else the clock
        step to it (0 when it starts a time base) and the samples lost just before it."""
        if self._last_seq is None or self._new_base_not_before is not None:
            if self.last_t_s is None:
                start_s = self._new_base_not_before or 0.0
            else:
                start_s = self.last_t_s + self.nominal_interval_s()
                if self._new_base_not_before is not None:
                    start_s = max(start_s, self._new_base_not_before)
            self._new_base(clock, start_s)
            return 0, 0
        d_seq = (seq - self._last_seq) % SEQ_MOD
        d_clock = (clock - self._last_clock) % CLOCK_MOD
        backward = d_clock == 0 or d_clock >= _CLOCK_HALF
        if (
            self._info_pending
            and d_seq != 1
            and (backward or (d_seq != 0 and not self._steps_agree(d_seq, d_clock)))
        ):
            why = "restarted after an info line"
        elif backward and CLOCK_MOD - d_clock > BACK_RESET_US and d_clock != 0:
            why = f"clock went back {(CLOCK_MOD - d_clock) * 1e-6:.3f} s"
        elif not backward and d_clock > LEAP_US:
            why = f"clock leapt {d_clock * 1e-6:.3f} s"
        elif backward or d_seq == 0:
            return None
        else:
            self._info_pending = False
            return d_clock, d_seq - 1
        assert self.last_t_s is not None
        start_s = self.last_t_s + self.nominal_interval_s()
        self.counters.resets += 1
        self._emit_event(
            DeviceEvent(
                EventKind.RESET,
                t_s=start_s,
                text=f"device reset ({why}); new time base at {start_s:.6f} s",
            ),
            out,
        )
        self._new_base(clock, start_s)
        return 0, 0

    def _steps_agree(self, d_seq: int, d_clock_us: int) -> bool:
        """Whether a forward clock step is what a ``seq`` jump of ``d_seq`` takes at the recent
        sample interval (within 5 % and one interval): lost samples, not a device that restarted.

        Only asked after an info line. A device that resets within 60 s before its clock wraps
        restarts its clock near 0, which looks like a short forward step through the wrap; its
        ``seq`` restarts too, and that jump almost never matches the clock's step."""
        if self._recent_dt_us.size:
            interval_us = float(np.median(self._recent_dt_us))
        else:
            interval_us = self.nominal_interval_s() * 1e6
        expected_us = d_seq * interval_us
        return abs(d_clock_us - expected_us) <= 0.05 * expected_us + interval_us

    def _new_base(self, clock: int, start_s: float) -> None:
        self._u = self._base_u = clock
        self._base_s = start_s
        self._new_base_not_before = None
        self._info_pending = False

    def _accept(
        self,
        t: np.ndarray,
        values: np.ndarray,
        lost: np.ndarray,
        out: list[SampleBlock | DeviceEvent],
    ) -> None:
        gaps = np.flatnonzero(lost > 0).tolist()
        cut = 0
        for g in gaps:
            if g > cut:
                self._acc_t.append(t[cut:g])
                self._acc_v.append(values[cut:g])
                self.last_t_s = float(t[g - 1])
            count = int(lost[g])
            self.counters.lost_samples += count
            self._emit_event(
                DeviceEvent(
                    EventKind.LOST, t_s=self.last_t_s, count=count, text=f"{count} samples lost"
                ),
                out,
            )
            cut = g
        self._acc_t.append(t[cut:])
        self._acc_v.append(values[cut:])
        self.last_t_s = float(t[-1])

    # -- output ----------------------------------------------------------------------------------
    def _emit_event(self, event: DeviceEvent, out: list[SampleBlock | DeviceEvent]) -> None:
        self._flush(out)
        out.append(event)

    def _flush(self, out: list[SampleBlock | DeviceEvent]) -> None:
        if not self._acc_t:
            return
        if len(self._acc_t) == 1:
            t, v = self._acc_t[0], self._acc_v[0]
        else:
            t, v = np.concatenate(self._acc_t), np.concatenate(self._acc_v)
        self._acc_t, self._acc_v = [], []
        out.append(SampleBlock(t, np.ascontiguousarray(v, dtype=np.float64), self.channels))
