"""Device drivers, the simulator and replay: bytes in, timestamped samples and events out.

Allowed imports: the standard library, numpy, scipy, pyserial. Never Qt, ``ui``, ``trainer`` or
``exercises``: a device knows nothing of strokes or scores, so the same drivers serve the CLI, the
application and a notebook.
"""
