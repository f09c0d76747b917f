"""Connections to an EVM chain and locally signed transactions.

Two kinds of connection exist: the embedded in-process EVM (web3.py's eth-tester
provider, nothing to start, state lost when the process ends) and any JSON-RPC
endpoint (the local anvil node, a Besu QBFT network). Transactions are always
signed here with the chain id, an explicit nonce and explicit fees, so nothing
depends on the node's ``eth_gasPrice`` or on unlocked node accounts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import EthereumTesterProvider, HTTPProvider, Web3
from web3.exceptions import TimeExhausted, TransactionNotFound, Web3Exception
from web3.middleware import ExtraDataToPOAMiddleware

from hocba.errors import ChainError

__all__ = [
    "Chain",
    "FeePolicy",
    "SignedTx",
    "TxResult",
    "connect_embedded",
    "connect_rpc",
    "new_account",
]

logger = logging.getLogger(__name__)

# Funds given to each account on the embedded chain, whose base fee is not zero.
_EMBEDDED_FUNDING_WEI = 10**21
_RPC_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class FeePolicy:
    """Fee settings applied to every transaction.

    ``priority_fee`` is the tip per gas in wei (zero on permissioned networks).
    ``max_fee_cap`` rejects a transaction whose max fee per gas would exceed it.
    """

    priority_fee: int = 0
    max_fee_cap: int | None = None

    def fees_for(self, base_fee: int) -> dict[str, int]:
        """Return the EIP-1559 fee fields for a block with ``base_fee`` wei per gas.

        The max fee is twice the base fee plus the tip, lowered to the cap when one is
        set. A base fee plus tip above the cap cannot be paid and raises ChainError.
        """
        needed = base_fee + self.priority_fee
        if self.max_fee_cap is not None and needed > self.max_fee_cap:
            raise ChainError(
                f"fee of {needed} wei per gas exceeds the cap of {self.max_fee_cap}",
                code="fee_cap_exceeded",
                message_vi=(
                    f"Phí giao dịch {needed} wei/gas vượt mức trần {self.max_fee_cap}; "
                    "chờ phí giảm hoặc nâng mức trần trong cấu hình."
                ),
            )
        max_fee = 2 * base_fee + self.priority_fee
        if self.max_fee_cap is not None:
            max_fee = min(max_fee, self.max_fee_cap)
        return {"maxFeePerGas": max_fee, "maxPriorityFeePerGas": self.priority_fee}


@dataclass(frozen=True)
class SignedTx:
    """A signed transaction and its locally computed hash, ready to broadcast."""

    transaction_hash: str
    raw: bytes
    nonce: int
    sender: str


@dataclass(frozen=True)
class TxResult:
    """A mined transaction."""

    transaction_hash: str
    block_number: int
    gas_used: int
    logs: tuple[Any, ...]
    status: int = 1


class Chain:
    """One connection to one chain, shared by the registry client and the issuer."""

    def __init__(self, w3: Web3, *, kind: str, fees: FeePolicy | None = None,
                 label: str = "") -> None:
        self.w3 = w3
        self.kind = kind
        self.label = label or kind
        self.fees = fees or FeePolicy()
        self._nonce_lock = threading.Lock()
        self._next_nonce: dict[str, int] = {}
        try:
            self.chain_id = int(w3.eth.chain_id)
        except (requests.RequestException, Web3Exception, OSError) as exc:
            raise _unavailable(self.label, exc) from exc

    # Reads -----------------------------------------------------------------

    def pinned_block(self) -> tuple[int, int]:
        """Return the number and timestamp of the latest block, to read everything at."""
        block = self.call(lambda: self.w3.eth.get_block("latest"))
        return int(block["number"]), int(block["timestamp"])

    def call(self, read: Callable[[], Any]) -> Any:
        """Run one read against the node, turning connection failures into ChainError."""
        try:
            return read()
        except (requests.RequestException, OSError) as exc:
            raise _unavailable(self.label, exc) from exc

    # Writes ----------------------------------------------------------------

    def send(self, account: LocalAccount, tx: dict[str, Any], *,
             timeout: float = 120.0) -> TxResult:
        """Sign ``tx`` with ``account``, broadcast it and wait for its receipt."""
        signed_hash = self.send_without_waiting(account, tx)
        return self.wait(signed_hash, timeout=timeout)

    def send_without_waiting(self, account: LocalAccount, tx: dict[str, Any]) -> str:
        """Sign and broadcast ``tx``; return its locally computed hash."""
        signed = self.sign(account, tx)
        self.broadcast(signed)
        return signed.transaction_hash

    def sign(self, account: LocalAccount, tx: dict[str, Any]) -> SignedTx:
        """Fill in chain id, nonce, fees and gas, and sign ``tx`` without sending it.

        The nonce is reserved for this process: the next call gets the next one.
        Anchoring uses ``prepare`` and ``sign_at`` with a nonce from the database
        instead (see issuer.outbox), which stays consistent across processes.
        """
        prepared = self.prepare(account, tx)
        with self._nonce_lock:
            nonce = self._take_nonce(account.address)
            return self.sign_at(account, prepared, nonce)

    def prepare(self, account: LocalAccount, tx: dict[str, Any]) -> dict[str, Any]:
        """Fill in sender, chain id, fees and gas of ``tx``; the nonce is left to the caller."""
        base_fee = self.call(lambda: self.w3.eth.get_block("latest")).get("baseFeePerGas", 0)
        full = {
            **tx,
            "from": account.address,
            "chainId": self.chain_id,
            "type": 2,
            **self.fees.fees_for(int(base_fee)),
        }
        if "gas" not in full:
            full["gas"] = self._estimate_gas(full)
        return full

    def sign_at(self, account: LocalAccount, prepared: dict[str, Any], nonce: int) -> SignedTx:
        """Sign a transaction from ``prepare`` with an explicit ``nonce``."""
        signed = account.sign_transaction({**prepared, "nonce": nonce})
        return SignedTx(
            transaction_hash="0x" + bytes(signed.hash).hex(),
            raw=bytes(signed.raw_transaction),
            nonce=nonce,
            sender=account.address,
        )

    def receipt(self, tx_hash: str) -> TxResult | None:
        """Return the mined transaction ``tx_hash``, or None if no block contains it yet.

        A reverted transaction is returned too: its ``status`` is 0.
        """
        try:
            receipt = self.call(lambda: self.w3.eth.get_transaction_receipt(HexBytes(tx_hash)))
        except TransactionNotFound:
            return None
        return _result(tx_hash, receipt)

    def nonce_count(self, address: str, block: str = "latest") -> int:
        """Return the number of transactions ``address`` sent up to ``block``."""
        return int(self.call(lambda: self.w3.eth.get_transaction_count(address, block)))

    def broadcast(self, signed: SignedTx) -> None:
        """Send a signed transaction; an "already known" response counts as sent."""
        try:
            self.w3.eth.send_raw_transaction(signed.raw)
        except (requests.RequestException, OSError) as exc:
            raise _unavailable(self.label, exc) from exc
        except Web3Exception as exc:
            if "already known" not in str(exc).lower():
                self._next_nonce.pop(signed.sender, None)
                raise
        logger.debug("sent transaction %s nonce=%d from %s", signed.transaction_hash,
                     signed.nonce, signed.sender)

    def wait(self, tx_hash: str, *, timeout: float = 120.0) -> TxResult:
        """Wait for the receipt of ``tx_hash``; raise ChainError if it reverted."""
        try:
            receipt = self.w3.eth.wait_for_transaction_receipt(
                HexBytes(tx_hash), timeout=timeout, poll_latency=0.05
            )
        except TimeExhausted as exc:
            raise ChainError(
                f"no receipt for {tx_hash} after {timeout} s; the transaction may still be mined",
                code="receipt_timeout",
                message_vi=f"Chưa nhận được biên nhận giao dịch {tx_hash} sau {timeout} giây.",
            ) from exc
        except (requests.RequestException, OSError) as exc:
            raise _unavailable(self.label, exc) from exc
        if receipt["status"] != 1:
            raise ChainError(f"transaction {tx_hash} reverted", code="transaction_reverted")
        return _result(tx_hash, receipt)

    def fund(self, address: str) -> None:
        """Give ``address`` funds on the embedded chain; networks with zero fees need none."""
        if self.kind != "embedded":
            return
        self.w3.eth.send_transaction(
            {"from": self.w3.eth.accounts[0], "to": address, "value": _EMBEDDED_FUNDING_WEI}
        )

    def _take_nonce(self, address: str) -> int:
        on_chain = int(self.call(lambda: self.w3.eth.get_transaction_count(address, "pending")))
        nonce = max(on_chain, self._next_nonce.get(address, 0))
        self._next_nonce[address] = nonce + 1
        return nonce

    def _estimate_gas(self, tx: dict[str, Any]) -> int:
        request = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
        estimate = self.call(lambda: self.w3.eth.estimate_gas(request))  # type: ignore[arg-type]
        return int(estimate * 12 // 10) + 10_000


def connect_embedded(fees: FeePolicy | None = None) -> Chain:
    """Start an in-process EVM for this process only."""
    return Chain(Web3(EthereumTesterProvider()), kind="embedded", fees=fees)


def connect_rpc(url: str, *, expected_chain_id: int | None = None,
                fees: FeePolicy | None = None) -> Chain:
    """Connect to a JSON-RPC node and check its chain id against the settings."""
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": _RPC_TIMEOUT_SECONDS}))
    # QBFT and other proof-of-authority headers carry more than 32 bytes of extraData.
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    chain = Chain(w3, kind="rpc", fees=fees, label=url)
    if expected_chain_id is not None and chain.chain_id != expected_chain_id:
        raise ChainError(
            f"node at {url} serves chain id {chain.chain_id}, settings expect {expected_chain_id}",
            code="wrong_network",
            message_vi=(
                f"Nút mạng {url} thuộc chuỗi {chain.chain_id}, cấu hình yêu cầu chuỗi "
                f"{expected_chain_id}. Kiểm tra địa chỉ nút trong cấu hình."
            ),
        )
    return chain


def _result(tx_hash: str, receipt: Any) -> TxResult:
    return TxResult(
        transaction_hash=tx_hash,
        block_number=int(receipt["blockNumber"]),
        gas_used=int(receipt["gasUsed"]),
        logs=tuple(receipt["logs"]),
        status=int(receipt["status"]),
    )


def new_account() -> LocalAccount:
    """Create a fresh account with a random private key."""
    return Account.create()


def _unavailable(label: str, exc: BaseException) -> ChainError:
    return ChainError(
        f"chain node {label} unreachable: {type(exc).__name__}",
        code="chain_unavailable",
        message_vi=f"Không kết nối được nút chuỗi khối {label}; thử lại sau.",
    )
