"""The signals room's user error.

A tare or a calibration a user must redo, or a stored one that cannot be read, raises
``ConditioningError`` with a message fit to show.
"""

from __future__ import annotations


class ConditioningError(Exception):
    """A tare or calibration a user must redo; the message says what was wrong and by how much."""
