"""The school workflow under ``/v1/schools/{school_code}``: import, approve, status, audit.

- ``POST imports`` (staff, principal, API key): upload a class file (field ``file``,
  CSV or XLSX); returns the preview (rows and problems). Other form fields, such
  as an issuer or school id, are ignored: the school is the one in the path, which
  the caller must belong to.
- ``GET imports/{id}``, ``GET batches``, ``GET credentials``: the school's own data.
- ``POST imports/{id}/approve`` (principal): issue, anchor and render the PDFs.
- ``POST credentials/{id}/revoke|suspend|reinstate`` (principal), JSON
  ``{"reason": ..., "reasonCode": ...}``; any other field is rejected with 422.
- ``POST credentials/{id}/reissue`` (principal): a class file with the one
  corrected student; the new credential names the old one in ``replaces`` and the
  old one is revoked with reason code superseded.
- ``GET audit`` (principal, Department): the school's audit log.

The issuer is always the school of the authenticated principal: no request field
chooses it.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, date, datetime
from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, or_, select
from starlette.concurrency import run_in_threadpool

from api.auth import CurrentActor, require_audit_reader, require_school
from api.problems import ProblemError
from api.school_forms import read_form
from hocba.accounts import Actor
from hocba.db import AuditEvent, Batch, CredentialRecord, ImportJob, IssuerRecord
from hocba.errors import HocbaError, ImportRowsError, InputError
from hocba.instance import Instance
from hocba.registry import RevocationReason
from issuer.accreditation import load_school_signer
from issuer.corrections import prepare_correction, reinstate_credential, suspend_credential
from issuer.curriculum import load_curriculum
from issuer.importer import read_class_file
from issuer.issuance import anchor_batch, prepare_batch, write_pdfs
from issuer.revocation import revoke_credential

__all__ = ["school_router"]

logger = logging.getLogger(__name__)

_NO_STORE = {"Cache-Control": "no-store"}
_READERS = ("school_staff", "principal")
_PRINCIPAL = ("principal",)
# NOTE: serializes chain writes of this process only; the verification service has
# its own lock, so a verify may read the in-process chain during an issue.
_CHAIN_LOCK = threading.Lock()
_REASON_CODES = {RevocationReason.UNSPECIFIED, RevocationReason.ISSUED_IN_ERROR,
                 RevocationReason.FRAUD}


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=400)
    reasonCode: int = RevocationReason.UNSPECIFIED


def _problem(exc: HocbaError) -> ProblemError:
    status = 404 if exc.code.endswith("not_found") else 409 if exc.code.endswith(
        ("conflict", "not_anchored")) else 422
    return ProblemError(status, exc.code, exc.message_vi or str(exc), str(exc))


def _not_found(what_vi: str, what_en: str) -> ProblemError:
    return ProblemError(404, "not_found", f"Không tìm thấy {what_vi} của trường này.",
                        f"No such {what_en} in this school.")


def _school(db: Session, school_code: str) -> IssuerRecord:
    school = db.exec(select(IssuerRecord).where(IssuerRecord.school_code == school_code)).first()
    if school is None:
        raise _not_found("trường", "school")
    return school


def _credential_id(text: str) -> str:
    return text if text.startswith("urn:uuid:") else f"urn:uuid:{text}"


def _own_credential(engine, school_code: str, credential_id: str) -> CredentialRecord:  # type: ignore[no-untyped-def]
    with Session(engine) as db:
        school = _school(db, school_code)
        row = db.get(CredentialRecord, _credential_id(credential_id))
    if row is None or row.issuer_account != school.account:
        raise _not_found("văn bản", "credential")
    return row


def _preview(data: bytes, file_name: str) -> tuple[dict[str, Any], bool]:
    suffix = PurePath(file_name).suffix.lower()
    source_name = f"upload{suffix}" if suffix in (".csv", ".xlsx") else "upload.csv"
    try:
        records = read_class_file(data, load_curriculum(), source_name=source_name)
    except ImportRowsError as exc:
        problems = [{"row": p.row, "column": p.column, "value": p.value, "message": p.message_vi,
                     "message_en": p.message_en, "code": p.code} for p in exc.problems]
        return {"rows": [], "problems": problems}, False
    except InputError as exc:
        problem = {"row": 0, "column": "", "value": "", "message": exc.message_vi or str(exc),
                   "message_en": str(exc), "code": exc.code}
        return {"rows": [], "problems": [problem]}, False
    rows = [{"row": s.row_number, "fullName": s.full_name, "studentId": s.student_id,
             "birthDate": s.birth_date.isoformat()} for s in records.students]
    return {"className": records.class_name, "schoolYear": records.school_year,
            "rows": rows, "problems": []}, True


def _job_json(job: ImportJob) -> dict[str, Any]:
    return {"id": job.id, "state": job.state, "createdBy": job.created_by,
            "approvedBy": job.approved_by, "batchId": job.batch_id,
            "preview": json.loads(job.preview_json)}


def _audit(db: Session, actor: Actor, action: str, target: str, reason: str,
           school_code: str) -> None:
    db.add(AuditEvent(actor=actor.label, action=action, target=target, reason=reason[:500],
                      school_code=school_code))


def school_router(instance: Instance, max_upload_bytes: int) -> APIRouter:
    """Build the router of the school workflow over ``instance``."""
    router = APIRouter(prefix="/v1/schools/{school_code}")

    @router.post("/imports", status_code=201)
    async def upload(request: Request, school_code: str, actor: CurrentActor) -> JSONResponse:
        """Tải lên tệp lớp và xem trước / upload a class file and preview it."""
        require_school(actor, school_code, _READERS)
        data, file_name, _fields = await read_form(request, max_upload_bytes)
        preview, _ok = await run_in_threadpool(_preview, data, file_name)
        kind = "xlsx" if file_name.lower().endswith(".xlsx") else "csv"

        def store() -> ImportJob:
            with Session(instance.engine, expire_on_commit=False) as db:
                _school(db, school_code)
                job = ImportJob(school_code=school_code, file_kind=kind, file_data=data,
                                preview_json=json.dumps(preview, ensure_ascii=False),
                                created_by=actor.label)
                db.add(job)
                db.flush()
                _audit(db, actor, "import_preview", f"import_job:{job.id}",
                       f"{len(preview['rows'])} rows, {len(preview['problems'])} problems",
                       school_code)
                db.commit()
                return job

        job = await run_in_threadpool(store)
        return JSONResponse(_job_json(job), status_code=201, headers=_NO_STORE)

    def own_job(school_code: str, job_id: int) -> ImportJob:
        with Session(instance.engine) as db:
            job = db.get(ImportJob, job_id)
        if job is None or job.school_code != school_code:
            raise _not_found("lượt nhập", "import job")
        return job

    @router.get("/imports/{job_id}")
    async def show_import(school_code: str, job_id: int, actor: CurrentActor) -> JSONResponse:
        """Xem lượt nhập / show an import job and its preview."""
        require_school(actor, school_code, _READERS)
        job = await run_in_threadpool(own_job, school_code, job_id)
        return JSONResponse(_job_json(job), headers=_NO_STORE)

    @router.post("/imports/{job_id}/approve", status_code=201)
    async def approve(school_code: str, job_id: int, actor: CurrentActor) -> JSONResponse:
        """Hiệu trưởng duyệt và cấp / the principal approves: issue, anchor, write PDFs."""
        require_school(actor, school_code, _PRINCIPAL)
        job = await run_in_threadpool(own_job, school_code, job_id)
        if job.state != "previewed":
            raise ProblemError(409, "import_not_previewed",
                               f"Lượt nhập {job_id} đang ở trạng thái {job.state}.",
                               f"Import job {job_id} is {job.state}, not previewed.")
        result = await run_in_threadpool(_issue_job, instance, job, actor)
        return JSONResponse(result, status_code=201, headers=_NO_STORE)

    @router.get("/batches")
    async def batches(school_code: str, actor: CurrentActor) -> JSONResponse:
        """Các lô của trường / this school's batches."""
        require_school(actor, school_code, _READERS)

        def load() -> list[dict[str, Any]]:
            with Session(instance.engine) as db:
                school = _school(db, school_code)
                rows = db.exec(select(Batch).where(Batch.issuer_account == school.account)
                               .order_by(col(Batch.id))).all()
            return [{"id": b.id, "label": b.label, "size": b.size, "status": b.status,
                     "merkleRoot": b.merkle_root, "blockNumber": b.block_number} for b in rows]

        return JSONResponse({"batches": await run_in_threadpool(load)}, headers=_NO_STORE)

    @router.get("/credentials")
    async def credentials(school_code: str, actor: CurrentActor) -> JSONResponse:
        """Các văn bản của trường / this school's credentials (no personal data)."""
        require_school(actor, school_code, _READERS)

        def load() -> list[dict[str, Any]]:
            with Session(instance.engine) as db:
                school = _school(db, school_code)
                rows = db.exec(select(CredentialRecord)
                               .where(CredentialRecord.issuer_account == school.account)
                               .order_by(col(CredentialRecord.created_at))).all()
            return [{"id": r.id, "batchId": r.batch_id, "className": r.class_name,
                     "schoolYear": r.school_year, "row": r.row_number, "status": r.status,
                     "replaces": r.replaces} for r in rows]

        return JSONResponse({"credentials": await run_in_threadpool(load)}, headers=_NO_STORE)

    @router.post("/credentials/{credential_id}/revoke")
    async def revoke(school_code: str, credential_id: str, body: StatusBody,
                     actor: CurrentActor) -> JSONResponse:
        """Thu hồi (không đảo ngược được) / revoke a credential for good."""
        require_school(actor, school_code, _PRINCIPAL)
        if body.reasonCode not in _REASON_CODES:
            raise ProblemError(422, "reason_code_invalid",
                               "Mã lý do phải là 0, 2 hoặc 3 (1 dành cho đính chính).",
                               "reasonCode must be 0, 2 or 3 (1 is set by a re-issue).")
        row = await run_in_threadpool(_own_credential, instance.engine, school_code,
                                      credential_id)

        def run() -> int:
            with _CHAIN_LOCK:
                tx = revoke_credential(instance.keys, instance.registry, instance.engine,
                                       credential_id=row.id, reason_code=body.reasonCode,
                                       reason=body.reason)
            with Session(instance.engine) as db:
                _audit(db, actor, "revoke", f"credential:{row.id}",
                       f"code {body.reasonCode}: {body.reason}", school_code)
                db.commit()
            return tx.block_number

        block = await _guarded(run)
        return JSONResponse({"id": row.id, "status": "revoked", "block": block},
                            headers=_NO_STORE)

    async def change(school_code: str, credential_id: str, body: StatusBody, actor: Actor,
                     suspend: bool) -> JSONResponse:
        require_school(actor, school_code, _PRINCIPAL)
        row = await run_in_threadpool(_own_credential, instance.engine, school_code,
                                      credential_id)
        action = suspend_credential if suspend else reinstate_credential

        def run() -> int:
            with _CHAIN_LOCK:
                return action(instance.keys, instance.registry, instance.engine,
                              credential_id=row.id, school_code=school_code,
                              actor=actor.label, reason=body.reason).block_number

        block = await _guarded(run)
        return JSONResponse({"id": row.id, "status": "suspended" if suspend else "active",
                             "block": block}, headers=_NO_STORE)

    @router.post("/credentials/{credential_id}/suspend")
    async def suspend(school_code: str, credential_id: str, body: StatusBody,
                      actor: CurrentActor) -> JSONResponse:
        """Tạm đình chỉ / suspend a credential (reversible)."""
        return await change(school_code, credential_id, body, actor, True)

    @router.post("/credentials/{credential_id}/reinstate")
    async def reinstate(school_code: str, credential_id: str, body: StatusBody,
                        actor: CurrentActor) -> JSONResponse:
        """Khôi phục / reinstate a suspended credential."""
        return await change(school_code, credential_id, body, actor, False)

    @router.post("/credentials/{credential_id}/reissue", status_code=201)
    async def reissue(request: Request, school_code: str, credential_id: str,
                      actor: CurrentActor) -> JSONResponse:
        """Cấp lại bản đính chính / re-issue a corrected credential."""
        require_school(actor, school_code, _PRINCIPAL)
        old = await run_in_threadpool(_own_credential, instance.engine, school_code,
                                      credential_id)
        data, file_name, fields = await read_form(request, max_upload_bytes)
        reason = fields.get("reason", "").strip()
        if not reason:
            raise ProblemError(422, "reason_missing", "Cần nêu lý do đính chính (trường reason).",
                               "A reason is required (field 'reason').")
        result = await _guarded(lambda: _reissue(instance, old, data, file_name, reason, actor,
                                                 school_code))
        return JSONResponse(result, status_code=201, headers=_NO_STORE)

    @router.get("/audit")
    async def audit(school_code: str, actor: CurrentActor) -> JSONResponse:
        """Nhật ký thao tác / the school's audit log: who, when, what, why."""
        require_audit_reader(actor, school_code)

        def load() -> list[dict[str, Any]]:
            with Session(instance.engine) as db:
                school = _school(db, school_code)
                rows = db.exec(select(AuditEvent).where(or_(
                    AuditEvent.school_code == school_code,
                    AuditEvent.actor == school.account)).order_by(col(AuditEvent.id))).all()
            return [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                     "target": e.target, "reason": e.reason} for e in rows]

        return JSONResponse({"events": await run_in_threadpool(load)}, headers=_NO_STORE)

    return router


