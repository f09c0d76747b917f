"""Deletion of a learner's data: the wallet at once, the school records after the principal.

``request_deletion`` deletes the wallet's rows in one transaction: share links,
consent records, device sessions, claim links and the wallet itself. It opens one
``DataRequest`` per issuing school, naming the credentials that school decides on:
those in the wallet, the versions they replace or that replace them, and the
school's other credentials with the same learner id.

The principal then purges them or refuses with a reason, since a school can have
a legal duty to keep học bạ. ``confirm_deletion`` calls
``issuer.retention.purge_credentials`` and then removes the learner's rows from the
school's import jobs, the claim links of those credentials and any other wallet of
the learner. ``refuse_deletion`` keeps everything and records the reason. Nothing
is written to the chain.

A request names its school in ``school_code`` and its credentials as a JSON list
in ``credential_ids``; a refusal's reason is kept in ``note``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, delete, or_, select

from hocba.db import CredentialRecord, ImportJob, IssuerRecord
from hocba.db_wallet import (
    ClaimLink,
    ConsentRecord,
    DataRequest,
    ShareLink,
    Wallet,
    WalletCredential,
    WalletSession,
)
from hocba.errors import InputError
from issuer.retention import PurgeResult, purge_credentials
from wallet.consent import ConsentRequiredError, is_minor, today_in_vietnam

__all__ = [
    "DeletionRequest",
    "confirm_deletion",
    "open_requests",
    "refuse_deletion",
    "request_deletion",
]

logger = logging.getLogger(__name__)

_MAX_REASON = 500  # the length of DataRequest.note


@dataclass(frozen=True)
class DeletionRequest:
    """An open or decided deletion request as a school's page shows it."""

    id: int
    school_code: str
    credential_ids: list[str]
    state: str
    requested_by: str
    created_at: datetime
    done_at: datetime | None
    done_by: str | None
    refusal: str


def _credential_ids(row: DataRequest) -> list[str]:
    try:
        ids = json.loads(row.credential_ids or "[]")
    except ValueError:
        return []
    return [str(item) for item in ids] if isinstance(ids, list) else []


def _view(row: DataRequest) -> DeletionRequest:
    refusal = row.note if row.state == "refused" else ""
    return DeletionRequest(int(row.id or 0), row.school_code or "", _credential_ids(row),
                           row.state, row.requested_by, row.created_at, row.done_at,
                           row.done_by, refusal)


def _learner_ids(credential: dict[str, Any]) -> set[str]:
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        return set()
    return {str(item.get("identityHash")) for item in subject.get("identifier", [])
            if isinstance(item, dict) and item.get("identityType") == "studentId"}


def _related_credentials(db: Session, credential_ids: list[str], learner_key: str | None
                         ) -> dict[str, str]:
    """Map every credential about this learner to the issuer account of its school."""
    found: dict[str, str] = {}
    queue = list(credential_ids)
    learner_ids = {learner_key} if learner_key else set()
    while queue:
        row = db.get(CredentialRecord, queue.pop())
        if row is None or row.id in found:
            continue
        found[row.id] = row.issuer_account
        if row.purged_at is None:
            learner_ids |= _learner_ids(json.loads(row.credential_json))
        if row.replaces:
            queue.append(row.replaces)
        queue.extend(db.exec(select(CredentialRecord.id)
                             .where(CredentialRecord.replaces == row.id)).all())
    if learner_ids:
        issuers = set(found.values())
        for row in db.exec(select(CredentialRecord).where(
                col(CredentialRecord.issuer_account).in_(issuers),
                col(CredentialRecord.purged_at).is_(None))):
            if row.id not in found and _learner_ids(json.loads(row.credential_json)) & learner_ids:
                found[row.id] = row.issuer_account
    return found


def _require_may_delete(wallet: Wallet, acting_as: str) -> None:
    try:
        minor = is_minor(wallet.birth_date, today_in_vietnam())
    except InputError:
        minor = True
    if minor and acting_as != "guardian":
        raise ConsentRequiredError(
            "the learner is under 16: a guardian must request the deletion",
            code="guardian_required",
            message_vi="Học sinh dưới 16 tuổi: cha mẹ hoặc người giám hộ phải là người yêu cầu "
                       "xóa dữ liệu.",
        )


