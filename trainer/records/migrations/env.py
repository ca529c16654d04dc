"""Alembic's entry point, run by ``trainer.records.database.upgrade`` on a connection it already
holds in a locked transaction (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock), so two
programs opening a new database at once migrate it once."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
