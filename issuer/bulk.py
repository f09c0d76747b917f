"""Issuing many classes at once: signing and PDFs in a process pool, resumable after a crash.

Stages, each reported through a ``StageProgress``:

1. ``sign``: every class not issued yet is split into chunks of students that pool
   workers build, sign and hash (``prepare_batch`` on a slice, one ``issued_at``
   for the class); the main process builds the Merkle tree.
2. ``anchor``: each class is anchored as one batch through the outbox
   (``anchor_batch``) while the workers sign the next classes.
3. ``pdf``: the credentials of the anchored batches that have no PDF on disk are
   rendered and PAdES-signed by the workers (one ``PdfSigningSession`` per worker)
   and written atomically under ``<out>/<class>/``.

A re-run skips classes whose batch is anchored and PDFs already written. A batch
left unfinished by a killed process is resolved first through ``issuer.reconcile``
(the outbox stores each anchoring transaction before it is broadcast and the
registry rejects a second anchor of a root), so no class is anchored twice.
"""

from __future__ import annotations

import ctypes
import json
import logging
import math
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eth_account.signers.local import LocalAccount

from hocba.errors import ChainError
from hocba.merkle import MerkleTree
from issuer.bulk_store import PdfJob, batches_by_label, missing_pdfs, store_pdf_paths
from issuer.curriculum import load_curriculum
from issuer.issuance import (
    IssuedCredential,
    PreparedBatch,
    SchoolSigner,
    anchor_batch,
    paused_gc,
    prepare_batch,
)
from issuer.outbox import crash_point
from issuer.pdfsign import PdfSigningSession, Pkcs11Key, SignerSpec
from issuer.records import ClassRecords, SchoolIdentity

__all__ = ["BulkResult", "StageProgress", "gather_class", "issue_all", "open_pool", "render_pdf",
           "sign_class"]

logger = logging.getLogger(__name__)

# Test-only crash point (see issuer.outbox.crash_point): SIGKILL after a class is anchored.
CRASH_AFTER_CLASS = "after_class"
MAX_CHUNK = 250
PDF_WINDOW_PER_WORKER = 4
PDF_COMMIT_EVERY = 50
_PR_SET_PDEATHSIG = 1


class StageProgress(Protocol):
    """Receives progress of the ``sign``, ``anchor`` and ``pdf`` stages."""

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, stage: str, amount: int = 1) -> None: ...


@dataclass
class BulkResult:
    """Counts of one run: what was done now and what an earlier run had done."""

    classes: int = 0
    classes_skipped: int = 0
    credentials_signed: int = 0
    batches_anchored: int = 0
    pdfs_written: int = 0
    pdfs_skipped: int = 0


# Worker side ------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(identity: SchoolIdentity, key_bytes: bytes, specs: tuple[SignerSpec, ...],
                 location: str | None) -> None:
    """Load the signing key, the curriculum and (when PDFs are signed) the PDF keys once."""
    _die_with_parent()

    _worker["signer"] = SchoolSigner(
        identity=identity,
        # Workers never send transactions, so they never get the chain account.
        account=cast(LocalAccount, None),
        signing_key=Ed25519PrivateKey.from_private_bytes(key_bytes),
    )
    _worker["curriculum"] = load_curriculum()
    _worker["session"] = PdfSigningSession(specs, location=location) if specs else None


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the issuing process dies (e.g. by SIGKILL).

    Without it, pool workers of a killed run would wait on their queue forever.
    """
    if not sys.platform.startswith("linux") or os.getpid() == _worker.get("main_pid"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _sign_chunk(chunk: ClassRecords, issued_at: datetime) -> list[IssuedCredential]:
    prepared = prepare_batch(chunk, _worker["signer"], curriculum=_worker["curriculum"],
                             issued_at=issued_at)
    return prepared.credentials


def render_pdf(job: tuple[str, str, bytes, str, date, str]) -> str:
    """Render one credential's PDF, sign it, write it atomically; return its path."""
    from hocba.qrlink import build_qr_url
    from issuer.record_pdf import render_credential_pdf

    credential_id, credential_json, digest, verify_base_url, issued_on, path_text = job
    data = credential_json.encode("utf-8")
    pdf = render_credential_pdf(json.loads(credential_json), data,
                                qr_url=build_qr_url(verify_base_url, credential_id, digest),
                                issued_on=issued_on)
    session = _worker.get("session")
    if session is not None:
        pdf = session.sign(pdf)
    path = Path(path_text)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(pdf)
    os.replace(partial, path)
    return path_text


