"""Reading a PDF back as a user's tools do: poppler's pdftotext and pdfinfo."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdf_text(path: Path) -> str:
    """The text in the order the PDF draws it (``-raw``): the reading order typst writes, which
    its structure tree follows too; pdftotext's default mode regroups text by its own guess of
    columns and would move a heading away from its table."""
    args = ["pdftotext", "-raw", str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in out.splitlines())}
