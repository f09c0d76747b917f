"""Tables of the student wallet on the server: claims, device sessions, shares, consent.

A wallet here is what one learner (or their guardian) holds on the server: the
credentials delivered to it through claim links. The server keeps tokens only as
SHA-256 digests, and shared records only as ciphertext whose key it never receives.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = [
    "ClaimLink",
    "ConsentRecord",
    "DataRequest",
    "ShareLink",
    "Wallet",
    "WalletCredential",
    "WalletSession",
]


def _now() -> datetime:
    return datetime.now(UTC)


class Wallet(SQLModel, table=True):
    """One learner's records on the server, reached from the devices that claimed them.

    ``learner_key`` groups records of the same learner across schools: the 10-digit
    learner id when the school gave one, otherwise None (records are then added to
    a wallet only through claim links). ``birth_date`` (ISO date) decides whether
    the learner is a minor, whose guardian claims and consents.
    """

    __tablename__ = "wallet"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(index=True, unique=True, max_length=36)
    learner_key: str | None = Field(default=None, index=True, max_length=32)
    display_name: str = Field(max_length=200)
    birth_date: str = Field(default="", max_length=10)
    guardian_name: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=_now)


class WalletCredential(SQLModel, table=True):
    """A credential delivered to a wallet."""

    __tablename__ = "wallet_credential"
    __table_args__ = (UniqueConstraint("wallet_id", "credential_id",
                                       name="uq_wallet_credential"),)

    id: int | None = Field(default=None, primary_key=True)
    wallet_id: int = Field(foreign_key="wallet.id", index=True)
    credential_id: str = Field(foreign_key="credential.id", index=True, max_length=64)
    added_at: datetime = Field(default_factory=_now)


class ClaimLink(SQLModel, table=True):
    """A one-time link (and QR) with which a school delivers credentials to a learner.

    ``credential_ids`` is a JSON list. ``claimant`` is student or guardian. A new
    link for the same learner sets ``invalidated_at`` on the older ones and ends the
    device sessions they opened (recovery after a lost phone or passphrase).
    """

    __tablename__ = "claim_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    school_code: str = Field(index=True, max_length=32)
    learner_key: str | None = Field(default=None, index=True, max_length=32)
    learner_name: str = Field(max_length=200)
    birth_date: str = Field(default="", max_length=10)
    credential_ids: str
    claimant: str = Field(default="student", max_length=20)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime
    claimed_at: datetime | None = None
    wallet_id: int | None = Field(default=None, foreign_key="wallet.id", index=True)
    invalidated_at: datetime | None = None


class WalletSession(SQLModel, table=True):
    """A device's access to a wallet, opened by claiming a link; only a digest is kept."""

    __tablename__ = "wallet_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    wallet_id: int = Field(foreign_key="wallet.id", index=True)
    claim_id: int | None = Field(default=None, foreign_key="claim_link.id")
    acting_as: str = Field(default="student", max_length=20)
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime
    revoked_at: datetime | None = None


class ShareLink(SQLModel, table=True):
    """Records shared by link: AES-GCM ciphertext made in the browser.

    The key travels only in the link's fragment, so the server cannot read the
    records. ``id`` is the random part of the link's path.
    """

    __tablename__ = "share_link"

    id: str = Field(primary_key=True, max_length=43)
    wallet_id: int = Field(foreign_key="wallet.id", index=True)
    ciphertext: bytes = Field(sa_type=LargeBinary)
    record_count: int = Field(default=1)
    label: str = Field(default="", max_length=200)
    consent_id: int | None = Field(default=None, foreign_key="consent_record.id")
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime
    withdrawn_at: datetime | None = None
    opened_count: int = Field(default=0)


class ConsentRecord(SQLModel, table=True):
    """Consent given for sharing or processing a learner's data (Law 91/2025/QH15).

    ``given_by`` is guardian or student; ``scope`` is JSON naming the credentials
    and the fields shown.
    """

    __tablename__ = "consent_record"

    id: int | None = Field(default=None, primary_key=True)
    wallet_id: int = Field(foreign_key="wallet.id", index=True)
    given_by: str = Field(max_length=20)
    giver_name: str = Field(max_length=200)
    purpose: str = Field(max_length=500)
    recipient: str = Field(default="", max_length=200)
    scope: str = Field(default="{}")
    given_at: datetime = Field(default_factory=_now)
    withdrawn_at: datetime | None = None


class DataRequest(SQLModel, table=True):
    """A learner's or guardian's request to export or delete what the server keeps.

    ``kind`` is export or deletion; ``state`` is open, done or refused. The row
    outlives the deletion it records, with ``wallet_id`` cleared.
    """

    __tablename__ = "data_request"

    id: int | None = Field(default=None, primary_key=True)
    wallet_id: int | None = Field(default=None, foreign_key="wallet.id", index=True)
    # The school that decides on the request, and the credentials it covers (JSON list);
    # both stay after the wallet rows are deleted.
    school_code: str | None = Field(default=None, index=True, max_length=32)
    credential_ids: str = Field(default="[]")
    kind: str = Field(max_length=20)
    state: str = Field(default="open", max_length=20)
    requested_by: str = Field(max_length=20)
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=_now)
    done_at: datetime | None = None
    done_by: str | None = Field(default=None, max_length=100)
