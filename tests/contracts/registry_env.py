"""The registry test chain: deployment, a populated base state, and a small Merkle tree.

Base state (account index → role):
  0 admin (owner)            1 accreditor            3 other accreditor
  7 removed accreditor       2 issuer (of 1)         4 other issuer (of 3)
  8 issuer of the removed accreditor                 5 withdrawn issuer (of 1)
  6 fresh account            9 stranger
Issuer 2 has the signing key ``KEY`` and has anchored ``batch`` (five leaves, leaf 1
suspended). Issuer 4 has ``OTHER_KEY`` and has anchored ``other_batch``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from eth_utils import keccak
from web3 import EthereumTesterProvider, Web3
from web3.contract import Contract
from web3.types import TxReceipt

from hocba.artifact import load_artifact
from hocba.merkle import MerkleTree, leaf_hash
from hocba.revert import decode_revert, revert_data_from_exception

KEY = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
OTHER_KEY = bytes.fromhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
NEW_KEY = bytes.fromhex("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025")

ADMIN_UNIT = 26734
OTHER_ADMIN_UNIT = 26740
REMOVED_ADMIN_UNIT = 26737


# ---------------------------------------------------------------- Merkle tree


def merkle_tree(leaves: list[bytes]) -> tuple[bytes, dict[bytes, list[bytes]]]:
    """Build the tree with hocba.merkle and return its root and the proof of every leaf."""
    tree = MerkleTree.build(leaves)
    return tree.root, {leaf: tree.proof(leaf) for leaf in tree.leaves}


@dataclass(frozen=True)
class Batch:
    """An anchored test batch: its root, leaves and their proofs."""

    root: bytes
    leaves: list[bytes]
    proofs: dict[bytes, list[bytes]]

    def proof(self, index: int) -> list[bytes]:
        return self.proofs[self.leaves[index]]


def make_batch(tag: int, size: int) -> Batch:
    """Create a batch of ``size`` distinct leaves derived from ``tag``."""
    leaves = [
        leaf_hash(keccak(b"salt%d-%d" % (tag, i)), keccak(b"vc%d-%d" % (tag, i)), keccak(b"f"))
        for i in range(size)
    ]
    root, proofs = merkle_tree(leaves)
    return Batch(root=root, leaves=leaves, proofs=proofs)


# ---------------------------------------------------------------- chain helpers


@dataclass(frozen=True)
class Roles:
    admin: str
    accreditor: str
    issuer: str
    other_accreditor: str
    other_issuer: str
    withdrawn_issuer: str
    fresh: str
    removed_accreditor: str
    orphan_issuer: str
    stranger: str


@dataclass
class Chain:
    """The test chain with its deployed registry and helpers to send and expect reverts."""

    w3: Web3
    registry: Contract
    abi: list[dict[str, Any]]
    roles: Roles
    batch: Batch
    other_batch: Batch
    deploy_gas: int

    def send(self, call: Any, sender: str) -> TxReceipt:
        """Send ``call`` from ``sender`` and return its receipt (fails the test on revert)."""
        tx_hash = call.transact({"from": sender})
        return self.w3.eth.wait_for_transaction_receipt(tx_hash)

    def revert_of(self, call: Any, sender: str) -> tuple[str, dict[str, Any]]:
        """Send ``call`` from ``sender``, expect a revert and return the decoded error."""
        try:
            call.transact({"from": sender})
        except Exception as exc:  # both revert exception kinds land here
            data = revert_data_from_exception(exc)
            if data is None:
                raise
            return decode_revert(self.abi, data)
        pytest.fail("the transaction did not revert")

    def view(self, name: str, *args: Any) -> Any:
        """Call the view ``name`` and return a struct result as a dict keyed by field name."""
        result = getattr(self.registry.functions, name)(*args).call()
        entry = next(e for e in self.abi if e.get("type") == "function" and e["name"] == name)
        output = entry["outputs"][0]
        if output["type"] != "tuple":
            return result
        return dict(zip([c["name"] for c in output["components"]], result, strict=True))

    def head(self) -> int:
        """Return the latest block number; the next transaction runs in ``head() + 1``."""
        return self.w3.eth.block_number

    def events(self, receipt: TxReceipt, name: str) -> list[dict[str, Any]]:
        """Return the arguments of every ``name`` event in ``receipt``."""
        event = getattr(self.registry.events, name)()
        return [dict(log["args"]) for log in event.process_receipt(receipt)]


def build_chain() -> Chain:
    """Deploy the registry on a fresh in-process chain and populate the base state."""
    artifact = load_artifact()
    w3 = Web3(EthereumTesterProvider())
    accounts = w3.eth.accounts
    roles = Roles(
        admin=accounts[0],
        accreditor=accounts[1],
        issuer=accounts[2],
        other_accreditor=accounts[3],
        other_issuer=accounts[4],
        withdrawn_issuer=accounts[5],
        fresh=accounts[6],
        removed_accreditor=accounts[7],
        orphan_issuer=accounts[8],
        stranger=accounts[9],
    )
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor(roles.admin).transact({"from": roles.admin})
    )
    registry = w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])
    chain = Chain(
        w3=w3,
        registry=registry,
        abi=artifact["abi"],
        roles=roles,
        batch=make_batch(1, 5),
        other_batch=make_batch(2, 3),
        deploy_gas=receipt["gasUsed"],
    )
    fn = registry.functions

    appointments = [
        (roles.accreditor, "UBND phường Bến Thành", ADMIN_UNIT),
        (roles.other_accreditor, "Sở GD&ĐT", OTHER_ADMIN_UNIT),
        (roles.removed_accreditor, "UBND xã cũ", REMOVED_ADMIN_UNIT),
    ]
    for account, name, unit in appointments:
        chain.send(fn.appointAccreditor(account, name, unit), roles.admin)
    accreditations = [
        (roles.accreditor, roles.issuer, "79000701", ADMIN_UNIT, "Trường THCS Văn Lang"),
        (
            roles.other_accreditor,
            roles.other_issuer,
            "79000888",
            OTHER_ADMIN_UNIT,
            "Trường THPT Lê Quý Đôn",
        ),
        (roles.accreditor, roles.withdrawn_issuer, "79000702", ADMIN_UNIT, "Trường TH Cũ"),
        (
            roles.removed_accreditor,
            roles.orphan_issuer,
            "79000703",
            REMOVED_ADMIN_UNIT,
            "Trường TH Mồ Côi",
        ),
    ]
    for by, account, school_code, unit, name in accreditations:
        chain.send(fn.accreditIssuer(account, school_code, unit, name), by)
    chain.send(fn.removeAccreditor(roles.removed_accreditor), roles.admin)
    chain.send(fn.addIssuerKey(roles.issuer, KEY), roles.accreditor)
    chain.send(fn.addIssuerKey(roles.other_issuer, OTHER_KEY), roles.other_accreditor)
    chain.send(fn.withdrawIssuer(roles.withdrawn_issuer, chain.head()), roles.accreditor)
    chain.send(fn.anchor(chain.batch.root), roles.issuer)
    chain.send(fn.anchor(chain.other_batch.root), roles.other_issuer)
    chain.send(
        fn.suspendCredential(chain.batch.root, chain.batch.leaves[1], chain.batch.proof(1)),
        roles.issuer,
    )
    return chain
