"""What a bundle was built from, so that a bundle built from the same sources is reused.

The key is what the commit (``HEAD``) holds of the bundle's inputs when the tree is clean; with
local changes it is that plus a hash of the changes and of the untracked files, so an edited tree
never reuses a bundle of other sources. The installed packages and the platform are part of it
too: a bundle carries them. Outside a git checkout there is no key, and ``build.sh`` always builds.

Run: python packaging/build_key.py   (prints the key, or nothing outside git)
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What goes into a bundle: our packages, the spec and its helpers, and the dependency list.
INPUTS = ("devices", "trainer", "exercises", "ui", "packaging", "pyproject.toml")


def _git(*args: str) -> bytes:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, timeout=60
    ).stdout


def source_key() -> str | None:
    """The committed inputs' hash for a clean tree, plus a hash of the changes otherwise."""
    try:
        # The commit's trees of the inputs alone: a commit that changes only docs or tests keeps
        # the key, so it does not cost a rebuild.
        listing = _git("ls-tree", "HEAD", "--", *INPUTS)
        head = hashlib.sha256(listing).hexdigest()[:16]
        changed = _git("diff", "--binary", "HEAD", "--", *INPUTS)
        untracked = _git("ls-files", "-z", "--others", "--exclude-standard", "--", *INPUTS)
    except (OSError, subprocess.SubprocessError):
        return None
    if not changed and not untracked:
        return head
    digest = hashlib.sha256(changed)
    for name in sorted(filter(None, untracked.split(b"\0"))):
        digest.update(name + b"\0")
        path = ROOT / name.decode()
        if path.is_file():
            digest.update(path.read_bytes())
    return f"{head}+{digest.hexdigest()[:16]}"


def environment_key() -> str:
    """The platform, the Python, and every installed distribution with its version."""
    dists = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    text = "\n".join([platform.platform(), sys.version, *dists])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_key() -> str | None:
    source = source_key()
    return None if source is None else f"{source} env {environment_key()}"


if __name__ == "__main__":
    print(build_key() or "")
