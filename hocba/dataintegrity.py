"""Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite, and did:key for Ed25519.

Implements W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.3 (eddsa-jcs-2022):
the signed bytes are ``sha256(JCS(proofConfig)) || sha256(JCS(document without proof))``
and ``proofValue`` is the Ed25519 signature in multibase base58btc.

A did:key for Ed25519 is ``did:key:z`` + base58btc(0xed 0x01 + 32-byte public key);
its verification method is the DID with the same identifier as fragment.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hocba.errors import CredentialError
from hocba.fastjcs import canonical_members, copy_plain_object, is_plain_json, join_members
from hocba.jcs import canonicalize
from hocba.multibase import multibase_decode, multibase_encode

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "did_key_from_public_key",
    "hash_data",
    "is_eddsa_proof",
    "private_key_from_multibase",
    "proof_config",
    "public_key_from_did_key",
    "sign_credential",
    "sign_credential_canonical",
    "verification_method_for",
    "verify_eddsa_proof",
    "verify_eddsa_proof_digest",
]

logger = logging.getLogger(__name__)

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"

# Multicodec prefixes (unsigned varint): ed25519-pub 0xed, ed25519-priv 0x1300.
_ED25519_PUB_PREFIX = b"\xed\x01"
_ED25519_PRIV_PREFIX = b"\x80\x26"
_DID_KEY_PREFIX = "did:key:"

# XML Schema 1.1 dateTime with a mandatory time zone, as Data Integrity requires for `created`.
_DATETIME = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-](0\d|1[0-4]):[0-5]\d)"
)


def _malformed(message: str, message_vi: str) -> CredentialError:
    return CredentialError(message, code="malformed", message_vi=message_vi)


def _signature_invalid(message: str) -> CredentialError:
    return CredentialError(
        message,
        code="signature_invalid",
        message_vi="Chữ ký số không hợp lệ: văn bản đã bị thay đổi sau khi ký.",
    )


def did_key_from_public_key(public_key: bytes) -> str:
    """Return the did:key DID (``did:key:z6Mk…``) of a 32-byte Ed25519 public key."""
    if not isinstance(public_key, bytes) or len(public_key) != 32:
        raise _malformed(
            "an Ed25519 public key is exactly 32 bytes",
            "Khóa công khai Ed25519 phải dài đúng 32 byte.",
        )
    return _DID_KEY_PREFIX + multibase_encode(_ED25519_PUB_PREFIX + public_key)


def verification_method_for(public_key: bytes) -> str:
    """Return the verification method id ``did:key:z6Mk…#z6Mk…`` of a public key."""
    did = did_key_from_public_key(public_key)
    return f"{did}#{did.removeprefix(_DID_KEY_PREFIX)}"


def public_key_from_did_key(did_or_vm: str) -> bytes:
    """Extract the 32-byte Ed25519 public key from a did:key DID or verification method.

    A fragment, when present, must repeat the DID's identifier.
    """
    if not isinstance(did_or_vm, str) or not did_or_vm.startswith(_DID_KEY_PREFIX):
        raise _malformed(
            f"verification method {str(did_or_vm)[:80]!r} is not a did:key",
            "Phương thức xác minh không phải là did:key.",
        )

    identifier, _, fragment = did_or_vm.removeprefix(_DID_KEY_PREFIX).partition("#")
    if fragment and fragment != identifier:
        raise _malformed(
            f"did:key fragment {fragment[:60]!r} does not match its identifier",
            "Phần sau dấu # của did:key không khớp với định danh.",
        )

    decoded = multibase_decode(identifier)
    if len(decoded) != 34 or not decoded.startswith(_ED25519_PUB_PREFIX):
        raise _malformed(
            "did:key is not an Ed25519 key (multicodec 0xed01 followed by 32 bytes)",
            "did:key không phải khóa Ed25519.",
        )
    return decoded[2:]


def private_key_from_multibase(text: str) -> Ed25519PrivateKey:
    """Load an Ed25519 private key from multibase ``z…`` (multicodec 0x1300 + 32-byte seed)."""
    decoded = multibase_decode(text)
    if len(decoded) != 34 or not decoded.startswith(_ED25519_PRIV_PREFIX):
        raise _malformed(
            "not a multibase Ed25519 private key (multicodec 0x1300 followed by 32 bytes)",
            "Không phải khóa bí mật Ed25519 dạng multibase.",
        )
    return Ed25519PrivateKey.from_private_bytes(decoded[2:])


