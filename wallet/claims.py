"""Claim links: how a school delivers credentials to a learner who has no account.

A claim link carries a 32-byte random token (base64url); the database keeps only its
SHA-256 digest. Each link contains one learner's credentials from one school. Opening it
the first time puts those credentials into the learner's wallet on this server and
starts a device session (``api.wallet_auth``). A second opening is rejected.

The wallet is the learner's existing one when there is one: the same 10-digit
learner id, or a wallet that already contains one of the link's credentials. Claiming a
link also invalidates that learner's older unclaimed links and ends every other device
session of the wallet, which is how a lost phone is recovered: the school makes a new link.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select

from hocba.accounts import token_digest
from hocba.db import AuditEvent, CredentialRecord, IssuerRecord
from hocba.db_wallet import ClaimLink, Wallet, WalletCredential, WalletSession
from hocba.errors import InputError
from issuer.retention import is_tombstone
from wallet.consent import is_minor
from wallet.held_records import LearnerFacts, learner_facts

__all__ = [
    "DEFAULT_CLAIM_DAYS",
    "WALLET_SESSION_LIFETIME",
    "ClaimError",
    "ClaimPreview",
    "ClaimResult",
    "NewClaimLink",
    "claim",
    "claim_lifetime",
    "claim_state_error",
    "create_claim_links",
    "preview_claim",
]

logger = logging.getLogger(__name__)

DEFAULT_CLAIM_DAYS = 30
WALLET_SESSION_LIFETIME = timedelta(days=180)
_CLAIM_DAYS_VARIABLE = "HOCBA_CLAIM_LINK_DAYS"
# Ages are counted on the date in Vietnam.
_VIETNAM_TIME = timezone(timedelta(hours=7))


class ClaimError(InputError):
    """A claim link that cannot be used: unknown, used, expired, replaced, or incomplete."""


@dataclass(frozen=True)
class NewClaimLink:
    """A created link; ``token`` is shown only now (printed on the slip)."""

    claim_id: int
    token: str
    learner_name: str
    class_name: str
    school_year: str
    credential_count: int
    expires_at: datetime


@dataclass(frozen=True)
class ClaimPreview:
    """A link's state and details, read for the claim page without using the link."""

    state: str  # open, used, expired, invalidated
    learner_name: str
    school_code: str
    credential_count: int
    needs_guardian: bool
    expires_at: datetime


@dataclass(frozen=True)
class ClaimResult:
    """A used link: the new device session's token and the wallet it opens."""

    session_token: str
    wallet_id: int
    acting_as: str
    expires_at: datetime
    added: int


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for UTC values.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def claim_lifetime() -> timedelta:
    """Return how long a new claim link lasts: ``HOCBA_CLAIM_LINK_DAYS`` days, default 30."""
    text = os.environ.get(_CLAIM_DAYS_VARIABLE)
    if text is None:
        return timedelta(days=DEFAULT_CLAIM_DAYS)
    if not text.isdigit() or not 1 <= int(text) <= 365:
        raise InputError(f"invalid {_CLAIM_DAYS_VARIABLE} {text!r}: expected 1 to 365 days",
                         code="settings_invalid",
                         message_vi=f"Giá trị {_CLAIM_DAYS_VARIABLE} «{text}» không hợp lệ: "
                                    "cần từ 1 đến 365 ngày.")
    return timedelta(days=int(text))


def _school_accounts(db: Session, school_code: str) -> set[str]:
    rows = db.exec(select(IssuerRecord).where(IssuerRecord.school_code == school_code)).all()
    return {row.account.lower() for row in rows}


def _selected(db: Session, school_code: str, batch_id: int | None,
              credential_ids: Sequence[str]) -> list[CredentialRecord]:
    """Load the chosen credentials; raise ClaimError when one is not this school's."""
    accounts = _school_accounts(db, school_code)
    if not accounts:
        raise ClaimError(f"school {school_code} is not registered on this instance",
                         code="school_not_found",
                         message_vi=f"Trường mã {school_code} chưa được đăng ký trên hệ thống.")
    query = select(CredentialRecord)
    if batch_id is not None:
        query = query.where(CredentialRecord.batch_id == batch_id)
    if credential_ids:
        query = query.where(col(CredentialRecord.id).in_(list(credential_ids)))
    if batch_id is None and not credential_ids:
        raise ClaimError("choose a batch or credentials for the claim links",
                         code="claim_nothing_selected",
                         message_vi="Chưa chọn lô (lớp) hoặc văn bản để tạo đường dẫn.")
    rows = list(db.exec(query.order_by(col(CredentialRecord.row_number))).all())
    missing = set(credential_ids) - {row.id for row in rows}
    if missing or not rows:
        raise ClaimError("a chosen credential or batch does not exist", code="claim_not_found",
                         message_vi="Không tìm thấy văn bản hoặc lô đã chọn.")
    foreign = [row.id for row in rows if row.issuer_account.lower() not in accounts]
    if foreign:
        logger.info("claim links rejected: %d credentials of another school", len(foreign))
        raise ClaimError("only this school's own credentials can be put in its claim links",
                         code="claim_credential_foreign",
                         message_vi="Chỉ được đưa văn bản do chính trường mình cấp vào đường "
                                    "dẫn nhận học bạ.")
    # A revoked credential (also one superseded by a correction) is not delivered.
    return [row for row in rows
            if not is_tombstone(row.credential_json) and row.status != "revoked"]


