"""The registry client's behaviour suite, on the in-process EVM and on anvil and Hardhat."""

from __future__ import annotations

import pytest
from eth_account import Account

from hocba.chain import Chain, FeePolicy, connect_embedded, connect_rpc
from hocba.errors import ChainError, RegistryRevertError
from hocba.localnode import LocalNode
from hocba.merkle import MerkleTree
from hocba.registry import RegistryClient, RevocationReason
from tests.network import Network


def root_of(*labels: bytes) -> tuple[MerkleTree, list[bytes]]:
    leaves = [label.ljust(32, b"\x00") for label in labels]
    return MerkleTree.build(leaves), leaves


def test_anchor_recorded(any_network: Network) -> None:
    tree, _ = root_of(b"a", b"b", b"c")
    tx = any_network.registry.anchor(any_network.school.account, tree.root)
    batch = any_network.registry.batch(tree.root)
    assert batch["issuer"] == any_network.school.account.address
    assert batch["anchoredBlock"] == tx.block_number
    assert batch["anchoredAt"] > 0


def test_duplicate_root_error_with_values(any_network: Network) -> None:
    tree, _ = root_of(b"a", b"b")
    any_network.registry.anchor(any_network.school.account, tree.root)
    with pytest.raises(RegistryRevertError) as caught:
        any_network.registry.anchor(any_network.school.account, tree.root)
    assert caught.value.error_name == "RegistryRootAlreadyAnchored"
    assert caught.value.args_by_name["root"] == tree.root
    assert caught.value.args_by_name["issuer"] == any_network.school.account.address


def test_stranger_cannot_anchor(any_network: Network) -> None:
    stranger = Account.create()
    any_network.chain.fund(stranger.address)
    tree, _ = root_of(b"x")
    with pytest.raises(RegistryRevertError) as caught:
        any_network.registry.anchor(stranger, tree.root)
    assert caught.value.error_name in {"RegistryUnknownIssuer", "RegistryIssuerNotAccredited"}


def test_verification_state_at_pinned_block(any_network: Network) -> None:
    tree, leaves = root_of(b"a", b"b", b"c")
    registry, school = any_network.registry, any_network.school
    registry.anchor(school.account, tree.root)
    before, _ = any_network.chain.pinned_block()
    tx = registry.revoke_credential(school.account, tree.root, leaves[0], tree.proof(leaves[0]),
                                    RevocationReason.SUPERSEDED)

    at_before = registry.verification_state(tree.root, leaves[0], school.account.address,
                                            school.public_key, block=before)
    at_after = registry.verification_state(tree.root, leaves[0], school.account.address,
                                           school.public_key, block=tx.block_number)
    assert at_before["credentialRevokedBlock"] == 0
    assert at_after["credentialRevokedBlock"] == tx.block_number
    assert at_after["credentialRevokedReason"] == RevocationReason.SUPERSEDED
    assert at_after["issuerName"] == "Trường THCS Phú Hòa Đông"
    assert at_after["keyAddedBlock"] > 0


def test_revoke_with_wrong_proof_rejected(any_network: Network) -> None:
    tree, leaves = root_of(b"a", b"b", b"c", b"d")
    registry, school = any_network.registry, any_network.school
    registry.anchor(school.account, tree.root)
    with pytest.raises(RegistryRevertError) as caught:
        registry.revoke_credential(school.account, tree.root, leaves[0], tree.proof(leaves[1]),
                                   RevocationReason.SUPERSEDED)
    assert caught.value.error_name == "RegistryInvalidProof"


def test_other_school_cannot_revoke(any_network: Network) -> None:
    tree, leaves = root_of(b"a", b"b")
    other = any_network.register("79785490", "Trường THCS An Nhơn Tây")
    any_network.registry.anchor(any_network.school.account, tree.root)
    with pytest.raises(RegistryRevertError) as caught:
        any_network.registry.revoke_credential(other.account, tree.root, leaves[0],
                                               tree.proof(leaves[0]), RevocationReason.FRAUD)
    assert caught.value.error_name == "RegistryNotBatchIssuer"
    assert caught.value.args_by_name["caller"] == other.account.address


def test_nonces_strictly_increase(any_network: Network) -> None:
    school, registry, chain = any_network.school, any_network.registry, any_network.chain
    start = chain.w3.eth.get_transaction_count(school.account.address)
    roots = [root_of(bytes([i]) + b"n")[0].root for i in range(6)]
    hashes = [chain.send_without_waiting(school.account, registry.anchor_transaction(root))
              for root in roots]
    receipts = [chain.wait(tx_hash) for tx_hash in hashes]
    nonces = [chain.w3.eth.get_transaction(tx_hash)["nonce"] for tx_hash in hashes]
    assert nonces == list(range(start, start + 6))
    assert all(registry.batch(root)["anchoredBlock"] for root in roots)
    assert len(receipts) == 6


def test_transactions_typed_with_chain_id(any_network: Network) -> None:
    tree, _ = root_of(b"typed")
    tx = any_network.registry.anchor(any_network.school.account, tree.root)
    sent = any_network.chain.w3.eth.get_transaction(tx.transaction_hash)
    assert sent["type"] == 2
    assert sent["chainId"] == any_network.chain.chain_id


def test_zero_fee_on_anvil(anvil_node: LocalNode, tmp_path) -> None:
    from tests.network import build_network

    chain = connect_rpc(anvil_node.rpc_url, expected_chain_id=anvil_node.chain_id)
    network = build_network(chain, tmp_path / "home")
    tree, _ = root_of(b"free")
    tx = network.registry.anchor(network.school.account, tree.root)
    sent = chain.w3.eth.get_transaction(tx.transaction_hash)
    assert sent["maxFeePerGas"] == 0
    assert chain.w3.eth.get_balance(network.school.account.address) == 0


def test_fee_cap_rejects() -> None:
    policy = FeePolicy(priority_fee=1, max_fee_cap=10)
    with pytest.raises(ChainError) as caught:
        policy.fees_for(base_fee=100)
    assert caught.value.code == "fee_cap_exceeded"


def test_wrong_chain_id_rejected(anvil_node: LocalNode) -> None:
    with pytest.raises(ChainError) as caught:
        connect_rpc(anvil_node.rpc_url, expected_chain_id=2026)
    assert caught.value.code == "wrong_network"


def test_unreachable_node_unavailable() -> None:
    from tests.conftest import free_port

    with pytest.raises(ChainError) as caught:
        connect_rpc(f"http://127.0.0.1:{free_port()}")
    assert caught.value.code == "chain_unavailable"


def test_registry_code_check(any_chain: Chain) -> None:
    empty = RegistryClient(any_chain, "0x" + "33" * 20)
    assert empty.is_deployed() is False


def test_embedded_chain_isolated() -> None:
    first, second = connect_embedded(), connect_embedded()
    account = Account.create()
    first.fund(account.address)
    assert first.w3.eth.get_balance(account.address) > 0
    assert second.w3.eth.get_balance(account.address) == 0