def is_eddsa_proof(proof: Any) -> bool:
    """Return whether ``proof`` is a DataIntegrityProof object using eddsa-jcs-2022."""
    return (
        isinstance(proof, Mapping)
        and proof.get("type") == PROOF_TYPE
        and proof.get("cryptosuite") == CRYPTOSUITE
    )


def proof_config(document: Mapping[str, Any], proof_options: Mapping[str, Any]) -> dict[str, Any]:
    """Build the proof configuration: the options without ``proofValue``, plus the
    document's ``@context`` when the document has one."""
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    if "@context" in document:
        config["@context"] = copy.deepcopy(document["@context"])
    return config


def hash_data(document: Mapping[str, Any], config: Mapping[str, Any]) -> bytes:
    """Return the 64 signed bytes: sha256(JCS(config)) followed by sha256(JCS(document))."""
    config_hash = hashlib.sha256(canonicalize(config)).digest()
    document_hash = hashlib.sha256(canonicalize(document)).digest()
    return config_hash + document_hash


def _format_created(created: datetime | str) -> str:
    if isinstance(created, datetime):
        if created.tzinfo is None:
            raise _malformed(
                "proof creation time must carry a time zone",
                "Thời điểm ký phải có múi giờ.",
            )
        return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(created, str) and _DATETIME.fullmatch(created):
        return created
    raise _malformed(
        f"proof creation time {str(created)[:40]!r} is not an XML Schema dateTime with time zone",
        "Thời điểm ký không đúng định dạng ngày giờ (ví dụ 2026-05-30T03:00:00Z).",
    )


def _public_key_bytes(public_key: bytes | Ed25519PublicKey) -> bytes:
    if isinstance(public_key, Ed25519PublicKey):
        return public_key.public_bytes_raw()
    if isinstance(public_key, bytes) and len(public_key) == 32:
        return public_key
    raise _malformed(
        "an Ed25519 public key is exactly 32 bytes",
        "Khóa công khai Ed25519 phải dài đúng 32 byte.",
    )