async def _guarded(work) -> Any:  # type: ignore[no-untyped-def]
    try:
        return await run_in_threadpool(work)
    except ProblemError:
        raise
    except HocbaError as exc:
        logger.info("school action failed: %s", exc.code)
        raise _problem(exc) from exc


def _issue_job(instance: Instance, job: ImportJob, actor: Actor) -> dict[str, Any]:
    try:
        records = read_class_file(job.file_data, load_curriculum(),
                                  source_name=f"upload.{job.file_kind}")
    except ImportRowsError as exc:
        raise ProblemError(422, "import_rejected", exc.message_vi or str(exc), str(exc)) from exc
    signer = load_school_signer(instance.keys, instance.engine, job.school_code)
    prepared = prepare_batch(records, signer, curriculum=load_curriculum())
    try:
        with _CHAIN_LOCK:
            anchored = anchor_batch(prepared, signer, registry=instance.registry,
                                    engine=instance.engine)
    except HocbaError as exc:
        raise _problem(exc) from exc
    out_dir = instance.settings.home / "pdf" / job.school_code / f"batch-{anchored.batch_id}"
    write_pdfs(anchored, out_dir, verify_base_url=instance.settings.verify_base_url,
               issued_on=date.today(), engine=instance.engine)
    with Session(instance.engine) as db:
        stored = db.get(ImportJob, job.id)
        if stored is not None:
            stored.state, stored.batch_id = "issued", anchored.batch_id
            stored.approved_by, stored.approved_at = actor.label, datetime.now(UTC)
            db.add(stored)
        _audit(db, actor, "approve_import", f"batch:{anchored.batch_id}",
               f"import job {job.id}: {len(anchored.credentials)} credentials", job.school_code)
        db.commit()
    return {"importId": job.id, "batchId": anchored.batch_id, "state": "issued",
            "credentials": [item.credential_id for item in anchored.credentials]}


