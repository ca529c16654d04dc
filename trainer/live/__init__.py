"""A live session: device -> recorder, display buffer, segmenter, scorer, feedback policy.

Plain callbacks, no Qt, so the CLI, the tests and a notebook use it as the application does.
``connection`` is the application's one door to ``devices``.
"""
