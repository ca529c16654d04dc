"""Raw recordings in a table of their own, apart from the sessions' figures.

SQLite reads a row up to the last column a query asks for; with a recording of megabytes in the
middle of each session row, every progress or class query walked each blob's overflow pages. The
recordings are copied across first, then the column is dropped in place (``ALTER TABLE ... DROP
COLUMN``, SQLite 3.35 and PostgreSQL alike): never by recreating ``sessions``, which with foreign
keys on would cascade-delete every stroke and rating.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_recordings_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_recordings")),
    )
    op.execute(
        "INSERT INTO recordings (session_id, data) "
        "SELECT id, recording FROM sessions WHERE recording IS NOT NULL"
    )
    op.execute("ALTER TABLE sessions DROP COLUMN recording")


def downgrade() -> None:
    op.add_column("sessions", sa.Column("recording", sa.LargeBinary(), nullable=True))
    op.execute(
        "UPDATE sessions SET recording = "
        "(SELECT data FROM recordings WHERE recordings.session_id = sessions.id)"
    )
    op.drop_table("recordings")
