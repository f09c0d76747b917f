"""Per-field digests, the credential's Merkle leaf and the proof set with the anchoring proof.

A credential is anchored as one leaf of a batch Merkle tree:
``leaf = keccak256(keccak256(abi.encode(leafSalt, credentialDigest, fieldsRoot)))``.
``credentialDigest`` covers the whole signed credential. ``fieldsRoot`` commits to
every scalar of ``credentialSubject`` separately, each under its own salt derived
from ``fieldSeed``, so that single fields can later be disclosed and checked alone.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from hocba.anchorproof import ANCHOR_PROOF_TYPE, AnchorProof
from hocba.dataintegrity import is_eddsa_proof
from hocba.errors import CredentialError
from hocba.fastfields import fast_field_digests, fields_root_of_digests
from hocba.fastjcs import fast_field_triple
from hocba.jcs import sha256_canonical
from hocba.merkle import leaf_hash

__all__ = [
    "ANCHOR_PROOF_TYPE",
    "AnchorProof",
    "FieldValue",
    "attach_anchor_proof",
    "compute_leaf",
    "credential_digest",
    "field_digest",
    "field_digests",
    "field_salt",
    "fields_root",
    "fields_root_of_subject",
    "flatten_fields",
    "leaf_of_parts",
    "split_proofs",
]

logger = logging.getLogger(__name__)

FieldValue = str | int | bool | None

FIELD_SALT_LENGTH = 16
FIELD_SEED_LENGTH = 32


def _malformed(message: str, message_vi: str) -> CredentialError:
    return CredentialError(message, code="malformed", message_vi=message_vi)


def _escape_token(token: str) -> str:
    # RFC 6901 section 3: "~" becomes "~0" first, then "/" becomes "~1".
    return token.replace("~", "~0").replace("/", "~1")


def flatten_fields(subject: Mapping[str, Any]) -> list[tuple[str, FieldValue]]:
    """List every scalar of ``subject`` with its RFC 6901 JSON Pointer, in document order.

    Empty objects and arrays contain no scalar and produce no field.
    """
    if not isinstance(subject, Mapping):
        raise _malformed(
            "credentialSubject must be a JSON object",
            "credentialSubject phải là đối tượng JSON.",
        )

    fields: list[tuple[str, FieldValue]] = []
    pending: list[tuple[str, Any]] = [("", subject)]
    while pending:
        pointer, value = pending.pop()
        if isinstance(value, Mapping):
            children = [(f"{pointer}/{_escape_token(k)}", v) for k, v in value.items()]
            pending.extend(reversed(children))
        elif isinstance(value, list | tuple):
            pending.extend(reversed([(f"{pointer}/{i}", v) for i, v in enumerate(value)]))
        elif value is None or isinstance(value, str | bool | int):
            fields.append((pointer, value))
        else:
            raise _malformed(
                f"field {pointer} has a value of type {type(value).__name__}; "
                "only strings, integers, booleans and null are allowed",
                f"Trường {pointer} có giá trị kiểu {type(value).__name__} không được phép.",
            )
    return fields


def field_salt(field_seed: bytes, pointer: str) -> bytes:
    """Return the 16-byte salt ``HMAC-SHA256(key=field_seed, msg=UTF-8 pointer)[:16]``."""
    if not isinstance(field_seed, bytes) or len(field_seed) != FIELD_SEED_LENGTH:
        raise _malformed(
            f"field seed must be {FIELD_SEED_LENGTH} bytes",
            f"fieldSeed phải dài đúng {FIELD_SEED_LENGTH} byte.",
        )
    return hmac.digest(field_seed, pointer.encode("utf-8"), "sha256")[:FIELD_SALT_LENGTH]


def field_digest(salt: bytes, pointer: str, value: FieldValue) -> bytes:
    """Return ``sha256(JCS([base64url(salt), pointer, value]))``.

    The salt is written in base64url without padding (22 characters for 16 bytes).
    """
    if not isinstance(salt, bytes) or len(salt) != FIELD_SALT_LENGTH:
        raise _malformed(
            f"field salt must be {FIELD_SALT_LENGTH} bytes",
            f"Muối của trường phải dài đúng {FIELD_SALT_LENGTH} byte.",
        )
    encoded_salt = base64.urlsafe_b64encode(salt).rstrip(b"=").decode("ascii")
    canonical = fast_field_triple(encoded_salt, pointer, value)
    if canonical is not None:
        return hashlib.sha256(canonical).digest()
    return sha256_canonical([encoded_salt, pointer, value])


def fields_root(digests: Iterable[bytes]) -> bytes:
    """Return ``sha256(JCS(sorted lowercase-hex field digests))``, whatever the input order."""
    return sha256_canonical(sorted(digest.hex() for digest in digests))


def field_digests(subject: Mapping[str, Any], field_seed: bytes) -> dict[str, bytes]:
    """Map each field pointer of ``subject`` to its field digest, in document order.

    Plain JSON subjects take the byte-identical fast path of ``hocba.fastfields``.
    """
    fast = fast_field_digests(subject, field_seed)
    if fast is not None:
        return dict(zip(*fast, strict=True))
    return _reference_field_digests(subject, field_seed)


def _reference_field_digests(subject: Mapping[str, Any], field_seed: bytes) -> dict[str, bytes]:
    return {
        pointer: field_digest(field_salt(field_seed, pointer), pointer, value)
        for pointer, value in flatten_fields(subject)
    }


def fields_root_of_subject(subject: Mapping[str, Any], field_seed: bytes) -> bytes:
    """Return the ``fieldsRoot`` of a ``credentialSubject``."""
    fast = fast_field_digests(subject, field_seed)
    if fast is not None:
        return fields_root_of_digests(fast[1])
    return fields_root(_reference_field_digests(subject, field_seed).values())


def split_proofs(
    credential: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], AnchorProof | None]:
    """Split a credential into (document without ``proof``, eddsa proof, anchor proof or None).

    ``proof`` may be the single eddsa proof object or a list holding it and at most one
    ``HocbaAnchorProof2026``. Anything else raises ``CredentialError`` (malformed).
    """
    if not isinstance(credential, Mapping):
        raise _malformed("the credential must be a JSON object", "Văn bản phải là đối tượng JSON.")
    if "proof" not in credential:
        raise _malformed("the credential has no proof", "Văn bản không có chữ ký (proof).")

    raw = credential["proof"]
    entries = raw if isinstance(raw, list) else [raw]
    eddsa: list[dict[str, Any]] = []
    anchors: list[AnchorProof] = []
    for index, entry in enumerate(entries):
        if is_eddsa_proof(entry):
            eddsa.append(_copy_json(dict(entry)))
        elif isinstance(entry, Mapping) and entry.get("type") == ANCHOR_PROOF_TYPE:
            anchors.append(AnchorProof.from_json(entry))
        else:
            kind = entry.get("type") if isinstance(entry, Mapping) else type(entry).__name__
            raise _malformed(
                f"proof entry {index} has unsupported type {str(kind)[:60]!r}",
                f"Chứng minh thứ {index} có loại không được hỗ trợ.",
            )

    if len(eddsa) != 1:
        raise _malformed(
            f"expected exactly one eddsa-jcs-2022 proof, found {len(eddsa)}",
            f"Cần đúng một chữ ký eddsa-jcs-2022, tìm thấy {len(eddsa)}.",
        )
    if len(anchors) > 1:
        raise _malformed(
            f"expected at most one {ANCHOR_PROOF_TYPE}, found {len(anchors)}",
            f"Chỉ được có tối đa một bằng chứng ghi nhận {ANCHOR_PROOF_TYPE}.",
        )

    document = {key: _copy_json(value) for key, value in credential.items() if key != "proof"}
    return document, eddsa[0], anchors[0] if anchors else None


def _copy_json(value: Any) -> Any:
    """Deep-copy parsed JSON much faster than ``copy.deepcopy``; other types use deepcopy."""
    kind = type(value)
    if kind is dict:
        return {key: _copy_json(item) for key, item in value.items()}
    if kind is list:
        return [_copy_json(item) for item in value]
    if kind is str or kind is int or kind is bool or value is None:
        return value
    return copy.deepcopy(value)


def credential_digest(signed_credential: Mapping[str, Any]) -> bytes:
    """Return ``credentialDigest``: SHA-256 of JCS of the credential whose ``proof`` is
    exactly its eddsa proof object; an anchoring proof, if present, is left out."""
    document, eddsa_proof, _anchor = split_proofs(signed_credential)
    return sha256_canonical({**document, "proof": eddsa_proof})


def compute_leaf(
    signed_credential_without_anchor: Mapping[str, Any], leaf_salt: bytes, field_seed: bytes
) -> bytes:
    """Return the Merkle leaf of a signed credential; an anchoring proof, if any, is ignored."""
    subject = signed_credential_without_anchor.get("credentialSubject")
    if subject is None:
        raise _malformed(
            "the credential has no credentialSubject",
            "Văn bản không có credentialSubject.",
        )
    digest = credential_digest(signed_credential_without_anchor)
    return leaf_hash(leaf_salt, digest, fields_root_of_subject(subject, field_seed))


def leaf_of_parts(document: Mapping[str, Any], eddsa_proof: Mapping[str, Any],
                  leaf_salt: bytes, field_seed: bytes, *, digest: bytes | None = None) -> bytes:
    """Return the leaf of a credential already split by ``split_proofs``.

    The result equals ``compute_leaf({**document, "proof": eddsa_proof}, ...)`` without
    splitting and copying the credential a second time. ``eddsa_proof`` must be the
    eddsa proof that ``split_proofs`` returned. ``digest``, when given, is that
    credential's ``credentialDigest`` (from ``verify_eddsa_proof_digest``).
    """
    subject = document.get("credentialSubject")
    if subject is None:
        raise _malformed(
            "the credential has no credentialSubject",
            "Văn bản không có credentialSubject.",
        )
    if digest is None:
        digest = sha256_canonical({**document, "proof": eddsa_proof})
    return leaf_hash(leaf_salt, digest, fields_root_of_subject(subject, field_seed))


def attach_anchor_proof(credential: Mapping[str, Any], proof: AnchorProof) -> dict[str, Any]:
    """Return a copy of a signed credential whose ``proof`` is ``[eddsa proof, anchor proof]``."""
    if not isinstance(proof, AnchorProof):
        raise _malformed(
            "the anchoring proof must be an AnchorProof", "Bằng chứng ghi nhận không hợp lệ."
        )
    document, eddsa_proof, existing = split_proofs(credential)
    if existing is not None:
        raise _malformed(
            "the credential already carries an anchoring proof",
            "Văn bản đã có bằng chứng ghi nhận trên chuỗi khối.",
        )
    logger.debug("attached anchoring proof for root 0x%s", proof.merkle_root.hex())
    return {**document, "proof": [eddsa_proof, proof.to_json()]}