class _InlineExecutor(Executor):
    """Run submitted work at once in this process (``--workers 1``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def open_pool(workers: int, signer: SchoolSigner, specs: tuple[SignerSpec, ...],
              location: str | None = None) -> Executor:
    """Start ``workers`` worker processes holding the school's signing key and the PDF keys.

    With one worker the work runs in this process (no pickling, no fork).
    """
    args = (signer.identity, signer.signing_key.private_bytes_raw(), specs, location)
    if workers <= 1:
        _worker["main_pid"] = os.getpid()
        _init_worker(*args)
        return _InlineExecutor()
    # fork: workers start in milliseconds and inherit the imported modules.
    return ProcessPoolExecutor(workers, mp_context=get_context("fork"),
                               initializer=_init_worker, initargs=args)


# Main side --------------------------------------------------------------------


def sign_class(pool: Executor, class_records: ClassRecords, workers: int,
               issued_at: datetime | None = None) -> list[Future[list[IssuedCredential]]]:
    """Submit one class's students in chunks; the futures return signed credentials."""
    issued_at = (issued_at or datetime.now(UTC)).replace(microsecond=0)
    students = class_records.students
    size = max(1, min(MAX_CHUNK, math.ceil(len(students) / max(workers, 1))))
    return [pool.submit(_sign_chunk, replace(class_records, students=students[start:start + size]),
                        issued_at)
            for start in range(0, len(students), size)]


def gather_class(class_records: ClassRecords,
                 futures: list[Future[list[IssuedCredential]]]) -> PreparedBatch:
    """Collect the signed chunks of a class in order and build its Merkle tree."""
    # Unpickling a chunk allocates about 200 dicts and lists per credential, which
    # would make the garbage collector rescan the growing batch again and again.
    with paused_gc():
        credentials = [item for future in futures for item in future.result()]
    tree = MerkleTree.build(item.leaf for item in credentials)
    label = f"{class_records.class_name} {class_records.school_year}"
    return PreparedBatch(label, class_records, credentials, tree)


