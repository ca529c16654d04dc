"""The reliability suite runs the application's windows off-screen, like the other Qt tests."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
