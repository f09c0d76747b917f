"""Issuing a class: build and sign every credential, anchor the batch, store it.

The steps, each its own function so the CLI, the demo and the API share them:

1. ``prepare_batch``: build each student's credential, sign it with the school's
   Ed25519 key, compute its leaf and the batch's Merkle tree (no I/O).
2. ``anchor_batch``: write the batch and its credentials to the database, then
   anchor the root through the outbox (issuer.outbox: the signed transaction and
   its hash are stored before broadcasting), wait for the receipt, then attach
   the anchoring proof to every credential (issuer.reconcile.finish_batch).
3. ``write_pdfs``: render each anchored credential as a Vietnamese PDF with its
   QR code and the credential embedded.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import re
import secrets
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine
from sqlmodel import Session, select

from hocba.anchoring import fields_root_of_subject
from hocba.chain import TxResult
from hocba.dataintegrity import sign_credential_canonical, verification_method_for
from hocba.db import AuditEvent, Batch, CredentialRecord
from hocba.errors import ChainError, InputError
from hocba.merkle import MerkleTree, leaf_hash
from hocba.qrlink import build_qr_url
from hocba.registry import RegistryClient
from issuer.curriculum import Curriculum
from issuer.outbox import process_owner
from issuer.records import ClassRecords, SchoolIdentity, StudentYearRecord
from issuer.transcript import build_transcript_credential

__all__ = [
    "AnchoredBatch",
    "IssuedCredential",
    "PreparedBatch",
    "RecordBuilder",
    "SchoolSigner",
    "anchor_batch",
    "credential_json_bytes",
    "file_slug",
    "paused_gc",
    "prepare_batch",
    "write_pdfs",
]

logger = logging.getLogger(__name__)

RecordBuilder = Callable[..., dict[str, Any]]
"""Builds one unsigned credential: ``builder(record, school, *, credential_id, valid_from)``."""

@dataclass(frozen=True)
class SchoolSigner:
    """A school as it issues: its public identity, its chain account and its signing key."""

    identity: SchoolIdentity
    account: LocalAccount
    signing_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.signing_key.public_key().public_bytes_raw()


@dataclass
class IssuedCredential:
    """One student's credential: signed, then (once anchored) with its anchoring proof."""

    record: StudentYearRecord
    credential: dict[str, Any]
    digest: bytes
    leaf: bytes
    leaf_salt: bytes
    field_seed: bytes

    @property
    def credential_id(self) -> str:
        return str(self.credential["id"])


@dataclass
class PreparedBatch:
    """Signed credentials of one class and the Merkle tree over their leaves."""

    label: str
    class_records: ClassRecords
    credentials: list[IssuedCredential]
    tree: MerkleTree


@dataclass
class AnchoredBatch:
    """A batch whose root is on chain, with every credential's final JSON."""

    batch_id: int
    label: str
    root: bytes
    tx: TxResult
    credentials: list[IssuedCredential] = field(default_factory=list)


def prepare_batch(class_records: ClassRecords, signer: SchoolSigner, *,
                  curriculum: Curriculum | None = None, issued_at: datetime | None = None,
                  builder: RecordBuilder | None = None) -> PreparedBatch:
    """Build, sign and hash every credential of a class; no database or chain access.

    ``builder`` builds one unsigned credential as ``builder(record, school,
    credential_id=..., valid_from=...)``; the default builds year transcripts with
    ``curriculum``. Every record needs ``row_number``, ``full_name``,
    ``class_name`` and ``school_year``, which the later steps store.
    """
    if builder is None:
        builder = partial(build_transcript_credential, curriculum=curriculum)
    if not class_records.students:
        raise InputError(
            f"class {class_records.class_name} has no students",
            code="empty_class",
            message_vi=f"Lớp {class_records.class_name} không có học sinh nào; không có gì để cấp.",
        )
    issued_at = (issued_at or datetime.now(UTC)).replace(microsecond=0)
    method = verification_method_for(signer.public_key)

    credentials = []
    with paused_gc():
        for record in class_records.students:
            credentials.append(_issue_one(record, signer, builder, method, issued_at))

    tree = MerkleTree.build(item.leaf for item in credentials)
    label = f"{class_records.class_name} {class_records.school_year}"
    logger.info("prepared batch %s: %d credentials, root %s", label, len(credentials),
                tree.root.hex())
    return PreparedBatch(label, class_records, credentials, tree)


def _issue_one(record: Any, signer: SchoolSigner, builder: RecordBuilder, method: str,
               issued_at: datetime) -> IssuedCredential:
    """Build, sign and hash one credential (the body of ``prepare_batch``)."""
    unsigned = builder(record, signer.identity, credential_id=f"urn:uuid:{uuid.uuid4()}",
                       valid_from=issued_at)
    signed, signed_bytes = sign_credential_canonical(unsigned, signer.signing_key, method,
                                                     issued_at)
    leaf_salt = secrets.token_bytes(32)
    field_seed = secrets.token_bytes(32)
    # The leaf as compute_leaf makes it, without canonicalizing the credential again:
    # its proof is the one eddsa proof, so this is its credentialDigest.
    digest = hashlib.sha256(signed_bytes).digest()
    return IssuedCredential(
        record=record,
        credential=signed,
        digest=digest,
        leaf=leaf_hash(leaf_salt, digest,
                       fields_root_of_subject(signed["credentialSubject"], field_seed)),
        leaf_salt=leaf_salt,
        field_seed=field_seed,
    )


