"""The .deb a Debian or Ubuntu user installs: what lands where, and that it runs from there.

The package is unpacked with ``dpkg-deb -x`` into a folder standing in for ``/`` (installing it for
real would need root and change this machine). Linux only: .github/workflows/bundles.yml runs this
file on its Linux job and test_frozen_bundle.py on all three; the window test needs xvfb-run,
which scripts/setup.sh installs.
"""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.packaging.frozen import ROOT, main_window_shown, run_frozen


@pytest.fixture(scope="session")
def deb(bundle: Path) -> Path:
    proc = subprocess.run(
        ["bash", "packaging/linux/build_deb.sh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert proc.returncode == 0, f"build_deb.sh failed:\n{proc.stdout}\n{proc.stderr}"
    (package,) = (ROOT / "dist").glob("iastm-trainer_*.deb")
    return package


def test_control_names_the_package_and_its_system_libraries(deb: Path) -> None:
    fields = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Package: iastm-trainer" in fields
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    assert f"Version: {version}" in fields
    depends = fields.split("Depends:", 1)[1]
    assert "libc6" in depends
    # Libraries the bundle carries itself are not asked of the system.
    assert "libfontconfig1" not in depends and "libstdc++6" not in depends


def test_installs_program_command_menu_entry_and_icon(deb: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    program = root / "opt" / "iastm-trainer" / "iastm-trainer"
    assert os.access(program, os.X_OK)
    assert os.readlink(root / "usr" / "bin" / "iastm-trainer") == "/opt/iastm-trainer/iastm-trainer"

    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(root / "usr" / "share" / "applications" / "iastm-trainer.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"].split()[0] == "iastm-trainer"  # the /usr/bin link
    assert (root / f"usr/share/icons/hicolor/256x256/apps/{desktop['Icon']}.png").is_file()
    assert (root / f"usr/share/icons/hicolor/scalable/apps/{desktop['Icon']}.svg").is_file()

    # Moved to /opt, the program still finds its libraries and data.
    proc = run_frozen(program, tmp_path, "exercises", "--json")
    assert json.loads(proc.stdout)["exercises"]


def test_carries_the_copyright_of_every_system_library(bundle: Path) -> None:
    # Libraries PyInstaller copied from the build machine come with their Debian copyright files.
    licences = bundle.parent / "_internal" / "licences" / "debian"
    lines = (licences / "INDEX.txt").read_text(encoding="utf-8").splitlines()
    index = dict(line.split("\t") for line in lines if "\t" in line)
    assert index.get("libX11.so.6") == "libx11-6"  # one Qt's X11 plugin needs
    for package in set(index.values()):
        if not package.startswith("no Debian package"):
            assert (licences / f"{package}.copyright").is_file(), package


def test_the_installed_program_opens_a_real_x11_window(deb: Path, tmp_path: Path) -> None:
    # Offscreen Qt loads no X11 plugin; a desktop user's does, with the xcb libraries the bundle
    # carries. Xvfb (installed by scripts/setup.sh) stands in for the desktop.
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    program = root / "opt" / "iastm-trainer" / "iastm-trainer"
    proc = run_frozen(
        Path("xvfb-run"),
        tmp_path,
        "-a",
        str(program),
        extra_env={"QT_QPA_PLATFORM": "xcb", "IASTM_TRAINER_CLOSE_AFTER": "3"},
    )
    assert main_window_shown(proc.stdout), proc.stdout + proc.stderr
