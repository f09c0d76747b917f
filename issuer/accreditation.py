"""Setting up the chain of trust: the Department, accreditors, schools and their keys.

Every step is a registry transaction signed by the account whose role the
contract checks, followed by an audit record (who, when, why). The accounts'
keys come from the encrypted key store under fixed names (``department``,
``accreditor:<unit code>``, ``school:<school code>``). A school's Ed25519
credential keys are ``school:<school code>:signing`` and, after rotations,
``school:<school code>:signing:<n>``; the key in use is the one whose public key
``IssuerRecord.signing_key`` names. Key rotation and revocation live in
``issuer.accreditation_keys``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine
from sqlmodel import Session, select

from hocba.chain import TxResult
from hocba.db import AuditEvent, IssuerRecord, StoredKey, UserAccount
from hocba.errors import InputError, KeyStoreError
from hocba.registry import RegistryClient
from issuer.issuance import SchoolSigner
from issuer.keystore import KeyStore
from issuer.records import SchoolIdentity

__all__ = [
    "DEPARTMENT_KEY",
    "ChainAction",
    "SchoolRegistration",
    "accreditor_key_name",
    "appoint_accreditor",
    "appoint_accreditor_action",
    "find_school",
    "load_school_signer",
    "reassign_school",
    "record_audit",
    "register_school",
    "register_school_action",
    "remove_accreditor",
    "rename_school",
    "school_key_name",
    "signing_key_name",
    "unit_code_number",
    "withdraw_school",
]

logger = logging.getLogger(__name__)

DEPARTMENT_KEY = "department"


def accreditor_key_name(admin_unit_code: str) -> str:
    return f"accreditor:{admin_unit_code}"


def school_key_name(school_code: str) -> str:
    return f"school:{school_code}"


def signing_key_name(school_code: str) -> str:
    """Return the key-store name of a school's first Ed25519 credential key."""
    return f"{school_key_name(school_code)}:signing"


@dataclass(frozen=True)
class SchoolRegistration:
    """The record an accreditor writes about a school when accrediting it."""

    school_code: str
    admin_unit_code: str
    name: str
    principal: str


@dataclass(frozen=True)
class ChainAction:
    """An accreditation step: the account it concerns and its mined transactions, in order."""

    account: str
    transactions: tuple[TxResult, ...]


def record_audit(engine: Engine, *, actor: str, action: str, target: str, reason: str,
                 school_code: str | None = None) -> None:
    """Store one audit record; long values are cut to the column sizes."""
    with Session(engine) as db:
        db.add(AuditEvent(actor=actor[:200], action=action[:50], target=target[:200],
                          reason=reason[:500], school_code=school_code))
        db.commit()


def _who(actor: str, address: str) -> str:
    return f"{actor} ({address})" if actor else address


def appoint_accreditor(keys: KeyStore, registry: RegistryClient, *, admin_unit_code: str,
                       name: str) -> str:
    """Appoint the accreditor of ``admin_unit_code`` (creating its account); return its address."""
    return appoint_accreditor_action(keys, registry, admin_unit_code=admin_unit_code,
                                     name=name).account


def appoint_accreditor_action(keys: KeyStore, registry: RegistryClient, *, admin_unit_code: str,
                              name: str, engine: Engine | None = None, actor: str = "",
                              reason: str = "") -> ChainAction:
    """Appoint the accreditor of ``admin_unit_code``; audit it when ``engine`` is given."""
    unit = unit_code_number(admin_unit_code)
    department = keys.account(DEPARTMENT_KEY)
    accreditor = keys.account(accreditor_key_name(admin_unit_code), create=True)
    registry.chain.fund(accreditor.address)
    result = registry.appoint_accreditor(department, accreditor.address, name, unit)
    if engine is not None:
        record_audit(engine, actor=_who(actor, department.address), action="appoint_accreditor",
                     target=f"accreditor:{admin_unit_code}:{accreditor.address}",
                     reason=reason or name)
    logger.info("appointed accreditor %s for unit %s", accreditor.address, admin_unit_code)
    return ChainAction(accreditor.address, (result,))


