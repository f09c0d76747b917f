"""The anchoring outbox: every anchoring transaction is stored before it is broadcast.

A batch moves through these states (``Batch.status``):

``pending``  the batch and its credentials are stored; no transaction exists yet.
``signed``   a signed raw transaction, its locally computed hash and its nonce are
             stored (``OutboxTransaction``); it may or may not have reached the node.
``sent``     the node accepted the transaction; its receipt may not exist yet.
``anchored`` the root is on chain, anchored by this school (our transaction or,
             after a crash, one found on chain by the duplicate-root check).
``failed``   only when the registry rejected the root for a reason other than a
             duplicate root (e.g. the school's accreditation was withdrawn).

A receipt timeout never marks a batch failed: it stays ``sent`` and
``issuer.reconcile.resume_pending`` finishes it later. Nonces come from the
database inside a write transaction (SQLite ``BEGIN IMMEDIATE``), seeded from the
node's pending count, so processes sharing one database and one school account
never sign two transactions with one nonce. On SQLite the write transaction is
``BEGIN IMMEDIATE`` (one writer per file); on PostgreSQL it takes a
transaction-scoped advisory lock named after (chain id, sender), which other
accounts' nonce allocations do not wait for. The unique ``(chain_id, sender,
nonce)`` constraint stays the backstop on both.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from sqlalchemy import Connection, Engine, func, text
from sqlmodel import Session, select
from web3.exceptions import Web3Exception

from hocba.chain import SignedTx, TxResult
from hocba.db import Batch, OutboxTransaction
from hocba.errors import ChainError, RegistryRevertError
from hocba.registry import RegistryClient

__all__ = [
    "CRASH_ENV",
    "AnchorFailedError",
    "Outbox",
    "crash_point",
    "owner_alive",
    "process_owner",
]

logger = logging.getLogger(__name__)

# Test-only fault injection: `HOCBA_CRASH_AT=after_sign` (or after_broadcast,
# before_receipt) makes the process SIGKILL itself at that step of anchoring.
CRASH_ENV = "HOCBA_CRASH_AT"
CRASH_POINTS = ("after_sign", "after_broadcast", "before_receipt")

_DUPLICATE_ROOT = "RegistryRootAlreadyAnchored"
_NONCE_USED_MARKERS = ("nonce too low", "replacement transaction underpriced",
                       "already imported", "nonce has already been used")
_BATCH_ANCHORED_TOPIC = "0x" + keccak(text="BatchAnchored(bytes32,address)").hex()


class AnchorFailedError(ChainError):
    """The registry rejected a batch's root; the batch is marked failed."""

    code = "anchor_failed"


@dataclass(frozen=True)
class _Claim:
    row_id: int
    signed: SignedTx


def crash_point(name: str) -> None:
    """SIGKILL this process when ``HOCBA_CRASH_AT`` names ``name`` (fault-injection tests only)."""
    if os.environ.get(CRASH_ENV) == name:
        logger.warning("crash point %s reached: killing process %d", name, os.getpid())
        os.kill(os.getpid(), signal.SIGKILL)


