"""Share links: records encrypted in the student's browser, stored here as ciphertext only.

The browser encrypts the shared documents with AES-256-GCM under a fresh key and sends
``nonce (12 bytes) || ciphertext || tag (16 bytes)``. The key travels only in the
link's fragment (``/s/<id>#<key>``), which browsers do not send to the server, so this
module never receives it and cannot read what it stores.

A link lasts 1, 7 or 30 days and can be withdrawn. Once expired or withdrawn, opening it
deletes the ciphertext (``purge_closed_shares`` does the same for links nobody opens).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select

from hocba.db_wallet import ShareLink
from hocba.errors import InputError
from wallet.consent import withdraw_consent

__all__ = [
    "MAX_CIPHERTEXT_BYTES",
    "SHARE_DAYS",
    "ShareError",
    "ShareView",
    "create_share",
    "list_shares",
    "open_share",
    "purge_closed_shares",
    "share_state",
    "withdraw_share",
]

logger = logging.getLogger(__name__)

SHARE_DAYS = (1, 7, 30)
MAX_CIPHERTEXT_BYTES = 2 * 1024 * 1024
_MIN_CIPHERTEXT_BYTES = 12 + 16 + 1  # nonce, tag and at least one byte


class ShareError(InputError):
    """A share link that cannot be created, opened or withdrawn."""


@dataclass(frozen=True)
class ShareView:
    """A share link as the wallet page lists it."""

    id: str
    label: str
    record_count: int
    created_at: datetime
    expires_at: datetime
    state: str  # active, expired, withdrawn
    opened_count: int


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for UTC values.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def share_state(row: ShareLink, now: datetime) -> str:
    """Return active, expired or withdrawn."""
    if row.withdrawn_at is not None:
        return "withdrawn"
    if _aware(row.expires_at) <= now:
        return "expired"
    return "active"


def create_share(db: Session, *, wallet_id: int, ciphertext: bytes, record_count: int,
                 label: str, days: int, consent_id: int | None = None,
                 now: datetime | None = None) -> ShareLink:
    """Add a share's ciphertext, kept ``days`` days, to ``db`` and flush; the caller commits.

    The row's ``id`` is the random part of the link. Raise ShareError for a lifetime other
    than 1, 7 or 30 days, a ciphertext size out of range, or 0 or more than 50 records.
    """
    if days not in SHARE_DAYS:
        raise ShareError(f"invalid share lifetime {days}: use 1, 7 or 30 days",
                         code="share_days_invalid",
                         message_vi="Thời hạn chia sẻ phải là 1, 7 hoặc 30 ngày.")
    if not _MIN_CIPHERTEXT_BYTES <= len(ciphertext) <= MAX_CIPHERTEXT_BYTES:
        raise ShareError(f"ciphertext of {len(ciphertext)} bytes is outside "
                         f"{_MIN_CIPHERTEXT_BYTES}..{MAX_CIPHERTEXT_BYTES}",
                         code="share_size_invalid",
                         message_vi="Dữ liệu chia sẻ đã mã hóa có kích thước không hợp lệ.")
    if not 1 <= record_count <= 50:
        raise ShareError(f"invalid record count {record_count}: choose 1 to 50 records",
                         code="share_count_invalid",
                         message_vi="Hãy chọn từ 1 đến 50 văn bản để chia sẻ.")
    now = now or datetime.now(UTC)
    row = ShareLink(id=secrets.token_urlsafe(16), wallet_id=wallet_id, ciphertext=ciphertext,
                    record_count=record_count, label=" ".join(label.split())[:200],
                    consent_id=consent_id, created_at=now, expires_at=now + timedelta(days=days))
    db.add(row)
    db.flush()
    logger.info("wallet row %d created a share of %d records for %d days", wallet_id,
                record_count, days)
    return row


def _gone(state: str) -> ShareError:
    if state == "withdrawn":
        return ShareError("the share link was withdrawn", code="share_withdrawn",
                          message_vi="Người chia sẻ đã thu hồi đường dẫn này. Hãy xin họ một "
                                     "đường dẫn mới nếu bạn vẫn cần xem hồ sơ.")
    return ShareError("the share link has expired", code="share_expired",
                      message_vi="Đường dẫn chia sẻ này đã hết hạn. Hãy xin người chia sẻ một "
                                 "đường dẫn mới nếu bạn vẫn cần xem hồ sơ.")


def open_share(engine: Engine, share_id: str, *, count: bool = True,
               now: datetime | None = None) -> bytes:
    """Return the ciphertext of an active link and, if ``count``, count the opening.

    Raise ShareError ``share_not_found``, or ``share_expired``/``share_withdrawn`` after
    deleting the ciphertext of a closed link.
    """
    now = now or datetime.now(UTC)
    with Session(engine) as db:
        row = db.get(ShareLink, share_id) if 10 <= len(share_id) <= 43 else None
        if row is None:
            raise ShareError("no share link has this id", code="share_not_found",
                             message_vi="Không có đường dẫn chia sẻ này. Hãy kiểm tra lại "
                                        "đường dẫn.")
        state = share_state(row, now)
        if state != "active":
            if row.ciphertext:
                row.ciphertext = b""
                db.add(row)
                db.commit()
                logger.info("deleted the ciphertext of closed share %s", share_id[:6])
            raise _gone(state)
        data = bytes(row.ciphertext)
        if count:
            row.opened_count += 1
            db.add(row)
            db.commit()
        return data


def withdraw_share(engine: Engine, *, wallet_id: int, share_id: str,
                   now: datetime | None = None) -> None:
    """Withdraw one of the wallet's links and delete its ciphertext; 404-style error otherwise."""
    now = now or datetime.now(UTC)
    with Session(engine) as db:
        row = db.get(ShareLink, share_id)
        if row is None or row.wallet_id != wallet_id:
            raise ShareError("the wallet has no share link with this id",
                             code="share_not_found",
                             message_vi="Không tìm thấy đường dẫn chia sẻ này trong ví.")
        if row.withdrawn_at is None:
            row.withdrawn_at = now
        if row.consent_id is not None:
            withdraw_consent(db, row.consent_id, wallet_id=wallet_id, now=now)
        row.ciphertext = b""
        db.add(row)
        db.commit()
    logger.info("wallet row %d withdrew share %s", wallet_id, share_id[:6])


def list_shares(engine: Engine, wallet_id: int, *,
                now: datetime | None = None) -> list[ShareView]:
    """List the wallet's share links, newest first."""
    now = now or datetime.now(UTC)
    with Session(engine) as db:
        rows = db.exec(select(ShareLink).where(ShareLink.wallet_id == wallet_id)
                       .order_by(col(ShareLink.created_at).desc())).all()
        return [ShareView(row.id, row.label, row.record_count, _aware(row.created_at),
                          _aware(row.expires_at), share_state(row, now), row.opened_count)
                for row in rows]


def purge_closed_shares(engine: Engine, *, now: datetime | None = None) -> int:
    """Delete the ciphertext of every expired or withdrawn link; return how many were cleared."""
    now = now or datetime.now(UTC)
    with Session(engine) as db:
        rows = db.exec(select(ShareLink).where(
            or_(col(ShareLink.expires_at) <= now, col(ShareLink.withdrawn_at).is_not(None)),
            ShareLink.ciphertext != b"")).all()
        for row in rows:
            row.ciphertext = b""
            db.add(row)
        db.commit()
    if rows:
        logger.info("deleted the ciphertext of %d closed share links", len(rows))
    return len(rows)
