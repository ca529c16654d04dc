"""Renders the icon's SVG to the files each platform's packaging wants, with Qt (no Pillow).

PNG for Linux desktops and the .deb, ICO for the Windows executables and installer, ICNS for the
macOS application. The outputs are committed, so a build needs only the SVG's renderings, not this
script; run it again after changing the SVG.

Run: QT_QPA_PLATFORM=offscreen python packaging/icons/make_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SVG = HERE / "iastm-trainer.svg"


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    outputs = {
        "iastm-trainer.png": 256,
        "iastm-trainer.ico": 256,
        "iastm-trainer.icns": 512,
    }
    for name, size in outputs.items():
        target = HERE / name
        if not render(size).save(str(target)):
            print(f"could not write {target} (no Qt image plugin for it)", file=sys.stderr)
            return 1
        print(f"{target.name}: {size} px, {target.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
