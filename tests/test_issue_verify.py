"""Issue a class, anchor it and verify: every status the verifier can return.

These run on the in-process chain; ``test_node_flow.py`` repeats the main path
against a real anvil process.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hocba.anchoring import AnchorProof, attach_anchor_proof, compute_leaf, split_proofs
from hocba.chain import connect_embedded
from hocba.dataintegrity import sign_credential, verification_method_for
from hocba.merkle import MerkleTree
from hocba.registry import RevocationReason
from hocba.settings import RegistryRef
from hocba.status import Status
from issuer.curriculum import load_curriculum
from issuer.issuance import AnchoredBatch, SchoolSigner, anchor_batch, prepare_batch
from issuer.records import ClassRecords
from issuer.revocation import revoke_batch, revoke_credential
from scripts.sample_data import generate_school
from tests.network import Network
from verifier.engine import VerifierContext, verify_credential


def small_class(size: int = 5) -> ClassRecords:
    first = generate_school(7, "2025-2026")[2]
    return replace(first, students=first.students[:size])


def issue(network: Network, signer: SchoolSigner | None = None,
          class_records: ClassRecords | None = None) -> AnchoredBatch:
    signer = signer or network.school
    prepared = prepare_batch(class_records or small_class(), signer, curriculum=load_curriculum())
    return anchor_batch(prepared, signer, registry=network.registry, engine=network.engine)


def context_for(network: Network, **overrides: Any) -> VerifierContext:
    return VerifierContext(network.settings, chains={network.chain.chain_id: network.chain},
                           **overrides)


def status_of(network: Network, credential: dict[str, Any], **overrides: Any) -> Status:
    return verify_credential(json.dumps(credential), context_for(network, **overrides)).status


def failed_codes(network: Network, credential: dict[str, Any]) -> list[str]:
    result = verify_credential(json.dumps(credential), context_for(network))
    return [check.code for check in result.checks if not check.passed]


def resign(credential: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """Strip every proof and sign again with ``key`` (a forger re-signing edited content)."""
    document, _, _ = split_proofs(credential)
    method = verification_method_for(key.public_key().public_bytes_raw())
    return sign_credential(document, key, method, datetime.now(UTC))


def anchor_alone(network: Network, signer: SchoolSigner, signed: dict[str, Any]) -> dict[str, Any]:
    """Anchor one signed credential as a batch of one, as ``signer``."""
    leaf_salt, field_seed = b"\x01" * 32, b"\x02" * 32
    tree = MerkleTree.build([compute_leaf(signed, leaf_salt, field_seed)])
    tx = network.registry.anchor(signer.account, tree.root)
    proof = AnchorProof(network.chain.chain_id, network.registry.address, tx.transaction_hash,
                        tx.block_number, tree.root, [], leaf_salt, field_seed)
    return attach_anchor_proof(signed, proof)


def test_issued_credential_valid(network: Network) -> None:
    batch = issue(network)
    result = verify_credential(json.dumps(batch.credentials[0].credential), context_for(network))
    assert result.status is Status.VALID
    assert result.issuer is not None
    assert result.issuer["name"] == "Trường THCS Phú Hòa Đông"
    assert result.issuer["accreditorName"] == "UBND xã Phú Hòa Đông"
    assert result.anchored is not None
    assert result.anchored["block"] == batch.tx.block_number
    assert result.block is not None and result.block >= batch.tx.block_number


def test_every_credential_of_batch_valid(network: Network) -> None:
    batch = issue(network)
    statuses = {status_of(network, item.credential) for item in batch.credentials}
    assert statuses == {Status.VALID}


def test_changed_score_tampered(network: Network) -> None:
    from scripts.demo_documents import raise_one_score

    batch = issue(network)
    forged = raise_one_score(batch.credentials[0].credential)
    assert status_of(network, forged) is Status.TAMPERED
    assert failed_codes(network, forged) == ["signature.eddsa"]


def test_nfd_name_tampered(network: Network) -> None:
    import unicodedata

    batch = issue(network)
    forged = copy.deepcopy(batch.credentials[0].credential)
    name = forged["credentialSubject"]["identifier"][0]
    name["identityHash"] = unicodedata.normalize("NFD", name["identityHash"])
    assert name["identityHash"] != batch.credentials[0].credential["credentialSubject"][
        "identifier"][0]["identityHash"]
    assert status_of(network, forged) is Status.TAMPERED


def test_swapped_merkle_path_tampered(network: Network) -> None:
    batch = issue(network)
    first = copy.deepcopy(batch.credentials[0].credential)
    second = batch.credentials[1].credential
    first["proof"][1]["merklePath"] = second["proof"][1]["merklePath"]
    assert status_of(network, first) is Status.TAMPERED
    assert failed_codes(network, first) == ["anchor.merkle"]


def test_changed_leaf_salt_tampered(network: Network) -> None:
    batch = issue(network)
    forged = copy.deepcopy(batch.credentials[0].credential)
    forged["proof"][1]["leafSalt"] = "0x" + "ab" * 32
    assert status_of(network, forged) is Status.TAMPERED


def test_inner_node_as_root_not_anchored(network: Network) -> None:
    """A shortened path that stops at an inner node names a root that was never anchored."""
    batch = issue(network, class_records=small_class(8))
    forged = copy.deepcopy(batch.credentials[0].credential)
    path = forged["proof"][1]["merklePath"]
    _, _, anchor = split_proofs(batch.credentials[0].credential)
    assert anchor is not None
    from hocba.merkle import process_proof

    inner = process_proof(batch.credentials[0].leaf, anchor.merkle_path[:1])
    forged["proof"][1]["merklePath"] = path[:1]
    forged["proof"][1]["merkleRoot"] = "0x" + inner.hex()
    assert status_of(network, forged) is Status.NOT_ANCHORED


def test_unanchored_credential_not_anchored(network: Network) -> None:
    batch = issue(network)
    document, eddsa, _ = split_proofs(batch.credentials[0].credential)
    assert status_of(network, {**document, "proof": eddsa}) is Status.NOT_ANCHORED


def test_revoked_credential_revoked(network: Network) -> None:
    batch = issue(network)
    target = batch.credentials[1]
    tx = revoke_credential(network.keys, network.registry, network.engine,
                           credential_id=target.credential_id,
                           reason_code=RevocationReason.ISSUED_IN_ERROR, reason="test")
    result = verify_credential(json.dumps(target.credential), context_for(network))
    assert result.status is Status.REVOKED
    revoked = next(check for check in result.checks if check.code == "status.revoked")
    assert revoked.details["block"] == tx.block_number
    assert status_of(network, batch.credentials[0].credential) is Status.VALID


def test_revoked_batch_revoked(network: Network) -> None:
    batch = issue(network)
    revoke_batch(network.keys, network.registry, network.engine, batch_id=batch.batch_id,
                 reason_code=RevocationReason.FRAUD, reason="test")
    statuses = {status_of(network, item.credential) for item in batch.credentials}
    assert statuses == {Status.REVOKED}


def test_suspended_then_reinstated(network: Network) -> None:
    batch = issue(network)
    target = batch.credentials[0]
    _, _, anchor = split_proofs(target.credential)
    assert anchor is not None
    network.registry.suspend_credential(network.school.account, anchor.merkle_root, target.leaf,
                                        anchor.merkle_path)
    assert status_of(network, target.credential) is Status.SUSPENDED
    network.registry.reinstate_credential(network.school.account, anchor.merkle_root,
                                          target.leaf, anchor.merkle_path)
    assert status_of(network, target.credential) is Status.VALID


def test_withdrawn_before_anchor_not_accredited(network: Network) -> None:
    from issuer.accreditation import withdraw_school

    school = network.register("79785499", "Trường THCS Thái Mỹ")
    accredited_from = network.registry.issuer(school.account.address)["accreditedFrom"]
    batch = issue(network, signer=school)
    withdraw_school(network.keys, network.registry, network.engine, school_code="79785499",
                    accreditor_unit_code="27010", cutoff_block=accredited_from + 1,
                    reason="test")
    assert status_of(network, batch.credentials[0].credential) is Status.ISSUER_NOT_ACCREDITED


def test_withdrawn_after_anchor_stays_valid(network: Network) -> None:
    from issuer.accreditation import withdraw_school

    school = network.register("79785498", "Trường THCS Nhuận Đức")
    batch = issue(network, signer=school)
    withdraw_school(network.keys, network.registry, network.engine, school_code="79785498",
                    accreditor_unit_code="27010", cutoff_block=batch.tx.block_number + 1,
                    reason="test")
    assert status_of(network, batch.credentials[0].credential) is Status.VALID


def test_key_revoked_before_anchor_not_valid(network: Network) -> None:
    before = issue(network)
    public_key = network.school.public_key
    network.registry.revoke_issuer_key(network.school.account, network.school.account.address,
                                       public_key, before.tx.block_number + 1)
    from issuer.accreditation import accreditor_key_name

    accreditor = network.keys.account(accreditor_key_name("27010"))
    network.registry.add_issuer_key(accreditor, network.school.account.address, b"\x09" * 32)
    after = issue(network)
    assert status_of(network, before.credentials[0].credential) is Status.VALID
    assert status_of(network, after.credentials[0].credential) is Status.KEY_NOT_VALID


def test_fake_issuer_rejected(network: Network) -> None:
    """Another accredited school signs with its own key and names the victim school."""
    victim = network.school
    forger = network.register("79785497", "Trường THCS Giả Mạo")
    batch = issue(network)
    forged = resign(batch.credentials[0].credential, forger.signing_key)
    anchored = anchor_alone(network, forger, forged)
    result = verify_credential(json.dumps(anchored), context_for(network))
    assert anchored["issuer"]["id"].endswith(victim.account.address)
    assert result.status is Status.NOT_ANCHORED
    assert [c.code for c in result.checks if not c.passed] == ["anchor.issuer"]


def test_unregistered_key_not_valid(network: Network) -> None:
    """The school's own account anchors a credential signed by a key nobody registered."""
    batch = issue(network)
    forged = resign(batch.credentials[0].credential, Ed25519PrivateKey.generate())
    anchored = anchor_alone(network, network.school, forged)
    assert status_of(network, anchored) is Status.KEY_NOT_VALID


