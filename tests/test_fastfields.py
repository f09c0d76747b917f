"""The fast field digests and signing path write the reference definitions' bytes exactly."""

from __future__ import annotations

import copy
import gc
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from hocba import fastfields
from hocba.anchoring import (
    compute_leaf,
    credential_digest,
    field_digest,
    field_digests,
    field_salt,
    fields_root,
    fields_root_of_subject,
    flatten_fields,
    leaf_of_parts,
    split_proofs,
)
from hocba.dataintegrity import (
    sign_credential,
    sign_credential_canonical,
    verification_method_for,
    verify_eddsa_proof,
    verify_eddsa_proof_digest,
)
from hocba.errors import CredentialError
from hocba.fastfields import fast_field_digests, fields_root_of_digests
from hocba.fastjcs import canonical_members, copy_plain_object, fast_canonical, join_members
from hocba.jcs import canonicalize
from issuer.issuance import paused_gc

FIXTURE = Path(__file__).parent / "fixtures" / "transcript_credential.json"
VECTORS = Path(__file__).parent / "vectors" / "merkle" / "vectors.json"
SEED = bytes(range(32))
CREATED = datetime(2026, 5, 30, 3, 0, tzinfo=UTC)
SAFE = 2**53 - 1

# Keys with "~" and "/" (escaped in pointers), non-ASCII and the U+E000+ range, and
# every code point in values, lone surrogates included.
ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None),
                   max_size=8)
KEYS = st.one_of(ANY_TEXT, st.sampled_from(["a/b", "~", "~1", "", "/", "điểm", "\ue000",
                                            "\U0001f600"]))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-SAFE, SAFE),
                    st.sampled_from([SAFE + 1, -(2**64)]), ANY_TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(KEYS, children, max_size=4)),
    max_leaves=30,
)
SUBJECTS = st.dictionaries(KEYS, VALUES, max_size=6)
SEEDS = st.binary(min_size=32, max_size=32)


def _reference_digests(subject: dict[str, Any], seed: bytes) -> dict[str, bytes]:
    return {pointer: field_digest(field_salt(seed, pointer), pointer, value)
            for pointer, value in flatten_fields(subject)}


def _outcome(function: Any, *args: Any) -> Any:
    """Return the function's result, or the type of the exception it raises."""
    try:
        return function(*args)
    except Exception as error:  # the reference raises several types; compare them
        return type(error)


@pytest.fixture(scope="module")
def subject() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["credentialSubject"]


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))


@pytest.fixture(scope="module")
def unsigned() -> dict[str, Any]:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    document.pop("proof", None)
    return document


@settings(max_examples=400, deadline=None)
@given(SUBJECTS, SEEDS)
def test_random_digests_match(subject: dict[str, Any], seed: bytes) -> None:
    fast = fast_field_digests(subject, seed)
    if fast is not None:
        assert dict(zip(*fast, strict=True)) == _reference_digests(subject, seed)


@settings(max_examples=400, deadline=None)
@given(SUBJECTS, SEEDS)
def test_random_roots_match(subject: dict[str, Any], seed: bytes) -> None:
    expected = _outcome(lambda: fields_root(_reference_digests(subject, seed).values()))
    assert _outcome(fields_root_of_subject, subject, seed) == expected


@settings(max_examples=200, deadline=None)
@given(SUBJECTS, SEEDS)
def test_random_digest_maps_match(subject: dict[str, Any], seed: bytes) -> None:
    expected = _outcome(_reference_digests, subject, seed)
    assert _outcome(field_digests, subject, seed) == expected


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=6), SEEDS)
def test_plain_subjects_take_fast_path(subject: dict[str, Any], seed: bytes) -> None:
    assert fast_field_digests(subject, seed) is not None


def test_fixture_root_matches(subject):
    expected = fields_root(_reference_digests(subject, SEED).values())
    assert fields_root_of_subject(subject, SEED) == expected


def test_fixture_order_matches(subject):
    fast = fast_field_digests(subject, SEED)
    assert fast is not None
    assert fast[0] == [pointer for pointer, _ in flatten_fields(subject)]


def test_vector_fields_fast():
    vector = json.loads(VECTORS.read_text(encoding="utf-8"))["fields"]
    fast = fast_field_digests(vector["subject"], bytes.fromhex(vector["fieldSeed"][2:]))
    assert fast is not None
    assert [digest.hex() for digest in fast[1]] == [item["digest"][2:]
                                                    for item in vector["fields"]]


def test_vector_root_fast():
    vector = json.loads(VECTORS.read_text(encoding="utf-8"))["fields"]
    root = fields_root_of_subject(vector["subject"], bytes.fromhex(vector["fieldSeed"][2:]))
    assert root.hex() == vector["fieldsRoot"][2:]


def test_empty_subject_root():
    assert fields_root_of_subject({}, SEED) == fields_root([])


def test_empty_digest_list_root():
    assert fields_root_of_digests([]) == hashlib.sha256(b"[]").digest()


@pytest.mark.parametrize("subject", [
    {"score": 1.5},
    {"big": 2**60},
    {"items": ("a", "b")},
    {"text": "\ud800"},
    {1: "integer key"},
])
def test_non_plain_subject_falls_back(subject):
    assert fast_field_digests(subject, SEED) is None


