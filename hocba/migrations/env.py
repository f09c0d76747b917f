"""Alembic environment: migrations run on the connection given by hocba.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import hocba.db  # noqa: F401  (registers the tables on SQLModel.metadata)

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
