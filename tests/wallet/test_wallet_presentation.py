"""Presentations: a challenge-bound holder proof, replay to another verifier, embedded items."""

from __future__ import annotations

import copy
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hocba.dataintegrity import hash_data, proof_config
from hocba.multibase import multibase_encode
from hocba.status import Status
from tests.wallet.conftest import Issued
from wallet.disclosure import make_disclosure, results_and_conduct
from wallet.presentation import REPLAYED, make_presentation, verify_presentation

CHALLENGE = "b2f1c7e0-5a7d-4c1e-9a55-2f7d3f1e8c11"
DOMAIN = "https://tuyensinh.example.edu.vn"


def _present(issued: Issued, key: Ed25519PrivateKey, **options: Any) -> dict[str, Any]:
    credential = issued.credential(0)
    disclosure = make_disclosure(issued.credential(1), results_and_conduct(issued.credential(1)))
    return make_presentation([credential, disclosure], key,
                             challenge=options.get("challenge", CHALLENGE),
                             domain=options.get("domain", DOMAIN))


def _codes(result: Any) -> list[str]:
    return [check.code for check in result.checks if not check.passed]


def test_presentation_valid(shared: Issued) -> None:
    vp = _present(shared, Ed25519PrivateKey.generate())
    result = verify_presentation(vp, shared.context, challenge=CHALLENGE, domain=DOMAIN)
    assert result.status == "valid"
    assert [item.status for item in result.items] == [Status.VALID, Status.VALID]


def test_presentation_proof_shape(shared: Issued) -> None:
    key = Ed25519PrivateKey.generate()
    proof = _present(shared, key)["proof"]
    assert proof["proofPurpose"] == "authentication"
    assert proof["challenge"] == CHALLENGE
    assert proof["domain"] == DOMAIN
    assert proof["cryptosuite"] == "eddsa-jcs-2022"


def test_other_challenge_replayed(shared: Issued) -> None:
    vp = _present(shared, Ed25519PrivateKey.generate())
    result = verify_presentation(vp, shared.context, challenge="another-nonce", domain=DOMAIN)
    assert result.status == REPLAYED
    assert _codes(result) == ["presentation.challenge"]
    assert not result.valid


def test_other_domain_replayed(shared: Issued) -> None:
    vp = _present(shared, Ed25519PrivateKey.generate())
    result = verify_presentation(vp, shared.context, challenge=CHALLENGE,
                                 domain="https://other.example.vn")
    assert result.status == REPLAYED
    assert _codes(result) == ["presentation.domain"]


def test_rewritten_challenge_tampered(shared: Issued) -> None:
    vp = _present(shared, Ed25519PrivateKey.generate())
    vp["proof"]["challenge"] = "another-nonce"
    result = verify_presentation(vp, shared.context, challenge="another-nonce", domain=DOMAIN)
    assert result.status == "tampered"
    assert _codes(result) == ["presentation.signature"]


def test_swapped_record_tampered(shared: Issued) -> None:
    vp = _present(shared, Ed25519PrivateKey.generate())
    vp["verifiableCredential"][0] = copy.deepcopy(shared.credential(2))
    result = verify_presentation(vp, shared.context, challenge=CHALLENGE, domain=DOMAIN)
    assert result.status == "tampered"


def test_other_holder_key_tampered(shared: Issued) -> None:
    vp = _present(shared, Ed25519PrivateKey.generate())
    other = _present(shared, Ed25519PrivateKey.generate())
    vp["holder"] = other["holder"]
    result = verify_presentation(vp, shared.context, challenge=CHALLENGE, domain=DOMAIN)
    assert result.status == "tampered"
    assert _codes(result) == ["presentation.holder"]


def test_unbound_holder_noted(shared: Issued) -> None:
    vp = _present(shared, Ed25519PrivateKey.generate())
    result = verify_presentation(vp, shared.context, challenge=CHALLENGE, domain=DOMAIN)
    binding = next(check for check in result.checks
                   if check.code == "presentation.holder_binding")
    assert binding.passed
    assert "not that they are the student" in binding.message_en


def test_revoked_item_revoked(issued: Issued) -> None:
    vp = _present(issued, Ed25519PrivateKey.generate())
    issued.revoke(1)
    result = verify_presentation(vp, issued.context, challenge=CHALLENGE, domain=DOMAIN)
    assert result.status == "revoked"
    assert result.items[1].status is Status.REVOKED


def test_empty_presentation_malformed(shared: Issued) -> None:
    vp = _present(shared, Ed25519PrivateKey.generate())
    vp["verifiableCredential"] = []
    del vp["hocbaDisclosures"]
    result = verify_presentation(vp, shared.context, challenge=CHALLENGE, domain=DOMAIN)
    assert result.status == "malformed"


def test_non_object_entry_malformed(shared: Issued) -> None:
    key = Ed25519PrivateKey.generate()
    vp = make_presentation([shared.credential(0)], key, challenge=CHALLENGE, domain=DOMAIN)
    vp["verifiableCredential"].append(7)
    unsigned = {name: value for name, value in vp.items() if name != "proof"}
    config = proof_config(unsigned, {k: v for k, v in vp["proof"].items() if k != "proofValue"})
    vp["proof"]["proofValue"] = multibase_encode(key.sign(hash_data(unsigned, config)))
    result = verify_presentation(vp, shared.context, challenge=CHALLENGE, domain=DOMAIN)
    assert result.status == "malformed"
    assert result.items[1].status is Status.MALFORMED
