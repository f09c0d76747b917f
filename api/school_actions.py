"""The school workflow steps that both the API (``api.school_routes``) and the staff pages run.

The functions that take a school code check that the target belongs to that
school. Those that change state record who did it and why in the audit log, and
they send chain writes under one lock.
Authorization (which role may call what) is the caller's job: the routes and
pages check it before they call in, so a 404 reaches only allowed callers.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import PurePath
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select
from starlette.concurrency import run_in_threadpool

from api.problems import ProblemError
from api.school_signing import pdf_signing, write_signed_pdfs
from hocba.accounts import Actor
from hocba.db import AuditEvent, Batch, CredentialRecord, ImportJob, IssuerRecord
from hocba.errors import HocbaError, InputError
from hocba.instance import Instance
from hocba.registry import RevocationReason
from issuer.accreditation import load_school_signer
from issuer.corrections import reinstate_credential, suspend_credential
from issuer.importer import ImportProblem
from issuer.issuance import anchor_batch
from issuer.record_correction import (
    correction_record_type,
    prepare_typed_correction,
    same_learner,
)
from issuer.record_types import (
    DEFAULT_TYPE,
    RecordType,
    prepare_records,
    preview_records,
    read_records,
    record_type,
)
from issuer.revocation import revoke_credential

__all__ = [
    "REASON_CODES",
    "change_status",
    "guarded",
    "issue_job",
    "job_record_type",
    "list_audit",
    "list_batches",
    "list_credentials",
    "own_credential",
    "own_job",
    "preview_upload",
    "problem_of",
    "record_audit",
    "reissue_correction",
    "revoke_with_audit",
    "school_of",
    "store_import",
]

logger = logging.getLogger(__name__)

# NOTE: serializes chain writes of this process only. The verification service has
# its own lock, so a verification may read the in-process chain during an issue.
_CHAIN_LOCK = threading.Lock()
REASON_CODES = {RevocationReason.UNSPECIFIED, RevocationReason.ISSUED_IN_ERROR,
                RevocationReason.FRAUD}
T = TypeVar("T")


def problem_of(exc: HocbaError) -> ProblemError:
    """Map a domain error to a problem: 404 for not found, 409 for a conflict, else 422."""
    status = 404 if exc.code.endswith("not_found") else 409 if exc.code.endswith(
        ("conflict", "not_anchored")) else 422
    return ProblemError(status, exc.code, exc.message_vi or str(exc), str(exc))


def _not_found(what_vi: str, what_en: str) -> ProblemError:
    return ProblemError(404, "not_found", f"Không tìm thấy {what_vi} của trường này.",
                        f"No such {what_en} in this school.")


def school_of(db: Session, school_code: str) -> IssuerRecord:
    """Return the registered school ``school_code``, or raise 404."""
    school = db.exec(select(IssuerRecord).where(IssuerRecord.school_code == school_code)).first()
    if school is None:
        raise _not_found("trường", "school")
    return school


def _credential_id(text: str) -> str:
    return text if text.startswith("urn:uuid:") else f"urn:uuid:{text}"


def own_credential(engine: Engine, school_code: str, credential_id: str) -> CredentialRecord:
    """Return a credential issued by ``school_code``, or raise 404 (also for another school's)."""
    with Session(engine) as db:
        school = school_of(db, school_code)
        row = db.get(CredentialRecord, _credential_id(credential_id))
    if row is None or row.issuer_account != school.account:
        raise _not_found("văn bản", "credential")
    return row


def own_job(engine: Engine, school_code: str, job_id: int) -> ImportJob:
    """Return an import job of ``school_code``, or raise 404 (also for another school's)."""
    with Session(engine) as db:
        job = db.get(ImportJob, job_id)
    if job is None or job.school_code != school_code:
        raise _not_found("lượt nhập", "import job")
    return job


def _problem_json(problem: ImportProblem) -> dict[str, Any]:
    return {"row": problem.row, "column": problem.column, "value": problem.value,
            "message": problem.message_vi, "message_en": problem.message_en,
            "code": problem.code}


def preview_upload(data: bytes, file_name: str,
                   kind: RecordType | None = None) -> tuple[dict[str, Any], bool]:
    """Check a class file of ``kind`` without issuing; return the preview and whether it is ready.

    ``kind`` defaults to the lower-secondary transcript. ``recordType`` is the
    type's code, which approval reads back. ``rows`` lists the students of a
    file without problems. ``problems`` lists every problem of the file and of
    its rows. ``checkedRows`` lists every student row of the file with its own
    problems, so a page can show the good rows beside the bad.
    """
    kind = kind or record_type(DEFAULT_TYPE)
    suffix = PurePath(file_name).suffix.lower()
    source_name = f"upload{suffix}" if suffix in (".csv", ".xlsx") else "upload.csv"
    base: dict[str, Any] = {"recordType": kind.code}
    try:
        checked = preview_records(kind, data, source_name)
    except InputError as exc:
        problem = {"row": 0, "column": "", "value": "", "message": exc.message_vi or str(exc),
                   "message_en": str(exc), "code": exc.code}
        return {**base, "rows": [], "problems": [problem], "checkedRows": []}, False
    checked_rows = [{"row": row.row, "name": row.name, "ok": row.ok,
                     "problems": [_problem_json(p) for p in row.problems]}
                    for row in checked.rows]
    problems = [_problem_json(p) for p in checked.problems]
    problems += [item for row in checked_rows for item in row["problems"]]
    records = checked.records
    if records is None or problems:
        return {**base, "rows": [], "problems": problems, "checkedRows": checked_rows}, False
    rows = [{"row": s.row_number, "fullName": s.full_name, "studentId": _student_id(s),
             "birthDate": _birth_date(s)} for s in records.students]
    return {**base, "className": records.class_name, "schoolYear": records.school_year,
            "rows": rows, "problems": [], "checkedRows": checked_rows}, True


def _student_id(record: Any) -> str:
    holder = getattr(record, "student", record)
    return str(getattr(holder, "student_id", ""))


def _birth_date(record: Any) -> str:
    holder = getattr(record, "student", record)
    born = getattr(holder, "birth_date", None)
    return born.isoformat() if isinstance(born, date) else ""


def job_record_type(job: ImportJob) -> RecordType:
    """Return the record type stored in a job's preview (the THCS transcript for older jobs)."""
    try:
        stored = json.loads(job.preview_json).get("recordType")
    except (ValueError, AttributeError):
        stored = None
    return record_type(stored if isinstance(stored, str) else DEFAULT_TYPE)


def record_audit(db: Session, actor: Actor, action: str, target: str, reason: str,
                 school_code: str) -> None:
    """Add one audit event to ``db``; the caller commits."""
    db.add(AuditEvent(actor=actor.label, action=action, target=target, reason=reason[:500],
                      school_code=school_code))


def store_import(engine: Engine, school_code: str, actor: Actor, data: bytes,
                 file_name: str, kind: RecordType | None = None) -> ImportJob:
    """Preview an uploaded class file of ``kind`` and store it as a job waiting for approval.

    The record type is kept in the job's ``preview_json`` as ``recordType``, so
    approval issues the type that was previewed without a new column.
    """
    preview, _ok = preview_upload(data, file_name, kind)
    kind = "xlsx" if file_name.lower().endswith(".xlsx") else "csv"
    with Session(engine, expire_on_commit=False) as db:
        school_of(db, school_code)
        job = ImportJob(school_code=school_code, file_kind=kind, file_data=data,
                        preview_json=json.dumps(preview, ensure_ascii=False),
                        created_by=actor.label)
        db.add(job)
        db.flush()
        record_audit(db, actor, "import_preview", f"import_job:{job.id}",
                     f"{preview['recordType']}: {len(preview['rows'])} rows, "
                     f"{len(preview['problems'])} problems",
                     school_code)
        db.commit()
        return job


async def guarded(work: Callable[[], T]) -> T:
    """Run ``work`` in a worker thread and turn a domain error into a problem."""
    try:
        return await run_in_threadpool(work)
    except ProblemError:
        raise
    except HocbaError as exc:
        logger.info("school action failed: %s", exc.code)
        raise problem_of(exc) from exc


def issue_job(instance: Instance, job: ImportJob, actor: Actor) -> dict[str, Any]:
    """Issue a previewed import job: sign, anchor, write and PAdES-sign the PDFs, mark it issued.

    The PDFs are signed when the school has a signer file (``issuer.web_signing``);
    its keys are opened before anchoring, so a failing key anchors nothing.
    """
    if job.state != "previewed":
        raise ProblemError(409, "import_not_previewed",
                           f"Lượt nhập {job.id} đang ở trạng thái {job.state}.",
                           f"Import job {job.id} is {job.state}, not previewed.")
    kind = job_record_type(job)
    try:
        records = read_records(kind, job.file_data, f"upload.{job.file_kind}")
    except InputError as exc:
        raise ProblemError(422, "import_rejected", exc.message_vi or str(exc), str(exc)) from exc
    signer = load_school_signer(instance.keys, instance.engine, job.school_code)
    prepared = prepare_records(kind, records, signer)
    with pdf_signing(instance, job.school_code, records.homeroom_teacher, prepared) as session:
        try:
            with _CHAIN_LOCK:
                anchored = anchor_batch(prepared, signer, registry=instance.registry,
                                        engine=instance.engine)
        except HocbaError as exc:
            raise problem_of(exc) from exc
        signing = write_signed_pdfs(instance, anchored, job.school_code, session)
    with Session(instance.engine) as db:
        stored = db.get(ImportJob, job.id)
        if stored is not None:
            stored.state, stored.batch_id = "issued", anchored.batch_id
            stored.approved_by, stored.approved_at = actor.label, datetime.now(UTC)
            preview = json.loads(stored.preview_json)
            stored.preview_json = json.dumps({**preview, "pdfSigning": signing},
                                             ensure_ascii=False)
            db.add(stored)
        record_audit(db, actor, "approve_import", f"batch:{anchored.batch_id}",
                     f"import job {job.id}: {len(anchored.credentials)} credentials, PDF "
                     f"{'signed' if signing['signed'] else 'unsigned'}",
                     job.school_code)
        db.commit()
    return {"importId": job.id, "recordType": kind.code, "batchId": anchored.batch_id,
            "state": "issued", "pdfSigned": signing["signed"],
            "credentials": [item.credential_id for item in anchored.credentials]}


def revoke_with_audit(instance: Instance, row: CredentialRecord, school_code: str, actor: Actor,
                      reason_code: int, reason: str) -> int:
    """Revoke a credential for good with ``reason_code`` (0, 2 or 3); return the block."""
    if reason_code not in REASON_CODES:
        raise ProblemError(422, "reason_code_invalid",
                           "Mã lý do phải là 0, 2 hoặc 3 (1 dành cho đính chính).",
                           "reasonCode must be 0, 2 or 3 (1 is set by a re-issue).")
    with _CHAIN_LOCK:
        tx = revoke_credential(instance.keys, instance.registry, instance.engine,
                               credential_id=row.id, reason_code=reason_code, reason=reason)
    with Session(instance.engine) as db:
        record_audit(db, actor, "revoke", f"credential:{row.id}",
                     f"code {reason_code}: {reason}", school_code)
        db.commit()
    return tx.block_number


def change_status(instance: Instance, row: CredentialRecord, school_code: str, actor: Actor,
                  reason: str, *, suspend: bool) -> int:
    """Suspend (``suspend``) or reinstate a credential on chain; return the block."""
    action = suspend_credential if suspend else reinstate_credential
    with _CHAIN_LOCK:
        return action(instance.keys, instance.registry, instance.engine, credential_id=row.id,
                      school_code=school_code, actor=actor.label, reason=reason).block_number


def _old_batch_label(engine: Engine, old: CredentialRecord) -> str:
    with Session(engine) as db:
        batch = db.get(Batch, old.batch_id)
    return batch.label if batch is not None else ""


def reissue_correction(instance: Instance, old: CredentialRecord, data: bytes, file_name: str,
                       reason: str, actor: Actor, school_code: str) -> dict[str, Any]:
    """Issue the corrected credential in a one-row class file and revoke ``old`` as superseded.

    The file has the record type of ``old`` (read from its batch label) and must
    name the same learner. Its PDF is signed as in ``issue_job``.
    """
    if old.status == "revoked":
        raise ProblemError(409, "credential_revoked", "Văn bản cũ đã bị thu hồi.",
                           "The credential to correct is already revoked.")
    kind = correction_record_type(_old_batch_label(instance.engine, old))
    preview, ok = preview_upload(data, file_name, kind)
    if not ok:
        raise ProblemError(422, "import_rejected", "Tệp đính chính có lỗi.",
                           "The correction file has problems.", problems=preview["problems"])
    suffix = "xlsx" if file_name.lower().endswith(".xlsx") else "csv"
    records = read_records(kind, data, f"upload.{suffix}")
    signer = load_school_signer(instance.keys, instance.engine, school_code)
    prepared = prepare_typed_correction(kind, records, signer, replaces=old.id)
    if not same_learner(json.loads(old.credential_json), prepared.credentials[0].credential):
        raise ProblemError(422, "correction_other_learner",
                           "Tệp đính chính là của một học sinh khác: mã học sinh, hoặc họ tên và "
                           "ngày sinh, phải trùng với văn bản cũ.",
                           "The correction file is about another learner: the learner id, or "
                           "the name and date of birth, must match the old credential.")
    with pdf_signing(instance, school_code, records.homeroom_teacher, prepared) as session:
        with _CHAIN_LOCK:
            anchored = anchor_batch(prepared, signer, registry=instance.registry,
                                    engine=instance.engine)
            revoke_credential(instance.keys, instance.registry, instance.engine,
                              credential_id=old.id, reason_code=RevocationReason.SUPERSEDED,
                              reason=f"superseded: {reason}")
        signing = write_signed_pdfs(instance, anchored, school_code, session)
    new_id = anchored.credentials[0].credential_id
    with Session(instance.engine) as db:
        row = db.get(CredentialRecord, new_id)
        if row is not None:
            row.replaces = old.id
            db.add(row)
        record_audit(db, actor, "reissue", f"credential:{new_id}",
                     f"replaces {old.id}: {reason}", school_code)
        db.commit()
    return {"id": new_id, "replaces": old.id, "batchId": anchored.batch_id,
            "recordType": kind.code, "pdfSigned": signing["signed"],
            "credential": anchored.credentials[0].credential}


def list_batches(engine: Engine, school_code: str) -> list[Batch]:
    """Return the batches of ``school_code``, oldest first."""
    with Session(engine) as db:
        school = school_of(db, school_code)
        return list(db.exec(select(Batch).where(Batch.issuer_account == school.account)
                            .order_by(col(Batch.id))).all())


def list_credentials(engine: Engine, school_code: str) -> list[CredentialRecord]:
    """Return the credentials of ``school_code``, oldest first."""
    with Session(engine) as db:
        school = school_of(db, school_code)
        return list(db.exec(select(CredentialRecord)
                            .where(CredentialRecord.issuer_account == school.account)
                            .order_by(col(CredentialRecord.created_at))).all())


def list_audit(engine: Engine, school_code: str) -> list[AuditEvent]:
    """Return the audit events of ``school_code`` and of its chain account, oldest first."""
    with Session(engine) as db:
        school = school_of(db, school_code)
        return list(db.exec(select(AuditEvent).where(or_(
            AuditEvent.school_code == school_code,
            AuditEvent.actor == school.account)).order_by(col(AuditEvent.id))).all())
