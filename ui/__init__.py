"""The PySide6 desktop application. It imports ``trainer`` and ``devices``; nothing imports it."""
