"""Verifying a selective disclosure (``HocbaDisclosure2026``, built by ``wallet.disclosure``).

The revealed fields are hashed again with their salts, ``fieldsRoot`` is recomputed
from them and the hidden digests, and the leaf from ``leafSalt``,
``credentialDigest`` and ``fieldsRoot``. The leaf's Merkle path must lead to the
anchored root, which the registry checks exactly as for a full credential. A
changed value, a changed pointer, or a hidden digest dropped or added changes the
leaf, so it is reported as tampered.

The school's Ed25519 signature covers the whole credential, so it cannot be checked
on a part. Integrity comes from the anchored leaf alone. ``issuer`` is confirmed
because the registry records which account anchored the root. ``validFrom`` and the
verification method are not bound to the leaf, so they are shown as the holder
stated them and are not used to decide the status.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Mapping
from typing import Any

from hocba.anchoring import field_digest, fields_root
from hocba.anchorproof import AnchorProof
from hocba.dataintegrity import public_key_from_did_key
from hocba.errors import CredentialError, MerkleError
from hocba.jcs import parse_json
from hocba.merkle import leaf_hash, verify_proof
from hocba.status import Status, VerificationResult, overall_status
from verifier.engine import (
    StopVerification,
    VerificationRun,
    VerifierContext,
    check_anchored,
    check_network,
    issuer_account_of,
)

__all__ = ["DISCLOSURE_TYPE", "verify_disclosure"]

logger = logging.getLogger(__name__)

DISCLOSURE_TYPE = "HocbaDisclosure2026"

_KEYS = frozenset({"type", "credentialId", "issuer", "validFrom", "verificationMethod",
                   "credentialDigest", "revealed", "hiddenDigests", "anchor"})
_HASH = re.compile(r"0x[0-9a-f]{64}")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_SALT = re.compile(r"[A-Za-z0-9_-]{22}")
# AnchorProof requires a field seed; a disclosure has none, and this placeholder is never
# used for hashing because the verifier takes the field digests from the disclosure.
_NO_FIELD_SEED = "0x" + "00" * 32


def verify_disclosure(data: bytes | str | Mapping[str, Any], context: VerifierContext, *,
                      source: str = "") -> VerificationResult:
    """Verify a disclosure (JSON bytes or a parsed object) and return the verdict."""
    run = VerificationRun()
    document: Mapping[str, Any] | None = None
    revealed: list[tuple[str, Any]] = []
    try:
        document, revealed, digests, anchor = _parse(data, run)
        leaf = _check_leaf(document, digests, anchor, run)
        check_network(anchor, document, context, run)
        public_key = public_key_from_did_key(document["verificationMethod"])
        check_anchored(run, issuer_account_of(document), public_key, leaf, anchor, context)
    except StopVerification:
        pass
    status = overall_status(run.checks)
    logger.info("verified disclosure %s: %s", source or "", status.value)
    credential_id = document.get("credentialId") if isinstance(document, Mapping) else None
    return VerificationResult(
        status=status, checks=run.checks,
        credential_id=credential_id if isinstance(credential_id, str) else None,
        issuer=run.issuer, subject=_disclosed_summary(revealed), anchored=run.anchored,
        block=run.block, source=source,
    )


def _malformed(run: VerificationRun, detail: str) -> StopVerification:
    return run.stop("disclosure.shape", Status.MALFORMED,
                    f"Bản chia sẻ từng phần không đúng cấu trúc ({detail}).",
                    f"The disclosure is malformed: {detail}.")


def _parse(data: bytes | str | Mapping[str, Any], run: VerificationRun
           ) -> tuple[Mapping[str, Any], list[tuple[str, Any]], list[bytes], AnchorProof]:
    try:
        document = data if isinstance(data, Mapping) else parse_json(data)
    except CredentialError as exc:
        raise run.stop("format.json", Status.MALFORMED, f"Không đọc được JSON: {exc.message_vi}",
                       f"Invalid JSON: {exc}") from exc
    if not isinstance(document, Mapping) or document.get("type") != DISCLOSURE_TYPE:
        raise _malformed(run, f"type must be {DISCLOSURE_TYPE}")
    unknown = sorted(set(document) - _KEYS)
    if unknown or not _KEYS <= set(document):
        raise _malformed(run, "unknown or missing members "
                              f"{', '.join(unknown or sorted(_KEYS - set(document)))}")
    if not isinstance(document["credentialId"], str):
        raise _malformed(run, "credentialId must be a string")
    if not isinstance(document["credentialDigest"], str) or \
            not _HASH.fullmatch(document["credentialDigest"]):
        raise _malformed(run, "credentialDigest must be 0x and 64 lowercase hex digits")

    revealed, digests = _revealed_digests(document["revealed"], run)
    hidden = document["hiddenDigests"]
    if not isinstance(hidden, list) or not all(isinstance(h, str) and _DIGEST.fullmatch(h)
                                               for h in hidden):
        raise _malformed(run, "hiddenDigests must be a list of 64 lowercase hex digits")
    if hidden != sorted(set(hidden)):
        raise _malformed(run, "hiddenDigests must be sorted and distinct")

    anchor_json = document["anchor"]
    if not isinstance(anchor_json, Mapping) or "fieldSeed" in anchor_json:
        raise _malformed(run, "anchor must be an anchoring proof without fieldSeed")
    try:
        anchor = AnchorProof.from_json({**anchor_json, "fieldSeed": _NO_FIELD_SEED})
        public_key_from_did_key(document["verificationMethod"])
        issuer_account_of(document)
    except (CredentialError, TypeError, KeyError) as exc:
        raise _malformed(run, str(exc)) from exc
    run.passed("disclosure.shape", "Bản chia sẻ từng phần đúng cấu trúc.",
               "The disclosure is well formed.")
    return document, revealed, digests + [bytes.fromhex(h) for h in hidden], anchor


def _revealed_digests(triples: Any, run: VerificationRun
                      ) -> tuple[list[tuple[str, Any]], list[bytes]]:
    if not isinstance(triples, list):
        raise _malformed(run, "revealed must be a list")
    revealed: list[tuple[str, Any]] = []
    digests: list[bytes] = []
    for index, triple in enumerate(triples):
        if not (isinstance(triple, list) and len(triple) == 3):
            raise _malformed(run, f"revealed[{index}] must be [pointer, value, salt]")
        pointer, value, salt = triple
        if not isinstance(pointer, str) or not pointer.startswith("/"):
            raise _malformed(run, f"revealed[{index}] has an invalid JSON Pointer")
        if not (value is None or isinstance(value, str | int | bool)):
            raise _malformed(run, f"revealed[{index}] value must be a scalar")
        if not isinstance(salt, str) or not _SALT.fullmatch(salt):
            raise _malformed(run, f"revealed[{index}] salt must be 22 base64url characters")
        try:
            raw_salt = base64.urlsafe_b64decode(salt + "==")
        except (binascii.Error, ValueError) as exc:
            raise _malformed(run, f"revealed[{index}] salt is not base64url") from exc
        revealed.append((pointer, value))
        digests.append(field_digest(raw_salt, pointer, value))
    if len({pointer for pointer, _ in revealed}) != len(revealed):
        raise _malformed(run, "a pointer is revealed twice")
    return revealed, digests


def _check_leaf(document: Mapping[str, Any], digests: list[bytes], anchor: AnchorProof,
                run: VerificationRun) -> bytes:
    root = fields_root(digests)
    leaf = leaf_hash(anchor.leaf_salt, bytes.fromhex(document["credentialDigest"][2:]), root)
    try:
        verify_proof(leaf, anchor.merkle_path, anchor.merkle_root)
    except MerkleError as exc:
        raise run.stop("disclosure.merkle", Status.TAMPERED,
                       "Các trường được chia sẻ không khớp với dữ liệu nhà trường đã ghi nhận "
                       "trên chuỗi khối: bản chia sẻ đã bị sửa.",
                       f"The disclosed fields do not match the anchored leaf: {exc}") from exc
    pointers = [triple[0] for triple in document["revealed"]]
    run.passed("disclosure.merkle",
               f"{len(pointers)} trường được chia sẻ khớp với dữ liệu đã ghi nhận; "
               f"{len(digests) - len(pointers)} trường được ẩn.",
               f"{len(pointers)} disclosed fields match the anchored leaf; "
               f"{len(digests) - len(pointers)} fields are hidden.",
               disclosed=pointers, hiddenCount=len(digests) - len(pointers))
    run.passed("disclosure.signature",
               "Chữ ký Ed25519 của nhà trường phủ toàn bộ học bạ nên không kiểm tra được trên "
               "bản chia sẻ từng phần; tính toàn vẹn dựa vào dữ liệu đã ghi nhận trên chuỗi "
               "khối.",
               "The school's Ed25519 signature covers the whole record and cannot be checked "
               "on a partial disclosure; integrity rests on the anchored leaf.")
    return leaf


def _disclosed_summary(revealed: list[tuple[str, Any]]) -> dict[str, Any] | None:
    if not revealed:
        return None
    return {"disclosed": {pointer: value for pointer, value in revealed}}
