"""Widen chain ids to 64 bits on PostgreSQL; mark credentials whose personal data was purged

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_CHAIN_ID_TABLES = ("issuer", "batch", "transaction")


def upgrade() -> None:
    # SQLite's INTEGER is already 64 bits wide (see hocba.db.ChainIdType).
    if op.get_bind().dialect.name != "sqlite":
        for table in _CHAIN_ID_TABLES:
            op.alter_column(table, "chain_id", type_=sa.BigInteger(),
                            existing_type=sa.Integer(), existing_nullable=False)

    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.drop_column("purged_at")

    if op.get_bind().dialect.name != "sqlite":
        for table in _CHAIN_ID_TABLES:
            op.alter_column(table, "chain_id", type_=sa.Integer(),
                            existing_type=sa.BigInteger(), existing_nullable=False)