def test_other_registry_wrong_network(network: Network) -> None:
    batch = issue(network)
    forged = copy.deepcopy(batch.credentials[0].credential)
    forged["proof"][1]["registry"] = "0x" + "11" * 20
    assert status_of(network, forged) is Status.WRONG_NETWORK


def test_other_chain_id_wrong_network(network: Network) -> None:
    batch = issue(network)
    forged = copy.deepcopy(batch.credentials[0].credential)
    forged["proof"][1]["chainId"] = 1
    assert status_of(network, forged) is Status.WRONG_NETWORK


def test_copied_registry_wrong_network(network: Network, tmp_path) -> None:
    """A copy of the registry deployed by someone else is not in the trusted list."""
    from tests.network import build_network

    copy_network = build_network(network.chain, tmp_path / "copy")
    batch = issue(copy_network)
    assert status_of(network, batch.credentials[0].credential) is Status.WRONG_NETWORK


def test_old_generation_still_trusted(network: Network) -> None:
    batch = issue(network)
    newer = replace(network.settings, trusted=(
        RegistryRef(network.chain.chain_id, "0x" + "22" * 20), *network.settings.trusted))
    context = VerifierContext(newer, chains={network.chain.chain_id: network.chain})
    assert verify_credential(json.dumps(batch.credentials[0].credential), context).valid


