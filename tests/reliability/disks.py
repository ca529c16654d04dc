"""A small disk of its own for a test to fill: an ext4 image mounted through a loop device.

A full disk is the one fault no flag can fake: the writer finds out only when ``write`` or
``flush`` fails with ENOSPC, part-way through a session. Where the machine allows it (root, a loop
device, ``mkfs.ext4``) the test gets a real little file system and fills it for real while the
program writes. Elsewhere (a CI runner without root) ``SmallDisk.available()`` is False and the
tests use the nearest real thing the kernel offers to anyone: a file size limit
(``RLIMIT_FSIZE``), past which ``write`` fails with EFBIG through the very same code path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: Big enough that a recording's check for a minute of room (3.7 MB at 2 kHz) passes when empty.
DEFAULT_MB = 12


class SmallDisk:
    """An ext4 file system of ``size_mb`` in an image file, mounted at ``self.root``.

    Use as a context manager; it is unmounted (and its loop device let go) on exit.
    """

    def __init__(self, size_mb: int = DEFAULT_MB) -> None:
        self.size_mb = size_mb
        self._dir = Path(tempfile.mkdtemp(prefix="small-disk-"))
        self.image = self._dir / "disk.img"
        self.root = self._dir / "mnt"
        self._mounted = False

    @staticmethod
    def available() -> bool:
        """Whether this machine lets a test mount a file system image (root, a loop device)."""
        if os.geteuid() != 0 or shutil.which("mkfs.ext4") is None or shutil.which("mount") is None:
            return False
        if not Path("/dev/loop-control").exists():
            return False
        try:
            with SmallDisk(2):
                return True
        except OSError:
            return False

    def __enter__(self) -> SmallDisk:
        with open(self.image, "wb") as f:
            f.truncate(self.size_mb * 1024 * 1024)
        self.root.mkdir()
        # -m 0: no blocks kept back for root, so "full" is full for every writer.
        for command in (
            ["mkfs.ext4", "-q", "-F", "-m", "0", str(self.image)],
            ["mount", "-o", "loop", str(self.image), str(self.root)],
        ):
            done = subprocess.run(command, capture_output=True, text=True, timeout=60)
            if done.returncode != 0:
                self._cleanup()
                raise OSError(f"{' '.join(command)}: {done.stderr.strip()}")
        self._mounted = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._cleanup()

    def _cleanup(self) -> None:
        if self._mounted:
            subprocess.run(["umount", "-l", str(self.root)], capture_output=True, timeout=60)
            self._mounted = False
        shutil.rmtree(self._dir, ignore_errors=True)

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.root).free

    def fill(self, leave_bytes: int = 0) -> Path:
        """Fill the disk with a file of zeros until at most ``leave_bytes`` are free."""
        filler = self.root / f"filler-{len(list(self.root.glob('filler-*')))}"
        chunk = b"\0" * (64 * 1024)
        with open(filler, "wb", buffering=0) as f:
            while True:
                room = self.free_bytes() - leave_bytes
                if room <= 0:
                    break
                try:
                    f.write(chunk[: min(len(chunk), room)])
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
            with contextlib.suppress(OSError):
                os.fsync(f.fileno())
        return filler


@contextlib.contextmanager
def file_size_limit(limit_bytes: int) -> Iterator[None]:
    """This process may write no file past ``limit_bytes`` until the block ends (``RLIMIT_FSIZE``,
    which anyone may lower and raise back to the hard limit): a write past it fails with EFBIG,
    as a full disk's fails with ENOSPC. Python ignores the SIGXFSZ that comes with it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
