"""Qt tests run offscreen unless a display was asked for (screenshots use Xvfb)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
