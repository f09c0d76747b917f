"""Write the shared Merkle, leaf and field-digest vectors to tests/vectors/merkle/vectors.json.

The Python tests and the Solidity tests read the same file. Every input is derived
from a fixed label with SHA-256, so running the script again gives identical bytes.

    python -m scripts.make_merkle_vectors [--check] [OUTPUT]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

from hocba.anchoring import field_digest, field_salt, fields_root, flatten_fields
from hocba.merkle import MerkleTree, hash_pair, leaf_hash

__all__ = ["DEFAULT_OUTPUT", "TREE_SIZES", "build_vectors", "main", "render_vectors"]

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = PROJECT_ROOT / "tests" / "vectors" / "merkle" / "vectors.json"
TREE_SIZES = (1, 2, 3, 4, 5, 8, 13)

# A small subject covering each scalar type, RFC 6901 escaping and Vietnamese text (NFC).
FIELDS_SUBJECT: dict[str, Any] = {
    "name": "Nguyễn Thị Ánh Dương",
    "a/b": "slash in key",
    "m~n": "tilde in key",
    "score": "8.5",
    "absences": 3,
    "promoted": True,
    "note": None,
    "result": [{"value": "Đạt"}, "Chưa đạt"],
    "empty": {},
}


def _derive(label: str) -> bytes:
    return hashlib.sha256(label.encode("utf-8")).digest()


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _unhex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def _tree_vector(size: int) -> dict[str, Any]:
    inputs = []
    for index in range(size):
        leaf_salt = _derive(f"hocba-merkle-vector/{size}/{index}/leafSalt")
        credential_digest = _derive(f"hocba-merkle-vector/{size}/{index}/credentialDigest")
        root_of_fields = _derive(f"hocba-merkle-vector/{size}/{index}/fieldsRoot")
        inputs.append(
            {
                "leafSalt": _hex(leaf_salt),
                "credentialDigest": _hex(credential_digest),
                "fieldsRoot": _hex(root_of_fields),
                "leaf": _hex(leaf_hash(leaf_salt, credential_digest, root_of_fields)),
            }
        )

    tree = MerkleTree.build(_unhex(item["leaf"]) for item in inputs)
    return {
        "size": size,
        "inputs": inputs,
        "sortedLeaves": [_hex(leaf) for leaf in tree.leaves],
        "root": _hex(tree.root),
        "proofs": [
            {
                "leaf": item["leaf"],
                "proof": [_hex(node) for node in tree.proof(_unhex(item["leaf"]))],
            }
            for item in inputs
        ],
    }


def _invalid_vectors(tree_vector: dict[str, Any]) -> list[dict[str, Any]]:
    """Return proofs for the 4-leaf tree that the hocba verifier rejects; each has a ``reason``."""
    leaves = [_unhex(leaf) for leaf in tree_vector["sortedLeaves"]]
    tree = MerkleTree.build(leaves)
    first = leaves[0]
    proof = tree.proof(first)
    inner_node = hash_pair(first, proof[0])
    return [
        {
            "reason": "wrong sibling: the first proof element replaced by another leaf",
            "leaf": _hex(first),
            "proof": [_hex(leaves[2]), *(_hex(node) for node in proof[1:])],
            "root": _hex(tree.root),
        },
        {
            "reason": "second preimage: an inner node given as the leaf with the shortened proof; "
            "the on-chain check passes, so the verifier must compute the leaf from its inputs",
            "leaf": _hex(inner_node),
            "proof": [_hex(node) for node in proof[1:]],
            "root": _hex(tree.root),
            "leafHashOfChildren": _hex(leaf_hash(first, proof[0], bytes(32))),
        },
    ]


def _fields_vector() -> dict[str, Any]:
    field_seed = _derive("hocba-fields-vector/fieldSeed")
    fields: list[dict[str, Any]] = []
    digests: list[bytes] = []
    for pointer, value in flatten_fields(FIELDS_SUBJECT):
        salt = field_salt(field_seed, pointer)
        digests.append(field_digest(salt, pointer, value))
        fields.append(
            {
                "pointer": pointer,
                "value": value,
                "salt": _hex(salt),
                "digest": _hex(digests[-1]),
            }
        )
    return {
        "fieldSeed": _hex(field_seed),
        "subject": FIELDS_SUBJECT,
        "fields": fields,
        "fieldsRoot": _hex(fields_root(digests)),
    }


def build_vectors() -> dict[str, Any]:
    """Build the vector document; see ``tests/vectors/merkle/PROVENANCE.md`` for its layout."""
    trees = [_tree_vector(size) for size in TREE_SIZES]
    four_leaves = next(tree for tree in trees if tree["size"] == 4)
    return {
        "leafEncoding": ["bytes32 leafSalt", "bytes32 credentialDigest", "bytes32 fieldsRoot"],
        "leafHash": "keccak256(keccak256(abi.encode(leafSalt, credentialDigest, fieldsRoot)))",
        "innerNode": "keccak256(min(a, b) || max(a, b))",
        "trees": trees,
        "invalidProofs": _invalid_vectors(four_leaves),
        "fields": _fields_vector(),
    }


def render_vectors() -> str:
    """Return the vector document as the exact text written to disk."""
    return json.dumps(build_vectors(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the vectors, or with ``--check`` exit 1 when the file on disk is out of date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    arguments = parser.parse_args(argv)

    text = render_vectors()
    if arguments.check:
        current = arguments.output.read_text(encoding="utf-8") if arguments.output.exists() else ""
        if current != text:
            print(f"{arguments.output} is out of date; run python -m scripts.make_merkle_vectors")
            return 1
        return 0

    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text, encoding="utf-8")
    print(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
