"""The one error a user can cause in the records: an unknown student, course, exercise or
assessment, a wrong passphrase, a database that cannot be reached. Its message names the thing.

Kept apart from the database code so the command line can catch it without importing SQLAlchemy.
"""

from __future__ import annotations


class RecordsError(Exception):
    """A records request that cannot be carried out; the message names what is wrong.

    The transaction it happened in is rolled back: the database is exactly as it was."""


class ServerUnreachable(RecordsError):
    """The lab's database server did not answer; the session can wait in the station's outbox."""
