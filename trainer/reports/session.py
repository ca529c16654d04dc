"""The session report: one sitting's student, exercise, device, blocks, strokes and ratings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from trainer.files.atomic import write_atomic
from trainer.records.repository import Records
from trainer.reports.session_data import read_session, session_report_data
from trainer.reports.typeset import typeset


def session_report(records: Records, session_id: str) -> bytes:
    """The PDF of one session (``RecordsError`` for an unknown one)."""
    held = records.db.read(lambda c: read_session(c, session_id))
    return typeset("session", session_report_data(held))


def write_session_report(
    records: Records, session_id: str, out: str | os.PathLike[str], *, overwrite: bool = True
) -> dict[str, Any]:
    """Write the session's report to ``out`` whole (never half a PDF)."""
    pdf = session_report(records, session_id)
    path = write_atomic(Path(out), pdf, overwrite=overwrite)
    return {"report": "session", "session": session_id, "out": str(path), "bytes": len(pdf)}
