"""Records that last: students, sessions, scores, assessments and ratings, kept for years.

Empty until the records work lands. What goes here: one repository interface over SQLAlchemy Core
(SQLite on a lab laptop, PostgreSQL for a lab), Alembic migrations, and the outbox that carries a
laptop's sessions to the lab's server. It is fed by a live session's stroke callbacks and by
scored recordings, and never imports Qt.
"""
