"""Copies the Debian copyright file of every system library a Linux bundle carries.

PyInstaller copies some libraries from the build machine into the bundle (libX11, libglib, the
xcb libraries Qt's X11 plugin needs...). Their licences are not in any wheel, so for each one this
finds the Debian package that owns it (``dpkg -S``) and copies that package's
``/usr/share/doc/PACKAGE/copyright`` into the bundle's licences, with an index of which library
came from which package. Libraries no package owns (Python's own, built from source) are listed
as such; their licences come with the wheel or the interpreter.

Run by packaging/build.sh on Linux: python packaging/linux/system_licences.py COLLECT_TOC OUT_DIR
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_DIRS = ("/usr/lib/", "/lib/", "/usr/lib64/", "/lib64/")


def system_libraries(toc_file: Path) -> dict[str, str]:
    """The bundle's libraries taken from system folders: name in the bundle -> source path."""
    toc = ast.literal_eval(toc_file.read_text(encoding="utf-8"))
    entries = toc[0] if isinstance(toc, tuple) else toc
    return {
        dest: src
        for dest, src, kind in entries
        if kind == "BINARY" and isinstance(src, str) and src.startswith(SYSTEM_DIRS)
    }


def owning_package(path: str) -> str | None:
    """The Debian package that installed ``path`` (merged /usr: /lib and /usr/lib both tried)."""
    candidates = [path, os.path.realpath(path)]
    candidates += ["/usr" + c for c in list(candidates) if c.startswith("/lib")]
    for candidate in dict.fromkeys(candidates):
        proc = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout.split(":", 1)[0].strip()
    return None


def write(toc_file: Path, out_dir: Path) -> tuple[int, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    index = []
    packages: set[str] = set()
    for dest, src in sorted(system_libraries(toc_file).items()):
        package = owning_package(src)
        index.append(f"{dest}\t{package or 'no Debian package (see the other licence files)'}")
        if package:
            packages.add(package)
    for package in sorted(packages):
        copyright_file = Path("/usr/share/doc") / package / "copyright"
        if not copyright_file.is_file():
            raise SystemExit(f"system_licences: {copyright_file} is missing; cannot ship {package}")
        shutil.copyfile(copyright_file, out_dir / f"{package}.copyright")
    (out_dir / "INDEX.txt").write_text(
        "System libraries in this bundle and the Debian package each came from; each package's\n"
        "copyright file is beside this one.\n\n" + "\n".join(index) + "\n",
        encoding="utf-8",
    )
    return len(index), len(packages)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python packaging/linux/system_licences.py COLLECT_TOC OUT_DIR")
    libraries, packages = write(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"copyright files of {packages} Debian packages for {libraries} system libraries")