def remove_accreditor(keys: KeyStore, registry: RegistryClient, engine: Engine, *,
                      admin_unit_code: str, actor: str = "", reason: str) -> TxResult:
    """Remove an accreditor on chain and disable the login accounts of its unit."""
    department = keys.account(DEPARTMENT_KEY)
    accreditor = keys.account(accreditor_key_name(admin_unit_code))
    result = registry.remove_accreditor(department, accreditor.address)
    with Session(engine) as db:
        accounts = db.exec(select(UserAccount).where(
            UserAccount.role == "accreditor",
            UserAccount.admin_unit_code == admin_unit_code)).all()
        for account in accounts:
            account.disabled = True
            db.add(account)
        db.commit()
    record_audit(engine, actor=_who(actor, department.address), action="remove_accreditor",
                 target=f"accreditor:{admin_unit_code}:{accreditor.address}", reason=reason)
    logger.info("removed accreditor %s of unit %s", accreditor.address, admin_unit_code)
    return result


def register_school(keys: KeyStore, registry: RegistryClient, engine: Engine,
                    school: SchoolRegistration, *, accreditor_unit_code: str) -> SchoolSigner:
    """Accredit a school, add its signing key, and record it locally."""
    register_school_action(keys, registry, engine, school,
                           accreditor_unit_code=accreditor_unit_code)
    return load_school_signer(keys, engine, school.school_code, principal=school.principal)


def register_school_action(keys: KeyStore, registry: RegistryClient, engine: Engine,
                           school: SchoolRegistration, *, accreditor_unit_code: str,
                           public_key: bytes | None = None, actor: str = "") -> ChainAction:
    """Accredit a school and add its signing key: two transactions.

    Without ``public_key`` a new Ed25519 key is generated into the key store. With it,
    the school keeps its private key elsewhere, so this instance cannot sign for it.
    """
    unit = unit_code_number(school.admin_unit_code)
    if not school.school_code.strip() or len(school.school_code) > 32:
        raise InputError(f"invalid school code {school.school_code!r}: 1 to 32 characters",
                         code="school_code_invalid",
                         message_vi="Mã trường phải dài từ 1 đến 32 ký tự.")
    known = find_school(engine, school.school_code)
    if known is not None and known.registry_address == registry.address:
        raise InputError(
            f"school code {school.school_code} is already registered on this instance",
            code="school_code_taken",
            message_vi=f"Mã trường {school.school_code} đã được đăng ký trên hệ thống này.")
    accreditor = keys.account(accreditor_key_name(accreditor_unit_code))
    account = keys.account(school_key_name(school.school_code), create=True)
    if public_key is None:
        signing_key = keys.signing_key(signing_key_name(school.school_code), create=True)
        public_key = signing_key.public_key().public_bytes_raw()
    registry.chain.fund(account.address)

    accredited = registry.accredit_issuer(accreditor, account.address, school.school_code,
                                          unit, school.name)
    key_added = registry.add_issuer_key(accreditor, account.address, public_key)

    with Session(engine) as db:
        db.add(IssuerRecord(
            account=account.address, school_code=school.school_code,
            admin_unit_code=school.admin_unit_code, name=school.name,
            principal=school.principal, accreditor_account=accreditor.address,
            signing_key=public_key.hex(),
            chain_id=registry.chain.chain_id, registry_address=registry.address,
        ))
        db.add(AuditEvent(actor=_who(actor, accreditor.address)[:200], action="accredit",
                          target=f"issuer:{account.address}", reason=school.name[:500],
                          school_code=school.school_code))
        db.commit()
    logger.info("accredited school %s as %s", school.school_code, account.address)
    return ChainAction(account.address, (accredited, key_added))


def find_school(engine: Engine, school_code: str) -> IssuerRecord | None:
    with Session(engine) as db:
        return db.exec(select(IssuerRecord).where(IssuerRecord.school_code == school_code)).first()


def _require_school(engine: Engine, school_code: str) -> IssuerRecord:
    record = find_school(engine, school_code)
    if record is None:
        raise InputError(
            f"school {school_code} is not registered on this instance",
            code="school_not_found",
            message_vi=f"Trường có mã {school_code} chưa được đăng ký trên hệ thống này.",
        )
    return record


def _current_signing_key(keys: KeyStore, record: IssuerRecord) -> Ed25519PrivateKey:
    """Return the stored private key whose public key the school record names."""
    prefix = signing_key_name(record.school_code)
    with Session(keys.engine) as db:
        rows = db.exec(select(StoredKey).where(StoredKey.kind == "ed25519",
                                               StoredKey.public == record.signing_key)).all()
    names = [row.name for row in rows if row.name == prefix or row.name.startswith(prefix + ":")]
    if not names:
        raise KeyStoreError(
            f"the signing key {record.signing_key[:16]}… of school {record.school_code} is not "
            "in this instance's key store (it was uploaded as a public key)",
            code="signing_key_external",
            message_vi=f"Khóa ký hiện hành của trường {record.school_code} không nằm trong kho "
                       "khóa của hệ thống này (khóa được tải lên dưới dạng khóa công khai).",
        )
    return keys.signing_key(names[0])


