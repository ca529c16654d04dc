"""Compiling a typst template with data into a tagged PDF (PDF/UA-1).

The data go to the template as one JSON text in ``sys.inputs``, which the template parses with
``json(bytes(...))``: a student called ``*Bob* #exit`` is printed as those characters, never read
as markup. Only the fonts typst carries are used (no search of the system's fonts: the same PDF on
every machine, and no second spent scanning a font folder). A compiler is kept per template, so a
second report reuses the fonts and parsed template (4 ms instead of 30).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

TEMPLATES = Path(str(resources.files("trainer.reports") / "templates"))
#: PDF/UA-1: tagged, a title shown, a language, every figure with its text alternative.
PDF_STANDARD = "ua-1"

_compilers: dict[str, Any] = {}
_lock = threading.Lock()


class ReportError(Exception):
    """A report that cannot be made; the message names what is missing."""


def typeset(template: str, data: dict[str, Any], *, when: datetime | None = None) -> bytes:
    """The PDF of ``templates/<template>.typ`` filled with ``data`` (JSON-able)."""
    import typst

    text = json.dumps(data, ensure_ascii=False, allow_nan=False, default=str)
    with _lock:  # a typst Compiler is not meant to be shared between threads at once
        compiler = _compilers.get(template)
        if compiler is None:
            compiler = typst.Compiler(
                TEMPLATES / f"{template}.typ", root=TEMPLATES, ignore_system_fonts=True
            )
            _compilers[template] = compiler
        try:
            pdf = compiler.compile(
                format="pdf",
                sys_inputs={"data": text},
                pdf_standards=PDF_STANDARD,
                timestamp=when,
            )
        except typst.TypstError as exc:  # a template fault: a programming error, one line
            raise RuntimeError(f"typst {template}.typ: {exc.message}") from exc
    assert isinstance(pdf, bytes)
    return pdf