def create_claim_links(engine: Engine, *, school_code: str, created_by: str,
                       batch_id: int | None = None, credential_ids: Sequence[str] = (),
                       now: datetime | None = None) -> list[NewClaimLink]:
    """Create one claim link per learner among the chosen credentials of ``school_code``."""
    now = now or datetime.now(UTC)
    expires_at = now + claim_lifetime()
    links: list[NewClaimLink] = []
    with Session(engine) as db:
        groups: dict[str, tuple[LearnerFacts, list[CredentialRecord]]] = {}
        for row in _selected(db, school_code, batch_id, credential_ids):
            facts = learner_facts(row.credential_json)
            key = facts.learner_key or f"{facts.name}|{facts.birth_date}"
            groups.setdefault(key, (facts, []))[1].append(row)
        for facts, rows in groups.values():
            token = secrets.token_urlsafe(32)
            link = ClaimLink(token_hash=token_digest(token), school_code=school_code,
                             learner_key=facts.learner_key, learner_name=facts.name,
                             birth_date=facts.birth_date,
                             credential_ids=json.dumps([row.id for row in rows]),
                             claimant="student", created_by=created_by[:100], created_at=now,
                             expires_at=expires_at)
            db.add(link)
            db.flush()
            links.append(NewClaimLink(int(link.id or 0), token, facts.name, rows[0].class_name,
                                      rows[0].school_year, len(rows), expires_at))
        target = f"batch:{batch_id}"
        if batch_id is None:
            target = f"credentials:{len(credential_ids)}"
        db.add(AuditEvent(actor=created_by[:200], action="create_claim_links", target=target,
                          reason=f"{len(links)} claim links", school_code=school_code))
        db.commit()
    logger.info("created %d claim links for school %s", len(links), school_code)
    return links


def _find_link(db: Session, token: str) -> ClaimLink:
    link = None
    if 20 <= len(token) <= 100:
        link = db.exec(select(ClaimLink).where(
            ClaimLink.token_hash == token_digest(token))).first()
    if link is None:
        raise ClaimError("no claim link has this token", code="claim_not_found",
                         message_vi="Đường dẫn nhận học bạ không đúng. Hãy kiểm tra lại đường "
                                    "dẫn, hoặc quét lại mã QR trên phiếu của nhà trường.")
    return link


def _state(link: ClaimLink, now: datetime) -> str:
    if link.claimed_at is not None:
        return "used"
    if link.invalidated_at is not None:
        return "invalidated"
    if _aware(link.expires_at) <= now:
        return "expired"
    return "open"


_STATE_ERRORS = {
    "used": ("the claim link was already used", "Đường dẫn này đã được dùng để nhận học bạ. "
             "Mỗi đường dẫn chỉ dùng được một lần. Nếu không phải bạn đã mở, hoặc bạn mất "
             "điện thoại, hãy xin nhà trường một đường dẫn mới."),
    "invalidated": ("a newer claim link replaced this one", "Đường dẫn này đã được thay bằng "
                    "một đường dẫn mới hơn. Hãy dùng đường dẫn mới nhất nhà trường đưa."),
    "expired": ("the claim link has expired", "Đường dẫn này đã hết hạn. Hãy xin nhà trường "
                "một đường dẫn mới."),
}


def claim_state_error(state: str) -> ClaimError:
    """Return the error for a link in ``state`` (used, invalidated or expired)."""
    message, message_vi = _STATE_ERRORS[state]
    return ClaimError(message, code=f"claim_{state}", message_vi=message_vi)


def _needs_guardian(birth_date: str, now: datetime) -> bool:
    try:
        return is_minor(birth_date, now.astimezone(_VIETNAM_TIME).date())
    except InputError:
        # No valid date of birth: the guardian claims, which protects a child.
        return True