def load_school_signer(keys: KeyStore, engine: Engine, school_code: str, *,
                       principal: str = "") -> SchoolSigner:
    """Return the signer of a school registered on this instance, with its current key.

    ``principal`` replaces the principal recorded at registration (a new principal).
    """
    record = _require_school(engine, school_code)
    identity = SchoolIdentity(
        issuer_did=f"did:pkh:eip155:{record.chain_id}:{record.account}",
        name=record.name, school_code=record.school_code,
        admin_unit_code=record.admin_unit_code, principal=principal or record.principal,
    )
    return SchoolSigner(
        identity=identity,
        account=keys.account(school_key_name(school_code)),
        signing_key=_current_signing_key(keys, record),
    )


def rename_school(keys: KeyStore, registry: RegistryClient, engine: Engine, *,
                  school_code: str, accreditor_unit_code: str, new_name: str, actor: str = "",
                  reason: str = "") -> TxResult:
    """Record a new name of a school on chain, in force from the transaction's block."""
    if not new_name.strip():
        raise InputError("the new school name is empty", code="school_name_missing",
                         message_vi="Tên mới của trường không được để trống.")
    record = _require_school(engine, school_code)
    accreditor = keys.account(accreditor_key_name(accreditor_unit_code))
    result = registry.rename_issuer(accreditor, record.account, new_name)
    with Session(engine) as db:
        row = db.get(IssuerRecord, record.id)
        if row is not None:
            row.name = new_name
            db.add(row)
        db.commit()
    record_audit(engine, actor=_who(actor, accreditor.address), action="rename",
                 target=f"issuer:{record.account}", school_code=school_code,
                 reason=f"{record.name} → {new_name}" + (f": {reason}" if reason else ""))
    logger.info("renamed school %s in block %d", school_code, result.block_number)
    return result


def reassign_school(keys: KeyStore, registry: RegistryClient, engine: Engine, *,
                    school_code: str, new_accreditor_unit_code: str, actor: str = "",
                    reason: str) -> TxResult:
    """Move a school's supervision to another accreditor (a Department transaction)."""
    record = _require_school(engine, school_code)
    department = keys.account(DEPARTMENT_KEY)
    new_accreditor = keys.account(accreditor_key_name(new_accreditor_unit_code))
    result = registry.reassign_issuer(department, record.account, new_accreditor.address)
    with Session(engine) as db:
        row = db.get(IssuerRecord, record.id)
        if row is not None:
            row.accreditor_account = new_accreditor.address
            db.add(row)
        db.commit()
    record_audit(engine, actor=_who(actor, department.address), action="reassign",
                 target=f"issuer:{record.account}", school_code=school_code,
                 reason=f"→ {new_accreditor_unit_code}: {reason}")
    logger.info("moved school %s to unit %s", school_code, new_accreditor_unit_code)
    return result


def withdraw_school(keys: KeyStore, registry: RegistryClient, engine: Engine, *,
                    school_code: str, accreditor_unit_code: str, cutoff_block: int,
                    reason: str, actor: str = "") -> TxResult:
    """Withdraw a school's accreditation from ``cutoff_block`` on (which may lie in the past)."""
    accreditor = keys.account(accreditor_key_name(accreditor_unit_code))
    school = keys.account(school_key_name(school_code))
    result = registry.withdraw_issuer(accreditor, school.address, cutoff_block)
    record_audit(engine, actor=_who(actor, accreditor.address), action="withdraw",
                 target=f"issuer:{school.address}", school_code=school_code,
                 reason=f"cut-off block {cutoff_block}: {reason}")
    logger.info("withdrew school %s from block %d", school_code, cutoff_block)
    return result


def unit_code_number(code: str) -> int:
    """Return a unit code (2 digits: province, 5: commune) as the integer the chain stores."""
    if not code.isdigit() or len(code) not in (2, 5):
        raise InputError(
            f"invalid administrative unit code {code!r}: expected 2 (province) or 5 (commune) "
            "digits",
            code="admin_unit_code_invalid",
            message_vi=f"Mã đơn vị hành chính {code!r} không hợp lệ: cần 2 chữ số (tỉnh) hoặc "
                       "5 chữ số (xã).",
        )
    return int(code)
