"""A student's sessions in time order from the index alone: the progress view reads one student's
history with one range scan instead of sorting all their sessions.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_sessions_student_started", "sessions", ["student_pk", "started_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_sessions_student_started", table_name="sessions")
