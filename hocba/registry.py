"""Client of the LearningRecordRegistry contract.

Writes are signed locally (see hocba.chain) by the account whose role the
contract checks; reverts come back as RegistryRevertError with the Solidity error
name and its arguments. Reads take an explicit block number so that one
verification sees one state of the registry.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3.contract import Contract

from hocba.artifact import load_artifact
from hocba.chain import Chain, TxResult
from hocba.errors import ChainError, RegistryRevertError
from hocba.revert import decode_revert, revert_data_from_exception

__all__ = ["RegistryClient", "RevocationReason"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RevocationReason:
    """Reason codes stored on chain; the reason text stays off chain."""

    UNSPECIFIED = 0
    SUPERSEDED = 1
    ISSUED_IN_ERROR = 2
    FRAUD = 3


class RegistryClient:
    """One registry generation (contract address) on one chain."""

    def __init__(self, chain: Chain, address: str) -> None:
        artifact = load_artifact()
        self.chain = chain
        self.address = to_checksum_address(address)
        self.abi: list[dict[str, Any]] = artifact["abi"]
        self.contract: Contract = chain.w3.eth.contract(address=self.address, abi=self.abi)

    @classmethod
    def deploy(cls, chain: Chain, admin: LocalAccount) -> RegistryClient:
        """Deploy a new registry generation with ``admin`` as its root admin."""
        artifact = load_artifact()
        factory = chain.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        data = factory.constructor(admin.address).data_in_transaction
        result = chain.send(admin, {"data": data, "value": 0})
        receipt = chain.call(lambda: chain.w3.eth.get_transaction_receipt(result.transaction_hash))
        address = receipt["contractAddress"]
        logger.info("deployed registry %s on chain %d at block %d", address, chain.chain_id,
                    result.block_number)
        return cls(chain, address)

    def is_deployed(self) -> bool:
        code = self.chain.call(lambda: self.chain.w3.eth.get_code(self.address))
        return len(code) > 0

    # Administration --------------------------------------------------------

    def appoint_accreditor(self, admin: LocalAccount, account: str, name: str,
                           admin_unit_code: int) -> TxResult:
        return self._transact(admin, "appointAccreditor", account, name, admin_unit_code)

    def remove_accreditor(self, admin: LocalAccount, account: str) -> TxResult:
        return self._transact(admin, "removeAccreditor", account)

    def accredit_issuer(self, accreditor: LocalAccount, issuer: str, school_code: str,
                        admin_unit_code: int, name: str) -> TxResult:
        return self._transact(accreditor, "accreditIssuer", issuer, school_code,
                              admin_unit_code, name)

    def rename_issuer(self, accreditor: LocalAccount, issuer: str, name: str) -> TxResult:
        return self._transact(accreditor, "renameIssuer", issuer, name)

    def withdraw_issuer(self, accreditor: LocalAccount, issuer: str, cutoff_block: int) -> TxResult:
        return self._transact(accreditor, "withdrawIssuer", issuer, cutoff_block)

    def add_issuer_key(self, accreditor: LocalAccount, issuer: str, public_key: bytes) -> TxResult:
        return self._transact(accreditor, "addIssuerKey", issuer, public_key)

    def revoke_issuer_key(self, actor: LocalAccount, issuer: str, public_key: bytes,
                          cutoff_block: int) -> TxResult:
        return self._transact(actor, "revokeIssuerKey", issuer, public_key, cutoff_block)

    # Issuing ---------------------------------------------------------------

    def anchor(self, issuer: LocalAccount, root: bytes) -> TxResult:
        return self._transact(issuer, "anchor", root)

    def revoke_credential(self, issuer: LocalAccount, root: bytes, leaf: bytes,
                          proof: Sequence[bytes], reason: int) -> TxResult:
        return self._transact(issuer, "revokeCredential", root, leaf, list(proof), reason)

    def revoke_batch(self, issuer: LocalAccount, root: bytes, reason: int) -> TxResult:
        return self._transact(issuer, "revokeBatch", root, reason)

    def suspend_credential(self, issuer: LocalAccount, root: bytes, leaf: bytes,
                           proof: Sequence[bytes]) -> TxResult:
        return self._transact(issuer, "suspendCredential", root, leaf, list(proof))

    def reinstate_credential(self, issuer: LocalAccount, root: bytes, leaf: bytes,
                             proof: Sequence[bytes]) -> TxResult:
        return self._transact(issuer, "reinstateCredential", root, leaf, list(proof))

    def anchor_transaction(self, root: bytes) -> dict[str, Any]:
        """Return the unsigned transaction fields of ``anchor(root)``, for the outbox."""
        data = self.contract.functions.anchor(root)._encode_transaction_data()
        return {"to": self.address, "data": data, "value": 0}

    # Reads -----------------------------------------------------------------

    def verification_state(self, root: bytes, leaf: bytes, issuer: str, public_key: bytes,
                           *, block: int) -> dict[str, Any]:
        """Read everything a verifier needs for one credential at ``block``."""
        raw = self._read("verificationState", root, leaf, to_checksum_address(issuer),
                         public_key, block=block)
        return self._named("verificationState", raw)

    def issuer(self, account: str, *, block: int | str = "latest") -> dict[str, Any]:
        raw = self._read("issuer", to_checksum_address(account), block=block)
        return self._named("issuer", raw)

    def accreditor(self, account: str, *, block: int | str = "latest") -> dict[str, Any]:
        raw = self._read("accreditor", to_checksum_address(account), block=block)
        return self._named("accreditor", raw)

    def batch(self, root: bytes, *, block: int | str = "latest") -> dict[str, Any]:
        return self._named("batch", self._read("batch", root, block=block))

    def reassign_issuer(self, admin: LocalAccount, issuer: str, new_accreditor: str) -> TxResult:
        return self._transact(admin, "reassignIssuer", issuer, new_accreditor)

    def issuer_names(self, account: str, *, block: int | str = "latest") -> list[dict[str, Any]]:
        """Return every name of an issuer, oldest first, each with its ``fromBlock``."""
        raw = self._read("issuerNames", to_checksum_address(account), block=block)
        return [{"name": name, "fromBlock": int(from_block)} for name, from_block in raw]

    def issuer_accreditors(self, account: str, *,
                           block: int | str = "latest") -> list[dict[str, Any]]:
        """Return every supervising accreditor of an issuer, oldest first, with ``fromBlock``."""
        raw = self._read("issuerAccreditors", to_checksum_address(account), block=block)
        return [{"accreditor": to_checksum_address(accreditor), "fromBlock": int(from_block)}
                for accreditor, from_block in raw]

    def issuer_key(self, account: str, public_key: bytes, *,
                   block: int | str = "latest") -> dict[str, Any]:
        raw = self._read("issuerKey", to_checksum_address(account), public_key, block=block)
        return self._named("issuerKey", raw)

    def events(self, event: str, *, from_block: int = 0,
               **argument_filters: Any) -> list[dict[str, Any]]:
        """Return the logs of ``event`` from ``from_block`` on, oldest first.

        Each entry has the decoded ``args`` (addresses checksummed, bytes as 0x hex),
        ``blockNumber``, ``transactionHash`` and ``logIndex``. ``argument_filters`` match
        indexed arguments only.
        """
        event_type = getattr(self.contract.events, event)
        logs = self.chain.call(lambda: event_type.get_logs(
            argument_filters=argument_filters or None, from_block=from_block, to_block="latest"))
        entries = []
        for log in logs:
            args = {name: "0x" + value.hex() if isinstance(value, bytes) else value
                    for name, value in dict(log["args"]).items()}
            entries.append({"args": args, "blockNumber": int(log["blockNumber"]),
                            "transactionHash": "0x" + bytes(log["transactionHash"]).hex(),
                            "logIndex": int(log["logIndex"])})
        entries.sort(key=lambda entry: (entry["blockNumber"], entry["logIndex"]))
        return entries

    # Internals -------------------------------------------------------------

    def _transact(self, account: LocalAccount, function: str, *args: Any) -> TxResult:
        call = getattr(self.contract.functions, function)(*args)
        tx = {"to": self.address, "data": call._encode_transaction_data(), "value": 0}
        try:
            result = self.chain.send(account, tx)
        except ChainError:
            raise
        except Exception as exc:
            raise self._translate(exc) from exc
        logger.info("registry %s by %s in block %d (gas %d)", function, account.address,
                    result.block_number, result.gas_used)
        return result

    def _read(self, function: str, *args: Any, block: int | str) -> Any:
        call = getattr(self.contract.functions, function)(*args)
        try:
            return self.chain.call(lambda: call.call(block_identifier=block))
        except ChainError:
            raise
        except Exception as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: Exception) -> Exception:
        data = revert_data_from_exception(exc)
        if data is None:
            return ChainError(f"registry call failed: {exc}", code="registry_call_failed")
        name, args = decode_revert(self.abi, data)
        return RegistryRevertError(name, args)

    def _named(self, function: str, raw: Any) -> dict[str, Any]:
        """Turn a returned tuple into a dict keyed by the ABI's output names."""
        outputs = next(
            item["outputs"] for item in self.abi
            if item.get("type") == "function" and item.get("name") == function
        )
        if len(outputs) == 1 and outputs[0].get("components"):
            return _zip_components(outputs[0]["components"], raw)
        return _zip_components(outputs, raw if isinstance(raw, (list, tuple)) else (raw,))


def _zip_components(components: list[dict[str, Any]], values: Sequence[Any]) -> dict[str, Any]:
    named: dict[str, Any] = {}
    for component, value in zip(components, values, strict=True):
        if isinstance(value, bytes):
            value = "0x" + value.hex()
        named[component["name"]] = value
    return named
