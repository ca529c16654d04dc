"""Writes the licences of everything the bundle carries into one folder, which the spec copies in.

A bundle redistributes Python, Qt and every runtime dependency, so it must carry their licence
texts. The packages are the runtime dependency closure of ``iastm-trainer`` read from the installed
metadata (extras such as ``test`` and ``packaging`` left out, markers evaluated for this machine);
pip-licenses reads each one's name, version, licence and full licence and notice files; a wheel that
ships no licence text gets the one kept in ``packaging/licences/``, and a package with neither stops
the build. Python's own licence is copied from the interpreter the bundle is built with.

Run: python packaging/licences.py OUT_DIR
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

PROJECT = "iastm-trainer"
KEPT = Path(__file__).resolve().parent / "licences"
# Licence texts for wheels that ship none: name as pip-licenses prints it -> file in KEPT.
KEPT_TEXTS = {
    "PySide6_Essentials": "LGPL-3.0.txt",
    "shiboken6": "LGPL-3.0.txt",
    "pyserial": "pyserial-BSD-3-Clause.txt",
}


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure(project: str = PROJECT) -> list[str]:
    """Names of the installed distributions ``project`` needs at run time, itself left out.

    Extras a requirement asks for (``psycopg[binary]``) are followed; the project's own extras
    (``test``, ``packaging``) are not.
    """
    seen: dict[str, str] = {}
    done: set[tuple[str, str]] = set()
    todo: list[tuple[str, str]] = [(project, "")]
    while todo:
        name, extra = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency not installed here is not in the bundle either
        key = _key(dist.metadata["Name"])
        if (key, extra) in done:
            continue
        done.add((key, extra))
        seen[key] = dist.metadata["Name"]
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
                continue
            if extra and not (requirement.marker and "extra" in str(requirement.marker)):
                continue  # already followed without the extra
            todo.append((requirement.name, ""))
            todo.extend((requirement.name, wanted) for wanted in requirement.extras)
    seen.pop(_key(project), None)
    return sorted(seen.values(), key=str.lower)


def python_licence() -> Path | None:
    for folder in (sysconfig.get_paths()["stdlib"], sys.base_prefix):
        for name in ("LICENSE.txt", "LICENSE"):
            candidate = Path(folder) / name
            if candidate.is_file():
                return candidate
    return None


def licence_entries(packages: list[str]) -> list[dict[str, str]]:
    """pip-licenses' record of each package: name, version, licence, URL, licence, notice."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "piplicenses",
            "--packages",
            *packages,
            "--with-urls",
            "--with-license-file",
            "--with-notice-file",
            "--no-license-path",
            "--format=json",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout)


def _entry_text(entry: dict[str, str]) -> str:
    """One package's part of the licences file; a wheel that ships no licence text (PySide6,
    shiboken6, pyserial) gets the text of its licence kept in packaging/licences/."""
    text = entry.get("LicenseText", "UNKNOWN")
    if text == "UNKNOWN":
        kept = KEPT_TEXTS.get(entry["Name"])
        if kept is None:
            raise SystemExit(
                f"licences: {entry['Name']} ships no licence text; add one to packaging/licences/"
                " and to KEPT_TEXTS in packaging/licences.py"
            )
        text = (KEPT / kept).read_text(encoding="utf-8")
    parts = [
        f"{entry['Name']} {entry['Version']}",
        f"Licence: {entry['License']}",
        f"Home page: {entry.get('URL', 'UNKNOWN')}",
        "",
        text.strip(),
    ]
    notice = entry.get("NoticeText", "UNKNOWN")
    if notice != "UNKNOWN":
        parts += ["", notice.strip()]
    return "\n".join(parts)


def write(out_dir: Path) -> list[str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    packages = runtime_closure()
    entries = licence_entries(packages)
    rule = "\n\n" + "=" * 78 + "\n\n"
    (out_dir / "THIRD-PARTY-LICENCES.txt").write_text(
        rule.join(_entry_text(entry) for entry in entries) + "\n", encoding="utf-8"
    )
    # The LGPL v3 builds on the GPL v3's terms, so both go with the Qt libraries.
    (out_dir / "GPL-3.0.txt").write_text((KEPT / "GPL-3.0.txt").read_text("utf-8"), "utf-8")
    licence = python_licence()
    header = f"Python {sys.version.split()[0]}, the interpreter inside this bundle\n\n"
    text = licence.read_text(encoding="utf-8", errors="replace") if licence else ""
    (out_dir / "PYTHON-LICENCE.txt").write_text(
        header + (text or "PSF License Agreement: https://docs.python.org/3/license.html\n"),
        encoding="utf-8",
    )
    (out_dir / "README.txt").write_text(
        "Third-party software in this bundle and its licences (THIRD-PARTY-LICENCES.txt).\n"
        f"Python packages ({len(packages)}): {', '.join(packages)}.\n"
        "Qt (in PySide6_Essentials) is used under the LGPL v3 (with the GPL v3 it builds on, in\n"
        "GPL-3.0.txt): its libraries are separate files in this folder's parent and may be\n"
        "replaced by a user's own build of the same Qt version.\n"
        "The bundle's start-up code is PyInstaller's bootloader (GPL v2 with its bootloader\n"
        "exception, which allows shipping it with any program).\n"
        "On Linux, debian/ holds the copyright files of the system libraries the bundle carries\n"
        "(debian/INDEX.txt says which library came from which Debian package).\n",
        encoding="utf-8",
    )
    return packages


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python packaging/licences.py OUT_DIR")
    names = write(Path(sys.argv[1]))
    print(f"licences of {len(names)} packages and Python written to {sys.argv[1]}")
