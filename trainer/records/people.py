"""Courses, students and instructors: adding, finding, listing.

Every function takes a connection already inside a transaction (``Database.run``); a
``RecordsError`` it raises names the unknown or duplicate thing and rolls the transaction back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, RowMapping, func, insert, select

from trainer.records.database import utcnow
from trainer.records.errors import RecordsError
from trainer.records.schema import courses, enrolments, instructors, sessions, students


def add_course(
    conn: Connection,
    course_id: str,
    name: str,
    *,
    hours: float | None = None,
    provider: str | None = None,
    approval: str | None = None,
) -> str:
    _check_id(course_id, "--id")
    if not name.strip():
        raise RecordsError("--name: a course needs a name")
    if conn.execute(select(courses.c.id).where(courses.c.id == course_id)).first():
        raise RecordsError(f"course '{course_id}' already exists")
    conn.execute(
        insert(courses).values(
            id=course_id,
            name=name.strip(),
            hours=hours,
            provider=provider,
            approval=approval,
            created_at=utcnow(),
        )
    )
    return course_id


def list_courses(conn: Connection) -> list[dict[str, Any]]:
    """``[{"course_id", "name"}]``, by course id: what an instructor's class view offers."""
    rows = conn.execute(select(courses.c.id, courses.c.name).order_by(courses.c.id))
    return [{"course_id": r.id, "name": r.name} for r in rows]


def course(conn: Connection, course_id: str) -> RowMapping:
    row = conn.execute(select(courses).where(courses.c.id == course_id)).mappings().first()
    if row is None:
        known = ", ".join(conn.execute(select(courses.c.id).order_by(courses.c.id)).scalars())
        raise RecordsError(f"unknown course '{course_id}' (known: {known or 'none yet'})")
    return row


def add_student(
    conn: Connection,
    student_id: str,
    name: str,
    *,
    course_id: str | None = None,
    licence: str | None = None,
    email: str | None = None,
) -> str:
    """Add a student, enrolled in ``course_id`` if given. A student already held with the same
    name is enrolled in the further course instead; another name under the same id is refused."""
    _check_id(student_id, "--student-id")
    if not name.strip():
        raise RecordsError("--name: a student needs a name")
    if email is not None and "@" not in email:
        raise RecordsError(f"--email {email!r}: not an e-mail address")
    if course_id is not None:
        course(conn, course_id)
    existing = conn.execute(select(students).where(students.c.student_id == student_id)).first()
    if existing is not None:
        if existing.name != name.strip() or course_id is None:
            raise RecordsError(f"student '{student_id}' already exists")
        pk = existing.pk
        if _enrolled(conn, pk, course_id):
            raise RecordsError(f"student '{student_id}' is already in course '{course_id}'")
    else:
        pk = conn.execute(
            insert(students)
            .values(
                student_id=student_id,
                name=name.strip(),
                licence=licence,
                email=email,
                created_at=utcnow(),
            )
            .returning(students.c.pk)
        ).scalar_one()
    if course_id is not None:
        conn.execute(insert(enrolments).values(student_pk=pk, course_id=course_id))
    return student_id


def _enrolled(conn: Connection, pk: int, course_id: str) -> bool:
    q = select(enrolments).where(enrolments.c.student_pk == pk, enrolments.c.course_id == course_id)
    return conn.execute(q).first() is not None


def student(conn: Connection, student_id: str) -> RowMapping:
    row = (
        conn.execute(select(students).where(students.c.student_id == student_id)).mappings().first()
    )
    if row is None:
        raise RecordsError(f"unknown student '{student_id}'")
    return row


def student_courses(conn: Connection, student_pk: int) -> list[str]:
    q = (
        select(enrolments.c.course_id)
        .where(enrolments.c.student_pk == student_pk)
        .order_by(enrolments.c.course_id)
    )
    return list(conn.execute(q).scalars())


def list_students(conn: Connection, course_id: str | None = None) -> list[dict[str, Any]]:
    """``[{"student_id", "name", "course", "sessions"}]``, by student id; deleted students are
    anonymous and not listed. ``course`` is the given course, else the student's courses joined
    with ', ' (None for none)."""
    n_sessions = (
        select(func.count())
        .select_from(sessions)
        .where(sessions.c.student_pk == students.c.pk)
        .scalar_subquery()
    )
    q = select(students.c.pk, students.c.student_id, students.c.name, n_sessions.label("n"))
    q = q.where(students.c.student_id.is_not(None))
    if course_id is not None:
        course(conn, course_id)
        q = q.join(enrolments, enrolments.c.student_pk == students.c.pk).where(
            enrolments.c.course_id == course_id
        )
    out = []
    for r in conn.execute(q.order_by(students.c.student_id)):
        where = course_id if course_id is not None else ", ".join(student_courses(conn, r.pk))
        out.append(
            {"student_id": r.student_id, "name": r.name, "course": where or None, "sessions": r.n}
        )
    return out


def course_students(conn: Connection, course_id: str) -> list[RowMapping]:
    """The course's students (personal data included), by student id; anonymous ones left out."""
    course(conn, course_id)
    q = (
        select(students)
        .join(enrolments, enrolments.c.student_pk == students.c.pk)
        .where(enrolments.c.course_id == course_id, students.c.student_id.is_not(None))
        .order_by(students.c.student_id)
    )
    return list(conn.execute(q).mappings())


def instructor_pk(conn: Connection, name: str) -> int:
    """The instructor of that name, added on first use (a rater is an instructor)."""
    name = name.strip()
    if not name:
        raise RecordsError("--rater: an instructor needs a name")
    pk = conn.execute(select(instructors.c.pk).where(instructors.c.name == name)).scalar()
    if pk is not None:
        return int(pk)
    return int(
        conn.execute(
            insert(instructors).values(name=name, created_at=utcnow()).returning(instructors.c.pk)
        ).scalar_one()
    )


def _check_id(value: str, flag: str) -> None:
    if not value or value != value.strip() or len(value) > 64 or any(c in value for c in ",\n\r"):
        raise RecordsError(
            f"{flag} {value!r}: an id needs 1 to 64 characters, no spaces at its ends, no commas"
        )
