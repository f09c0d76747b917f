"""The school workflow under ``/v1/schools/{school_code}``: import, approve, status, audit.

- ``POST imports`` (staff, principal, API key): upload a class file (field ``file``,
  CSV or XLSX) of the record type in the form field ``recordType`` (a code or
  alias of ``issuer.record_types``, default the lower-secondary transcript);
  returns the preview (rows and problems). Other form fields, such as an issuer
  or school id, are ignored: the school is the one in the path, which the caller
  must belong to.
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
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.auth import CurrentActor, require_audit_reader, require_school
from api.problems import ProblemError
from api.school_actions import (
    change_status,
    guarded,
    issue_job,
    list_audit,
    list_batches,
    list_credentials,
    own_credential,
    own_job,
    reissue_correction,
    revoke_with_audit,
    store_import,
)
from api.school_forms import read_form
from hocba.accounts import SCHOOL_ROLES, Actor
from hocba.db import ImportJob
from hocba.instance import Instance
from hocba.registry import RevocationReason
from issuer.record_types import record_type

__all__ = ["school_router"]

logger = logging.getLogger(__name__)

_NO_STORE = {"Cache-Control": "no-store"}
_PRINCIPAL = ("principal",)


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=400)
    reasonCode: int = RevocationReason.UNSPECIFIED


def _job_json(job: ImportJob) -> dict[str, Any]:
    return {"id": job.id, "state": job.state, "createdBy": job.created_by,
            "approvedBy": job.approved_by, "batchId": job.batch_id,
            "preview": json.loads(job.preview_json)}


def school_router(instance: Instance, max_upload_bytes: int) -> APIRouter:
    """Build the router of the school workflow over ``instance``."""
    router = APIRouter(prefix="/v1/schools/{school_code}")
    engine = instance.engine

    @router.post("/imports", status_code=201)
    async def upload(request: Request, school_code: str, actor: CurrentActor) -> JSONResponse:
        """Tải lên tệp lớp và xem trước / upload a class file and preview it."""
        require_school(actor, school_code, SCHOOL_ROLES)
        data, file_name, fields = await read_form(request, max_upload_bytes)
        kind = await guarded(lambda: record_type(fields.get("recordType") or None))
        job = await run_in_threadpool(store_import, engine, school_code, actor, data, file_name,
                                      kind)
        return JSONResponse(_job_json(job), status_code=201, headers=_NO_STORE)

    @router.get("/imports/{job_id}")
    async def show_import(school_code: str, job_id: int, actor: CurrentActor) -> JSONResponse:
        """Xem lượt nhập / show an import job and its preview."""
        require_school(actor, school_code, SCHOOL_ROLES)
        job = await run_in_threadpool(own_job, engine, school_code, job_id)
        return JSONResponse(_job_json(job), headers=_NO_STORE)

    @router.post("/imports/{job_id}/approve", status_code=201)
    async def approve(school_code: str, job_id: int, actor: CurrentActor) -> JSONResponse:
        """Hiệu trưởng duyệt và cấp / the principal approves: issue, anchor, write PDFs."""
        require_school(actor, school_code, _PRINCIPAL)
        job = await run_in_threadpool(own_job, engine, school_code, job_id)
        result = await run_in_threadpool(issue_job, instance, job, actor)
        return JSONResponse(result, status_code=201, headers=_NO_STORE)

    @router.get("/batches")
    async def batches(school_code: str, actor: CurrentActor) -> JSONResponse:
        """Các lô của trường / this school's batches."""
        require_school(actor, school_code, SCHOOL_ROLES)
        rows = await run_in_threadpool(list_batches, engine, school_code)
        body = [{"id": b.id, "label": b.label, "size": b.size, "status": b.status,
                 "merkleRoot": b.merkle_root, "blockNumber": b.block_number} for b in rows]
        return JSONResponse({"batches": body}, headers=_NO_STORE)

    @router.get("/credentials")
    async def credentials(school_code: str, actor: CurrentActor) -> JSONResponse:
        """Các văn bản của trường / this school's credentials (no personal data)."""
        require_school(actor, school_code, SCHOOL_ROLES)
        rows = await run_in_threadpool(list_credentials, engine, school_code)
        body = [{"id": r.id, "batchId": r.batch_id, "className": r.class_name,
                 "schoolYear": r.school_year, "row": r.row_number, "status": r.status,
                 "replaces": r.replaces} for r in rows]
        return JSONResponse({"credentials": body}, headers=_NO_STORE)

    @router.post("/credentials/{credential_id}/revoke")
    async def revoke(school_code: str, credential_id: str, body: StatusBody,
                     actor: CurrentActor) -> JSONResponse:
        """Thu hồi (không đảo ngược được) / revoke a credential for good."""
        require_school(actor, school_code, _PRINCIPAL)
        row = await run_in_threadpool(own_credential, engine, school_code, credential_id)
        block = await guarded(lambda: revoke_with_audit(instance, row, school_code, actor,
                                                        body.reasonCode, body.reason))
        return JSONResponse({"id": row.id, "status": "revoked", "block": block},
                            headers=_NO_STORE)

    async def change(school_code: str, credential_id: str, body: StatusBody, actor: Actor,
                     suspend: bool) -> JSONResponse:
        require_school(actor, school_code, _PRINCIPAL)
        row = await run_in_threadpool(own_credential, engine, school_code, credential_id)
        block = await guarded(lambda: change_status(instance, row, school_code, actor,
                                                    body.reason, suspend=suspend))
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
        old = await run_in_threadpool(own_credential, engine, school_code, credential_id)
        data, file_name, fields = await read_form(request, max_upload_bytes)
        reason = fields.get("reason", "").strip()
        if not reason:
            raise ProblemError(422, "reason_missing", "Cần nêu lý do đính chính (trường reason).",
                               "A reason is required (field 'reason').")
        result = await guarded(lambda: reissue_correction(instance, old, data, file_name, reason,
                                                          actor, school_code))
        return JSONResponse(result, status_code=201, headers=_NO_STORE)

    @router.get("/audit")
    async def audit(school_code: str, actor: CurrentActor) -> JSONResponse:
        """Nhật ký thao tác / the school's audit log: who, when, what, why."""
        require_audit_reader(actor, school_code)
        rows = await run_in_threadpool(list_audit, engine, school_code)
        events = [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                   "target": e.target, "reason": e.reason} for e in rows]
        return JSONResponse({"events": events}, headers=_NO_STORE)

    return router
