"""The ``HocbaAnchorProof2026`` proof entry: where and how a credential's leaf was anchored.

The entry is not signed. It is bound by the on-chain Merkle root, because changing
any of its hashing inputs (``leafSalt``, ``fieldSeed``, ``merklePath``) changes the
leaf or the computed root. Parsing is strict so that one credential has exactly one
JSON form of its anchoring proof.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_utils import is_checksum_address, to_checksum_address

from hocba.errors import CredentialError
from hocba.merkle import MAX_PROOF_DEPTH

__all__ = ["ANCHOR_PROOF_TYPE", "AnchorProof"]

ANCHOR_PROOF_TYPE = "HocbaAnchorProof2026"

_HASH_HEX = re.compile(r"0x[0-9a-f]{64}")
_ADDRESS_HEX = re.compile(r"0x[0-9a-fA-F]{40}")
_MAX_INTEGER = 2**53 - 1

_KEYS = frozenset(
    {
        "type",
        "chainId",
        "registry",
        "transactionHash",
        "blockNumber",
        "merkleRoot",
        "merklePath",
        "leafSalt",
        "fieldSeed",
    }
)


def _malformed(message: str) -> CredentialError:
    return CredentialError(
        f"anchoring proof: {message}",
        code="malformed",
        message_vi=f"Bằng chứng ghi nhận trên chuỗi khối không hợp lệ ({message}).",
    )


def _hash_from_json(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or not _HASH_HEX.fullmatch(value):
        raise _malformed(f"{name} must be 0x followed by 64 lowercase hex digits")
    return bytes.fromhex(value[2:])


def _integer_from_json(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _malformed(f"{name} must be an integer")
    if not minimum <= value <= _MAX_INTEGER:
        raise _malformed(f"{name} must be between {minimum} and {_MAX_INTEGER}, got {value}")
    return value


def _normalise_tx_hash(value: Any) -> str:
    if isinstance(value, bytes) and len(value) == 32:
        return "0x" + value.hex()
    if isinstance(value, str) and _HASH_HEX.fullmatch(value.lower()):
        return value.lower()
    raise _malformed("transaction_hash must be 32 bytes or 0x followed by 64 hex digits")


def _registry_from_json(value: Any) -> str:
    if not isinstance(value, str) or not _ADDRESS_HEX.fullmatch(value):
        raise _malformed("registry must be 0x followed by 40 hex digits")
    if value != value.lower() and not is_checksum_address(value):
        raise _malformed("registry has mixed case but an invalid EIP-55 checksum")
    return to_checksum_address(value)


@dataclass(frozen=True)
class AnchorProof:
    """Location of an anchored leaf: chain, registry, transaction, root, path and salts.

    ``registry`` is stored EIP-55 checksummed. ``transaction_hash`` is stored as ``0x``
    and 64 lowercase hex digits, as ``hocba.chain`` reports it, and the constructor
    also accepts 32 raw bytes or upper-case hex for it. Roots and salts are raw bytes.
    """

    chain_id: int
    registry: str
    transaction_hash: str
    block_number: int
    merkle_root: bytes
    merkle_path: tuple[bytes, ...]
    leaf_salt: bytes
    field_seed: bytes

    def __post_init__(self) -> None:
        _integer_from_json(self.chain_id, "chainId", 1)
        _integer_from_json(self.block_number, "blockNumber", 0)
        object.__setattr__(self, "registry", _registry_from_json(self.registry))
        object.__setattr__(self, "merkle_path", tuple(self.merkle_path))
        object.__setattr__(self, "transaction_hash", _normalise_tx_hash(self.transaction_hash))
        for name in ("merkle_root", "leaf_salt", "field_seed"):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != 32:
                raise _malformed(f"{name} must be 32 bytes")
        if len(self.merkle_path) > MAX_PROOF_DEPTH:
            raise _malformed(f"merklePath has more than {MAX_PROOF_DEPTH} entries")
        for index, node in enumerate(self.merkle_path):
            if not isinstance(node, bytes) or len(node) != 32:
                raise _malformed(f"merklePath entry {index} must be 32 bytes")

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object stored as the second entry of the credential's proof set."""
        return {
            "type": ANCHOR_PROOF_TYPE,
            "chainId": self.chain_id,
            "registry": self.registry,
            "transactionHash": self.transaction_hash,
            "blockNumber": self.block_number,
            "merkleRoot": "0x" + self.merkle_root.hex(),
            "merklePath": ["0x" + node.hex() for node in self.merkle_path],
            "leafSalt": "0x" + self.leaf_salt.hex(),
            "fieldSeed": "0x" + self.field_seed.hex(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnchorProof:
        """Parse the JSON object strictly; raise ``CredentialError`` (malformed) on any error."""
        if not isinstance(data, Mapping):
            raise _malformed("it must be a JSON object")
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise _malformed(f"unknown member(s) {', '.join(map(str, unknown))}")
        missing = sorted(_KEYS - set(data))
        if missing:
            raise _malformed(f"missing member(s) {', '.join(missing)}")
        if data["type"] != ANCHOR_PROOF_TYPE:
            raise _malformed(f"type must be {ANCHOR_PROOF_TYPE}")

        path = data["merklePath"]
        if not isinstance(path, list):
            raise _malformed("merklePath must be a list")
        if len(path) > MAX_PROOF_DEPTH:
            raise _malformed(f"merklePath has more than {MAX_PROOF_DEPTH} entries")

        transaction_hash = _hash_from_json(data["transactionHash"], "transactionHash")
        return cls(
            chain_id=_integer_from_json(data["chainId"], "chainId", 1),
            registry=_registry_from_json(data["registry"]),
            transaction_hash="0x" + transaction_hash.hex(),
            block_number=_integer_from_json(data["blockNumber"], "blockNumber", 0),
            merkle_root=_hash_from_json(data["merkleRoot"], "merkleRoot"),
            merkle_path=tuple(
                _hash_from_json(node, f"merklePath[{index}]") for index, node in enumerate(path)
            ),
            leaf_salt=_hash_from_json(data["leafSalt"], "leafSalt"),
            field_seed=_hash_from_json(data["fieldSeed"], "fieldSeed"),
        )
