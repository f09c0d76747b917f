"""Merkle tree compatible with OpenZeppelin ``MerkleProof.verify`` (Contracts 5.x).

Leaves are ``keccak256(keccak256(abi.encode(bytes32, bytes32, bytes32)))``, the
OpenZeppelin ``StandardMerkleTree`` leaf, and an inner node is
``keccak256(min(a, b) || max(a, b))``. A leaf hashes 32 bytes and an inner node
hashes 64 bytes, so an inner node cannot be passed off as a leaf without a keccak256
preimage.

The tree layout follows ``@openzeppelin/merkle-tree``: the sorted leaves fill the end
of an array-backed complete binary tree, so a proof has at most ceil(log2(n)) hashes.
``MerkleProof.verify`` accepts any proof that hashes up to the root, whatever the layout.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from eth_abi import encode as abi_encode
from eth_utils import keccak

from hocba.errors import MerkleError

__all__ = [
    "MAX_PROOF_DEPTH",
    "MerkleTree",
    "hash_pair",
    "leaf_hash",
    "process_proof",
    "verify_proof",
]

logger = logging.getLogger(__name__)

# The batch size is not stored on chain, so the verifier bounds proofs by the depth of
# the largest tree that could be anchored (2**32 leaves).
MAX_PROOF_DEPTH = 32


def _require_bytes32(value: object, name: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != 32:
        raise MerkleError(
            f"{name} must be 32 bytes, got {type(value).__name__} of length "
            f"{len(value) if isinstance(value, bytes) else 'n/a'}",
            message_vi=f"{name} phải dài đúng 32 byte.",
        )
    return value


def leaf_hash(leaf_salt: bytes, credential_digest: bytes, fields_root: bytes) -> bytes:
    """Return the leaf hash of a credential.

    ``keccak256(keccak256(abi.encode(leafSalt, credentialDigest, fieldsRoot)))``
    """
    _require_bytes32(leaf_salt, "leaf salt")
    _require_bytes32(credential_digest, "credential digest")
    _require_bytes32(fields_root, "fields root")

    encoded = abi_encode(
        ["bytes32", "bytes32", "bytes32"], [leaf_salt, credential_digest, fields_root]
    )
    return keccak(keccak(encoded))


def hash_pair(a: bytes, b: bytes) -> bytes:
    """Return the inner node ``keccak256(min(a, b) || max(a, b))``.

    Same as OpenZeppelin ``Hashes.commutativeKeccak256``.
    """
    return keccak(a + b) if a < b else keccak(b + a)


def process_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """Return the root reached from ``leaf`` through ``proof`` (``MerkleProof.processProof``)."""
    computed = _require_bytes32(leaf, "leaf")
    for index, sibling in enumerate(proof):
        computed = hash_pair(computed, _require_bytes32(sibling, f"proof element {index}"))
    return computed


def verify_proof(
    leaf: bytes, proof: Sequence[bytes], root: bytes, max_depth: int = MAX_PROOF_DEPTH
) -> None:
    """Check that ``proof`` leads from ``leaf`` to ``root``; raise ``MerkleError`` if not.

    Codes: ``merkle_proof_too_long`` when the proof has more than ``max_depth``
    hashes, ``merkle_root_mismatch`` when it leads to another root.
    """
    _require_bytes32(root, "root")
    if isinstance(proof, bytes | str) or not isinstance(proof, Sequence):
        raise MerkleError("a Merkle proof must be a list of 32-byte hashes")
    if len(proof) > max_depth:
        raise MerkleError(
            f"Merkle proof has {len(proof)} hashes; the maximum is {max_depth}",
            code="merkle_proof_too_long",
            message_vi=f"Đường dẫn Merkle dài {len(proof)} bước, vượt quá giới hạn {max_depth}.",
        )

    if process_proof(leaf, proof) != root:
        raise MerkleError(
            f"Merkle proof for leaf 0x{leaf.hex()} does not lead to root 0x{root.hex()}",
            code="merkle_root_mismatch",
            message_vi="Đường dẫn Merkle không dẫn tới gốc đã ghi nhận trên chuỗi khối.",
        )


@dataclass(frozen=True)
class MerkleTree:
    """Array-backed Merkle tree over sorted, distinct 32-byte leaves.

    ``nodes[0]`` is the root, the children of node ``i`` are ``2i + 1`` and
    ``2i + 2``, and the leaves occupy the last ``len(leaves)`` slots.
    """

    leaves: tuple[bytes, ...]
    nodes: tuple[bytes, ...]
    _positions: dict[bytes, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_positions", {leaf: i for i, leaf in enumerate(self.leaves)})

    @classmethod
    def build(cls, leaves: Iterable[bytes]) -> MerkleTree:
        """Build the tree; raise ``MerkleError`` on an empty batch, a bad or duplicate leaf."""
        checked = [_require_bytes32(leaf, "leaf") for leaf in leaves]
        if not checked:
            raise MerkleError("cannot build a Merkle tree without leaves", code="merkle_empty")

        ordered = sorted(checked)
        for previous, current in itertools.pairwise(ordered):
            if previous == current:
                raise MerkleError(
                    f"duplicate leaf 0x{current.hex()} in the batch",
                    code="merkle_duplicate_leaf",
                    message_vi="Lô có hai lá Merkle trùng nhau.",
                )

        size = 2 * len(ordered) - 1
        nodes: list[bytes] = [b""] * size
        for position, leaf in enumerate(ordered):
            nodes[size - 1 - position] = leaf
        for index in range(size - 1 - len(ordered), -1, -1):
            nodes[index] = hash_pair(nodes[2 * index + 1], nodes[2 * index + 2])

        logger.debug("built Merkle tree over %d leaves", len(ordered))
        return cls(leaves=tuple(ordered), nodes=tuple(nodes))

    @property
    def root(self) -> bytes:
        """The Merkle root (equal to the leaf when the batch has one leaf)."""
        return self.nodes[0]

    def proof(self, leaf: bytes) -> list[bytes]:
        """Return the sibling hashes from ``leaf`` up to the root, leaf side first."""
        _require_bytes32(leaf, "leaf")
        position = self._positions.get(leaf)
        if position is None:
            raise MerkleError(
                f"0x{leaf.hex()} is not a leaf of this tree", code="merkle_unknown_leaf"
            )

        index = len(self.nodes) - 1 - position
        path: list[bytes] = []
        while index > 0:
            sibling = index + 1 if index % 2 == 1 else index - 1
            path.append(self.nodes[sibling])
            index = (index - 1) // 2
        return path
