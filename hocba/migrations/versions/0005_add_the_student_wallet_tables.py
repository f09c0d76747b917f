"""Add the student wallet: claim links, device sessions, shares, consent and data requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("learner_key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("birth_date", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("guardian_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("wallet", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wallet_learner_key"), ["learner_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_wallet_public_id"), ["public_id"], unique=True)

    op.create_table(
        "claim_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("learner_key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("learner_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("birth_date", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("credential_ids", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("claimant", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("wallet_id", sa.Integer(), nullable=True),
        sa.Column("invalidated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["wallet.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("claim_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_link_learner_key"), ["learner_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_claim_link_school_code"), ["school_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_claim_link_token_hash"), ["token_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_claim_link_wallet_id"), ["wallet_id"], unique=False)

    op.create_table(
        "consent_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wallet_id", sa.Integer(), nullable=False),
        sa.Column("given_by", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("giver_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("given_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["wallet.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_record_wallet_id"), ["wallet_id"], unique=False
        )

    op.create_table(
        "data_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wallet_id", sa.Integer(), nullable=True),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("credential_ids", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("done_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["wallet.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("data_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_request_school_code"), ["school_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_data_request_wallet_id"), ["wallet_id"], unique=False)

    op.create_table(
        "share_link",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=43), nullable=False),
        sa.Column("wallet_id", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("opened_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consent_record.id"],
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["wallet.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("share_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_link_wallet_id"), ["wallet_id"], unique=False)

    op.create_table(
        "wallet_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wallet_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credential.id"],
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["wallet.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("wallet_id", "credential_id", name="uq_wallet_credential"),
    )
    with op.batch_alter_table("wallet_credential", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_credential_credential_id"), ["credential_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_wallet_credential_wallet_id"), ["wallet_id"], unique=False
        )

    op.create_table(
        "wallet_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("wallet_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("acting_as", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim_link.id"],
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["wallet.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("wallet_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_session_token_hash"), ["token_hash"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_wallet_session_wallet_id"), ["wallet_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("wallet_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_session_wallet_id"))
        batch_op.drop_index(batch_op.f("ix_wallet_session_token_hash"))

    op.drop_table("wallet_session")
    with op.batch_alter_table("wallet_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_credential_wallet_id"))
        batch_op.drop_index(batch_op.f("ix_wallet_credential_credential_id"))

    op.drop_table("wallet_credential")
    with op.batch_alter_table("share_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_link_wallet_id"))

    op.drop_table("share_link")
    with op.batch_alter_table("data_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_request_wallet_id"))
        batch_op.drop_index(batch_op.f("ix_data_request_school_code"))

    op.drop_table("data_request")
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_record_wallet_id"))

    op.drop_table("consent_record")
    with op.batch_alter_table("claim_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_link_wallet_id"))
        batch_op.drop_index(batch_op.f("ix_claim_link_token_hash"))
        batch_op.drop_index(batch_op.f("ix_claim_link_school_code"))
        batch_op.drop_index(batch_op.f("ix_claim_link_learner_key"))

    op.drop_table("claim_link")
    with op.batch_alter_table("wallet", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_public_id"))
        batch_op.drop_index(batch_op.f("ix_wallet_learner_key"))

    op.drop_table("wallet")
