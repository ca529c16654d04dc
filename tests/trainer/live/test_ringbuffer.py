"""The display window: newest samples in order, fixed memory, safe across threads."""

from __future__ import annotations

import threading

import numpy as np

from trainer.live.ringbuffer import RingBuffer


def test_keeps_the_newest_samples_in_order_across_wraps() -> None:
    rb = RingBuffer(100, 2)
    t = np.arange(1000, dtype=float)
    for start in range(0, 1000, 37):
        chunk = t[start : start + 37]
        rb.append(chunk, np.c_[chunk, -chunk])
    tt, vv = rb.latest()
    np.testing.assert_array_equal(tt, t[-100:])
    np.testing.assert_array_equal(vv[:, 1], -t[-100:])
    assert rb.total_appended == 1000
    t5, _ = rb.latest(5)
    np.testing.assert_array_equal(t5, t[-5:])


def test_block_larger_than_capacity_and_since() -> None:
    rb = RingBuffer(10, 1)
    t = np.arange(25, dtype=float)
    rb.append(t, t[:, None])
    assert rb.latest()[0].tolist() == list(range(15, 25))
    assert rb.since(20.0)[0].tolist() == [20, 21, 22, 23, 24]


def test_concurrent_reader_always_sees_an_increasing_window() -> None:
    rb = RingBuffer(500, 1)
    stop = threading.Event()
    problems: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            tt, _ = rb.latest()
            if tt.size > 1 and not np.all(np.diff(tt) > 0):
                problems.append("window out of order")

    th = threading.Thread(target=reader)
    th.start()
    for start in range(0, 200_000, 50):
        chunk = np.arange(start, start + 50, dtype=float)
        rb.append(chunk, chunk[:, None])
    stop.set()
    th.join()
    assert not problems