def issue_all(classes: list[ClassRecords], signer: SchoolSigner, *, registry: Any, engine: Any,
              out_dir: Path, verify_base_url: str, specs: Iterable[SignerSpec] = (),
              location: str | None = None, workers: int = 2,
              progress: StageProgress | None = None, timeout: float = 120.0) -> BulkResult:
    """Sign, anchor and render every class not issued yet; see the module docstring."""
    from issuer.reconcile import resume_batches

    progress = progress or _NoProgress()
    spec_tuple = tuple(specs)
    result = BulkResult(classes=len(classes))

    resumed = resume_batches(engine, registry, lambda _address: signer.account,
                             issuer=signer.account.address, timeout=timeout)
    unresolved = [item for item in resumed if item.status != "anchored"]
    if unresolved:
        raise ChainError(
            f"batch {unresolved[0].batch_id} is still {unresolved[0].status}",
            code="batch_unfinished",
            message_vi=f"Lô {unresolved[0].batch_id} ({unresolved[0].label}) chưa hoàn tất; "
                       "chạy `hocba anchor --resume` rồi chạy lại lệnh này.",
        )

    labels = [f"{item.class_name} {item.school_year}" for item in classes]
    issued = batches_by_label(engine, signer.account.address, labels)
    todo = [item for item, label in zip(classes, labels, strict=True) if label not in issued]
    result.classes_skipped = len(classes) - len(todo)

    # PKCS#11 sessions cannot cross a fork, so token signing runs in this process only.
    on_token = any(isinstance(spec.key, Pkcs11Key) for spec in spec_tuple)
    if spec_tuple and not on_token:
        # Open the keys here first: a wrong passphrase then raises PdfSigningError
        # instead of breaking the pool in its initializer.
        PdfSigningSession(spec_tuple).close()
    pool = open_pool(workers, signer, () if on_token else spec_tuple, location)
    pdf_pool = open_pool(1, signer, spec_tuple, location) if on_token else pool
    try:
        progress.start("sign", sum(len(item.students) for item in todo))
        progress.start("anchor", len(todo))
        _sign_and_anchor(pool, todo, signer, registry, engine, workers, progress, result,
                         timeout)

        issued = batches_by_label(engine, signer.account.address, labels)
        plan = missing_pdfs(engine, [issued[label] for label in labels if label in issued],
                            out_dir)
        result.pdfs_skipped = plan.existing
        progress.start("pdf", plan.missing)
        _write_pdfs(pdf_pool, plan.jobs(), verify_base_url, workers, engine, progress, result)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        session = _worker.pop("session", None)
        if session is not None:
            session.close()
    return result


def _sign_and_anchor(pool: Executor, todo: list[ClassRecords], signer: SchoolSigner,
                     registry: Any, engine: Any, workers: int, progress: StageProgress,
                     result: BulkResult, timeout: float) -> None:
    """Anchor classes in order while the pool signs up to ``workers`` classes ahead."""
    queue: deque[tuple[ClassRecords, list[Future[list[IssuedCredential]]]]] = deque()
    upcoming = iter(todo)

    def refill() -> None:
        while len(queue) <= workers:
            class_records = next(upcoming, None)
            if class_records is None:
                return
            queue.append((class_records, sign_class(pool, class_records, workers)))

    refill()
    while queue:
        class_records, futures = queue.popleft()
        prepared = gather_class(class_records, futures)
        refill()
        result.credentials_signed += len(prepared.credentials)
        progress.advance("sign", len(prepared.credentials))

        anchored = anchor_batch(prepared, signer, registry=registry, engine=engine,
                                timeout=timeout)
        result.batches_anchored += 1
        progress.advance("anchor")
        logger.info("class %s anchored in batch %d", prepared.label, anchored.batch_id)
        crash_point(CRASH_AFTER_CLASS)


def _write_pdfs(pool: Executor, jobs: Iterable[PdfJob],
                verify_base_url: str, workers: int, engine: Any, progress: StageProgress,
                result: BulkResult) -> None:
    """Render and sign PDFs, keeping a few jobs per worker in flight so memory stays flat."""
    window = max(1, workers) * PDF_WINDOW_PER_WORKER
    in_flight: deque[tuple[str, Future[str]]] = deque()
    done: list[tuple[str, str]] = []

    def drain_one() -> None:
        credential_id, future = in_flight.popleft()
        done.append((credential_id, future.result()))
        result.pdfs_written += 1
        progress.advance("pdf")
        if len(done) >= PDF_COMMIT_EVERY:
            store_pdf_paths(engine, done)
            done.clear()

    for job in jobs:
        job.path.parent.mkdir(parents=True, exist_ok=True)
        in_flight.append((job.credential_id, pool.submit(
            render_pdf, (job.credential_id, job.credential_json, job.digest, verify_base_url,
                          job.issued_on, str(job.path)))))
        if len(in_flight) >= window:
            drain_one()
    while in_flight:
        drain_one()
    store_pdf_paths(engine, done)


class _NoProgress:
    def start(self, stage: str, total: int) -> None:
        return None

    def advance(self, stage: str, amount: int = 1) -> None:
        return None
