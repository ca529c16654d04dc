"""The records behind one interface: what the command line and the application windows call.

``Records.open(target)`` opens (creating and migrating as needed) the database; each method is one
transaction. Methods that change grades, students, exercises or assessments take the instructor
passphrase and check it inside their transaction, so a wrong one leaves the database exactly as it
was; the first of them on a new database sets it. Reading methods need none.

A window keeps one ``Records`` and calls it from a worker thread (each call is short, and may
wait for another writer's lock): pick a student with ``students()``, store a finished session
with ``trainer.records.station.store_or_queue``, draw ``progress()`` and ``class_view()``, rate
strokes while replaying ``recording()``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection

from trainer.records import assessments as assessments_mod
from trainer.records import gradebook as gradebook_mod
from trainer.records import people as people_mod
from trainer.records import privacy, progress, ratings, roster
from trainer.records import sessions as sessions_mod
from trainer.records.database import Database, open_database
from trainer.records.passphrase import check_or_set

T = TypeVar("T")


class Records:
    """An open records database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def open(cls, target: str | os.PathLike[str] | None = None) -> Records:
        return cls(open_database(target))

    @property
    def target(self) -> str:
        return self.db.target

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Records:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> str | None:
        return self.db.schema_version()

    def _as_instructor(self, passphrase: str, fn: Callable[[Connection], T]) -> T:
        def work(conn: Connection) -> T:
            check_or_set(conn, passphrase)
            return fn(conn)

        return self.db.run(work)

    def check_instructor(self, passphrase: str) -> None:
        """The instructor's passphrase, checked (or set, on a database that has none yet), for
        an instructor function done outside the records (saving an exercise); ``RecordsError``
        when it is wrong."""
        self._as_instructor(passphrase, lambda _conn: None)

    # -- instructor commands -------------------------------------------------------------------
    def add_course(self, passphrase: str, course_id: str, name: str, **kw: Any) -> str:
        return self._as_instructor(
            passphrase, lambda c: people_mod.add_course(c, course_id, name, **kw)
        )

    def add_student(self, passphrase: str, student_id: str, name: str, **kw: Any) -> str:
        return self._as_instructor(
            passphrase, lambda c: people_mod.add_student(c, student_id, name, **kw)
        )

    def import_students(
        self, passphrase: str, path: Path, course_id: str | None = None
    ) -> dict[str, int]:
        """A class list from a CSV roster, all or nothing (``trainer.records.roster``)."""
        rows = roster.read_roster(path)
        return self._as_instructor(
            passphrase, lambda c: roster.import_roster(c, path, rows, course_id)
        )

    def delete_student(self, passphrase: str, student_id: str) -> str:
        return self._as_instructor(passphrase, lambda c: privacy.delete_student(c, student_id))

    def add_assessment(self, passphrase: str, assessment_id: str, **kw: Any) -> str:
        return self._as_instructor(
            passphrase, lambda c: assessments_mod.add_assessment(c, assessment_id, **kw)
        )

    def release_assessment(self, passphrase: str, assessment_id: str) -> str:
        released = self._as_instructor(
            passphrase, lambda c: assessments_mod.release(c, assessment_id)
        )
        return released.isoformat()

    def rate(self, passphrase: str, session_id: str, **kw: Any) -> str:
        return self._as_instructor(passphrase, lambda c: ratings.rate(c, session_id, **kw))

    # -- sessions ------------------------------------------------------------------------------
    def add_session(self, new: sessions_mod.NewSession) -> bool:
        """Store a finished session; False if it was already held (nothing changed)."""
        new.packed_recording()  # outside the transaction: no lock held while compressing
        return self.db.run(lambda c: sessions_mod.store_session(c, new))

    def sessions(
        self, student_id: str | None = None, course_id: str | None = None
    ) -> list[dict[str, Any]]:
        return self.db.read(
            lambda c: sessions_mod.list_sessions(c, student_id=student_id, course_id=course_id)
        )

    def recording(self, session_id: str) -> tuple[bytes, bytes] | None:
        """The session's raw recording and events sidecar, for replaying and rating its strokes."""
        return self.db.read(lambda c: sessions_mod.recording_of(c, session_id))

    def session_exercise(self, session_id: str) -> dict[str, Any]:
        """The exercise definition the session was scored against (``Exercise.from_dict``)."""
        return self.db.read(lambda c: sessions_mod.exercise_of(c, session_id))

    def session_ratings(self, session_id: str) -> list[dict[str, Any]]:
        """The ratings given on the session and its strokes."""
        return self.db.read(lambda c: ratings.ratings_of(c, session_id))

    # -- reading -------------------------------------------------------------------------------
    def courses(self) -> list[dict[str, Any]]:
        return self.db.read(people_mod.list_courses)

    def students(self, course_id: str | None = None) -> list[dict[str, Any]]:
        return self.db.read(lambda c: people_mod.list_students(c, course_id))

    def progress(self, student_id: str, exercise_id: str | None = None) -> dict[str, Any]:
        return self.db.read(lambda c: progress.student_progress(c, student_id, exercise_id))

    def class_view(self, course_id: str) -> dict[str, Any]:
        return self.db.read(lambda c: progress.class_view(c, course_id))

    def agreement(self, course_id: str, item: str | None = None) -> dict[str, Any]:
        return self.db.read(lambda c: ratings.agreement(c, course_id, item))

    def completeness(self, course_id: str) -> list[dict[str, Any]]:
        return self.db.read(lambda c: assessments_mod.completeness(c, course_id))

    def result(self, session_id: str, *, as_student: bool = False) -> dict[str, Any]:
        return self.db.read(lambda c: assessments_mod.result(c, session_id, as_student=as_student))

    def grades(self, course_id: str) -> dict[str, Any]:
        """The course's gradebook as data (what the instructor view shows)."""
        return self.db.read(lambda c: gradebook_mod.grades(c, course_id))

    def write_gradebook(self, course_id: str, fmt: str, out: Path) -> dict[str, Any]:
        return self.db.read(lambda c: gradebook_mod.write_gradebook(c, course_id, fmt, out))

    def export_student(self, student_id: str, out_dir: Path) -> dict[str, Any]:
        return self.db.read(lambda c: privacy.export_student(c, student_id, out_dir))
