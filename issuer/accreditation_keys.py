"""A school's Ed25519 credential keys on the registry: rotate and revoke.

Only the supervising accreditor adds keys (the contract checks it). Rotation adds
the new key, then cuts the old one off at the block of that addition, so every
block is covered by exactly one key. An earlier cut-off (a compromise found late)
may be given instead. A revoked key keeps covering the anchors before its
cut-off, so credentials signed with it earlier stay valid.
"""

from __future__ import annotations

import logging
import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import Engine
from sqlmodel import Session

from hocba.chain import TxResult
from hocba.db import IssuerRecord
from hocba.errors import InputError
from hocba.registry import RegistryClient
from issuer.accreditation import (
    ChainAction,
    accreditor_key_name,
    find_school,
    record_audit,
    signing_key_name,
)
from issuer.keystore import KeyStore

__all__ = ["parse_public_key", "revoke_school_key", "rotate_school_key"]

logger = logging.getLogger(__name__)

_HEX_KEY = re.compile(r"(?:0x)?([0-9a-fA-F]{64})")


def parse_public_key(text: str) -> bytes:
    """Read an Ed25519 public key given as 64 hex digits or as a PEM public key."""
    text = text.strip()
    match = _HEX_KEY.fullmatch(text)
    if match is not None:
        return bytes.fromhex(match.group(1))
    if text.startswith("-----BEGIN PUBLIC KEY-----"):
        try:
            key = load_pem_public_key(text.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            key = None
        if isinstance(key, Ed25519PublicKey):
            return key.public_bytes_raw()
    raise InputError(
        "invalid public key: expected an Ed25519 key as 64 hex digits or a PEM public key",
        code="public_key_invalid",
        message_vi="Khóa công khai không hợp lệ: cần khóa Ed25519 dạng 64 chữ số hex hoặc tệp "
                   "PEM «BEGIN PUBLIC KEY».",
    )


def _school(engine: Engine, school_code: str) -> IssuerRecord:
    record = find_school(engine, school_code)
    if record is None:
        raise InputError(
            f"school {school_code} is not registered on this instance",
            code="school_not_found",
            message_vi=f"Trường có mã {school_code} chưa được đăng ký trên hệ thống này.")
    return record


def _next_key_name(keys: KeyStore, school_code: str) -> str:
    number = 2
    while keys.has(f"{signing_key_name(school_code)}:{number}"):
        number += 1
    return f"{signing_key_name(school_code)}:{number}"


def rotate_school_key(keys: KeyStore, registry: RegistryClient, engine: Engine, *,
                      school_code: str, accreditor_unit_code: str,
                      public_key: bytes | None = None, cutoff_block: int | None = None,
                      actor: str = "", reason: str = "") -> ChainAction:
    """Add a new signing key, then cut the current one off: two transactions.

    Without ``public_key`` the new key is generated into the key store. The old key is
    cut off at the block that added the new one, or at ``cutoff_block`` when given.
    An old key that already has a cut-off keeps it.
    """
    record = _school(engine, school_code)
    old_key = bytes.fromhex(record.signing_key)
    if public_key is not None and public_key == old_key:
        raise InputError("the new key is the key in use", code="key_unchanged",
                         message_vi="Khóa mới trùng với khóa đang dùng.")
    old_state = registry.issuer_key(record.account, old_key)
    if cutoff_block is not None and cutoff_block < int(old_state["addedBlock"]):
        raise InputError(
            f"cut-off block {cutoff_block} lies before the old key was added "
            f"(block {old_state['addedBlock']})",
            code="cutoff_before_key",
            message_vi=f"Khối ngừng hiệu lực {cutoff_block} nằm trước khối thêm khóa cũ "
                       f"({old_state['addedBlock']}).")
    accreditor = keys.account(accreditor_key_name(accreditor_unit_code))
    if public_key is None:
        new_key = keys.signing_key(_next_key_name(keys, school_code), create=True)
        public_key = new_key.public_key().public_bytes_raw()

    added = registry.add_issuer_key(accreditor, record.account, public_key)
    with Session(engine) as db:
        row = db.get(IssuerRecord, record.id)
        if row is not None:
            row.signing_key = public_key.hex()
            db.add(row)
        db.commit()
    transactions = [added]
    if int(old_state["cutoffBlock"]) == 0:
        cutoff = added.block_number if cutoff_block is None else cutoff_block
        transactions.append(registry.revoke_issuer_key(accreditor, record.account, old_key,
                                                       cutoff))
    who = f"{actor} ({accreditor.address})" if actor else accreditor.address
    record_audit(engine, actor=who, action="rotate_key", target=f"issuer:{record.account}",
                 school_code=school_code,
                 reason=f"{old_key.hex()[:16]}… → {public_key.hex()[:16]}…: {reason}")
    logger.info("rotated the signing key of school %s in block %d", school_code,
                added.block_number)
    return ChainAction(record.account, tuple(transactions))


def revoke_school_key(keys: KeyStore, registry: RegistryClient, engine: Engine, *,
                      school_code: str, accreditor_unit_code: str, public_key: bytes,
                      cutoff_block: int, actor: str = "", reason: str) -> TxResult:
    """Cut a signing key off from ``cutoff_block`` on (which may lie in the past).

    NOTE: revoking the key in use leaves the school without a valid key until a
    rotation adds a new one. Credentials it signs meanwhile are ``key_not_valid``.
    """
    record = _school(engine, school_code)
    accreditor = keys.account(accreditor_key_name(accreditor_unit_code))
    result = registry.revoke_issuer_key(accreditor, record.account, public_key, cutoff_block)
    who = f"{actor} ({accreditor.address})" if actor else accreditor.address
    record_audit(engine, actor=who, action="revoke_key", target=f"issuer:{record.account}",
                 school_code=school_code,
                 reason=f"key {public_key.hex()[:16]}…, cut-off block {cutoff_block}: {reason}")
    logger.info("revoked a signing key of school %s from block %d", school_code, cutoff_block)
    return result