@contextmanager
def paused_gc() -> Iterator[None]:
    """Turn off the cyclic garbage collector for a block, then restore its previous state.

    A credential is about 200 dicts and lists, and a batch keeps them all alive. Without
    the pause the collector rescans the growing batch again and again, which took about
    a fifth of ``prepare_batch``'s time in one process (measured with 2,000 credentials).
    The credentials are trees of dicts and lists without reference cycles, so nothing
    waits for the collector meanwhile. The collector is process-wide: a thread that
    pauses it pauses it for the other threads too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def anchor_batch(prepared: PreparedBatch, signer: SchoolSigner, *, registry: RegistryClient,
                 engine: Engine, timeout: float = 120.0) -> AnchoredBatch:
    """Store the batch, anchor its root through the outbox, and attach anchoring proofs.

    First finishes this school's batches left unfinished by an earlier process (see
    issuer.reconcile). A receipt timeout raises ChainError ``receipt_timeout`` and
    leaves the batch ``sent`` for `hocba anchor --resume`.
    """
    from issuer.outbox import Outbox
    from issuer.reconcile import finish_batch, resume_batches

    resume_batches(engine, registry, lambda _address: signer.account,
                   issuer=signer.account.address, timeout=timeout)

    root = prepared.tree.root
    batch_id = _store_pending(prepared, signer, registry, engine)
    try:
        tx = Outbox(engine, registry).anchor(batch_id, signer.account, timeout=timeout)
    except ChainError:
        logger.warning("batch %d: anchoring not confirmed; `hocba anchor --resume` finishes it",
                       batch_id)
        raise

    finals = finish_batch(engine, registry, batch_id, tx)
    for item in prepared.credentials:
        item.credential = finals[item.credential_id]
    logger.info("anchored batch %d (%s) in block %d, gas %d", batch_id, prepared.label,
                tx.block_number, tx.gas_used)
    return AnchoredBatch(batch_id, prepared.label, root, tx, prepared.credentials)


def credential_json_bytes(credential: dict[str, Any]) -> bytes:
    """Serialize a credential as issued to the student (readable UTF-8 JSON)."""
    return (json.dumps(credential, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_pdfs(batch: AnchoredBatch, out_dir: Path, *, verify_base_url: str, issued_on: date,
               engine: Engine | None = None) -> list[Path]:
    """Render every credential of ``batch`` as a PDF in ``out_dir``; return the paths."""
    from issuer.record_pdf import render_credential_pdf  # reportlab loads only for PDFs

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, item in enumerate(batch.credentials, start=1):
        data = credential_json_bytes(item.credential)
        qr_url = build_qr_url(verify_base_url, item.credential_id, item.digest)
        pdf = render_credential_pdf(item.credential, data, qr_url=qr_url, issued_on=issued_on)
        path = out_dir / f"{file_slug(item.record.class_name)}-{number:02d}-" \
                         f"{file_slug(item.record.full_name)}.pdf"
        path.write_bytes(pdf)
        paths.append(path)
    if engine is not None:
        _store_pdf_paths(batch, paths, engine)
    return paths


def _store_pending(prepared: PreparedBatch, signer: SchoolSigner, registry: RegistryClient,
                   engine: Engine) -> int:
    root_hex = "0x" + prepared.tree.root.hex()
    with Session(engine) as db:
        existing = db.exec(select(Batch).where(Batch.merkle_root == root_hex)).first()
        if existing is not None:
            raise InputError(f"batch with root {root_hex} already exists (id {existing.id})",
                             code="batch_exists")
        batch = Batch(
            issuer_account=signer.account.address, label=prepared.label,
            merkle_root=root_hex, size=len(prepared.credentials),
            chain_id=registry.chain.chain_id, registry_address=registry.address,
            owner=process_owner(),
        )
        db.add(batch)
        db.flush()
        batch_id = int(batch.id or 0)
        for item in prepared.credentials:
            db.add(CredentialRecord(
                id=item.credential_id, batch_id=batch_id,
                issuer_account=signer.account.address,
                class_name=item.record.class_name, school_year=item.record.school_year,
                row_number=item.record.row_number,
                credential_digest="0x" + item.digest.hex(), leaf="0x" + item.leaf.hex(),
                credential_json=credential_json_bytes(item.credential).decode("utf-8"),
                status="pending",
                leaf_salt="0x" + item.leaf_salt.hex(), field_seed="0x" + item.field_seed.hex(),
            ))
        db.add(AuditEvent(actor=signer.account.address, action="issue",
                          target=f"batch:{batch_id}",
                          reason=f"{len(prepared.credentials)} credentials ({prepared.label})"))
        db.commit()
        return batch_id


def _store_pdf_paths(batch: AnchoredBatch, paths: list[Path], engine: Engine) -> None:
    with Session(engine) as db:
        for item, path in zip(batch.credentials, paths, strict=True):
            row = db.get(CredentialRecord, item.credential_id)
            if row is not None:
                row.pdf_path = str(path)
                db.add(row)
        db.commit()


def file_slug(text: str) -> str:
    """Return an ASCII file-name part: "Nguyễn Thị Ánh" → "nguyen-thi-anh"."""
    folded = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "x"
