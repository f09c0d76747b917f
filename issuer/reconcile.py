"""Reconciliation: resolve every unfinished batch of the outbox from the chain.

For each batch left ``pending``, ``signed`` or ``sent`` by a process that is no
longer running, in nonce order:

1. a stored transaction has a receipt: the batch is anchored (or, if it reverted,
   the registry decides);
2. the registry already has the root from this school: anchored (the contract's
   duplicate-root check is the backstop against a second anchor);
3. the stored transaction's nonce is still unused on chain: broadcast the same raw
   transaction again ("already known" is fine) and wait for it;
4. the nonce was used by another transaction: sign again with a fresh nonce.

Anchoring proofs are attached in the same database transaction that marks the
batch anchored, so the credentials' final JSON always exists for an anchored batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from hocba.anchoring import AnchorProof, attach_anchor_proof
from hocba.chain import SignedTx, TxResult
from hocba.db import AuditEvent, Batch, CredentialRecord, IssuerRecord, OutboxTransaction
from hocba.errors import ChainError
from hocba.merkle import MerkleTree
from hocba.qrlink import build_qr_url
from hocba.registry import RegistryClient
from issuer.outbox import AnchorFailedError, Outbox, owner_alive, process_owner

__all__ = ["ResumeResult", "finish_batch", "resume_batches", "resume_pending",
           "write_missing_pdfs"]

logger = logging.getLogger(__name__)

UNFINISHED = ("pending", "signed", "sent")

AccountLoader = Callable[[str], LocalAccount | None]


@dataclass(frozen=True)
class ResumeResult:
    """What reconciliation did with one batch: its status afterwards and the anchoring tx."""

    batch_id: int
    label: str
    status: str
    tx_hash: str | None = None
    block_number: int | None = None


def resume_pending(instance: Any, *, timeout: float = 60.0) -> list[ResumeResult]:
    """Resolve every unfinished batch on the instance's registry (`hocba anchor --resume`)."""
    from issuer.accreditation import school_key_name

    def load_account(address: str) -> LocalAccount | None:
        with Session(instance.engine) as db:
            record = db.exec(select(IssuerRecord).where(IssuerRecord.account == address)).first()
        if record is None:
            return None
        return instance.keys.account(school_key_name(record.school_code))

    return resume_batches(instance.engine, instance.registry, load_account, timeout=timeout)


def resume_batches(engine: Engine, registry: RegistryClient, accounts: AccountLoader, *,
                   issuer: str | None = None, timeout: float = 60.0) -> list[ResumeResult]:
    """Resolve the unfinished batches on ``registry`` (of ``issuer`` only, when given)."""
    with Session(engine) as db:
        query = select(Batch).where(
            col(Batch.status).in_(UNFINISHED),
            Batch.chain_id == registry.chain.chain_id,
            Batch.registry_address == registry.address,
        )
        if issuer is not None:
            query = query.where(Batch.issuer_account == issuer)
        batches = list(db.exec(query))
    # Lower nonces first: a later nonce cannot be mined before them.
    batches.sort(key=lambda batch: (batch.nonce is None, batch.nonce or 0, batch.id))

    results = []
    for batch in batches:
        if batch.owner and owner_alive(batch.owner) and batch.owner != process_owner():
            results.append(ResumeResult(int(batch.id or 0), batch.label, "in_progress"))
            continue
        if not _take_over(engine, batch):
            continue
        results.append(_resolve(engine, registry, batch, accounts, timeout))
    return results


def _take_over(engine: Engine, batch: Batch) -> bool:
    """Claim ``batch`` for this process unless another reconciliation claimed it first."""
    with Session(engine) as db:
        claimed = db.exec(  # type: ignore[call-overload]
            update(Batch).where(col(Batch.id) == batch.id, col(Batch.owner) == batch.owner)
            .values(owner=process_owner())
        )
        db.commit()
    return bool(claimed.rowcount)


def _resolve(engine: Engine, registry: RegistryClient, batch: Batch, accounts: AccountLoader,
             timeout: float) -> ResumeResult:
    batch_id = int(batch.id or 0)
    outbox = Outbox(engine, registry)
    root = bytes.fromhex(batch.merkle_root.removeprefix("0x"))
    try:
        mined = _find_mined(engine, outbox, batch_id, root)
        if mined is None:
            mined = _send_again(engine, outbox, batch, root, accounts, timeout)
    except AnchorFailedError:
        return ResumeResult(batch_id, batch.label, "failed")
    except ChainError as exc:
        if exc.code not in ("receipt_timeout", "nonce_used", "account_missing"):
            raise
        logger.warning("batch %d not resolved yet: %s", batch_id, exc)
        return ResumeResult(batch_id, batch.label, _status(engine, batch_id))
    finish_batch(engine, registry, batch_id, mined)
    return ResumeResult(batch_id, batch.label, "anchored", mined.transaction_hash,
                        mined.block_number)


def _find_mined(engine: Engine, outbox: Outbox, batch_id: int, root: bytes) -> TxResult | None:
    for row in _transactions(engine, batch_id):
        mined = outbox.chain.receipt(row.tx_hash)
        if mined is not None and mined.status == 1:
            return mined
    return outbox.anchored_on_chain(batch_id, root)


