"""The records' tables, one SQLAlchemy Core ``MetaData`` for SQLite and PostgreSQL alike.

The Alembic migrations in ``migrations/versions`` create exactly these tables; a test compares the
two, so a column added here without a migration fails at once.

Keys: a session and a rating carry a UUID made where they were recorded (a station, a window), so
two stations' rows never collide when they reach one server. Students have a surrogate integer key
so that deleting a student's personal data (their id, name, licence and e-mail become NULL) leaves
their sessions as anonymous figures. An exercise version is keyed by the SHA-256 of its file's
canonical JSON, so a score always names the exact envelope it was scored against.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

#: The Alembic revision this code writes; the database is migrated to it on open.
SCHEMA_VERSION = "0004"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Small facts about the database itself: the instructor passphrase's salted hash.
settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

courses = Table(
    "courses",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("hours", Float),
    Column("provider", Text),
    Column("approval", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

students = Table(
    "students",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    # NULL once the student's personal data is deleted; their sessions stay, anonymous.
    Column("student_id", String(128), unique=True),
    Column("name", Text),
    Column("licence", Text),
    Column("email", Text),
    Column("deleted_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("student_pk", Integer, ForeignKey("students.pk", ondelete="CASCADE"), nullable=False),
    Column("course_id", String(64), ForeignKey("courses.id"), nullable=False),
    PrimaryKeyConstraint("student_pk", "course_id"),
)

instructors = Table(
    "instructors",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), unique=True, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

exercise_versions = Table(
    "exercise_versions",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("content_hash", String(64), unique=True, nullable=False),
    Column("exercise_id", String(64), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("pass_mark", Float, nullable=False),
    # The whole exercise file (canonical JSON): the envelope a score was made against.
    Column("definition", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("course_id", String(64), ForeignKey("courses.id"), nullable=False, index=True),
    Column("exercise_id", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("strokes", Integer, nullable=False),
    Column("feedback", String(32), nullable=False),
    Column("pass_score", Float, nullable=False),
    Column("pass_share", Float),
    Column("max_cv_pct", Float),
    # {"item": minimum value, ...}: rubric items an instructor rates by hand.
    Column("rubric", Text, nullable=False),
    Column("released_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("student_pk", Integer, ForeignKey("students.pk"), nullable=False, index=True),
    Column("exercise_version_pk", Integer, ForeignKey("exercise_versions.pk"), nullable=False),
    Column("course_id", String(64), ForeignKey("courses.id"), index=True),
    Column("assessment_id", String(64), ForeignKey("assessments.id"), index=True),
    Column("mode", String(16), nullable=False),
    Column("device", Text),
    Column("firmware", Text),
    Column("serial", Text),
    Column("calibration", Text),
    Column("software_version", Text),
    Column("station", Text),
    # [{"index", "mode", "feedback", "strokes"}]: the blocks and their feedback schedules.
    Column("blocks", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("ended_at", DateTime(timezone=True), nullable=False),
    Column("recording_name", Text),
    Column("stroke_count", Integer, nullable=False),
    Column("mean_score", Float),
    Column("passed", Boolean, nullable=False),
    Column("pass_rate_pct", Float),
    Column("consistency", Float),
    Column("peak_force_cv_pct", Float),
    Column("force_error_pct", Float),
    Column("angle_error_deg", Float),
    Column("summary", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # A student's history in time order without a sort (0002): the progress view's one query.
    Index("ix_sessions_student_started", "student_pk", "started_at"),
)

strokes = Table(
    "strokes",
    metadata,
    Column("session_id", String(36), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("idx", Integer, nullable=False),
    Column("block", Integer, nullable=False),
    Column("start_s", Float, nullable=False),
    Column("end_s", Float, nullable=False),
    Column("peak_force_n", Float, nullable=False),
    Column("mean_angle_deg", Float),
    Column("force_in_band_pct", Float),
    Column("angle_in_band_pct", Float),
    Column("force_error_pct", Float),
    Column("angle_error_deg", Float),
    Column("score", Float, nullable=False),
    Column("passed", Boolean, nullable=False),
    PrimaryKeyConstraint("session_id", "idx"),
)

#: A session's raw recording (CSV and events sidecar, zlib-compressed), apart from its figures
#: (0003): a SQLite row is read up to the last column asked for, so a blob of megabytes among a
#: session's figures made every progress query walk it.
recordings = Table(
    "recordings",
    metadata,
    Column(
        "session_id",
        String(36),
        ForeignKey("sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("data", LargeBinary, nullable=False),
)

ratings = Table(
    "ratings",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("session_id", String(36), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("stroke_idx", Integer),
    Column("instructor_pk", Integer, ForeignKey("instructors.pk"), nullable=False),
    Column("item", String(64), nullable=False),
    Column("value", Float, nullable=False),
    Column("comment", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("session_id", "stroke_idx", "instructor_pk", "item", name="uq_ratings_target"),
)

#: Append-only log of instructor and station actions (0004), each entry chained to the one before
#: by hash and holding the hash of the changed row's values (``trainer.records.audit``).
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("action", String(32), nullable=False),
    Column("subject", String(200), nullable=False, index=True),
    Column("values_hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False, unique=True),
)
