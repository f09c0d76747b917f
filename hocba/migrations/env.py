"""Alembic environment: migrations run on the connection given by hocba.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

# Importing the table modules registers their tables on SQLModel.metadata.
import hocba.db
import hocba.db_wallet  # noqa: F401

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through hocba.db.migrate(engine)")
    # Batch mode (copy-and-move tables) is what SQLite needs to alter a table;
    # PostgreSQL alters tables in place.
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