def _send_again(engine: Engine, outbox: Outbox, batch: Batch, root: bytes,
                accounts: AccountLoader, timeout: float) -> TxResult:
    batch_id = int(batch.id or 0)
    rows = _transactions(engine, batch_id)
    if rows:
        latest = rows[-1]
        if outbox.chain.nonce_count(latest.sender, "latest") <= latest.nonce:
            logger.info("batch %d: broadcasting stored transaction %s again (nonce %d)",
                        batch_id, latest.tx_hash, latest.nonce)
            signed = SignedTx(latest.tx_hash, bytes.fromhex(latest.raw_tx), latest.nonce,
                              latest.sender)
            mined = outbox.broadcast(int(latest.id or 0), signed)
            return mined or outbox.confirm(batch_id, latest.tx_hash, timeout=timeout)
        _mark_replaced(engine, int(latest.id or 0))
        logger.info("batch %d: nonce %d was used by another transaction; signing again",
                    batch_id, latest.nonce)
    account = accounts(batch.issuer_account)
    if account is None:
        raise ChainError(f"no key for {batch.issuer_account} to sign batch {batch_id} again",
                         code="account_missing",
                         message_vi=f"Không có khóa của tài khoản {batch.issuer_account} để ký "
                                    f"lại lô {batch_id}.")
    return outbox.anchor(batch_id, account, timeout=timeout)


def finish_batch(engine: Engine, registry: RegistryClient, batch_id: int,
                 tx: TxResult) -> dict[str, dict[str, Any]]:
    """Attach anchoring proofs and mark the batch anchored; return credential id → final JSON."""
    from issuer.issuance import credential_json_bytes

    with Session(engine) as db:
        batch = db.get(Batch, batch_id)
        if batch is None:
            raise ChainError(f"batch {batch_id} not found", code="database_inconsistent")
        rows = list(db.exec(select(CredentialRecord).where(CredentialRecord.batch_id == batch_id)))
        tree = MerkleTree.build(bytes.fromhex(row.leaf[2:]) for row in rows)
        finals: dict[str, dict[str, Any]] = {}
        for row in rows:
            credential = _json(row.credential_json)
            if row.status == "pending":
                if row.leaf_salt is None or row.field_seed is None:
                    raise ChainError(f"credential {row.id} has no stored salts",
                                     code="database_inconsistent")
                leaf = bytes.fromhex(row.leaf[2:])
                credential = attach_anchor_proof(credential, AnchorProof(
                    chain_id=registry.chain.chain_id, registry=registry.address,
                    transaction_hash=tx.transaction_hash, block_number=tx.block_number,
                    merkle_root=tree.root, merkle_path=tree.proof(leaf),
                    leaf_salt=bytes.fromhex(row.leaf_salt[2:]),
                    field_seed=bytes.fromhex(row.field_seed[2:]),
                ))
                row.credential_json = credential_json_bytes(credential).decode("utf-8")
                row.status = "active"
                db.add(row)
            finals[row.id] = credential
        for tx_row in db.exec(select(OutboxTransaction)
                              .where(OutboxTransaction.batch_id == batch_id)):
            if tx_row.tx_hash == tx.transaction_hash:
                tx_row.status, tx_row.block_number = "mined", tx.block_number
                db.add(tx_row)
        batch.status, batch.tx_hash = "anchored", tx.transaction_hash
        batch.block_number, batch.gas_used = tx.block_number, tx.gas_used
        batch.anchored_at = datetime.now(UTC)
        db.add(batch)
        db.add(AuditEvent(actor=batch.issuer_account, action="anchor", target=f"batch:{batch_id}",
                          reason=f"tx {tx.transaction_hash}"))
        db.commit()
    logger.info("batch %d anchored by %s in block %d", batch_id, tx.transaction_hash,
                tx.block_number)
    return finals


def write_missing_pdfs(engine: Engine, out_dir: Path, *, verify_base_url: str) -> list[Path]:
    """Render the PDFs of anchored batches whose credentials have none yet (after a crash)."""
    from issuer.issuance import credential_json_bytes, file_slug
    from issuer.pdf import render_transcript_pdf

    paths = []
    with Session(engine) as db:
        rows = db.exec(select(CredentialRecord, Batch)
                       .join(Batch, col(Batch.id) == CredentialRecord.batch_id)
                       .where(Batch.status == "anchored", col(CredentialRecord.pdf_path).is_(None))
                       .order_by(CredentialRecord.batch_id, CredentialRecord.row_number))
        for row, batch in rows:
            credential = _json(row.credential_json)
            issued_on = (batch.anchored_at or datetime.now(UTC)).date()
            folder = out_dir / row.class_name
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{file_slug(row.class_name)}-{row.row_number:02d}-" \
                            f"{file_slug(_subject_name(credential))}.pdf"
            digest = bytes.fromhex(row.credential_digest[2:])
            path.write_bytes(render_transcript_pdf(
                credential, credential_json_bytes(credential),
                qr_url=build_qr_url(verify_base_url, row.id, digest), issued_on=issued_on,
            ))
            row.pdf_path = str(path)
            db.add(row)
            paths.append(path)
        db.commit()
    return paths


def _transactions(engine: Engine, batch_id: int) -> list[OutboxTransaction]:
    with Session(engine) as db:
        return list(db.exec(select(OutboxTransaction)
                            .where(OutboxTransaction.batch_id == batch_id,
                                   OutboxTransaction.status != "replaced")
                            .order_by(col(OutboxTransaction.id))))


def _mark_replaced(engine: Engine, row_id: int) -> None:
    with Session(engine) as db:
        row = db.get(OutboxTransaction, row_id)
        if row is not None:
            row.status = "replaced"
            db.add(row)
            db.commit()


def _status(engine: Engine, batch_id: int) -> str:
    with Session(engine) as db:
        batch = db.get(Batch, batch_id)
        return batch.status if batch else "missing"


def _json(text: str) -> dict[str, Any]:
    import json

    return dict(json.loads(text))


def _subject_name(credential: dict[str, Any]) -> str:
    for identifier in credential.get("credentialSubject", {}).get("identifier", []):
        if identifier.get("identityType") == "name":
            return str(identifier.get("identityHash", ""))
    return ""
