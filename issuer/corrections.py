"""Suspending, reinstating and correcting one credential on the registry.

A suspension is reversible (``reinstate_credential``); a revocation is not. A
corrected credential names the one it replaces in the top-level ``replaces`` term
(defined by the bundled context ``https://w3id.org/hocba/corrections/v1``); the
caller then revokes the old one with reason code ``SUPERSEDED``.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from hocba.anchoring import compute_leaf, credential_digest, split_proofs
from hocba.chain import TxResult
from hocba.contexts import HOCBA_CORRECTIONS_V1
from hocba.dataintegrity import sign_credential, verification_method_for
from hocba.db import AuditEvent, CredentialRecord
from hocba.errors import InputError
from hocba.jcs import parse_json
from hocba.merkle import MerkleTree
from hocba.registry import RegistryClient
from issuer.accreditation import school_key_name
from issuer.curriculum import Curriculum
from issuer.issuance import IssuedCredential, PreparedBatch, SchoolSigner
from issuer.keystore import KeyStore
from issuer.records import ClassRecords
from issuer.transcript import build_transcript_credential

__all__ = ["prepare_correction", "reinstate_credential", "suspend_credential"]

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


def prepare_correction(class_records: ClassRecords, signer: SchoolSigner, *,
                       replaces: str, curriculum: Curriculum) -> PreparedBatch:
    """Build and sign the corrected credential of the one student in ``class_records``.

    The credential names ``replaces`` and the corrections context; it forms a batch
    of one, anchored like any other batch.
    """
    if len(class_records.students) != 1:
        raise InputError(
            f"a correction file must contain exactly one student, found "
            f"{len(class_records.students)}",
            code="correction_rows_invalid",
            message_vi="Tệp đính chính phải có đúng một học sinh, tệp này có "
                       f"{len(class_records.students)}.",
        )
    record = class_records.students[0]
    issued_at = datetime.now(UTC).replace(microsecond=0)
    unsigned = build_transcript_credential(record, signer.identity,
                                           credential_id=f"urn:uuid:{uuid.uuid4()}",
                                           valid_from=issued_at, curriculum=curriculum)
    unsigned["@context"] = [*unsigned["@context"], HOCBA_CORRECTIONS_V1]
    unsigned["replaces"] = replaces
    signed = sign_credential(unsigned, signer.signing_key,
                             verification_method_for(signer.public_key), issued_at)
    leaf_salt, field_seed = secrets.token_bytes(32), secrets.token_bytes(32)
    item = IssuedCredential(record=record, credential=signed, digest=credential_digest(signed),
                            leaf=compute_leaf(signed, leaf_salt, field_seed),
                            leaf_salt=leaf_salt, field_seed=field_seed)
    tree = MerkleTree.build([item.leaf])
    label = f"{class_records.class_name} {class_records.school_year} (đính chính)"
    return PreparedBatch(label, class_records, [item], tree)
