"""Anchoring Merkle roots: records, events, rejected roots and gas."""

from __future__ import annotations

from eth_utils import keccak

from tests.contracts.registry_env import Chain, make_batch

# A generous sanity bound, not a target: the expected figure is printed by test_anchor_gas.
ANCHOR_GAS_BOUND = 60_000


def test_anchor_records_batch(chain: Chain) -> None:
    root = keccak(b"batch 2025-2026 10A1")
    receipt = chain.send(chain.registry.functions.anchor(root), chain.roles.issuer)
    block = chain.w3.eth.get_block(receipt["blockNumber"])

    assert chain.view("batch", root) == {
        "issuer": chain.roles.issuer,
        "anchoredBlock": receipt["blockNumber"],
        "anchoredAt": block["timestamp"],
        "revokedBlock": 0,
        "revokedReason": 0,
    }


def test_anchor_emits_event(chain: Chain) -> None:
    root = keccak(b"batch event")
    receipt = chain.send(chain.registry.functions.anchor(root), chain.roles.issuer)

    assert chain.events(receipt, "BatchAnchored") == [{"root": root, "issuer": chain.roles.issuer}]


def test_anchor_gas(chain: Chain) -> None:
    roots = [keccak(b"gas %d" % i) for i in range(3)]
    used = [
        chain.send(chain.registry.functions.anchor(root), chain.roles.issuer)["gasUsed"]
        for root in roots
    ]
    print(f"\nanchor gas: {used}; registry deployment gas: {chain.deploy_gas}")

    assert max(used) < ANCHOR_GAS_BOUND


def test_anchor_single_leaf_batch(chain: Chain) -> None:
    batch = make_batch(7, 1)
    chain.send(chain.registry.functions.anchor(batch.root), chain.roles.issuer)

    assert batch.root == batch.leaves[0]
    assert chain.view("batch", batch.root)["issuer"] == chain.roles.issuer


def test_anchor_zero_root(chain: Chain) -> None:
    call = chain.registry.functions.anchor(b"\x00" * 32)
    assert chain.revert_of(call, chain.roles.issuer) == ("RegistryZeroRoot", {})


def test_anchor_duplicate_root(chain: Chain) -> None:
    call = chain.registry.functions.anchor(chain.batch.root)
    assert chain.revert_of(call, chain.roles.issuer) == (
        "RegistryRootAlreadyAnchored",
        {"root": chain.batch.root, "issuer": chain.roles.issuer},
    )


def test_anchor_root_of_other_issuer(chain: Chain) -> None:
    call = chain.registry.functions.anchor(chain.other_batch.root)
    assert chain.revert_of(call, chain.roles.issuer) == (
        "RegistryRootAlreadyAnchored",
        {"root": chain.other_batch.root, "issuer": chain.roles.other_issuer},
    )


def test_anchor_unaccredited(chain: Chain) -> None:
    call = chain.registry.functions.anchor(keccak(b"x"))
    assert chain.revert_of(call, chain.roles.fresh) == (
        "RegistryUnknownIssuer",
        {"issuer": chain.roles.fresh},
    )


def test_anchor_by_orphan_issuer(chain: Chain) -> None:
    receipt = chain.send(chain.registry.functions.anchor(keccak(b"o")), chain.roles.orphan_issuer)
    assert receipt["status"] == 1


def test_unknown_batch_zeros(chain: Chain) -> None:
    assert chain.view("batch", keccak(b"never")) == {
        "issuer": "0x" + "00" * 20,
        "anchoredBlock": 0,
        "anchoredAt": 0,
        "revokedBlock": 0,
        "revokedReason": 0,
    }
