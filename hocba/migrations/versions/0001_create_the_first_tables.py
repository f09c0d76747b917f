"""Create the first tables

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_account", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("merkle_root", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("registry_address", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("tx_hash", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=True),
        sa.Column("nonce", sa.Integer(), nullable=True),
        sa.Column("block_number", sa.Integer(), nullable=True),
        sa.Column("gas_used", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("anchored_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_batch_issuer_account"), ["issuer_account"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_batch_merkle_root"), ["merkle_root"], unique=True)

    op.create_table(
        "issuer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("admin_unit_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("principal", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "accreditor_account", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False
        ),
        sa.Column("signing_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("registry_address", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("issuer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issuer_account"), ["account"], unique=True)

    op.create_table(
        "stored_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("public", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("envelope", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stored_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_key_name"), ["name"], unique=True)

    op.create_table(
        "credential",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("issuer_account", sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
        sa.Column("class_name", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("school_year", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("credential_digest", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("leaf", sqlmodel.sql.sqltypes.AutoString(length=66), nullable=False),
        sa.Column("credential_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status_block", sa.Integer(), nullable=True),
        sa.Column("pdf_path", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credential_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_credential_issuer_account"), ["issuer_account"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_credential_leaf"), ["leaf"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_leaf"))
        batch_op.drop_index(batch_op.f("ix_credential_issuer_account"))
        batch_op.drop_index(batch_op.f("ix_credential_batch_id"))

    op.drop_table("credential")
    with op.batch_alter_table("stored_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_key_name"))

    op.drop_table("stored_key")
    with op.batch_alter_table("issuer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issuer_account"))

    op.drop_table("issuer")
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_merkle_root"))
        batch_op.drop_index(batch_op.f("ix_batch_issuer_account"))

    op.drop_table("batch")
    op.drop_table("audit_event")
