"""The hop from the session's thread to the GUI thread.

``TrainingSession`` reports strokes, device events, tare results and errors by calling a plain
listener object from its own processing thread, and Qt widgets may only be touched from the GUI
thread. The bridge is that listener: each method re-emits its arguments as a Qt signal, and since
the bridge lives in the GUI thread, Qt queues every emit from another thread into the GUI event
loop. Receivers then run on the GUI thread, in the order things happened.

No per-sample signals: a signal per sample block at 1 kHz would flood the event loop for nothing.
Samples are read by a display timer from the session's ring buffer, at display rate.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QObject, Signal, SignalInstance

from trainer.live.connection import DeviceEvent


class SessionBridge(QObject):
    """A session listener that turns each callback into a queued Qt signal."""

    event = Signal(object)  # devices.samples.DeviceEvent
    stroke = Signal(object, object)  # trainer.strokes.stroke.Stroke, StrokeScore | None
    tare = Signal(object, object)  # TareResult | None, error text | None
    error = Signal(str)
    note = Signal(str)  # what the session noticed and worked around, or left out

    # The session calls these from its own thread. If the Qt side is already gone (the
    # application is quitting), the report has nowhere to go: drop it rather than raise into the
    # session, whose recording must still be closed properly.
    def on_event(self, event: DeviceEvent) -> None:
        self._emit(self.event, event)

    def on_stroke(self, stroke: object, score: object) -> None:
        self._emit(self.stroke, stroke, score)

    def on_tare(self, result: object, error: str | None) -> None:
        self._emit(self.tare, result, error)

    def on_error(self, message: str) -> None:
        self._emit(self.error, message)

    def on_note(self, message: str) -> None:
        self._emit(self.note, message)

    @staticmethod
    def _emit(signal: SignalInstance, *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # "Signal source has been deleted"
            signal.emit(*args)