def request_deletion(engine: Engine, wallet_id: int, *, acting_as: str) -> list[int]:
    """Delete the wallet's rows now and open one request per school; return their ids.

    Raise ConsentRequiredError when a student session of a learner under 16 requests it.
    """
    now = datetime.now(UTC)
    with Session(engine) as db:
        wallet = db.get(Wallet, wallet_id)
        if wallet is None:
            raise InputError(f"wallet {wallet_id} not found", code="wallet_not_found",
                             message_vi="Không tìm thấy ví này trên máy chủ.")
        _require_may_delete(wallet, acting_as)
        linked = list(db.exec(select(WalletCredential.credential_id)
                              .where(WalletCredential.wallet_id == wallet_id)).all())
        related = _related_credentials(db, linked, wallet.learner_key)
        schools = {row.account: row.school_code for row in db.exec(select(IssuerRecord))}
        by_school: dict[str, list[str]] = {}
        for credential_id, account in sorted(related.items()):
            by_school.setdefault(schools.get(account, ""), []).append(credential_id)
        created = []
        for school_code, ids in sorted(by_school.items()):
            request = DataRequest(kind="deletion", state="open", requested_by=acting_as,
                                  school_code=school_code, credential_ids=json.dumps(ids))
            db.add(request)
            created.append(request)
        if not created:
            created.append(DataRequest(kind="deletion", state="done", requested_by=acting_as,
                                       done_at=now, done_by="automatic"))
            db.add(created[-1])
        _delete_wallet_rows(db, wallet)
        db.commit()
        ids_created = [int(request.id or 0) for request in created]
    logger.info("wallet row %s deleted on request; %d school request(s) opened",
                wallet_id, len(ids_created))
    return ids_created


def _delete_wallet_rows(db: Session, wallet: Wallet) -> None:
    wallet_id = wallet.id
    db.exec(delete(ShareLink).where(col(ShareLink.wallet_id) == wallet_id))
    db.exec(delete(ConsentRecord).where(col(ConsentRecord.wallet_id) == wallet_id))
    db.exec(delete(WalletSession).where(col(WalletSession.wallet_id) == wallet_id))
    claims = col(ClaimLink.wallet_id) == wallet_id
    if wallet.learner_key:
        claims = or_(claims, col(ClaimLink.learner_key) == wallet.learner_key)
    claim_ids = list(db.exec(select(ClaimLink.id).where(claims)).all())
    db.exec(delete(WalletSession).where(col(WalletSession.claim_id).in_(claim_ids)))
    db.exec(delete(ClaimLink).where(col(ClaimLink.id).in_(claim_ids)))
    db.exec(delete(WalletCredential).where(col(WalletCredential.wallet_id) == wallet_id))
    for request in db.exec(select(DataRequest).where(DataRequest.wallet_id == wallet_id)):
        request.wallet_id = None
        db.add(request)
    db.flush()
    db.delete(wallet)


def open_requests(engine: Engine, school_code: str) -> list[DeletionRequest]:
    """Return the school's deletion requests, open ones first, newest first within each."""
    with Session(engine) as db:
        rows = db.exec(select(DataRequest).where(DataRequest.kind == "deletion",
                                                 DataRequest.school_code == school_code)
                       .order_by(col(DataRequest.created_at).desc())).all()
        views = [_view(row) for row in rows]
    return sorted(views, key=lambda view: view.state != "open")


def _open_request(db: Session, request_id: int, school_code: str) -> DataRequest:
    row = db.get(DataRequest, request_id)
    if row is None or row.kind != "deletion" or row.school_code != school_code:
        raise InputError(f"deletion request {request_id} not found",
                         code="data_request_not_found",
                         message_vi="Không tìm thấy yêu cầu xóa dữ liệu này.")
    if row.state != "open":
        raise InputError(f"deletion request {request_id} is already {row.state}",
                         code="data_request_decided",
                         message_vi="Yêu cầu này đã được xử lý trước đó.")
    return row


def confirm_deletion(engine: Engine, request_id: int, *, school_code: str, actor: str
                     ) -> PurgeResult:
    """Purge the request's credentials and the learner's import and claim rows; mark done."""
    with Session(engine) as db:
        ids = _credential_ids(_open_request(db, request_id, school_code))
        learner = _learner_marks(db, ids)
    result = purge_credentials(engine, actor=actor, credential_ids=ids)
    with Session(engine) as db:
        row = _open_request(db, request_id, school_code)
        _scrub_imports(db, school_code, learner)
        _scrub_claims(db, ids)
        _scrub_other_wallets(db, ids, learner)
        row.state, row.done_at, row.done_by = "done", datetime.now(UTC), actor
        db.add(row)
        db.commit()
    logger.info("deletion request %s done: %d credentials purged", request_id,
                len(result.purged))
    return result