def preview_claim(engine: Engine, token: str, *, now: datetime | None = None) -> ClaimPreview:
    """Describe the link for the claim page without using it; ClaimError if unknown."""
    now = now or datetime.now(UTC)
    with Session(engine) as db:
        link = _find_link(db, token)
        return ClaimPreview(_state(link, now), link.learner_name, link.school_code,
                            len(json.loads(link.credential_ids)),
                            _needs_guardian(link.birth_date, now), _aware(link.expires_at))


def _wallet_for(db: Session, link: ClaimLink, credential_ids: list[str]) -> Wallet:
    """Return the learner's existing wallet, or a new one."""
    wallet = None
    if link.learner_key:
        wallet = db.exec(select(Wallet).where(Wallet.learner_key == link.learner_key)).first()
    if wallet is None and credential_ids:
        held = db.exec(select(WalletCredential).where(
            col(WalletCredential.credential_id).in_(credential_ids))).first()
        wallet = db.get(Wallet, held.wallet_id) if held is not None else None
    if wallet is None:
        wallet = Wallet(public_id=str(uuid.uuid4()), learner_key=link.learner_key,
                        display_name=link.learner_name, birth_date=link.birth_date)
        db.add(wallet)
        db.flush()
    return wallet


def _replace_older(db: Session, link: ClaimLink, wallet: Wallet, now: datetime) -> None:
    """Invalidate the learner's other unclaimed links and end the wallet's device sessions."""
    same_learner = [ClaimLink.wallet_id == wallet.id]
    if link.learner_key:
        same_learner.append(ClaimLink.learner_key == link.learner_key)
    older = db.exec(select(ClaimLink).where(
        or_(*same_learner), ClaimLink.id != link.id, col(ClaimLink.claimed_at).is_(None),
        col(ClaimLink.invalidated_at).is_(None), col(ClaimLink.created_at) <= link.created_at,
    )).all()
    for row in older:
        row.invalidated_at = now
        db.add(row)
    sessions = db.exec(select(WalletSession).where(
        WalletSession.wallet_id == wallet.id, col(WalletSession.revoked_at).is_(None))).all()
    for session in sessions:
        session.revoked_at = now
        db.add(session)
    if older or sessions:
        logger.info("claim %s: invalidated %d older links, ended %d device sessions", link.id,
                    len(older), len(sessions))


def claim(engine: Engine, token: str, *, guardian_name: str = "",
          guardian_confirms: bool = False, now: datetime | None = None) -> ClaimResult:
    """Use the link: add its credentials to the learner's wallet and start a device session.

    For a minor, ``guardian_name`` and ``guardian_confirms`` are required and the session
    acts as the guardian. Raise ClaimError for an unknown, used, replaced or expired link.
    """
    now = now or datetime.now(UTC)
    with Session(engine) as db:
        link = _find_link(db, token)
        state = _state(link, now)
        if state != "open":
            raise claim_state_error(state)
        acting_as = "student"
        guardian_name = " ".join(guardian_name.split())[:200]
        if _needs_guardian(link.birth_date, now):
            if not guardian_name or not guardian_confirms:
                raise ClaimError("a guardian must give their name and confirm",
                                 code="guardian_required",
                                 message_vi="Học sinh dưới 16 tuổi: cha mẹ hoặc người giám hộ "
                                            "cần ghi họ tên và xác nhận để nhận học bạ.")
            acting_as = "guardian"

        credential_ids = [str(item) for item in json.loads(link.credential_ids)]
        wallet = _wallet_for(db, link, credential_ids)
        if acting_as == "guardian":
            wallet.guardian_name = guardian_name
        if not wallet.birth_date:
            wallet.birth_date = link.birth_date
        db.add(wallet)
        _replace_older(db, link, wallet, now)

        held = set(db.exec(select(WalletCredential.credential_id).where(
            WalletCredential.wallet_id == wallet.id)).all())
        added = [item for item in credential_ids if item not in held
                 and db.get(CredentialRecord, item) is not None]
        for credential_id in added:
            db.add(WalletCredential(wallet_id=int(wallet.id or 0), credential_id=credential_id,
                                    added_at=now))
        link.claimed_at = now
        link.wallet_id = wallet.id
        link.claimant = acting_as
        db.add(link)

        session_token = secrets.token_urlsafe(32)
        expires_at = now + WALLET_SESSION_LIFETIME
        db.add(WalletSession(token_hash=token_digest(session_token), wallet_id=int(wallet.id or 0),
                             claim_id=link.id, acting_as=acting_as, created_at=now,
                             expires_at=expires_at))
        db.commit()
        logger.info("claim %s used: wallet %s gained %d credentials", link.id, wallet.public_id,
                    len(added))
        return ClaimResult(session_token, int(wallet.id or 0), acting_as, expires_at, len(added))
