"""One writer per output file: a lock held while the file is written, naming its holder.

Two programs recording into one file splice their rows into a file neither can read. Each writer
holds an exclusive lock on ``.<name>.lock`` beside its output while it writes; a second writer is
refused at once, told the first one's process id and command line, which the lock file holds.

Why a hand-written lock and not the ``filelock`` package: ``filelock`` opens its lock file
truncating it, so a refused writer erases what the holder wrote there, and the holder could not
be named. The lock itself is the operating system's (``flock`` on POSIX, ``msvcrt.locking`` on
Windows), so a writer that is killed, even with SIGKILL, lets go of it at once; the lock file a
killed writer leaves behind is harmless and taken over by the next writer.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
from pathlib import Path

from trainer.files.output import OutputError

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 1 << 20, os.SEEK_SET)  # a byte past the holder's text, which stays readable
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            if exc.errno in (errno.ENOLCK, errno.ENOTSUP, errno.EOPNOTSUPP):
                return True  # a file system without locks: write unlocked rather than not at all
            raise
        return True


#: Characters of the holder's command line a refusal quotes.
_SHOWN_COMMAND = 60


def lock_path(target: str | os.PathLike[str]) -> Path:
    """The lock file of an output file."""
    p = Path(target)
    return p.with_name(f".{p.name}.lock")


class OutputLock:
    """An exclusive lock on an output file for as long as it is written.

    ``acquire()`` raises ``OutputError`` naming the other writer when one holds it. Use as a
    context manager, or call ``release()``.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = Path(target)
        self.path = lock_path(self.target)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> OutputLock:
        if self._fd is not None:
            return self
        for _ in range(100):  # a holder that just let go removes the file: take the new one
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError(
                    f"{self.target}: cannot lock it for writing: {exc.strerror}"
                ) from None
            if not _try_lock(fd):
                holder = _read_holder(fd)
                os.close(fd)
                raise OutputError(
                    f"{self.target}: another program is writing it ({holder}); wait for it to "
                    "finish or choose another file"
                )
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, _holder_text().encode("utf-8", "replace"))
                self._fd = fd
                return self
            os.close(fd)
        raise OutputError(f"{self.target}: cannot lock it for writing")  # pragma: no cover

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)  # while still held, so no one locks a file about to vanish
        os.close(fd)

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def holder_of(target: str | os.PathLike[str]) -> str | None:
    """Who is writing ``target`` right now (process id and command), or None if no one is."""
    path = lock_path(target)
    try:
        fd = os.open(path, os.O_RDONLY if sys.platform != "win32" else os.O_RDWR)
    except OSError:
        return None
    try:
        if _try_lock(fd):
            return None
        return _read_holder(fd)
    finally:
        os.close(fd)


def _holder_text() -> str:
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "python"
    return f"pid {os.getpid()} on {socket.gethostname()}: {command}\n"


def _read_holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 400).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    if not text:
        return "process unknown"
    line = text.splitlines()[0]
    return line if len(line) <= _SHOWN_COMMAND + 40 else line[: _SHOWN_COMMAND + 37] + "..."
