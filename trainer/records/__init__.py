"""Records that last: students, sessions, scores, assessments and ratings, kept for years.

One repository interface (``repository.Records``) over SQLAlchemy Core (a SQLite file on a
laptop, a PostgreSQL server for a lab), Alembic migrations run on open, and the outbox that
carries a station's sessions to the lab's server when it answers again (``station.py``). Fed by
scored recordings (``capture.session_from_scores``) and, in the application, by a finished live
session's scores. Never imports Qt.
"""
