"""A bounded, thread-safe window of the newest samples, for display.

The acquisition thread appends; the display reads the newest seconds from a timer. The storage is
written twice (at ``i`` and ``i + capacity``), so any window of up to ``capacity`` samples is one
contiguous numpy slice and a read is a single copy, never a concatenation. Memory is fixed at
construction: an eight-hour session uses what a one-minute one does. What falls out of the window
is still in the recording file; this buffer is only what the plots can show.
"""

from __future__ import annotations

import threading

import numpy as np


class RingBuffer:
    def __init__(self, capacity: int, n_channels: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.n_channels = n_channels
        self._t = np.zeros(2 * capacity)
        self._v = np.zeros((2 * capacity, n_channels))
        self._head = 0  # index of the next write in [0, capacity)
        self._count = 0
        self._total = 0
        self._lock = threading.Lock()

    @property
    def total_appended(self) -> int:
        """Samples appended since creation: lets a reader tell whether anything is new."""
        return self._total

    def __len__(self) -> int:
        return self._count

    def append(self, t_s: np.ndarray, values: np.ndarray) -> None:
        n = len(t_s)
        if n == 0:
            return
        if n > self.capacity:
            t_s, values = t_s[-self.capacity :], values[-self.capacity :]
        with self._lock:
            self._total += n
            n = len(t_s)
            cap, head = self.capacity, self._head
            first = min(n, cap - head)
            for offset in (0, cap):
                self._t[head + offset : head + offset + first] = t_s[:first]
                self._v[head + offset : head + offset + first] = values[:first]
            rest = n - first
            if rest:
                for offset in (0, cap):
                    self._t[offset : offset + rest] = t_s[first:]
                    self._v[offset : offset + rest] = values[first:]
            self._head = (head + n) % cap
            self._count = min(cap, self._count + n)

    def latest(self, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the newest ``n`` samples (all held, if ``n`` is None), oldest first."""
        with self._lock:
            count = self._count if n is None else min(n, self._count)
            end = self._head + self.capacity
            return self._t[end - count : end].copy(), self._v[end - count : end].copy()

    def since(self, t_from_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the held samples at or after ``t_from_s``."""
        with self._lock:
            end = self._head + self.capacity
            t = self._t[end - self._count : end]
            start = int(np.searchsorted(t, t_from_s, side="left"))
            v = self._v[end - self._count : end]
            return t[start:].copy(), v[start:].copy()

    def clear(self) -> None:
        with self._lock:
            self._head = 0
            self._count = 0
