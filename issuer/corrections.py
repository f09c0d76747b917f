"""Suspending and reinstating one credential on the registry.

A suspension is reversible (``reinstate_credential``); a revocation is not.
Corrections are built by ``issuer.record_correction``.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlmodel import Session

from hocba.anchoring import split_proofs
from hocba.chain import TxResult
from hocba.db import AuditEvent, CredentialRecord
from hocba.errors import InputError
from hocba.jcs import parse_json
from hocba.registry import RegistryClient
from issuer.accreditation import school_key_name
from issuer.keystore import KeyStore

__all__ = ["reinstate_credential", "suspend_credential"]

logger = logging.getLogger(__name__)


def _anchored_row(engine: Engine, credential_id: str) -> tuple[CredentialRecord, bytes,
                                                                 list[bytes]]:
    with Session(engine) as db:
        row = db.get(CredentialRecord, credential_id)
    if row is None:
        raise InputError(f"credential {credential_id} not found on this instance",
                         code="credential_not_found",
                         message_vi=f"Không tìm thấy văn bản {credential_id} trên hệ thống này.")
    _, _, anchor = split_proofs(parse_json(row.credential_json))
    if anchor is None:
        raise InputError(f"credential {credential_id} is not anchored yet",
                         code="credential_not_anchored",
                         message_vi=f"Văn bản {credential_id} chưa được ghi nhận trên chuỗi "
                                    "khối.")
    return row, anchor.merkle_root, list(anchor.merkle_path)


def _change_status(keys: KeyStore, registry: RegistryClient, engine: Engine, *,
                   credential_id: str, school_code: str, suspend: bool, actor: str,
                   reason: str) -> TxResult:
    row, root, path = _anchored_row(engine, credential_id)
    expected = "active" if suspend else "suspended"
    if row.status != expected:
        raise InputError(f"credential {credential_id} is {row.status}, not {expected}",
                         code="credential_status_conflict",
                         message_vi=f"Văn bản {credential_id} đang ở trạng thái {row.status}, "
                                    "không thực hiện được thao tác này.")
    account = keys.account(school_key_name(school_code))
    leaf = bytes.fromhex(row.leaf[2:])
    if suspend:
        result = registry.suspend_credential(account, root, leaf, path)
    else:
        result = registry.reinstate_credential(account, root, leaf, path)
    with Session(engine) as db:
        row.status = "suspended" if suspend else "active"
        row.status_block = result.block_number
        db.add(row)
        db.add(AuditEvent(actor=actor, action="suspend" if suspend else "reinstate",
                          target=f"credential:{credential_id}", reason=reason,
                          school_code=school_code))
        db.commit()
    logger.info("%s credential %s in block %d", "suspended" if suspend else "reinstated",
                credential_id, result.block_number)
    return result


def suspend_credential(keys: KeyStore, registry: RegistryClient, engine: Engine, *,
                       credential_id: str, school_code: str, actor: str,
                       reason: str) -> TxResult:
    """Suspend an active credential on chain and record who did it and why."""
    return _change_status(keys, registry, engine, credential_id=credential_id,
                          school_code=school_code, suspend=True, actor=actor, reason=reason)


def reinstate_credential(keys: KeyStore, registry: RegistryClient, engine: Engine, *,
                         credential_id: str, school_code: str, actor: str,
                         reason: str) -> TxResult:
    """Lift the suspension of a credential on chain and record who did it and why."""
    return _change_status(keys, registry, engine, credential_id=credential_id,
                          school_code=school_code, suspend=False, actor=actor, reason=reason)