def refuse_deletion(engine: Engine, request_id: int, *, school_code: str, actor: str,
                    reason: str) -> None:
    """Refuse a deletion request with a reason the learner can read; nothing is purged."""
    reason = " ".join(reason.split())
    if not reason:
        raise InputError("missing refusal reason", code="refusal_reason_missing",
                         message_vi="Hãy ghi lý do từ chối (ví dụ: quy định lưu trữ học bạ).")
    with Session(engine) as db:
        row = _open_request(db, request_id, school_code)
        row.note = reason[:_MAX_REASON]
        row.state, row.done_at, row.done_by = "refused", datetime.now(UTC), actor
        db.add(row)
        db.commit()
    logger.info("deletion request %s rejected by the school", request_id)


def _learner_marks(db: Session, credential_ids: list[str]) -> list[tuple[str, str, str]]:
    """Return (name, birth date, learner id) of each credential, read before the purge."""
    marks = []
    for credential_id in credential_ids:
        row = db.get(CredentialRecord, credential_id)
        if row is None or row.purged_at is not None:
            continue
        subject = json.loads(row.credential_json).get("credentialSubject", {})
        values = {item.get("identityType"): str(item.get("identityHash", ""))
                  for item in subject.get("identifier", []) if isinstance(item, dict)}
        marks.append((values.get("name", ""), values.get("ext:birthDate", ""),
                      values.get("studentId", "")))
    return marks


def _matches(row: dict[str, Any], marks: list[tuple[str, str, str]]) -> bool:
    for name, birth_date, learner_id in marks:
        if learner_id and row.get("studentId") == learner_id:
            return True
        full_name = row.get("fullName", row.get("name"))
        if name and full_name == name and row.get("birthDate", birth_date) == birth_date:
            return True
    return False


def _redact(value: Any, rows: set[Any], marks: list[tuple[str, str, str]]) -> Any:
    """Replace the learner's rows (by row number or identity) and mentions of their name or id."""
    if isinstance(value, list):
        return [_redact(item, rows, marks) for item in value]
    if isinstance(value, dict):
        if "row" in value and (value["row"] in rows or _matches(value, marks)):
            return {"row": value["row"], "purged": True}
        return {key: _redact(item, rows, marks) for key, item in value.items()}
    if isinstance(value, str):
        for name, _birth_date, learner_id in marks:
            for mention in (name, learner_id):
                value = value.replace(mention, "(đã xóa)") if mention else value
    return value


def _scrub_imports(db: Session, school_code: str, marks: list[tuple[str, str, str]]) -> None:
    """Remove the learner's rows and mentions from the previews of the school's import jobs.

    The uploaded file of such a job is dropped whole, because it contains the learner's
    row among the others. The school keeps its own copy of the class file.
    """
    if not marks:
        return
    for job in db.exec(select(ImportJob).where(ImportJob.school_code == school_code)):
        preview = json.loads(job.preview_json)
        rows = preview.get("rows", []) if isinstance(preview, dict) else []
        numbers = {row.get("row") for row in rows if isinstance(row, dict) and _matches(row, marks)}
        redacted = _redact(preview, numbers, marks)
        if redacted == preview:
            continue
        job.preview_json = json.dumps(redacted, ensure_ascii=False)
        job.file_data = b""
        db.add(job)


def _scrub_claims(db: Session, credential_ids: list[str]) -> None:
    """Delete claim links (and their device sessions) that deliver any of these credentials."""
    wanted = set(credential_ids)
    for link in db.exec(select(ClaimLink)):
        if wanted & set(json.loads(link.credential_ids or "[]")):
            db.exec(delete(WalletSession).where(col(WalletSession.claim_id) == link.id))
            db.delete(link)


def _scrub_other_wallets(db: Session, credential_ids: list[str],
                         marks: list[tuple[str, str, str]]) -> None:
    """Delete any other wallet of the same learner: one holding these credentials or id."""
    learner_ids = [learner_id for _, _, learner_id in marks if learner_id]
    holders = set(db.exec(select(WalletCredential.wallet_id)
                          .where(col(WalletCredential.credential_id).in_(credential_ids))).all())
    if learner_ids:
        holders |= set(db.exec(select(Wallet.id)
                               .where(col(Wallet.learner_key).in_(learner_ids))).all())
    for wallet_id in holders:
        wallet = db.get(Wallet, wallet_id)
        if wallet is not None:
            _delete_wallet_rows(db, wallet)