def _reissue(instance: Instance, old: CredentialRecord, data: bytes, file_name: str,
             reason: str, actor: Actor, school_code: str) -> dict[str, Any]:
    preview, ok = _preview(data, file_name)
    if not ok:
        raise ProblemError(422, "import_rejected", "Tệp đính chính có lỗi.",
                           "The correction file has problems.", problems=preview["problems"])
    suffix = "xlsx" if file_name.lower().endswith(".xlsx") else "csv"
    records = read_class_file(data, load_curriculum(), source_name=f"upload.{suffix}")
    if old.status == "revoked":
        raise ProblemError(409, "credential_revoked", "Văn bản cũ đã bị thu hồi.",
                           "The credential to correct is already revoked.")
    # TODO: check that the corrected row is the same student (student id) as the old credential.
    signer = load_school_signer(instance.keys, instance.engine, school_code)
    prepared = prepare_correction(records, signer, replaces=old.id, curriculum=load_curriculum())
    with _CHAIN_LOCK:
        anchored = anchor_batch(prepared, signer, registry=instance.registry,
                                engine=instance.engine)
        revoke_credential(instance.keys, instance.registry, instance.engine,
                          credential_id=old.id, reason_code=RevocationReason.SUPERSEDED,
                          reason=f"superseded: {reason}")
    new_id = anchored.credentials[0].credential_id
    out_dir = instance.settings.home / "pdf" / school_code / f"batch-{anchored.batch_id}"
    write_pdfs(anchored, out_dir, verify_base_url=instance.settings.verify_base_url,
               issued_on=date.today(), engine=instance.engine)
    with Session(instance.engine) as db:
        row = db.get(CredentialRecord, new_id)
        if row is not None:
            row.replaces = old.id
            db.add(row)
        _audit(db, actor, "reissue", f"credential:{new_id}",
               f"replaces {old.id}: {reason}", school_code)
        db.commit()
    return {"id": new_id, "replaces": old.id, "batchId": anchored.batch_id,
            "credential": anchored.credentials[0].credential}
