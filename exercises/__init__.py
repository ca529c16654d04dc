"""The shipped exercise library: data files only, plus where to find them.

Imports nothing of ours. ``trainer.library.exercise`` reads and validates the files.
"""

from pathlib import Path


def library_dir() -> Path:
    """The folder holding the shipped ``*.json`` exercise files."""
    return Path(__file__).resolve().parent / "library"
