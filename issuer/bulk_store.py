"""Database reads and writes of the bulk issuing run (issuer.bulk): what is done, what is not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from hocba.db import Batch, CredentialRecord
from issuer.issuance import file_slug

__all__ = ["PdfJob", "PdfPlan", "batches_by_label", "missing_pdfs", "pdf_path_for",
           "store_pdf_paths"]

# A batch in one of these states does not block issuing its class again.
_NOT_IN_FORCE = ("revoked", "failed")


@dataclass(frozen=True)
class PdfJob:
    """One credential whose PDF is still to be written."""

    credential_id: str
    credential_json: str
    digest: bytes
    issued_on: date
    path: Path


@dataclass
class PdfPlan:
    """Counts of PDFs already on disk and missing; ``jobs`` loads the missing ones per batch."""

    engine: Engine
    out_dir: Path
    existing: int = 0
    missing: int = 0
    todo: dict[int, set[str]] = field(default_factory=dict)

    def jobs(self) -> Iterator[PdfJob]:
        """Yield the missing PDFs batch by batch, so only one batch's JSON is in memory."""
        for batch_id, ids in self.todo.items():
            with Session(self.engine) as db:
                batch = db.get(Batch, batch_id)
                issued_on = ((batch.anchored_at if batch else None) or datetime.now(UTC)).date()
                rows = list(db.exec(select(CredentialRecord)
                                    .where(CredentialRecord.batch_id == batch_id)
                                    .order_by(col(CredentialRecord.row_number))))
            for row in rows:
                if row.id not in ids:
                    continue
                name = _subject_name(row.credential_json)
                yield PdfJob(row.id, row.credential_json,
                             bytes.fromhex(row.credential_digest.removeprefix("0x")), issued_on,
                             pdf_path_for(self.out_dir, row.class_name, row.row_number, name))


def batches_by_label(engine: Engine, issuer_account: str, labels: list[str]) -> dict[str, int]:
    """Return label → batch id of this school's batches in force (anchored or unfinished)."""
    with Session(engine) as db:
        rows = db.exec(select(Batch.label, Batch.id).where(
            Batch.issuer_account == issuer_account, col(Batch.label).in_(labels),
            col(Batch.status).notin_(_NOT_IN_FORCE)))
        return {label: int(batch_id or 0) for label, batch_id in rows}


def missing_pdfs(engine: Engine, batch_ids: list[int], out_dir: Path) -> PdfPlan:
    """Find the credentials of anchored ``batch_ids`` whose PDF is not recorded on disk."""
    plan = PdfPlan(engine, out_dir)
    with Session(engine) as db:
        rows = db.exec(select(CredentialRecord.id, CredentialRecord.batch_id,
                              CredentialRecord.pdf_path)
                       .join(Batch, col(Batch.id) == CredentialRecord.batch_id)
                       .where(col(CredentialRecord.batch_id).in_(batch_ids),
                              Batch.status == "anchored",
                              col(CredentialRecord.purged_at).is_(None)))
        for credential_id, batch_id, pdf_path in rows:
            if pdf_path and Path(pdf_path).is_file():
                plan.existing += 1
                continue
            plan.missing += 1
            plan.todo.setdefault(batch_id, set()).add(credential_id)
    return plan


def store_pdf_paths(engine: Engine, written: list[tuple[str, str]]) -> None:
    """Record the PDF path of each (credential id, path)."""
    if not written:
        return
    with Session(engine) as db:
        for credential_id, path in written:
            row = db.get(CredentialRecord, credential_id)
            if row is not None:
                row.pdf_path = path
                db.add(row)
        db.commit()


def pdf_path_for(out_dir: Path, class_name: str, row_number: int, name: str) -> Path:
    """Return a student's PDF path, named as `hocba anchor --resume` names it."""
    return out_dir / class_name / f"{file_slug(class_name)}-{row_number:02d}-{file_slug(name)}.pdf"


def _subject_name(credential_json: str) -> str:
    subject = json.loads(credential_json).get("credentialSubject", {})
    for identifier in subject.get("identifier", []):
        if identifier.get("identityType") == "name":
            return str(identifier.get("identityHash", ""))
    return ""
