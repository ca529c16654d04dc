"""Guards the pinned Qt binding: PySide6 6.12.0 loses a reference to ``True`` on every
``Signal.emit()`` and aborts Python 3.11 after about a thousand emits (a live plot dies within
seconds). The pin in pyproject.toml avoids it; this test fails if a future upgrade brings it back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal(int)


def test_signal_emits_do_not_leak_references_to_true(qtbot) -> None:
    emitter = _Emitter()
    received = []
    emitter.ping.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(5000):
        emitter.ping.emit(i)
    after = sys.getrefcount(True)
    assert len(received) == 5000
    # Other threads may take or drop a few references meanwhile; a leak loses one per emit.
    assert abs(after - before) < 500, f"refcount of True moved by {after - before} in 5000 emits"
