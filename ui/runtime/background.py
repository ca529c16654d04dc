"""Running blocking work (opening a port, listing ports, stopping a session) off the GUI thread.

A port that takes two seconds to open, a USB hub that stalls a port listing, a session that waits
for its threads to finish: none of these may freeze the window the trainee is looking at. Each is
run on a short-lived Python thread; its result comes back through a Qt signal, which Qt queues into
the GUI thread because the ``BackgroundCall`` object lives there.

Every call is tracked until its result has been delivered, so the application can wait for them
when it closes and a test can check that nothing was left running. This module never touches a
widget from the worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

_live: set[BackgroundCall] = set()
_live_lock = threading.Lock()


class BackgroundCall(QObject):
    """Runs ``fn()`` on a thread; emits ``succeeded(result)`` or ``failed(exception)`` in the GUI.

    Keep the object or not: it keeps itself alive until its result has been delivered. It has no
    Qt parent on purpose: a widget closed while the work runs must not take the call (and the
    signal the worker is about to emit) with it. Connect results to methods of QObjects, which
    Qt disconnects when their owner goes.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()
    _deliver = Signal(bool, object)

    def __init__(self, fn: Callable[[], Any], name: str) -> None:
        super().__init__()
        self._fn = fn
        self.name = name
        self._deliver.connect(self._on_deliver)
        self._thread = threading.Thread(target=self._work, name=f"bg:{name}", daemon=True)

    def start(self) -> BackgroundCall:
        with _live_lock:
            _live.add(self)
        self._thread.start()
        return self

    def _work(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # handed to the GUI thread, never lost with the thread
            self._hand_over(False, exc)
        else:
            self._hand_over(True, result)

    def _hand_over(self, ok: bool, value: object) -> None:
        try:
            self._deliver.emit(ok, value)
        except RuntimeError:
            # The application quit while the work ran (a logout's SIGTERM closing it during the
            # start-up port probe): Qt has deleted this object, and no one is left to tell.
            with _live_lock:
                _live.discard(self)

    @Slot(bool, object)
    def _on_deliver(self, ok: bool, value: object) -> None:
        try:
            if ok:
                self.succeeded.emit(value)
            else:
                self.failed.emit(value)
            self.finished.emit()
        finally:
            with _live_lock:
                _live.discard(self)

    def wait(self, timeout_s: float) -> bool:
        """Wait for the worker thread (not the delivery). True if it has finished."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()


def run_in_background(
    fn: Callable[[], Any],
    name: str,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
) -> BackgroundCall:
    call = BackgroundCall(fn, name)
    if on_success is not None:
        call.succeeded.connect(on_success)
    if on_failure is not None:
        call.failed.connect(on_failure)
    return call.start()


def pending_calls() -> list[BackgroundCall]:
    """Calls whose result has not been delivered yet."""
    with _live_lock:
        return list(_live)


def wait_for_all(timeout_s: float = 5.0) -> bool:
    """Join every running worker thread (for shutdown and tests). True if all finished."""
    return all(call.wait(timeout_s) for call in pending_calls())
