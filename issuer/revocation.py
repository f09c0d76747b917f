"""Revoking a credential or a whole batch on the registry, with an audit trail.

The reason code goes on chain; the reason text stays in the audit log, because a
free-text reason could name the student.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlmodel import Session, select

from hocba.anchoring import split_proofs
from hocba.chain import TxResult
from hocba.db import AuditEvent, Batch, CredentialRecord, IssuerRecord
from hocba.errors import InputError
from hocba.jcs import parse_json
from hocba.registry import RegistryClient
from issuer.accreditation import school_key_name
from issuer.keystore import KeyStore

__all__ = ["revoke_batch", "revoke_credential"]

logger = logging.getLogger(__name__)


def revoke_credential(keys: KeyStore, registry: RegistryClient, engine: Engine, *,
                      credential_id: str, reason_code: int, reason: str) -> TxResult:
    """Revoke one credential: its leaf is proven against its batch root on chain."""
    with Session(engine) as db:
        row = db.get(CredentialRecord, credential_id)
        if row is None:
            raise InputError(
                f"credential {credential_id} not found on this instance",
                code="credential_not_found",
                message_vi=f"Không tìm thấy văn bản {credential_id} trên hệ thống này.",
            )
        school = _school_of(db, row.issuer_account)
    _, _, anchor = split_proofs(parse_json(row.credential_json))
    if anchor is None:
        raise InputError(
            f"credential {credential_id} is not anchored yet; nothing to revoke on chain",
            code="credential_not_anchored",
            message_vi=f"Văn bản {credential_id} chưa được ghi nhận trên chuỗi khối.",
        )

    account = keys.account(school_key_name(school.school_code))
    result = registry.revoke_credential(account, anchor.merkle_root, bytes.fromhex(row.leaf[2:]),
                                        anchor.merkle_path, reason_code)
    with Session(engine) as db:
        row.status, row.status_block = "revoked", result.block_number
        db.add(row)
        db.add(AuditEvent(actor=account.address, action="revoke",
                          target=f"credential:{credential_id}",
                          reason=f"code {reason_code}: {reason}"))
        db.commit()
    logger.info("revoked credential %s in block %d", credential_id, result.block_number)
    return result


def revoke_batch(keys: KeyStore, registry: RegistryClient, engine: Engine, *, batch_id: int,
                 reason_code: int, reason: str) -> TxResult:
    """Revoke every credential of a batch with one transaction."""
    with Session(engine) as db:
        batch = db.get(Batch, batch_id)
        if batch is None or batch.status != "anchored":
            raise InputError(
                f"batch {batch_id} not found or not anchored",
                code="batch_not_found",
                message_vi=f"Không tìm thấy lô {batch_id} hoặc lô chưa được ghi nhận.",
            )
        school = _school_of(db, batch.issuer_account)
    account = keys.account(school_key_name(school.school_code))
    result = registry.revoke_batch(account, bytes.fromhex(batch.merkle_root[2:]), reason_code)
    with Session(engine) as db:
        batch.status = "revoked"
        db.add(batch)
        for row in db.exec(select(CredentialRecord).where(CredentialRecord.batch_id == batch_id)):
            row.status, row.status_block = "revoked", result.block_number
            db.add(row)
        db.add(AuditEvent(actor=account.address, action="revoke_batch",
                          target=f"batch:{batch_id}", reason=f"code {reason_code}: {reason}"))
        db.commit()
    logger.info("revoked batch %d in block %d", batch_id, result.block_number)
    return result


def _school_of(db: Session, account: str) -> IssuerRecord:
    school = db.exec(select(IssuerRecord).where(IssuerRecord.account == account)).first()
    if school is None:
        raise InputError(f"issuer {account} is not registered on this instance",
                         code="school_not_found",
                         message_vi=f"Trường có tài khoản {account} chưa đăng ký trên hệ "
                                    "thống này.")
    return school
