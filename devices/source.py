"""The one device interface: a source reads on its own thread and hands over items in order.

Why a pull queue rather than callbacks: the consumer (the CLI's record loop, the trainer's session
thread, a test) decides when to take data, so a slow consumer can never stall the port reader, and
the reader can never call into code that is not thread-safe. The queue is bounded by a number of
samples; when a consumer falls so far behind that it would overflow, the oldest sample blocks are
discarded, counted in ``Counters.overflow_samples`` and reported with an ``OVERFLOW`` event, never
dropped unseen.

Subclasses implement ``_run(stop_event)``, calling ``_emit`` for every item. Nothing here imports
Qt or ``trainer``.
"""

from __future__ import annotations

import collections
import threading
from abc import ABC, abstractmethod

from devices.samples import Counters, DeviceEvent, DeviceInfo, EventKind, Item, SampleBlock

#: Default bound on queued samples: 60 s at 2 kHz.
DEFAULT_MAX_QUEUED_SAMPLES = 120_000


class Source(ABC):
    """A device whose reading runs off the caller's thread.

    ``start()`` begins reading; ``read()`` takes everything queued so far (waiting up to
    ``timeout_s`` for the first item); ``stop()`` is a manual disconnect, which stays disconnected.
    """

    def __init__(self, name: str, max_queued_samples: int = DEFAULT_MAX_QUEUED_SAMPLES) -> None:
        self.name = name
        self.counters = Counters()
        self.info: DeviceInfo | None = None
        self.connected = False
        self._max_queued = max_queued_samples
        self._queue: collections.deque[Item] = collections.deque()
        self._queued_samples = 0
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # -- consumer side -------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._thread_main, name=f"source:{self.name}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Manual disconnect: stop reading, close the port, do not reconnect."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def read(self, timeout_s: float | None = 0.0) -> list[Item]:
        """Everything queued, oldest first. Waits up to ``timeout_s`` when nothing is queued."""
        with self._cond:
            if not self._queue and timeout_s != 0.0:
                self._cond.wait_for(
                    lambda: self._queue or self._stop.is_set() or not self.running, timeout_s
                )
            items = list(self._queue)
            self._queue.clear()
            self._queued_samples = 0
            self._cond.notify_all()  # a producer may be waiting for room
        return items

    def send_command(self, line: str) -> bool:
        """Send one command line (``TARE``, ``INFO``, ``RATE 500``). False if the device cannot."""
        return False

    def raise_if_failed(self) -> None:
        """Re-raise, on the consumer's thread, an unexpected error of the reader thread."""
        if self._error is not None:
            raise self._error

    # -- reader side ---------------------------------------------------------------------------
    @abstractmethod
    def _run(self, stop: threading.Event) -> None:
        """Read until ``stop`` is set, calling ``_emit`` for each item."""

    def _thread_main(self) -> None:
        try:
            self._run(self._stop)
        except BaseException as exc:  # reported to the consumer, never lost with the thread
            self._error = exc
            self._emit(DeviceEvent(EventKind.DISCONNECTED, text=f"reader failed: {exc}"))
        finally:
            self.connected = False
            with self._cond:
                self._cond.notify_all()

    def _emit(self, item: Item) -> None:
        with self._cond:
            if isinstance(item, SampleBlock):
                self.counters.samples += len(item)
                self._queued_samples += len(item)
                self._queue.append(item)
                self._shed_overflow()
            else:
                self._note_event(item)
                self._queue.append(item)
            self._cond.notify_all()

    def _note_event(self, event: DeviceEvent) -> None:
        if event.kind is EventKind.CONNECTED:
            self.connected = True
        elif event.kind is EventKind.DISCONNECTED:
            self.connected = False
        elif event.kind is EventKind.INFO and event.info is not None:
            self.info = event.info

    def _shed_overflow(self) -> None:
        """Drop the oldest sample blocks past the bound, and say so in the queue itself."""
        dropped = 0
        first_t = last_t = None
        while self._queued_samples > self._max_queued:
            idx = next((i for i, it in enumerate(self._queue) if isinstance(it, SampleBlock)), None)
            if idx is None:
                break
            block = self._queue[idx]
            del self._queue[idx]
            assert isinstance(block, SampleBlock)
            self._queued_samples -= len(block)
            dropped += len(block)
            if first_t is None:
                first_t = float(block.t_s[0])
            last_t = float(block.t_s[-1])
        if dropped:
            self.counters.overflow_samples += dropped
            self._queue.appendleft(
                DeviceEvent(
                    EventKind.OVERFLOW,
                    t_s=first_t,
                    count=dropped,
                    duration_s=(last_t or 0.0) - (first_t or 0.0),
                    text=f"{dropped} samples discarded: the program fell behind the device",
                )
            )
