"""A recorded session played back through the device interface, at 1x or faster.

Replaying through the same ``Source`` the live devices use lets the application review a past
session with the live screens, and lets tests drive the whole live path from a file. The file is
read by the caller (``trainer.recordings``): devices know nothing of file formats.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from devices.samples import DeviceEvent, DeviceInfo, EventKind, SampleBlock
from devices.source import Source


class ReplaySource(Source):
    """Hands over the samples of ``t_s``/``values`` as the clock reaches them.

    ``speed`` 1.0 is real time, 10.0 ten times faster, ``float("inf")`` as fast as the consumer
    takes them (bounded by the queue, so nothing is shed). Blocks are ``block_s`` of data each.
    """

    def __init__(
        self,
        t_s: np.ndarray,
        values: np.ndarray,
        channels: tuple[str, ...],
        info: DeviceInfo | None = None,
        speed: float = 1.0,
        block_s: float = 0.01,
        name: str = "replay",
    ) -> None:
        super().__init__(name)
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._t = np.asarray(t_s, dtype=np.float64)
        self._v = np.asarray(values, dtype=np.float64)
        self._channels = tuple(channels)
        self._info = info or DeviceInfo(device="replay", channels=self._channels, protocol="replay")
        self.speed = speed
        self.block_s = block_s
        self.finished = threading.Event()

    def _run(self, stop: threading.Event) -> None:
        self._emit(DeviceEvent(EventKind.CONNECTED, text=self.name))
        self._emit(DeviceEvent(EventKind.INFO, info=self._info))
        n = len(self._t)
        if n == 0:
            self.finished.set()
            return
        t_first = float(self._t[0])
        wall0 = time.monotonic()
        i = 0
        while i < n and not stop.is_set():
            t_block_end = float(self._t[i]) + self.block_s
            j = int(np.searchsorted(self._t, t_block_end, side="left"))
            j = max(j, i + 1)
            if np.isfinite(self.speed):
                due = wall0 + (float(self._t[j - 1]) - t_first) / self.speed
                delay = due - time.monotonic()
                if delay > 0 and stop.wait(delay):
                    break
            else:
                self._wait_for_room(stop, j - i)
            self._emit(SampleBlock(self._t[i:j].copy(), self._v[i:j].copy(), self._channels))
            i = j
        if i >= n:
            self._emit(
                DeviceEvent(EventKind.DISCONNECTED, t_s=float(self._t[-1]), text="end of recording")
            )
            self.finished.set()

    def _wait_for_room(self, stop: threading.Event, n: int) -> None:
        """Unpaced replay waits for the consumer rather than overflowing the queue."""
        with self._cond:
            self._cond.wait_for(
                lambda: stop.is_set() or self._queued_samples + n <= self._max_queued
            )
