"""Add user accounts, login sessions, API keys and import jobs; mark corrected credentials

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_key_hash"), ["key_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_api_key_school_code"), ["school_code"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("admin_unit_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_login"), ["login"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_user_account_school_code"), ["school_code"], unique=False
        )

    op.create_table(
        "import_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("file_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("file_data", sa.LargeBinary(), nullable=False),
        sa.Column("preview_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_job_school_code"), ["school_code"], unique=False
        )

    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("csrf_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_session_token_hash"), ["token_hash"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_login_session_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_audit_event_school_code"), ["school_code"], unique=False
        )

    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("replaces", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_credential_replaces"), ["replaces"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_replaces"))
        batch_op.drop_column("replaces")

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_school_code"))
        batch_op.drop_column("school_code")

    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_login_session_token_hash"))

    op.drop_table("login_session")
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_job_school_code"))

    op.drop_table("import_job")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_school_code"))
        batch_op.drop_index(batch_op.f("ix_user_account_login"))

    op.drop_table("user_account")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_school_code"))
        batch_op.drop_index(batch_op.f("ix_api_key_key_hash"))

    op.drop_table("api_key")
