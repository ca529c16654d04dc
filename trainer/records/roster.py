"""A class list in one go: ``students import ROSTER.csv --course C``.

The roster is a CSV file with a header naming its columns: ``student_id`` and ``name`` (needed),
``email`` and ``licence`` (optional); the header's case and spaces do not matter. The whole file
is one transaction: one bad row (named by file and line) and nobody is added. Importing the same
roster again adds nobody twice: a student already held under the same id and name, and already in
the course, is counted as already there.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from trainer.records.errors import RecordsError
from trainer.records.people import _enrolled, add_student
from trainer.records.schema import students

_COLUMNS = ("student_id", "name", "email", "licence")


def read_roster(path: Path) -> list[tuple[int, dict[str, str | None]]]:
    """``(line, {"student_id", "name", "email", "licence"})`` for each row of the roster."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise RecordsError(f"{path}: the roster is empty")
            names = [h.strip().lower().replace(" ", "_") for h in header]
            missing = [c for c in ("student_id", "name") if c not in names]
            if missing:
                raise RecordsError(
                    f"{path} line 1: the header needs the columns student_id and name "
                    f"(missing: {', '.join(missing)})"
                )
            rows = []
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(names):
                    raise RecordsError(
                        f"{path} line {reader.line_num}: {len(row)} fields, the header has "
                        f"{len(names)}"
                    )
                cells = dict(zip(names, (c.strip() for c in row), strict=True))
                rows.append((reader.line_num, {c: (cells.get(c) or None) for c in _COLUMNS}))
    except OSError as exc:
        raise RecordsError(f"{path}: cannot read the roster: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise RecordsError(f"{path}: not UTF-8 text") from None
    except csv.Error as exc:
        raise RecordsError(f"{path}: not a CSV file: {exc}") from None
    return rows


def import_roster(
    conn: Connection, path: Path, rows: list[tuple[int, dict[str, Any]]], course_id: str | None
) -> dict[str, int]:
    """Add every row's student (enrolled in ``course_id``); any bad row rolls the lot back."""
    added = already = 0
    seen: dict[str, int] = {}
    for line, row in rows:
        sid = row["student_id"] or ""
        if sid in seen:
            raise RecordsError(
                f"{path} line {line}: student '{sid}' again (first on line {seen[sid]})"
            )
        seen[sid] = line
        held = conn.execute(select(students).where(students.c.student_id == sid)).first()
        if (
            held is not None
            and held.name == row["name"]
            and (course_id is None or _enrolled(conn, held.pk, course_id))
        ):
            already += 1
            continue
        try:
            add_student(
                conn,
                sid,
                row["name"] or "",
                course_id=course_id,
                licence=row["licence"],
                email=row["email"],
            )
        except RecordsError as exc:
            raise RecordsError(f"{path} line {line}: {exc}") from None
        added += 1
    return {"added": added, "already": already}
