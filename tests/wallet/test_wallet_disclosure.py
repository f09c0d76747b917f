"""Selective disclosure: hidden fields still verify, any change is tampered, revocation shows."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from hocba.errors import CredentialError
from hocba.status import Status
from tests.wallet.conftest import Issued
from verifier.disclosure import verify_disclosure
from wallet.disclosure import hide_birth_date, make_disclosure, results_and_conduct


def _results_only(issued: Issued, index: int = 0) -> dict[str, Any]:
    credential = issued.credential(index)
    return make_disclosure(credential, results_and_conduct(credential))


def _revealed(disclosure: dict[str, Any]) -> dict[str, Any]:
    return {pointer: value for pointer, value, _salt in disclosure["revealed"]}


def _failed(result: Any) -> list[str]:
    return [check.code for check in result.checks if not check.passed]


def test_results_disclosure_valid(shared: Issued) -> None:
    disclosure = _results_only(shared)
    result = verify_disclosure(json.dumps(disclosure), shared.context)
    assert result.status is Status.VALID
    assert result.issuer is not None
    assert result.issuer["name"] == "Trường THCS Phú Hòa Đông"


def test_results_disclosure_hides_scores(shared: Issued) -> None:
    revealed = _revealed(_results_only(shared))
    values = set(revealed.values())
    assert "Tốt" in values or "Khá" in values or "Giỏi" in values or "Đạt" in values
    birth_date = shared.credential()["credentialSubject"]["identifier"][1]["identityHash"]
    assert birth_date not in values
    references = [value for pointer, value in revealed.items()
                  if pointer.endswith("/resultDescription")]
    assert references
    assert all(":academic:" in ref or ":conduct:" in ref for ref in references)


def test_disclosure_has_no_field_seed(shared: Issued) -> None:
    disclosure = _results_only(shared)
    assert "fieldSeed" not in disclosure["anchor"]
    assert "fieldSeed" not in json.dumps(disclosure)


def test_result_lists_disclosed_fields(shared: Issued) -> None:
    disclosure = _results_only(shared)
    result = verify_disclosure(disclosure, shared.context)
    check = next(check for check in result.checks if check.code == "disclosure.merkle")
    assert check.details["disclosed"] == [triple[0] for triple in disclosure["revealed"]]
    assert check.details["hiddenCount"] == len(disclosure["hiddenDigests"])
    signature = next(check for check in result.checks if check.code == "disclosure.signature")
    assert "cannot be checked" in signature.message_en


def test_hide_birth_date_valid(shared: Issued) -> None:
    credential = shared.credential(1)
    disclosure = make_disclosure(credential, hide_birth_date(credential))
    assert len(disclosure["hiddenDigests"]) == 4
    assert verify_disclosure(disclosure, shared.context).status is Status.VALID


def test_changed_value_tampered(shared: Issued) -> None:
    disclosure = _results_only(shared)
    for triple in disclosure["revealed"]:
        if triple[0].endswith("/value"):
            triple[1] = "Tốt" if triple[1] != "Tốt" else "Khá"
            break
    result = verify_disclosure(disclosure, shared.context)
    assert result.status is Status.TAMPERED
    assert _failed(result) == ["disclosure.merkle"]


def test_moved_value_tampered(shared: Issued) -> None:
    disclosure = _results_only(shared)
    first = disclosure["revealed"][0]
    first[0] = first[0] + "x"
    assert verify_disclosure(disclosure, shared.context).status is Status.TAMPERED


def test_dropped_hidden_digest_tampered(shared: Issued) -> None:
    disclosure = _results_only(shared)
    del disclosure["hiddenDigests"][3]
    result = verify_disclosure(disclosure, shared.context)
    assert result.status is Status.TAMPERED


def test_added_hidden_digest_tampered(shared: Issued) -> None:
    disclosure = _results_only(shared)
    disclosure["hiddenDigests"] = sorted(disclosure["hiddenDigests"] + ["ab" * 32])
    assert verify_disclosure(disclosure, shared.context).status is Status.TAMPERED


def test_dropped_revealed_field_tampered(shared: Issued) -> None:
    disclosure = _results_only(shared)
    disclosure["revealed"].pop()
    assert verify_disclosure(disclosure, shared.context).status is Status.TAMPERED


def test_other_credential_digest_tampered(shared: Issued) -> None:
    disclosure = _results_only(shared)
    disclosure["credentialDigest"] = _results_only(shared, 1)["credentialDigest"]
    assert verify_disclosure(disclosure, shared.context).status is Status.TAMPERED


def test_other_issuer_not_anchored(issued: Issued) -> None:
    other = issued.network.register("79785402", "Trường THCS Khác")
    disclosure = _results_only(issued)
    chain_id = issued.network.chain.chain_id
    disclosure["issuer"] = copy.deepcopy(disclosure["issuer"])
    disclosure["issuer"]["id"] = f"did:pkh:eip155:{chain_id}:{other.account.address}"
    assert verify_disclosure(disclosure, issued.context).status is Status.NOT_ANCHORED


def test_revoked_disclosure_revoked(issued: Issued) -> None:
    disclosure = _results_only(issued, 2)
    issued.revoke(2)
    assert verify_disclosure(disclosure, issued.context).status is Status.REVOKED


def test_unsorted_hidden_malformed(shared: Issued) -> None:
    disclosure = _results_only(shared)
    disclosure["hiddenDigests"].reverse()
    assert verify_disclosure(disclosure, shared.context).status is Status.MALFORMED


def test_field_seed_in_anchor_malformed(shared: Issued) -> None:
    disclosure = _results_only(shared)
    disclosure["anchor"]["fieldSeed"] = shared.credential()["proof"][1]["fieldSeed"]
    assert verify_disclosure(disclosure, shared.context).status is Status.MALFORMED


def test_untrusted_registry_wrong_network(shared: Issued) -> None:
    disclosure = _results_only(shared)
    disclosure["anchor"]["registry"] = "0x" + "11" * 20
    assert verify_disclosure(disclosure, shared.context).status is Status.WRONG_NETWORK


@pytest.mark.parametrize("text", [b"", b"[]", b'{"type": "HocbaDisclosure2026"}'])
def test_garbage_malformed(shared: Issued, text: bytes) -> None:
    assert verify_disclosure(text, shared.context).status is Status.MALFORMED


def test_unknown_pointer_rejected(shared: Issued) -> None:
    with pytest.raises(CredentialError) as caught:
        make_disclosure(shared.credential(), ["/noSuchField"])
    assert caught.value.code == "disclosure_invalid"


def test_unanchored_credential_rejected(shared: Issued) -> None:
    credential = copy.deepcopy(shared.credential())
    credential["proof"] = credential["proof"][0]
    with pytest.raises(CredentialError) as caught:
        make_disclosure(credential, ["/schoolYear"])
    assert caught.value.code == "disclosure_invalid"
