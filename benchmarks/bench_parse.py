"""How fast the ITP/1 parser reads a stream, against the floor of merely splitting its lines.

Builds a stream of about a million samples for 2 and 4 channels, feeds it to ``ItpParser`` in
64 KiB chunks (as a serial reader would hand it over) and reports samples per second of process
time, with a bare ``bytes.split`` loop over the same bytes as the baseline. The target is at least
300 000 samples/s on one core. It then feeds the 2-channel stream ten lines at a time, as a live
link at 1 kHz hands over a 10 ms batch. Run as ``python benchmarks/bench_parse.py [n_samples]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from devices.protocols.itp import ItpParser, encode_info_line, encode_sample_line

CHUNK_BYTES = 64 * 1024


def build_stream(n_samples: int, channels: tuple[str, ...], seed: int = 1) -> bytes:
    """A 1 kHz stream with the number formats a firmware prints (fixed decimals)."""
    rng = np.random.default_rng(seed)
    values = rng.normal(20.0, 10.0, size=(n_samples, len(channels)))
    head = encode_info_line(
        {"proto": "ITP/1", "device": "bench", "rate_hz": 1000, "channels": list(channels)}
    )
    lines = [
        encode_sample_line(k, 1000 * k, row, decimals=3) for k, row in enumerate(values.tolist())
    ]
    return head + b"".join(lines)


def line_chunks(data: bytes, lines_per_chunk: int) -> list[bytes]:
    lines = data.split(b"\n")[:-1]
    return [
        b"\n".join(lines[i : i + lines_per_chunk]) + b"\n"
        for i in range(0, len(lines), lines_per_chunk)
    ]


def time_parser(data: bytes, chunks: list[bytes] | None = None) -> tuple[float, int]:
    parser = ItpParser()
    n = 0
    if chunks is None:
        chunks = [
            data[offset : offset + CHUNK_BYTES] for offset in range(0, len(data), CHUNK_BYTES)
        ]
    start = time.process_time()
    for chunk in chunks:
        for item in parser.feed(chunk):
            if hasattr(item, "values"):
                n += len(item)
    elapsed = time.process_time() - start
    assert parser.counters.corrupt_lines == 0 and parser.counters.lost_samples == 0
    return elapsed, n


def time_split(data: bytes) -> float:
    start = time.process_time()
    for offset in range(0, len(data), CHUNK_BYTES):
        for _line in data[offset : offset + CHUNK_BYTES].split(b"\n"):
            pass
    return time.process_time() - start


def main() -> None:
    n_samples = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    for channels in (("force_n", "angle_deg"), ("force_n", "shear_n", "angle_deg", "roll_deg")):
        data = build_stream(n_samples, channels)
        parse_s, n = time_parser(data)
        split_s = time_split(data)
        print(
            f"{len(channels)} channels: {n} samples, {len(data) / 1e6:.1f} MB: "
            f"parse {parse_s:.3f} s = {n / parse_s:,.0f} samples/s; "
            f"bare split {split_s:.3f} s = {n / split_s:,.0f} lines/s; "
            f"parse/split time {parse_s / split_s:.1f}x"
        )
    data = build_stream(min(n_samples, 200_000), ("force_n", "angle_deg"))
    chunks = line_chunks(data, 10)
    parse_s, n = time_parser(data, chunks)
    print(
        f"2 channels, 10 lines a chunk (a 10 ms batch at 1 kHz): {n / parse_s:,.0f} samples/s, "
        f"{1e6 * parse_s / len(chunks):.0f} us a chunk"
    )


if __name__ == "__main__":
    main()
