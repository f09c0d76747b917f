"""Setting up the chain of trust: the Department, accreditors, schools and their keys.

Every step is a registry transaction signed by the account whose role the
contract checks. The accounts' keys come from the encrypted key store under
fixed names (``department``, ``accreditor:<unit code>``, ``school:<school code>``
and ``school:<school code>:signing`` for the Ed25519 credential key).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, select

from hocba.chain import TxResult
from hocba.db import AuditEvent, IssuerRecord
from hocba.errors import InputError
from hocba.registry import RegistryClient
from issuer.issuance import SchoolSigner
from issuer.keystore import KeyStore
from issuer.records import SchoolIdentity

__all__ = [
    "DEPARTMENT_KEY",
    "SchoolRegistration",
    "accreditor_key_name",
    "appoint_accreditor",
    "load_school_signer",
    "register_school",
    "school_key_name",
    "withdraw_school",
]

logger = logging.getLogger(__name__)

DEPARTMENT_KEY = "department"


def accreditor_key_name(admin_unit_code: str) -> str:
    return f"accreditor:{admin_unit_code}"


def school_key_name(school_code: str) -> str:
    return f"school:{school_code}"


@dataclass(frozen=True)
class SchoolRegistration:
    """The record an accreditor writes about a school when accrediting it."""

    school_code: str
    admin_unit_code: str
    name: str
    principal: str


def appoint_accreditor(keys: KeyStore, registry: RegistryClient, *, admin_unit_code: str,
                       name: str) -> str:
    """Appoint the accreditor of ``admin_unit_code`` (creating its account); return its address."""
    department = keys.account(DEPARTMENT_KEY)
    accreditor = keys.account(accreditor_key_name(admin_unit_code), create=True)
    registry.chain.fund(accreditor.address)
    registry.appoint_accreditor(department, accreditor.address, name, _unit_code(admin_unit_code))
    logger.info("appointed accreditor %s for unit %s", accreditor.address, admin_unit_code)
    return accreditor.address


def register_school(keys: KeyStore, registry: RegistryClient, engine: Engine,
                    school: SchoolRegistration, *, accreditor_unit_code: str) -> SchoolSigner:
    """Accredit a school, add its signing key, and record it locally."""
    accreditor = keys.account(accreditor_key_name(accreditor_unit_code))
    account = keys.account(school_key_name(school.school_code), create=True)
    signing_key = keys.signing_key(f"{school_key_name(school.school_code)}:signing", create=True)
    registry.chain.fund(account.address)

    registry.accredit_issuer(accreditor, account.address, school.school_code,
                             _unit_code(school.admin_unit_code), school.name)
    public_key = signing_key.public_key().public_bytes_raw()
    registry.add_issuer_key(accreditor, account.address, public_key)

    with Session(engine) as db:
        db.add(IssuerRecord(
            account=account.address, school_code=school.school_code,
            admin_unit_code=school.admin_unit_code, name=school.name,
            principal=school.principal, accreditor_account=accreditor.address,
            signing_key=public_key.hex(),
            chain_id=registry.chain.chain_id, registry_address=registry.address,
        ))
        db.add(AuditEvent(actor=accreditor.address, action="accredit",
                          target=f"issuer:{account.address}", reason=school.name))
        db.commit()
    logger.info("accredited school %s as %s", school.school_code, account.address)
    return load_school_signer(keys, engine, school.school_code, principal=school.principal)


def load_school_signer(keys: KeyStore, engine: Engine, school_code: str, *,
                       principal: str = "") -> SchoolSigner:
    """Return the signer of a school registered on this instance.

    ``principal`` replaces the principal recorded at registration (a new principal).
    """
    with Session(engine) as db:
        query = select(IssuerRecord).where(IssuerRecord.school_code == school_code)
        record = db.exec(query).first()
    if record is None:
        raise InputError(
            f"school {school_code} is not registered on this instance",
            code="school_not_found",
            message_vi=f"Trường có mã {school_code} chưa được đăng ký trên hệ thống này.",
        )
    identity = SchoolIdentity(
        issuer_did=f"did:pkh:eip155:{record.chain_id}:{record.account}",
        name=record.name, school_code=record.school_code,
        admin_unit_code=record.admin_unit_code, principal=principal or record.principal,
    )
    return SchoolSigner(
        identity=identity,
        account=keys.account(school_key_name(school_code)),
        signing_key=keys.signing_key(f"{school_key_name(school_code)}:signing"),
    )


def withdraw_school(keys: KeyStore, registry: RegistryClient, engine: Engine, *,
                    school_code: str, accreditor_unit_code: str, cutoff_block: int,
                    reason: str) -> TxResult:
    """Withdraw a school's accreditation from ``cutoff_block`` on (which may lie in the past)."""
    accreditor = keys.account(accreditor_key_name(accreditor_unit_code))
    school = keys.account(school_key_name(school_code))
    result = registry.withdraw_issuer(accreditor, school.address, cutoff_block)
    with Session(engine) as db:
        db.add(AuditEvent(actor=accreditor.address, action="withdraw",
                          target=f"issuer:{school.address}",
                          reason=f"cut-off block {cutoff_block}: {reason}"))
        db.commit()
    logger.info("withdrew school %s from block %d", school_code, cutoff_block)
    return result


def _unit_code(code: str) -> int:
    if not code.isdigit() or len(code) not in (2, 5):
        raise InputError(
            f"invalid administrative unit code {code!r}: expected 2 (province) or 5 (commune) "
            "digits",
            code="admin_unit_code_invalid",
            message_vi=f"Mã đơn vị hành chính {code!r} không hợp lệ: cần 2 chữ số (tỉnh) hoặc "
                       "5 chữ số (xã).",
        )
    return int(code)
