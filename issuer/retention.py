"""Retention of personal data: purge a learner's data from this instance, off chain.

Purging a credential replaces its JSON with a tombstone (its id, when it was
purged, and the batch root it was anchored under), replaces its PDF path with a
tombstone and deletes that PDF file, and deletes its leaf salts. Without the salts
the leaf and the hashes kept in the row can no longer be linked to a person. Batch
rows, their roots on chain, outbox transactions and the audit log stay: the
credential the student keeps still verifies against the chain, and the audit log
records the purge without personal data.

Only credentials of finished batches (anchored or failed) are purged: an
unfinished batch still needs its salts to attach the anchoring proofs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from hocba.db import AuditEvent, Batch, CredentialRecord
from hocba.errors import InputError

__all__ = ["PURGED_PATH", "PurgeResult", "is_tombstone", "purge_credentials"]

logger = logging.getLogger(__name__)

PURGED_PATH = "(purged)"
_TOMBSTONE_TYPE = "HocbaPurgedCredential"
_FINISHED = ("anchored", "failed")


@dataclass
class PurgeResult:
    """Result of a purge: the credentials purged and the PDF files deleted."""

    purged: list[str] = field(default_factory=list)
    files_deleted: int = 0
    skipped: list[str] = field(default_factory=list)


def is_tombstone(credential_json: str) -> bool:
    """Return True if a stored credential JSON is a purge tombstone."""
    try:
        data = json.loads(credential_json)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("type") == _TOMBSTONE_TYPE


def purge_credentials(engine: Engine, *, actor: str, credential_ids: Sequence[str] = (),
                      older_than_days: int | None = None,
                      now: datetime | None = None) -> PurgeResult:
    """Purge the named credentials, or those issued more than ``older_than_days`` ago.

    Already purged credentials are skipped. Raise InputError when nothing is selected,
    when a named credential does not exist, or when its batch is not finished.
    """
    if not credential_ids and older_than_days is None:
        raise InputError("choose credentials to purge: by id or by age in days",
                         code="purge_nothing_selected",
                         message_vi="Chưa chọn văn bản cần xóa dữ liệu: nêu mã văn bản "
                                    "(--credential) hoặc số ngày (--older-than-days).")
    if older_than_days is not None and older_than_days < 0:
        raise InputError(f"invalid age {older_than_days}: expected 0 or more days",
                         code="purge_age_invalid",
                         message_vi=f"Số ngày {older_than_days} không hợp lệ; cần từ 0 trở lên.")
    now = now or datetime.now(UTC)
    result = PurgeResult()
    with Session(engine) as db:
        rows = _named(db, credential_ids) if credential_ids else _older(db, now, older_than_days)
        reason = ("on request" if credential_ids
                  else f"retention: issued more than {older_than_days} days ago")
        for row, batch in rows:
            if row.purged_at is not None:
                result.skipped.append(row.id)
                continue
            result.files_deleted += _delete_pdf(row.pdf_path)
            row.credential_json = _tombstone(row.id, batch.merkle_root, now)
            row.pdf_path = PURGED_PATH
            row.leaf_salt = row.field_seed = None
            row.purged_at = now
            db.add(row)
            db.add(AuditEvent(actor=actor, action="purge", target=f"credential:{row.id}",
                              reason=f"personal data deleted ({reason})"))
            result.purged.append(row.id)
        db.commit()
    logger.info("purged personal data of %d credentials (%d PDF files deleted, %d skipped)",
                len(result.purged), result.files_deleted, len(result.skipped))
    return result


def _named(db: Session, credential_ids: Sequence[str]) -> list[tuple[CredentialRecord, Batch]]:
    rows = []
    for credential_id in dict.fromkeys(credential_ids):
        row = db.get(CredentialRecord, credential_id)
        if row is None:
            raise InputError(f"credential {credential_id} not found on this instance",
                             code="credential_not_found",
                             message_vi=f"Không tìm thấy văn bản {credential_id} trên hệ thống "
                                        "này.")
        batch = db.get(Batch, row.batch_id)
        if batch is None or batch.status not in _FINISHED:
            raise InputError(
                f"credential {credential_id} belongs to an unfinished batch; run "
                "`hocba anchor --resume` first",
                code="purge_batch_unfinished",
                message_vi=f"Văn bản {credential_id} thuộc lô chưa hoàn tất; chạy "
                           "`hocba anchor --resume` trước khi xóa dữ liệu.",
            )
        rows.append((row, batch))
    return rows


def _older(db: Session, now: datetime, days: int | None) -> list[tuple[CredentialRecord, Batch]]:
    cutoff = now - timedelta(days=days or 0)
    return [tuple(pair) for pair in db.exec(  # type: ignore[misc]
        select(CredentialRecord, Batch)
        .join(Batch, col(Batch.id) == CredentialRecord.batch_id)
        .where(col(Batch.status).in_(_FINISHED),
               col(CredentialRecord.created_at) < cutoff,
               col(CredentialRecord.purged_at).is_(None))
        .order_by(CredentialRecord.batch_id, CredentialRecord.row_number))]


def _tombstone(credential_id: str, merkle_root: str, now: datetime) -> str:
    return json.dumps({
        "type": _TOMBSTONE_TYPE, "id": credential_id, "purgedAt": now.isoformat(),
        "merkleRoot": merkle_root,
    }, sort_keys=True)


def _delete_pdf(pdf_path: str | None) -> int:
    if not pdf_path or pdf_path == PURGED_PATH:
        return 0
    path = Path(pdf_path)
    if path.suffix.lower() != ".pdf" or not path.is_file():
        return 0
    path.unlink()
    return 1