def test_short_seed_falls_back():
    assert fast_field_digests({"a": "b"}, bytes(31)) is None


def test_short_seed_still_rejected():
    with pytest.raises(CredentialError):
        fields_root_of_subject({"a": "b"}, bytes(31))


def test_float_field_still_rejected():
    with pytest.raises(CredentialError):
        fields_root_of_subject({"score": 1.5}, SEED)


def test_pointer_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(fastfields, "_CACHE_LIMIT", 3)
    monkeypatch.setattr(fastfields, "_pointer_cache", {})
    monkeypatch.setattr(fastfields, "_token_cache", {})
    subject = {f"k{index}": index for index in range(10)}
    assert fields_root_of_subject(subject, SEED) == fields_root(
        _reference_digests(subject, SEED).values())
    assert len(fastfields._pointer_cache) <= 3
    assert len(fastfields._token_cache) <= 3


def test_copy_plain_is_deep(unsigned):
    copied = copy_plain_object(unsigned)
    assert copied == unsigned
    copied["credentialSubject"]["result"][0]["value"] = "changed"
    assert unsigned["credentialSubject"]["result"][0]["value"] != "changed"


@pytest.mark.parametrize("document", [
    {"score": 1.5},
    {"big": -(2**53)},
    {"items": ("a",)},
    {"\U0001f600": 1, "\ue000": 2},
    [],
])
def test_copy_plain_rejects(document):
    assert copy_plain_object(document) is None


def test_joined_members_match(unsigned):
    plain = copy_plain_object(unsigned)
    assert plain is not None
    members = canonical_members(plain)
    assert members is not None
    assert join_members(members) == fast_canonical(unsigned)


def test_signed_same_as_reference(unsigned, key):
    method = verification_method_for(key.public_key().public_bytes_raw())
    signed, _canonical = sign_credential_canonical(unsigned, key, method, CREATED)
    assert signed == sign_credential(copy.deepcopy(unsigned), key, method, CREATED)


def test_signed_bytes_canonical(unsigned, key):
    method = verification_method_for(key.public_key().public_bytes_raw())
    signed, canonical = sign_credential_canonical(unsigned, key, method, CREATED)
    assert canonical == canonicalize(signed)


def test_signed_bytes_give_digest(unsigned, key):
    method = verification_method_for(key.public_key().public_bytes_raw())
    signed, canonical = sign_credential_canonical(unsigned, key, method, CREATED)
    assert hashlib.sha256(canonical).digest() == credential_digest(signed)


def test_signed_non_plain_verifies(key):
    # A tuple is not plain JSON, so signing takes copy.deepcopy and canonicalize.
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "tags": ("a", "b")}
    method = verification_method_for(key.public_key().public_bytes_raw())
    signed, canonical = sign_credential_canonical(document, key, method, CREATED)
    assert canonical == canonicalize(signed)
    proof = signed.pop("proof")
    verify_eddsa_proof(signed, proof, key.public_key())


def test_signing_leaves_input(unsigned, key):
    before = copy.deepcopy(unsigned)
    method = verification_method_for(key.public_key().public_bytes_raw())
    signed, _canonical = sign_credential_canonical(unsigned, key, method, CREATED)
    signed["credentialSubject"]["result"][0]["value"] = "changed"
    assert unsigned == before


def test_paused_gc_restores():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_gc_keeps_disabled():
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_verify_digest_is_credential_digest(unsigned, key):
    method = verification_method_for(key.public_key().public_bytes_raw())
    signed = sign_credential(unsigned, key, method, CREATED)
    document = {name: value for name, value in signed.items() if name != "proof"}
    digest = verify_eddsa_proof_digest(document, signed["proof"], key.public_key())
    assert digest == credential_digest(signed)


def test_verify_digest_non_plain(key):
    # A tuple is not plain JSON, so verifying takes canonicalize for both hashes.
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "tags": ("a", "b")}
    method = verification_method_for(key.public_key().public_bytes_raw())
    signed = sign_credential(document, key, method, CREATED)
    proof = signed.pop("proof")
    digest = verify_eddsa_proof_digest(signed, proof, key.public_key())
    assert digest == hashlib.sha256(canonicalize({**signed, "proof": proof})).digest()


def test_verify_digest_rejects_tampering(unsigned, key):
    method = verification_method_for(key.public_key().public_bytes_raw())
    signed = sign_credential(unsigned, key, method, CREATED)
    proof = signed.pop("proof")
    signed["credentialSubject"]["result"][0]["value"] = "changed"
    with pytest.raises(CredentialError) as caught:
        verify_eddsa_proof_digest(signed, proof, key.public_key())
    assert caught.value.code == "signature_invalid"


def test_leaf_of_parts_matches(unsigned, key):
    method = verification_method_for(key.public_key().public_bytes_raw())
    signed = sign_credential(unsigned, key, method, CREATED)
    document, proof, _anchor = split_proofs(signed)
    expected = compute_leaf(signed, bytes(32), SEED)
    assert leaf_of_parts(document, proof, bytes(32), SEED) == expected
