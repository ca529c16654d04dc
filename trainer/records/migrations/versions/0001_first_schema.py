"""The first schema: courses, students, instructors, exercise versions, assessments, sessions,
their strokes, rubric ratings and the settings (the instructor passphrase's hash).

Revision ID: 0001
Revises: none
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=True),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("approval", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
    )
    op.create_table(
        "exercise_versions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("pass_mark", sa.Float(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_exercise_versions")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_exercise_versions_content_hash")),
    )
    op.create_index(
        op.f("ix_exercise_versions_exercise_id"), "exercise_versions", ["exercise_id"], unique=False
    )
    op.create_table(
        "instructors",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_instructors")),
        sa.UniqueConstraint("name", name=op.f("uq_instructors_name")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "students",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("student_id", sa.String(length=128), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_students")),
        sa.UniqueConstraint("student_id", name=op.f("uq_students_student_id")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("strokes", sa.Integer(), nullable=False),
        sa.Column("feedback", sa.String(length=32), nullable=False),
        sa.Column("pass_score", sa.Float(), nullable=False),
        sa.Column("pass_share", sa.Float(), nullable=True),
        sa.Column("max_cv_pct", sa.Float(), nullable=True),
        sa.Column("rubric", sa.Text(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_assessments_course_id_courses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index(op.f("ix_assessments_course_id"), "assessments", ["course_id"], unique=False)
    op.create_table(
        "enrolments",
        sa.Column("student_pk", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_enrolments_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["student_pk"],
            ["students.pk"],
            name=op.f("fk_enrolments_student_pk_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("student_pk", "course_id", name=op.f("pk_enrolments")),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("student_pk", sa.Integer(), nullable=False),
        sa.Column("exercise_version_pk", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=True),
        sa.Column("assessment_id", sa.String(length=64), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("device", sa.Text(), nullable=True),
        sa.Column("firmware", sa.Text(), nullable=True),
        sa.Column("serial", sa.Text(), nullable=True),
        sa.Column("calibration", sa.Text(), nullable=True),
        sa.Column("software_version", sa.Text(), nullable=True),
        sa.Column("station", sa.Text(), nullable=True),
        sa.Column("blocks", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recording_name", sa.Text(), nullable=True),
        sa.Column("recording", sa.LargeBinary(), nullable=True),
        sa.Column("stroke_count", sa.Integer(), nullable=False),
        sa.Column("mean_score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("pass_rate_pct", sa.Float(), nullable=True),
        sa.Column("consistency", sa.Float(), nullable=True),
        sa.Column("peak_force_cv_pct", sa.Float(), nullable=True),
        sa.Column("force_error_pct", sa.Float(), nullable=True),
        sa.Column("angle_error_deg", sa.Float(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_sessions_assessment_id_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_sessions_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["exercise_version_pk"],
            ["exercise_versions.pk"],
            name=op.f("fk_sessions_exercise_version_pk_exercise_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["student_pk"], ["students.pk"], name=op.f("fk_sessions_student_pk_students")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_assessment_id"), "sessions", ["assessment_id"], unique=False)
    op.create_index(op.f("ix_sessions_course_id"), "sessions", ["course_id"], unique=False)
    op.create_index(op.f("ix_sessions_started_at"), "sessions", ["started_at"], unique=False)
    op.create_index(op.f("ix_sessions_student_pk"), "sessions", ["student_pk"], unique=False)
    op.create_table(
        "ratings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("stroke_idx", sa.Integer(), nullable=True),
        sa.Column("instructor_pk", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instructor_pk"], ["instructors.pk"], name=op.f("fk_ratings_instructor_pk_instructors")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_ratings_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint(
            "session_id", "stroke_idx", "instructor_pk", "item", name="uq_ratings_target"
        ),
    )
    op.create_table(
        "strokes",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("end_s", sa.Float(), nullable=False),
        sa.Column("peak_force_n", sa.Float(), nullable=False),
        sa.Column("mean_angle_deg", sa.Float(), nullable=True),
        sa.Column("force_in_band_pct", sa.Float(), nullable=True),
        sa.Column("angle_in_band_pct", sa.Float(), nullable=True),
        sa.Column("force_error_pct", sa.Float(), nullable=True),
        sa.Column("angle_error_deg", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_strokes_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "idx", name=op.f("pk_strokes")),
    )


def downgrade() -> None:
    op.drop_table("strokes")
    op.drop_table("ratings")
    op.drop_index(op.f("ix_sessions_student_pk"), table_name="sessions")
    op.drop_index(op.f("ix_sessions_started_at"), table_name="sessions")
    op.drop_index(op.f("ix_sessions_course_id"), table_name="sessions")
    op.drop_index(op.f("ix_sessions_assessment_id"), table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("enrolments")
    op.drop_index(op.f("ix_assessments_course_id"), table_name="assessments")
    op.drop_table("assessments")
    op.drop_table("students")
    op.drop_table("settings")
    op.drop_table("instructors")
    op.drop_index(op.f("ix_exercise_versions_exercise_id"), table_name="exercise_versions")
    op.drop_table("exercise_versions")
    op.drop_table("courses")
