"""Database tables (SQLModel) and the engine, migrated by Alembic.

Personal data (names, dates of birth, scores) lives only here and in the
credentials given to students; the chain receives hashes and issuer metadata.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import BigInteger, Engine, Integer, LargeBinary, UniqueConstraint, event
from sqlmodel import Field, Session, SQLModel, create_engine

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Batch",
    "ChainIdType",
    "CredentialRecord",
    "ImportJob",
    "IssuerRecord",
    "LoginSession",
    "OutboxTransaction",
    "StoredKey",
    "UserAccount",
    "migrate",
    "open_database",
]

logger = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


# Chain ids exceed 32 bits (the in-process EVM uses 131277322940537): BIGINT on
# PostgreSQL; SQLite's INTEGER already holds 64 bits, so its tables stay as they are.
ChainIdType = BigInteger().with_variant(Integer(), "sqlite")


def _now() -> datetime:
    return datetime.now(UTC)


class StoredKey(SQLModel, table=True):
    """A private key encrypted with the key passphrase (see issuer.keystore)."""

    __tablename__ = "stored_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=200)
    kind: str = Field(max_length=20)
    public: str = Field(max_length=200)
    envelope: str
    created_at: datetime = Field(default_factory=_now)


class IssuerRecord(SQLModel, table=True):
    """A school this instance issues for, as registered on chain."""

    __tablename__ = "issuer"

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(index=True, unique=True, max_length=42)
    school_code: str = Field(max_length=32)
    admin_unit_code: str = Field(max_length=16)
    name: str = Field(max_length=300)
    principal: str = Field(default="", max_length=200)
    accreditor_account: str = Field(max_length=42)
    signing_key: str = Field(max_length=64)
    chain_id: int = Field(sa_type=ChainIdType)
    registry_address: str = Field(max_length=42)
    created_at: datetime = Field(default_factory=_now)


class Batch(SQLModel, table=True):
    """A set of credentials anchored under one Merkle root in one transaction.

    The row is written before any transaction exists. ``tx_hash`` and ``nonce``
    are stored before broadcasting, so a restarted process can look the
    transaction up on the chain.
    """

    __tablename__ = "batch"

    id: int | None = Field(default=None, primary_key=True)
    issuer_account: str = Field(index=True, max_length=42)
    label: str = Field(max_length=200)
    merkle_root: str = Field(index=True, unique=True, max_length=66)
    size: int
    status: str = Field(default="pending", max_length=20)
    chain_id: int = Field(sa_type=ChainIdType)
    registry_address: str = Field(max_length=42)
    tx_hash: str | None = Field(default=None, max_length=66)
    nonce: int | None = None
    block_number: int | None = None
    gas_used: int | None = None
    # ``host:pid:start`` of the process anchoring the batch; reconciliation in
    # another process leaves the batch alone while that process runs.
    owner: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=_now)
    anchored_at: datetime | None = None


class CredentialRecord(SQLModel, table=True):
    """One issued credential, its hashes and its current status."""

    __tablename__ = "credential"

    id: str = Field(primary_key=True, max_length=64)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    issuer_account: str = Field(index=True, max_length=42)
    class_name: str = Field(max_length=50)
    school_year: str = Field(max_length=20)
    row_number: int
    credential_digest: str = Field(max_length=66)
    leaf: str = Field(index=True, max_length=66)
    credential_json: str
    status: str = Field(default="active", max_length=20)
    status_block: int | None = None
    pdf_path: str | None = None
    # Hex of the leaf salts, kept until the anchoring proof is attached so that a
    # restarted process can attach it (see issuer.outbox).
    leaf_salt: str | None = Field(default=None, max_length=66)
    field_seed: str | None = Field(default=None, max_length=66)
    created_at: datetime = Field(default_factory=_now)
    # Set when the learner's personal data was purged (issuer.retention): the JSON
    # is then a tombstone, the salts and the PDF path are gone.
    purged_at: datetime | None = None
    # The id of the credential this one corrects; that one is revoked as superseded.
    replaces: str | None = Field(default=None, index=True, max_length=64)


class OutboxTransaction(SQLModel, table=True):
    """A signed anchoring transaction, stored before it is broadcast.

    One row per signed transaction: re-broadcasting reuses the row and its raw
    bytes; signing again with a new nonce adds a row. ``(chain_id, sender, nonce)``
    is unique, which is what makes one nonce sequence per account across processes.
    ``status`` is signed, sent, mined or replaced (its nonce was used by another
    transaction and the batch was signed again).
    """

    __tablename__ = "transaction"
    __table_args__ = (UniqueConstraint("chain_id", "sender", "nonce",
                                       name="uq_transaction_sender_nonce"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    chain_id: int = Field(sa_type=ChainIdType)
    sender: str = Field(index=True, max_length=42)
    nonce: int
    tx_hash: str = Field(index=True, unique=True, max_length=66)
    raw_tx: str
    status: str = Field(default="signed", max_length=20)
    block_number: int | None = None
    created_at: datetime = Field(default_factory=_now)
    sent_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """An audit record of one issuing, anchoring, withdrawal or revocation: who, when, why."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_now)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=50)
    target: str = Field(max_length=200)
    reason: str = Field(default="", max_length=500)
    # The school the action concerns, when an API user acted (None for older rows).
    school_code: str | None = Field(default=None, index=True, max_length=32)


class UserAccount(SQLModel, table=True):
    """A person who logs in: Department, accreditor, school staff or principal.

    ``school_code`` scopes school staff and principals, ``admin_unit_code`` scopes
    accreditors; the Department has neither. ``password_hash`` is an argon2id hash.
    """

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(index=True, unique=True, max_length=100)
    display_name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    school_code: str | None = Field(default=None, index=True, max_length=32)
    admin_unit_code: str | None = Field(default=None, max_length=16)
    password_hash: str = Field(max_length=200)
    disabled: bool = Field(default=False)
    created_by: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=_now)


class LoginSession(SQLModel, table=True):
    """A browser session; only SHA-256 digests of the cookie and CSRF tokens are stored."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    csrf_hash: str = Field(max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime


class ApiKey(SQLModel, table=True):
    """A school's integration key; only the SHA-256 digest of the key is stored."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(index=True, unique=True, max_length=64)
    prefix: str = Field(max_length=16)
    school_code: str = Field(index=True, max_length=32)
    role: str = Field(default="school_staff", max_length=20)
    label: str = Field(default="", max_length=200)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=_now)
    revoked_at: datetime | None = None


class ImportJob(SQLModel, table=True):
    """An uploaded class file: previewed, then approved by the principal, then issued."""

    __tablename__ = "import_job"

    id: int | None = Field(default=None, primary_key=True)
    school_code: str = Field(index=True, max_length=32)
    file_kind: str = Field(max_length=10)
    file_data: bytes = Field(sa_type=LargeBinary)
    preview_json: str
    state: str = Field(default="previewed", max_length=20)
    created_by: str = Field(max_length=100)
    approved_by: str | None = Field(default=None, max_length=100)
    approved_at: datetime | None = None
    batch_id: int | None = Field(default=None, foreign_key="batch.id")
    created_at: datetime = Field(default_factory=_now)


def migrate(engine: Engine) -> None:
    """Upgrade the database schema to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(url: str) -> Engine:
    """Create the engine for ``url`` (creating the SQLite folder) and migrate it."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)
