"""Writing a whole file under a temporary name, then moving it into place.

An exercise file or a report is either the old one or the new one, never half of each: a full disk,
a crash or a kill while writing leaves the old file as it was. The temporary file sits in the same
folder (a rename across file systems is not atomic), is flushed to the disk before the rename, and
is removed if anything goes wrong.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from trainer.files.lock import OutputLock
from trainer.files.output import OutputError, check_output, describe_os_error


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, overwrite: bool = True
) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole, under the file's lock.

    ``OutputError`` names the path and the OS's reason; ``overwrite=False`` refuses an existing
    file.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    p = check_output(path, overwrite=overwrite, need_bytes=len(raw) + 4096)
    with OutputLock(p):
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name[:40]}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
            if os.path.exists(p):
                with contextlib.suppress(OSError):
                    os.chmod(tmp, os.stat(p).st_mode & 0o7777)
            else:
                with contextlib.suppress(OSError):
                    os.chmod(tmp, 0o644)  # mkstemp's 0o600 would hide it from other users
            os.replace(tmp, p)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise OutputError(f"{p}: cannot write: {describe_os_error(exc)}") from None
        _sync_folder(p.parent)
    return p


def _sync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut (POSIX; a no-op where folders cannot be
    opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
