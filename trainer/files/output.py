"""Checking an output path before any work starts, so a fault is found in a second, not an hour.

A recording that dies a minute in because its folder is read-only, its path is a folder or a
device, or the disk is full, loses the student's minute and says so only as a write error. Each of
those is found here first and refused with one line naming the path, in words a user can act on.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path


class OutputError(Exception):
    """An output file that cannot or must not be written; the message names the path."""


def check_output(
    path: str | os.PathLike[str], *, overwrite: bool = False, need_bytes: int = 0
) -> Path:
    """``path`` if a file can be written there now; ``OutputError`` says why not.

    Refused: a folder, a device or anything else that is not a plain file; an existing file unless
    ``overwrite``; a folder the program cannot create files in (tried for real, since ``/proc``
    and ``/sys`` look writable to permission bits); less free space than ``need_bytes``. Missing
    parent folders are created, as writing would create them.
    """
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{p}: cannot be written: {_reason(exc)}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{p}: is a folder; give a file name inside it")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{p}: is not a plain file (a device or a pipe); give a file name")
        if not overwrite:
            raise OutputError(f"{p}: already exists; use --force to replace it")
    folder = p.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{p}: {folder} is not a folder") from None
    except OSError as exc:
        raise OutputError(f"{p}: cannot create the folder {folder}: {_reason(exc)}") from None
    try:  # the one honest test of "can a file be made here"
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{p.name[:40]}.", suffix=".probe")
    except OSError as exc:
        raise OutputError(f"{p}: cannot write in {folder}: {_reason(exc)}") from None
    os.close(fd)
    os.unlink(probe)
    if st is not None and not os.access(p, os.W_OK):
        raise OutputError(f"{p}: cannot be replaced: permission denied")
    if need_bytes > 0:
        free = shutil.disk_usage(folder).free
        if free < need_bytes:
            raise OutputError(
                f"{p}: not enough free space ({_mb(free)} free, {_mb(need_bytes)} needed)"
            )
    return p


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def _reason(exc: OSError) -> str:
    """The OS's words for an error, e.g. 'No space left on device'."""
    return exc.strerror or errno.errorcode.get(exc.errno or 0, str(exc))


def describe_os_error(exc: OSError) -> str:
    """The OS's words for an error, for a one-line message."""
    return _reason(exc)
