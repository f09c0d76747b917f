"""Add the anchoring outbox: signed transactions and the salts needed to resume

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("sender", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("nonce", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("raw_tx", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("block_number", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chain_id", "sender", "nonce", name="uq_transaction_sender_nonce"),
    )
    with op.batch_alter_table("transaction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transaction_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transaction_sender"), ["sender"], unique=False)
        batch_op.create_index(batch_op.f("ix_transaction_tx_hash"), ["tx_hash"], unique=True)

    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100),
                                      nullable=False, server_default=""))

    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("leaf_salt", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=True)
        )
        batch_op.add_column(
            sa.Column("field_seed", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.drop_column("field_seed")
        batch_op.drop_column("leaf_salt")

    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_column("owner")

    with op.batch_alter_table("transaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transaction_tx_hash"))
        batch_op.drop_index(batch_op.f("ix_transaction_sender"))
        batch_op.drop_index(batch_op.f("ix_transaction_batch_id"))

    op.drop_table("transaction")
