"""eddsa-jcs-2022 proofs and did:key (hocba.dataintegrity) against the W3C test vectors."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hocba.dataintegrity import (
    did_key_from_public_key,
    hash_data,
    private_key_from_multibase,
    proof_config,
    public_key_from_did_key,
    sign_credential,
    verification_method_for,
    verify_eddsa_proof,
)
from hocba.errors import CredentialError
from hocba.jcs import canonicalize, parse_json
from hocba.multibase import b58decode, b58encode, multibase_decode

W3C_DIR = Path(__file__).parent / "vectors" / "w3c-vc-di-eddsa"


def load_w3c_vector(name: str) -> Any:
    """Load a W3C eddsa vector: ``.json`` parsed strictly, ``.txt`` as stripped text."""
    path = W3C_DIR / name
    if path.suffix == ".json":
        return parse_json(path.read_bytes())
    return path.read_text(encoding="utf-8").strip()


@pytest.fixture(scope="module")
def key_pair():
    pair = load_w3c_vector("keyPair.json")
    private_key = private_key_from_multibase(pair["privateKeyMultibase"])
    public_key = public_key_from_did_key("did:key:" + pair["publicKeyMultibase"])
    return private_key, public_key


@pytest.fixture(scope="module")
def unsigned():
    return load_w3c_vector("unsigned.json")


@pytest.fixture(scope="module")
def options():
    return load_w3c_vector("eddsa-jcs-2022/proofConfigJCS.json")


def _split(signed: dict) -> tuple[dict, dict]:
    document = copy.deepcopy(signed)
    return document, document.pop("proof")


def test_key_pair_matches(key_pair):
    private_key, public_key = key_pair
    assert private_key.public_key().public_bytes_raw() == public_key


def test_canonical_document(unsigned):
    assert canonicalize(unsigned).decode() == load_w3c_vector("eddsa-jcs-2022/canonDocJCS.txt")


def test_canonical_proof_config(unsigned, options):
    config = proof_config(unsigned, options)
    expected = load_w3c_vector("eddsa-jcs-2022/proofCanonJCS.txt")
    assert canonicalize(config).decode() == expected


def test_combined_hash(unsigned, options):
    combined = hash_data(unsigned, proof_config(unsigned, options))
    assert combined.hex() == load_w3c_vector("eddsa-jcs-2022/combinedHashJCS.txt")


def test_signature_hex(key_pair, unsigned, options):
    private_key, _ = key_pair
    signature = private_key.sign(hash_data(unsigned, proof_config(unsigned, options)))
    assert signature.hex() == load_w3c_vector("eddsa-jcs-2022/sigHexJCS.txt")


def test_sign_reproduces_signed_vector(key_pair, unsigned, options):
    private_key, _ = key_pair
    signed = sign_credential(
        unsigned, private_key, options["verificationMethod"], options["created"]
    )
    assert signed == load_w3c_vector("eddsa-jcs-2022/signedJCS.json")


def test_proof_value_decodes_to_signature():
    signed = load_w3c_vector("eddsa-jcs-2022/signedJCS.json")
    signature = multibase_decode(signed["proof"]["proofValue"])
    assert signature.hex() == load_w3c_vector("eddsa-jcs-2022/sigHexJCS.txt")


def test_signed_vector_verifies(key_pair):
    document, proof = _split(load_w3c_vector("eddsa-jcs-2022/signedJCS.json"))
    verify_eddsa_proof(document, proof, key_pair[1])


@pytest.mark.parametrize(
    ("where", "change"),
    [
        ("document", lambda d, p: d["credentialSubject"].update(alumniOf="The School of Forgery")),
        ("document", lambda d, p: d.update(validFrom="2023-01-01T00:00:01Z")),
        ("document", lambda d, p: d["@context"].append("https://example.org/extra/v1")),
        ("proof", lambda d, p: p.update(created="2023-02-24T23:36:39Z")),
        ("proof", lambda d, p: p.update(proofPurpose="authentication")),
        ("proof", lambda d, p: p.update(proofValue=p["proofValue"][:-1] + "Y")),
    ],
)
def test_tampered_vector_fails(key_pair, where, change):
    document, proof = _split(load_w3c_vector("eddsa-jcs-2022/signedJCS.json"))
    change(document, proof)
    with pytest.raises(CredentialError) as excinfo:
        verify_eddsa_proof(document, proof, key_pair[1])
    assert excinfo.value.code == "signature_invalid", where


def test_other_key_fails(key_pair):
    document, proof = _split(load_w3c_vector("eddsa-jcs-2022/signedJCS.json"))
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    with pytest.raises(CredentialError) as excinfo:
        verify_eddsa_proof(document, proof, other)
    assert excinfo.value.code == "signature_invalid"


def test_document_with_proof_rejected(key_pair):
    signed = load_w3c_vector("eddsa-jcs-2022/signedJCS.json")
    with pytest.raises(CredentialError) as excinfo:
        verify_eddsa_proof(signed, signed["proof"], key_pair[1])
    assert excinfo.value.code == "malformed"


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.update(cryptosuite="eddsa-rdfc-2022"),
        lambda p: p.update(type="Ed25519Signature2020"),
        lambda p: p.pop("proofValue"),
        lambda p: p.update(proofValue="u" + p["proofValue"][1:]),
        lambda p: p.update(proofValue="z0OIl"),
        lambda p: p.update(proofValue=p["proofValue"][:40]),
        lambda p: p.update(created="24/02/2023"),
        lambda p: p.update(verificationMethod=7),
    ],
)
def test_unreadable_proof_malformed(key_pair, change):
    document, proof = _split(load_w3c_vector("eddsa-jcs-2022/signedJCS.json"))
    change(proof)
    with pytest.raises(CredentialError) as excinfo:
        verify_eddsa_proof(document, proof, key_pair[1])
    assert excinfo.value.code == "malformed"


def test_sign_does_not_modify_input(key_pair, unsigned, options):
    before = copy.deepcopy(unsigned)
    sign_credential(unsigned, key_pair[0], options["verificationMethod"], options["created"])
    assert unsigned == before


def test_sign_rejects_signed_document(key_pair, options):
    signed = load_w3c_vector("eddsa-jcs-2022/signedJCS.json")
    with pytest.raises(CredentialError, match="already has a proof"):
        sign_credential(signed, key_pair[0], options["verificationMethod"], options["created"])


def test_sign_rejects_foreign_method(unsigned, options):
    with pytest.raises(CredentialError, match="different key"):
        sign_credential(
            unsigned,
            Ed25519PrivateKey.generate(),
            options["verificationMethod"],
            "2026-01-01T00:00:00Z",
        )


def test_sign_datetime_written_in_utc(key_pair, unsigned):
    created = datetime(2026, 5, 30, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=7)))
    method = verification_method_for(key_pair[1])
    signed = sign_credential(unsigned, key_pair[0], method, created)
    assert signed["proof"]["created"] == "2026-05-30T03:00:00Z"


def test_sign_naive_datetime_rejected(key_pair, unsigned):
    method = verification_method_for(key_pair[1])
    with pytest.raises(CredentialError, match="time zone"):
        sign_credential(unsigned, key_pair[0], method, datetime(2026, 5, 30))


def test_sign_verify_round_trip(unsigned):
    private_key = Ed25519PrivateKey.generate()
    public_key = private_key.public_key().public_bytes_raw()
    signed = sign_credential(
        unsigned, private_key, verification_method_for(public_key), datetime.now(UTC)
    )
    document, proof = _split(signed)
    verify_eddsa_proof(document, proof, public_key)


def test_did_key_of_vector_key(key_pair):
    expected = "did:key:" + load_w3c_vector("keyPair.json")["publicKeyMultibase"]
    assert did_key_from_public_key(key_pair[1]) == expected


def test_verification_method_of_vector_key(key_pair, options):
    assert verification_method_for(key_pair[1]) == options["verificationMethod"]


def test_did_key_from_method(key_pair, options):
    assert public_key_from_did_key(options["verificationMethod"]) == key_pair[1]


@pytest.mark.parametrize(
    "value",
    [
        "did:web:school.example",
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6Mkother",
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ",
        "did:key:6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    ],
)
def test_bad_did_key_rejected(value):
    with pytest.raises(CredentialError) as excinfo:
        public_key_from_did_key(value)
    assert excinfo.value.code == "malformed"


@pytest.mark.parametrize("data", [b"", b"\x00", b"\x00\x00\x01", b"\xff" * 40, bytes(range(34))])
def test_base58_round_trip(data):
    assert b58decode(b58encode(data)) == data


def test_base58_known_value():
    # Bitcoin's base58 alphabet: "Hello World!" encodes to "2NEpo7TZRRrLZSi2U".
    assert b58encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"


def test_base58_sha_digest_round_trip():
    digest = hashlib.sha256(b"hocba").digest()
    assert b58decode(b58encode(digest)) == digest
