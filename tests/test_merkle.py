"""OpenZeppelin-compatible Merkle tree (hocba.merkle) and the shared vectors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from hocba.anchoring import field_digest, field_salt, fields_root, flatten_fields
from hocba.errors import MerkleError
from hocba.merkle import MerkleTree, hash_pair, leaf_hash, process_proof, verify_proof
from scripts.make_merkle_vectors import render_vectors

MERKLE_DIR = Path(__file__).parent / "vectors" / "merkle"


def load_merkle_vectors(name: str = "vectors.json") -> dict[str, Any]:
    """Load a Merkle vector file from tests/vectors/merkle."""
    return json.loads((MERKLE_DIR / name).read_text(encoding="utf-8"))


def _b(hex_value: str) -> bytes:
    return bytes.fromhex(hex_value.removeprefix("0x"))


def _leaves(count: int, label: str = "leaf") -> list[bytes]:
    return [
        leaf_hash(*(hashlib.sha256(f"{label}/{i}/{part}".encode()).digest() for part in "abc"))
        for i in range(count)
    ]


@pytest.mark.parametrize("size", range(1, 18))
def test_every_proof_verifies(size):
    leaves = _leaves(size)
    tree = MerkleTree.build(leaves)
    for leaf in leaves:
        verify_proof(leaf, tree.proof(leaf), tree.root)


@pytest.mark.parametrize("size", range(1, 18))
def test_proof_length_bounded(size):
    leaves = _leaves(size)
    tree = MerkleTree.build(leaves)
    longest = max(len(tree.proof(leaf)) for leaf in leaves)
    assert longest == (size - 1).bit_length()  # ceil(log2(size))


def test_single_leaf_is_root():
    [leaf] = _leaves(1)
    assert MerkleTree.build([leaf]).root == leaf


def test_root_ignores_input_order():
    leaves = _leaves(9)
    assert MerkleTree.build(leaves).root == MerkleTree.build(reversed(leaves)).root


def test_leaf_is_double_keccak():
    a, b, c = (bytes([n]) * 32 for n in (1, 2, 3))
    assert leaf_hash(a, b, c) == keccak(keccak(a + b + c))


def test_inner_node_is_sorted_pair():
    low, high = bytes(32), b"\xff" * 32
    assert hash_pair(high, low) == keccak(low + high)


def test_second_preimage_fails():
    leaves = _leaves(4)
    tree = MerkleTree.build(leaves)
    first = tree.leaves[0]
    proof = tree.proof(first)
    inner_node = hash_pair(first, proof[0])

    # Bare MerkleProof arithmetic accepts the inner node with the shortened proof ...
    assert process_proof(inner_node, proof[1:]) == tree.root
    # ... but the inner node is not a leaf of the batch ...
    with pytest.raises(MerkleError) as excinfo:
        tree.proof(inner_node)
    assert excinfo.value.code == "merkle_unknown_leaf"
    # ... and a leaf built from the children as inputs is not the inner node.
    forged_leaf = leaf_hash(first, proof[0], bytes(32))
    with pytest.raises(MerkleError) as excinfo:
        verify_proof(forged_leaf, proof[1:], tree.root)
    assert excinfo.value.code == "merkle_root_mismatch"


def test_single_hash_would_collide():
    # Why leaves are hashed twice: a single keccak of the 64-byte children equals the node.
    leaves = _leaves(2)
    tree = MerkleTree.build(leaves)
    low, high = tree.leaves
    assert keccak(low + high) == tree.root
    assert keccak(keccak(low + high)) != tree.root


def test_duplicate_leaf_rejected():
    a, b, c = _leaves(3)
    with pytest.raises(MerkleError) as excinfo:
        MerkleTree.build([a, b, c, c])
    assert excinfo.value.code == "merkle_duplicate_leaf"


def test_odd_duplication_roots_differ():
    a, b, c = _leaves(3)
    d = _leaves(1, label="other")[0]
    assert MerkleTree.build([a, b, c]).root != MerkleTree.build([a, b, c, d]).root
    # The Bitcoin-style padding root of [a, b, c, c] is not the root of [a, b, c].
    padded = hash_pair(hash_pair(*sorted([a, b])), hash_pair(c, c))
    assert MerkleTree.build([a, b, c]).root != padded


def test_proof_over_max_depth_rejected():
    leaves = _leaves(5)
    tree = MerkleTree.build(leaves)
    proof = tree.proof(tree.leaves[0])
    with pytest.raises(MerkleError) as excinfo:
        verify_proof(tree.leaves[0], proof, tree.root, max_depth=len(proof) - 1)
    assert excinfo.value.code == "merkle_proof_too_long"


def test_proof_of_33_hashes_rejected():
    leaf = _leaves(1)[0]
    with pytest.raises(MerkleError) as excinfo:
        verify_proof(leaf, [leaf] * 33, leaf)
    assert excinfo.value.code == "merkle_proof_too_long"


def test_proof_at_max_depth_checked():
    leaf = _leaves(1)[0]
    root = process_proof(leaf, [leaf] * 32)
    verify_proof(leaf, [leaf] * 32, root)


def test_wrong_sibling_fails():
    leaves = _leaves(8)
    tree = MerkleTree.build(leaves)
    proof = tree.proof(tree.leaves[3])
    proof[1] = tree.leaves[7]
    with pytest.raises(MerkleError) as excinfo:
        verify_proof(tree.leaves[3], proof, tree.root)
    assert excinfo.value.code == "merkle_root_mismatch"


def test_wrong_root_fails():
    leaves = _leaves(3)
    tree = MerkleTree.build(leaves)
    with pytest.raises(MerkleError) as excinfo:
        verify_proof(leaves[0], tree.proof(leaves[0]), bytes(32))
    assert excinfo.value.code == "merkle_root_mismatch"


@pytest.mark.parametrize("bad", [b"", b"\x00" * 31, b"\x00" * 33, "00" * 32])
def test_bad_leaf_length_rejected(bad):
    with pytest.raises(MerkleError):
        MerkleTree.build([bad])


def test_empty_batch_rejected():
    with pytest.raises(MerkleError) as excinfo:
        MerkleTree.build([])
    assert excinfo.value.code == "merkle_empty"


@given(st.sets(st.binary(min_size=32, max_size=32), min_size=1, max_size=40))
def test_any_batch_verifies(leaves):
    tree = MerkleTree.build(leaves)
    for leaf in leaves:
        verify_proof(leaf, tree.proof(leaf), tree.root)


def test_openzeppelin_layout():
    expected = [_b(node) for node in load_merkle_vectors("openzeppelin-standard-tree.json")["tree"]]
    leaves = expected[11:]
    tree = MerkleTree.build(reversed(leaves))
    assert list(tree.nodes) == expected


def test_vector_file_current():
    assert (MERKLE_DIR / "vectors.json").read_text(encoding="utf-8") == render_vectors()


def test_vector_trees_consistent():
    for tree in load_merkle_vectors()["trees"]:
        for item in tree["inputs"]:
            inputs = (item["leafSalt"], item["credentialDigest"], item["fieldsRoot"])
            leaf = leaf_hash(*(_b(value) for value in inputs))
            assert leaf == _b(item["leaf"]), tree["size"]
        for entry in tree["proofs"]:
            verify_proof(_b(entry["leaf"]), [_b(n) for n in entry["proof"]], _b(tree["root"]))


def test_vector_wrong_sibling_fails():
    case = load_merkle_vectors()["invalidProofs"][0]
    with pytest.raises(MerkleError):
        verify_proof(_b(case["leaf"]), [_b(n) for n in case["proof"]], _b(case["root"]))


def test_vector_second_preimage_fails():
    case = load_merkle_vectors()["invalidProofs"][1]
    proof = [_b(n) for n in case["proof"]]
    assert process_proof(_b(case["leaf"]), proof) == _b(case["root"])
    with pytest.raises(MerkleError):
        verify_proof(_b(case["leafHashOfChildren"]), proof, _b(case["root"]))


def test_vector_fields_consistent():
    vector = load_merkle_vectors()["fields"]
    seed = _b(vector["fieldSeed"])
    listed = [(item["pointer"], item["value"]) for item in vector["fields"]]
    assert flatten_fields(vector["subject"]) == listed
    digests = []
    for item in vector["fields"]:
        salt = field_salt(seed, item["pointer"])
        assert salt == _b(item["salt"]), item["pointer"]
        digests.append(field_digest(salt, item["pointer"], item["value"]))
        assert digests[-1] == _b(item["digest"]), item["pointer"]
    assert fields_root(digests) == _b(vector["fieldsRoot"])