def sign_credential(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | str,
    *,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Sign ``document`` with eddsa-jcs-2022 and return a copy whose ``proof`` is the proof.

    The input is not modified. ``created`` is a time-zone-aware datetime (written in
    UTC to the second) or an XML Schema dateTime string.
    """
    signed, _canonical = sign_credential_canonical(
        document, private_key, verification_method, created, proof_purpose=proof_purpose
    )
    return signed


def sign_credential_canonical(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | str,
    *,
    proof_purpose: str = "assertionMethod",
) -> tuple[dict[str, Any], bytes]:
    """Sign like ``sign_credential``; also return the RFC 8785 bytes of the signed credential.

    Its ``proof`` is the one eddsa proof, so the SHA-256 of these bytes is the
    credential's ``credentialDigest``. A plain JSON document is copied and checked in
    one walk, and each top-level member is canonicalized once for both the signed
    bytes and the returned bytes (``hocba.fastjcs``). Other documents take
    ``copy.deepcopy`` and ``canonicalize``, with the same result.
    """
    if not isinstance(document, Mapping):
        raise _malformed("the document must be a JSON object", "Văn bản phải là đối tượng JSON.")
    if "proof" in document:
        raise _malformed(
            "the document already has a proof; sign the document without proof",
            "Văn bản đã có chứng minh (proof); hãy ký văn bản chưa có proof.",
        )
    if not isinstance(private_key, Ed25519PrivateKey):
        raise _malformed(
            "the signing key must be an Ed25519 private key", "Khóa ký phải là Ed25519."
        )

    public_key = private_key.public_key().public_bytes_raw()
    if verification_method.startswith(_DID_KEY_PREFIX) and (
        public_key_from_did_key(verification_method) != public_key
    ):
        raise _malformed(
            "the verification method names a different key than the signing key",
            "Phương thức xác minh không khớp với khóa ký.",
        )

    plain = copy_plain_object(document)
    members = canonical_members(plain) if plain is not None else None
    unsecured = plain if plain is not None else copy.deepcopy(dict(document))
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _format_created(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    config = proof_config(unsecured, options)
    document_bytes = join_members(members) if members is not None else None
    if document_bytes is None:
        members = None
        document_bytes = canonicalize(unsecured)
    config_hash = hashlib.sha256(canonicalize(config)).digest()
    signature = private_key.sign(config_hash + hashlib.sha256(document_bytes).digest())

    proof = {**config, "proofValue": multibase_encode(signature)}
    signed = {**unsecured, "proof": proof}
    signed_bytes = None
    if members is not None:
        signed_bytes = join_members({**members, "proof": canonicalize(proof)})
    if signed_bytes is None:
        signed_bytes = canonicalize(signed)
    logger.debug("signed document with %s", verification_method)
    return signed, signed_bytes


def _check_proof_shape(proof: Any) -> None:
    if not is_eddsa_proof(proof):
        raise _malformed(
            f"proof is not a {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}",
            f"Chứng minh không phải {PROOF_TYPE} dùng {CRYPTOSUITE}.",
        )
    for name in ("verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(name), str):
            raise _malformed(
                f"proof member {name!r} is missing or not a string",
                f"Thiếu trường {name!r} trong chứng minh hoặc trường này không phải chuỗi.",
            )
    if "created" in proof and not (
        isinstance(proof["created"], str) and _DATETIME.fullmatch(proof["created"])
    ):
        raise _malformed(
            "proof member 'created' is not an XML Schema dateTime with time zone",
            "Trường 'created' của chứng minh không đúng định dạng ngày giờ.",
        )


def verify_eddsa_proof(
    document_without_proofs: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: bytes | Ed25519PublicKey,
) -> None:
    """Verify one eddsa-jcs-2022 proof over a document whose ``proof`` member was removed.

    Raises ``CredentialError`` with code ``malformed`` when the proof cannot be read
    and ``signature_invalid`` when it does not match the document or the key. Returns
    nothing on success.
    """
    verify_eddsa_proof_digest(document_without_proofs, proof, public_key)


def verify_eddsa_proof_digest(
    document_without_proofs: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: bytes | Ed25519PublicKey,
) -> bytes:
    """Verify like ``verify_eddsa_proof``; return the SHA-256 of JCS of the document with
    ``proof`` as its ``proof`` member.

    When ``proof`` is the credential's only eddsa proof, that is its ``credentialDigest``.
    A plain JSON document is canonicalized member by member once for both hashes.
    """
    if not isinstance(document_without_proofs, Mapping):
        raise _malformed("the document must be a JSON object", "Văn bản phải là đối tượng JSON.")
    if "proof" in document_without_proofs:
        raise _malformed(
            "remove the document's 'proof' member before verifying",
            "Cần bỏ trường 'proof' khỏi văn bản trước khi xác minh.",
        )
    _check_proof_shape(proof)
    key_bytes = _public_key_bytes(public_key)

    signature = multibase_decode(proof["proofValue"])
    if len(signature) != 64:
        raise _malformed(
            f"proofValue decodes to {len(signature)} bytes; an Ed25519 signature has 64",
            "Giá trị chữ ký (proofValue) không đúng độ dài 64 byte.",
        )

    # NOTE: the W3C algorithm accepts a document whose @context extends the proof's
    # @context. hocba never adds a context after signing, so it requires equality.
    if "@context" in proof and proof["@context"] != document_without_proofs.get("@context"):
        raise _signature_invalid("the document's @context differs from the proof's @context")

    method = proof["verificationMethod"]
    if method.startswith(_DID_KEY_PREFIX) and public_key_from_did_key(method) != key_bytes:
        raise _signature_invalid("the proof's verification method names a different key")

    config = proof_config(document_without_proofs, proof)
    members = None
    if type(document_without_proofs) is dict and is_plain_json(document_without_proofs):
        members = canonical_members(document_without_proofs)
    document_bytes = join_members(members) if members is not None else None
    if document_bytes is None:
        members = None
        document_bytes = canonicalize(document_without_proofs)
    signed_data = hashlib.sha256(canonicalize(config)).digest() + hashlib.sha256(
        document_bytes).digest()
    try:
        Ed25519PublicKey.from_public_bytes(key_bytes).verify(signature, signed_data)
    except InvalidSignature:
        logger.debug("eddsa proof by %s does not match the document", method)
        raise _signature_invalid("the Ed25519 signature does not match the document") from None

    with_proof = None
    if members is not None:
        with_proof = join_members({**members, "proof": canonicalize(proof)})
    if with_proof is None:
        with_proof = canonicalize({**document_without_proofs, "proof": proof})
    return hashlib.sha256(with_proof).digest()