def test_chain_missing_unavailable(network: Network) -> None:
    batch = issue(network)
    context = VerifierContext(network.settings, chains={})
    result = verify_credential(json.dumps(batch.credentials[0].credential), context)
    assert result.status is Status.UNAVAILABLE


def test_tampered_reported_without_chain(network: Network) -> None:
    from scripts.demo_documents import raise_one_score

    batch = issue(network)
    forged = raise_one_score(batch.credentials[0].credential)
    context = VerifierContext(network.settings, chains={})
    assert verify_credential(json.dumps(forged), context).status is Status.TAMPERED


def test_other_chain_connection_unavailable(network: Network) -> None:
    """A chain with the right id but without the registry's state never yields valid."""
    batch = issue(network)
    empty = connect_embedded()
    context = VerifierContext(network.settings, chains={network.chain.chain_id: empty})
    result = verify_credential(json.dumps(batch.credentials[0].credential), context)
    assert result.status is not Status.VALID


@pytest.mark.parametrize("text", [b"", b"not json", b"[1, 2]", b'{"a": 1, "a": 2}',
                                  b'{"score": 8.5}'])
def test_garbage_malformed(network: Network, text: bytes) -> None:
    assert verify_credential(text, context_for(network)).status is Status.MALFORMED


def test_duplicate_key_in_credential_malformed(network: Network) -> None:
    batch = issue(network)
    text = json.dumps(batch.credentials[0].credential, ensure_ascii=False)
    doubled = text.replace('"name": ', '"name": "X", "name": ', 1)
    assert verify_credential(doubled.encode(), context_for(network)).status is Status.MALFORMED


def test_expired_credential_expired(network: Network) -> None:
    batch = issue(network)
    later = datetime.now(UTC) + timedelta(days=400)
    document, _, _ = split_proofs(batch.credentials[0].credential)
    document["validUntil"] = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    signed = sign_credential(document, network.school.signing_key,
                             verification_method_for(network.school.public_key), datetime.now(UTC))
    anchored = anchor_alone(network, network.school, signed)
    assert status_of(network, anchored) is Status.VALID
    assert status_of(network, anchored, now=lambda: later) is Status.EXPIRED


def test_future_credential_not_yet_valid(network: Network) -> None:
    batch = issue(network)
    earlier = datetime.now(UTC) - timedelta(days=30)
    assert status_of(network, batch.credentials[0].credential,
                     now=lambda: earlier) is Status.NOT_YET_VALID


def test_issuer_name_from_registry_not_credential(network: Network) -> None:
    batch = issue(network)
    document, _, _ = split_proofs(batch.credentials[0].credential)
    document["issuer"]["name"] = "Trường THPT Chuyên Lê Hồng Phong"
    signed = sign_credential(document, network.school.signing_key,
                             verification_method_for(network.school.public_key), datetime.now(UTC))
    result = verify_credential(json.dumps(anchor_alone(network, network.school, signed)),
                               context_for(network))
    assert result.status is Status.VALID
    assert result.issuer is not None
    assert result.issuer["name"] == "Trường THCS Phú Hòa Đông"