def process_owner(pid: int | None = None) -> str:
    """Return ``host:pid:start`` naming a process, so a reused pid is not mistaken for it."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def owner_alive(owner: str) -> bool:
    """Return True if ``owner`` (from ``process_owner``) is a running process on this host."""
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _start_time(pid) == start


def _start_time(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return ""
    # Field 22 (start time in clock ticks) follows the command name in brackets.
    return stat.rsplit(")", 1)[1].split()[19]


class Outbox:
    """Sign, store, broadcast and confirm the anchoring transaction of stored batches."""

    def __init__(self, engine: Engine, registry: RegistryClient) -> None:
        self.engine = engine
        self.registry = registry
        self.chain = registry.chain

    # The issuing path ------------------------------------------------------

    def anchor(self, batch_id: int, account: LocalAccount, *, timeout: float = 120.0) -> TxResult:
        """Anchor a ``pending`` batch: sign, store, broadcast, wait; return the mined transaction.

        Raise ChainError ``receipt_timeout`` (the batch stays ``sent``) or
        AnchorFailedError (the batch is marked ``failed``).
        """
        root = self._root(batch_id)
        claim = self.sign(batch_id, account, root)
        if isinstance(claim, TxResult):
            return claim
        crash_point("after_sign")
        outcome = self.broadcast(claim.row_id, claim.signed)
        if outcome is not None:
            return outcome
        crash_point("before_receipt")
        return self.confirm(batch_id, claim.signed.transaction_hash, timeout=timeout)

    def sign(self, batch_id: int, account: LocalAccount, root: bytes) -> _Claim | TxResult:
        """Sign ``anchor(root)`` with the next database nonce and store it before any broadcast.

        Return the mined transaction instead when the root turns out to be anchored by
        this school already (the registry's duplicate-root check).
        """
        try:
            prepared = self.chain.prepare(account, self.registry.anchor_transaction(root))
        except ChainError:
            raise
        except Exception as exc:  # web3 raises contract errors of several types
            return self._rejected(batch_id, root, self.registry._translate(exc))

        with self.engine.connect() as connection:
            _lock_nonce_sequence(connection, self.chain.chain_id, account.address)
            with Session(bind=connection) as db:
                nonce = self._next_nonce(db, account.address)
                signed = self.chain.sign_at(account, prepared, nonce)
                row = OutboxTransaction(
                    batch_id=batch_id, chain_id=self.chain.chain_id, sender=account.address,
                    nonce=nonce, tx_hash=signed.transaction_hash, raw_tx=signed.raw.hex(),
                )
                db.add(row)
                batch = _batch(db, batch_id)
                batch.status, batch.tx_hash, batch.nonce = "signed", signed.transaction_hash, nonce
                db.add(batch)
                db.flush()
                row_id = int(row.id or 0)
            connection.commit()
        logger.info("batch %d: signed anchoring transaction %s with nonce %d", batch_id,
                    signed.transaction_hash, nonce)
        return _Claim(row_id, signed)

    def broadcast(self, row_id: int, signed: SignedTx) -> TxResult | None:
        """Broadcast a stored transaction and mark it ``sent``.

        "already known" counts as sent. When the node reports the nonce as used, the
        transaction is looked up: return it if it was mined, else raise ChainError
        ``nonce_used`` so that reconciliation decides.
        """
        try:
            self.chain.broadcast(signed)
        except ChainError:
            raise
        except Web3Exception as exc:
            message = str(exc).lower()
            if not any(marker in message for marker in _NONCE_USED_MARKERS):
                raise ChainError(f"node rejected transaction {signed.transaction_hash}: {exc}",
                                 code="broadcast_rejected") from exc
            mined = self.chain.receipt(signed.transaction_hash)
            if mined is not None:
                return mined
            raise ChainError(
                f"nonce {signed.nonce} of {signed.sender} is used by another transaction",
                code="nonce_used",
                message_vi=f"Số thứ tự giao dịch {signed.nonce} đã được dùng; chạy "
                           "`hocba anchor --resume` để hoàn tất lô.",
            ) from exc
        crash_point("after_broadcast")
        with Session(self.engine) as db:
            row = db.get(OutboxTransaction, row_id)
            if row is not None and row.status == "signed":
                row.status, row.sent_at = "sent", datetime.now(UTC)
                db.add(row)
                batch = _batch(db, row.batch_id)
                if batch.status == "signed":
                    batch.status = "sent"
                    db.add(batch)
            db.commit()
        return None

    def confirm(self, batch_id: int, tx_hash: str, *, timeout: float) -> TxResult:
        """Wait up to ``timeout`` seconds for the receipt of ``tx_hash``; resolve a revert."""
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            mined = self.chain.receipt(tx_hash)
            if mined is not None:
                break
            if time.monotonic() >= deadline:
                logger.warning("batch %d: no receipt for %s after %.0f s; it stays 'sent'",
                               batch_id, tx_hash, timeout)
                raise ChainError(
                    f"no receipt for {tx_hash} after {timeout} s; the batch stays 'sent'",
                    code="receipt_timeout",
                    message_vi=f"Chưa nhận được biên nhận giao dịch {tx_hash} sau {timeout:.0f} "
                               "giây. Lô vẫn chờ; chạy `hocba anchor --resume` để hoàn tất.",
                )
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        if mined.status == 1:
            return mined
        found = self.anchored_on_chain(batch_id, self._root(batch_id))
        if found is not None:
            return found
        return self._fail(batch_id, f"anchoring transaction {tx_hash} reverted")

    # Lookups ----------------------------------------------------------------

    def anchored_on_chain(self, batch_id: int, root: bytes) -> TxResult | None:
        """Return the transaction that anchored ``root`` for this batch's school, if any."""
        issuer = self._issuer(batch_id)
        record = self.registry.batch(root)
        if int(record["anchoredBlock"]) == 0:
            return None
        if str(record["issuer"]).lower() != issuer.lower():
            return self._fail(batch_id, f"root anchored by another account {record['issuer']}")
        block = int(record["anchoredBlock"])
        logs = self.chain.call(lambda: self.chain.w3.eth.get_logs({
            "address": self.registry.address, "fromBlock": block, "toBlock": block,
            "topics": [_BATCH_ANCHORED_TOPIC, "0x" + root.hex()],
        }))
        if not logs:
            raise ChainError(f"root 0x{root.hex()} anchored in block {block} but no event found",
                             code="anchor_event_missing")
        tx_hash = "0x" + bytes(logs[0]["transactionHash"]).hex()
        mined = self.chain.receipt(tx_hash)
        if mined is None:
            raise ChainError(f"no receipt for anchoring transaction {tx_hash}",
                             code="anchor_event_missing")
        return mined

    def _next_nonce(self, db: Session, sender: str) -> int:
        stored = db.exec(select(func.max(OutboxTransaction.nonce)).where(
            OutboxTransaction.chain_id == self.chain.chain_id,
            OutboxTransaction.sender == sender,
        )).one()
        on_chain = self.chain.nonce_count(sender, "pending")
        return max(on_chain, -1 if stored is None else int(stored) + 1)

    def _rejected(self, batch_id: int, root: bytes, error: Exception) -> TxResult:
        if isinstance(error, RegistryRevertError) and error.error_name == _DUPLICATE_ROOT:
            found = self.anchored_on_chain(batch_id, root)
            if found is not None:
                logger.info("batch %d: root already anchored in %s", batch_id,
                            found.transaction_hash)
                return found
        if isinstance(error, RegistryRevertError):
            return self._fail(batch_id, f"registry rejected the root: {error}")
        raise error

    def _fail(self, batch_id: int, reason: str) -> TxResult:
        with Session(self.engine) as db:
            batch = _batch(db, batch_id)
            batch.status = "failed"
            db.add(batch)
            db.commit()
        logger.error("batch %d marked failed: %s", batch_id, reason)
        raise AnchorFailedError(
            f"batch {batch_id} failed: {reason}",
            message_vi=f"Lô {batch_id} không được ghi nhận: sổ đăng ký từ chối ({reason}).",
        )

    def _root(self, batch_id: int) -> bytes:
        with Session(self.engine) as db:
            return bytes.fromhex(_batch(db, batch_id).merkle_root.removeprefix("0x"))

    def _issuer(self, batch_id: int) -> str:
        with Session(self.engine) as db:
            return _batch(db, batch_id).issuer_account


def _lock_nonce_sequence(connection: Connection, chain_id: int, sender: str) -> None:
    """Begin the write transaction that allocates ``sender``'s next nonce, holding its lock."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    if connection.dialect.name != "postgresql":
        raise ChainError(f"nonce allocation does not support the {connection.dialect.name} "
                         "database", code="database_unsupported")
    name = f"hocba-nonce:{chain_id}:{sender.lower()}".encode("ascii")
    key = int.from_bytes(sha256(name).digest()[:8], "big", signed=True)
    # Released by the commit (or rollback) that ends the transaction.
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _batch(db: Session, batch_id: int) -> Batch:
    batch = db.get(Batch, batch_id)
    if batch is None:
        raise ChainError(f"batch {batch_id} not found in the database",
                         code="database_inconsistent")
    return batch

