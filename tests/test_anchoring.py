"""Field digests, leaves, the anchoring proof and the proof set (hocba.anchoring)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hocba.anchoring import (
    AnchorProof,
    attach_anchor_proof,
    compute_leaf,
    credential_digest,
    field_digest,
    field_salt,
    fields_root,
    fields_root_of_subject,
    flatten_fields,
    split_proofs,
)
from hocba.dataintegrity import sign_credential, verification_method_for, verify_eddsa_proof
from hocba.errors import CredentialError
from hocba.jcs import canonicalize, parse_json
from hocba.merkle import MerkleTree, verify_proof

FIXTURE = Path(__file__).parent / "fixtures" / "transcript_credential.json"
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
SEED = hashlib.sha256(b"test field seed").digest()
LEAF_SALT = hashlib.sha256(b"test leaf salt").digest()


@pytest.fixture(scope="module")
def credential() -> dict[str, Any]:
    return parse_json(FIXTURE.read_bytes())


@pytest.fixture(scope="module")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"test signing key").digest())


@pytest.fixture(scope="module")
def signed(credential, signing_key) -> dict[str, Any]:
    method = verification_method_for(signing_key.public_key().public_bytes_raw())
    return sign_credential(credential, signing_key, method, "2026-05-30T03:00:00Z")


def _anchor(**changes: Any) -> AnchorProof:
    values: dict[str, Any] = {
        "chain_id": 31337,
        "registry": REGISTRY,
        "transaction_hash": "0x" + "11" * 32,
        "block_number": 12,
        "merkle_root": b"\x22" * 32,
        "merkle_path": (b"\x33" * 32, b"\x44" * 32),
        "leaf_salt": LEAF_SALT,
        "field_seed": SEED,
    }
    values.update(changes)
    return AnchorProof(**values)


def _count_scalars(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_count_scalars(item) for item in value.values())
    if isinstance(value, list):
        return sum(_count_scalars(item) for item in value)
    return 1


def _resolve(document: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def test_flatten_fixture_count(credential):
    subject = credential["credentialSubject"]
    assert len(flatten_fields(subject)) == _count_scalars(subject)


def test_flatten_fixture_pointers_resolve(credential):
    subject = credential["credentialSubject"]
    for pointer, value in flatten_fields(subject):
        assert _resolve(subject, pointer) == value, pointer


def test_flatten_fixture_examples(credential):
    pointers = dict(flatten_fields(credential["credentialSubject"]))
    assert pointers["/identifier/0/identityHash"] == "Nguyễn Thị Ánh Dương"
    assert pointers["/identifier/0/hashed"] is False


def test_flatten_escapes_tokens():
    fields = flatten_fields({"a/b": {"m~n": 1, "~1": None}, "": [True]})
    assert fields == [("/a~1b/m~0n", 1), ("/a~1b/~01", None), ("//0", True)]


def test_flatten_rejects_float():
    with pytest.raises(CredentialError, match="/result/0"):
        flatten_fields({"result": [8.5]})


def test_flatten_rejects_non_object():
    with pytest.raises(CredentialError):
        flatten_fields(["not", "an", "object"])  # type: ignore[arg-type]


def test_field_salt_is_truncated_hmac():
    expected = hmac.new(SEED, b"/result/3/value", hashlib.sha256).digest()[:16]
    assert field_salt(SEED, "/result/3/value") == expected


def test_field_salt_needs_32_byte_seed():
    with pytest.raises(CredentialError):
        field_salt(SEED[:16], "/name")


def test_field_digest_known_bytes():
    expected = hashlib.sha256(b'["AAAAAAAAAAAAAAAAAAAAAA","/score","8.5"]').digest()
    assert field_digest(bytes(16), "/score", "8.5") == expected


def test_field_digest_distinguishes_types():
    salt = bytes(16)
    assert field_digest(salt, "/n", "1") != field_digest(salt, "/n", 1)


def test_fields_root_ignores_order():
    digests = [hashlib.sha256(bytes([n])).digest() for n in range(5)]
    assert fields_root(digests) == fields_root(reversed(digests))


def test_fields_root_known_bytes():
    digest = bytes(32)
    expected = hashlib.sha256(b'["' + b"00" * 32 + b'"]').digest()
    assert fields_root([digest]) == expected


def test_changed_score_changes_fields_root(credential):
    subject = copy.deepcopy(credential["credentialSubject"])
    before = fields_root_of_subject(subject, SEED)
    pointer = next(p for p, v in flatten_fields(subject) if p.endswith("/value"))
    parent = _resolve(subject, pointer.rsplit("/", 1)[0])
    parent["value"] = "9.9" if parent["value"] != "9.9" else "1.0"
    assert fields_root_of_subject(subject, SEED) != before


def test_digest_same_with_or_without_anchor(signed):
    anchored = attach_anchor_proof(signed, _anchor())
    assert credential_digest(anchored) == credential_digest(signed)


def test_digest_is_sha256_of_signed(signed):
    assert credential_digest(signed) == hashlib.sha256(canonicalize(signed)).digest()


def test_digest_accepts_list_of_one(signed):
    as_list = {**signed, "proof": [signed["proof"]]}
    assert credential_digest(as_list) == credential_digest(signed)


def test_leaf_depends_on_salt(signed):
    other_salt = hashlib.sha256(b"other").digest()
    assert compute_leaf(signed, LEAF_SALT, SEED) != compute_leaf(signed, other_salt, SEED)


def test_leaf_depends_on_seed(signed):
    other_seed = hashlib.sha256(b"other").digest()
    assert compute_leaf(signed, LEAF_SALT, SEED) != compute_leaf(signed, LEAF_SALT, other_seed)


def test_anchor_json_round_trip():
    proof = _anchor()
    assert AnchorProof.from_json(json.loads(json.dumps(proof.to_json()))) == proof


def test_anchor_json_shape():
    data = _anchor().to_json()
    assert data["type"] == "HocbaAnchorProof2026"
    assert data["merkleRoot"] == "0x" + "22" * 32
    assert data["merklePath"] == ["0x" + "33" * 32, "0x" + "44" * 32]


def test_anchor_lowercase_registry_normalised():
    data = _anchor().to_json()
    data["registry"] = REGISTRY.lower()
    assert AnchorProof.from_json(data).registry == REGISTRY


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("chainId", True),
        ("chainId", 0),
        ("chainId", "31337"),
        ("blockNumber", -1),
        ("blockNumber", False),
        ("registry", "0x5FBDB2315678AFECB367F032D93F642F64180AA3"),
        ("registry", "0x5fbdb2315678afecb367f032d93f642f64180aa"),
        ("registry", "5fbdb2315678afecb367f032d93f642f64180aa3"),
        ("transactionHash", "0x" + "AB" * 32),
        ("merkleRoot", "0x" + "ab" * 31),
        ("leafSalt", "ab" * 32),
        ("fieldSeed", None),
        ("merklePath", "0x" + "ab" * 32),
        ("merklePath", ["0x" + "ab" * 32] * 33),
        ("merklePath", ["0xAB" + "ab" * 31]),
        ("type", "DataIntegrityProof"),
    ],
)
def test_anchor_json_strict(member, value):
    data = _anchor().to_json()
    data[member] = value
    with pytest.raises(CredentialError) as excinfo:
        AnchorProof.from_json(data)
    assert excinfo.value.code == "malformed"


def test_anchor_unknown_key_rejected():
    data = {**_anchor().to_json(), "note": "x"}
    with pytest.raises(CredentialError, match="unknown member"):
        AnchorProof.from_json(data)


def test_anchor_missing_key_rejected():
    data = _anchor().to_json()
    del data["leafSalt"]
    with pytest.raises(CredentialError, match="missing member"):
        AnchorProof.from_json(data)


def test_anchor_tx_hash_bytes_normalised():
    assert _anchor(transaction_hash=b"\x11" * 32).transaction_hash == "0x" + "11" * 32


def test_anchor_tx_hash_uppercase_normalised():
    assert _anchor(transaction_hash="0x" + "AB" * 32).transaction_hash == "0x" + "ab" * 32


def test_anchor_constructor_checks_lengths():
    with pytest.raises(CredentialError):
        _anchor(merkle_root=b"\x22" * 31)


def test_attach_builds_proof_set(signed):
    anchored = attach_anchor_proof(signed, _anchor())
    assert anchored["proof"] == [signed["proof"], _anchor().to_json()]


def test_attach_twice_rejected(signed):
    anchored = attach_anchor_proof(signed, _anchor())
    with pytest.raises(CredentialError, match="already carries"):
        attach_anchor_proof(anchored, _anchor())


def test_split_returns_parts(signed):
    document, eddsa, anchor = split_proofs(attach_anchor_proof(signed, _anchor()))
    assert "proof" not in document
    assert eddsa == signed["proof"]
    assert anchor == _anchor()


def test_split_without_anchor(signed):
    assert split_proofs(signed)[2] is None


@pytest.mark.parametrize(
    "make_proof",
    [
        lambda eddsa, anchor: [eddsa, eddsa],
        lambda eddsa, anchor: [anchor],
        lambda eddsa, anchor: [],
        lambda eddsa, anchor: [eddsa, anchor, anchor],
        lambda eddsa, anchor: [eddsa, {"type": "BbsBlsSignature2020"}],
        lambda eddsa, anchor: [eddsa, "0x00"],
        lambda eddsa, anchor: "z3FXQ",
        lambda eddsa, anchor: {**eddsa, "cryptosuite": "ecdsa-jcs-2019"},
    ],
)
def test_split_rejects_bad_proof_sets(signed, make_proof):
    credential = {**signed, "proof": make_proof(signed["proof"], _anchor().to_json())}
    with pytest.raises(CredentialError) as excinfo:
        split_proofs(credential)
    assert excinfo.value.code == "malformed"


def test_split_rejects_missing_proof(credential):
    with pytest.raises(CredentialError, match="no proof"):
        split_proofs(credential)


def test_anchored_credential_end_to_end(signed, signing_key):
    leaf = compute_leaf(signed, LEAF_SALT, SEED)
    others = [hashlib.sha256(f"other {n}".encode()).digest() for n in range(6)]
    tree = MerkleTree.build([leaf, *others])
    anchor = _anchor(merkle_root=tree.root, merkle_path=tuple(tree.proof(leaf)))
    issued = canonicalize(attach_anchor_proof(signed, anchor))

    document, eddsa, parsed_anchor = split_proofs(parse_json(issued))
    verify_eddsa_proof(document, eddsa, signing_key.public_key().public_bytes_raw())
    assert parsed_anchor is not None
    recomputed = compute_leaf(
        {**document, "proof": eddsa}, parsed_anchor.leaf_salt, parsed_anchor.field_seed
    )
    verify_proof(recomputed, parsed_anchor.merkle_path, parsed_anchor.merkle_root)


def test_tampered_score_breaks_leaf(signed):
    leaf = compute_leaf(signed, LEAF_SALT, SEED)
    forged = copy.deepcopy(signed)
    subject = forged["credentialSubject"]
    pointer = next(p for p, _ in flatten_fields(subject) if p.endswith("/value"))
    parent = _resolve(subject, pointer.rsplit("/", 1)[0])
    parent["value"] = "10.0" if parent["value"] != "10.0" else "1.0"
    assert compute_leaf(forged, LEAF_SALT, SEED) != leaf


@pytest.mark.parametrize(
    "module_name",
    [
        "hocba.jcs",
        "hocba.multibase",
        "hocba.dataintegrity",
        "hocba.merkle",
        "hocba.anchorproof",
        "hocba.anchoring",
    ],
)
def test_public_names_defined(module_name):
    module = importlib.import_module(module_name)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []
