"""The school staff pages under ``/school/{code}``: dashboard, upload, preview, approve, audit.

The pages call the same workflow steps as the API (``api.school_actions``) and
check roles the same way. Staff and principals of the school read. Only the
principal approves, revokes, suspends, reinstates and re-issues. The audit log
is for the principal and the Department. An account of another school gets
a 403 page before anything of the target is looked up. Every POST carries the
session's CSRF token in the form field ``csrf_token``. The credential pages are in
``api.school_credential_pages``.

Forms respond with 303 to the page that shows the outcome, so reloading that page
does not send the form again.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from api.auth import require_audit_reader, require_school
from api.page_auth import (
    PageActor,
    check_form_csrf,
    page_lang,
    read_small_form,
    render_page,
)
from api.school_actions import (
    guarded,
    issue_job,
    list_audit,
    list_batches,
    list_credentials,
    own_job,
    school_of,
    store_import,
)
from api.school_credential_pages import credential_pages_router
from api.school_forms import read_form
from api.school_page_responses import forget_cached_states, html_errors, see_other
from api.school_page_text import WORDS
from api.school_views import (
    audit_rows,
    credential_rows,
    import_view,
    page_values,
)
from api.template_files import template_links, template_router
from hocba.accounts import SCHOOL_ROLES, Actor
from hocba.db import ImportJob
from hocba.instance import Instance
from issuer.record_types import RECORD_TYPES, record_type

__all__ = ["install_school_pages"]

logger = logging.getLogger(__name__)

_PRINCIPAL = ("principal",)
_RECENT_IMPORTS = 10


def _school_name(engine: Any, school_code: str) -> str:
    with Session(engine) as db:
        return school_of(db, school_code).name


def _recent_jobs(engine: Any, school_code: str) -> list[ImportJob]:
    with Session(engine) as db:
        return list(db.exec(select(ImportJob).where(ImportJob.school_code == school_code)
                            .order_by(col(ImportJob.id).desc()).limit(_RECENT_IMPORTS)).all())


def _type_choices(lang: str) -> dict[str, str]:
    """Return the record types of the upload form: code to name in ``lang``."""
    return {code: item.name_vi if lang == "vi" else item.name_en
            for code, item in RECORD_TYPES.items()}


def _type_name(preview: dict[str, Any], lang: str) -> str:
    kind = record_type(preview.get("recordType") or None)
    return kind.name_vi if lang == "vi" else kind.name_en


def school_pages_router(instance: Instance, max_upload_bytes: int) -> APIRouter:
    """Build the router of the staff pages over ``instance``."""
    router = APIRouter(prefix="/school/{school_code}", include_in_schema=False)
    engine = instance.engine

    def base(request: Request, school_code: str, actor: Actor) -> dict[str, Any]:
        return page_values(page_lang(request), school_code, actor)

    @router.get("")
    @html_errors
    async def dashboard(request: Request, school_code: str, actor: PageActor) -> Response:
        require_school(actor, school_code, SCHOOL_ROLES)
        lang = page_lang(request)
        jobs = await run_in_threadpool(_recent_jobs, engine, school_code)
        batches = await run_in_threadpool(list_batches, engine, school_code)
        credentials = await run_in_threadpool(list_credentials, engine, school_code)
        counts = Counter(row.status for row in credentials)
        name = await run_in_threadpool(_school_name, engine, school_code)
        return render_page(request, "school/dashboard.html", lang,
                           **base(request, school_code, actor), school_name=name,
                           jobs=[import_view(job, lang) for job in jobs],
                           batches=list(reversed(batches)), counts=counts)

    @router.get("/imports/new")
    @html_errors
    async def upload_form(request: Request, school_code: str, actor: PageActor) -> Response:
        require_school(actor, school_code, SCHOOL_ROLES)
        lang = page_lang(request)
        return render_page(request, "school/upload.html", lang,
                           **base(request, school_code, actor), error=None,
                           record_types=_type_choices(lang), templates=template_links(lang))

    @router.post("/imports")
    @html_errors
    async def upload(request: Request, school_code: str, actor: PageActor) -> Response:
        require_school(actor, school_code, SCHOOL_ROLES)
        lang = page_lang(request)
        data, file_name, fields = await read_form(request, max_upload_bytes)
        check_form_csrf(request, fields.get("csrf_token", ""))
        error = None
        chosen = fields.get("record_type", "")
        if chosen not in RECORD_TYPES:
            error = WORDS[lang]["record_type_invalid"]
        elif not data:
            error = WORDS[lang]["file_missing"]
        if error is not None:
            return render_page(request, "school/upload.html", lang, status_code=422,
                               **base(request, school_code, actor), error=error,
                               record_types=_type_choices(lang), templates=template_links(lang))
        job = await run_in_threadpool(store_import, engine, school_code, actor, data, file_name,
                                      RECORD_TYPES[chosen])
        return see_other(f"/school/{quote(school_code)}/imports/{job.id}", lang)

    @router.get("/imports/{job_id}")
    @html_errors
    async def show_import(request: Request, school_code: str, job_id: int,
                          actor: PageActor) -> Response:
        require_school(actor, school_code, SCHOOL_ROLES)
        lang = page_lang(request)
        job = await run_in_threadpool(own_job, engine, school_code, job_id)
        rows = []
        if job.batch_id is not None:
            rows = [row for row in await run_in_threadpool(list_credentials, engine, school_code)
                    if row.batch_id == job.batch_id]
        batch = None
        if job.batch_id is not None:
            batch = next((b for b in await run_in_threadpool(list_batches, engine, school_code)
                          if b.id == job.batch_id), None)
        preview = json.loads(job.preview_json)
        return render_page(request, "school/import.html", lang,
                           **base(request, school_code, actor), job=import_view(job, lang),
                           preview=preview, record_type_name=_type_name(preview, lang),
                           batch=batch,
                           issued=credential_rows(rows, lang))

    @router.post("/imports/{job_id}/approve")
    @html_errors
    async def approve(request: Request, school_code: str, job_id: int,
                      actor: PageActor) -> Response:
        require_school(actor, school_code, _PRINCIPAL)
        fields = await read_small_form(request)
        check_form_csrf(request, fields.get("csrf_token", ""))
        job = await run_in_threadpool(own_job, engine, school_code, job_id)
        await guarded(lambda: issue_job(instance, job, actor))
        forget_cached_states(request)
        return see_other(f"/school/{quote(school_code)}/imports/{job_id}", page_lang(request))

    @router.get("/audit")
    @html_errors
    async def audit(request: Request, school_code: str, actor: PageActor) -> Response:
        require_audit_reader(actor, school_code)
        lang = page_lang(request)
        events = await run_in_threadpool(list_audit, engine, school_code)
        return render_page(request, "school/audit.html", lang,
                           **base(request, school_code, actor),
                           events=audit_rows(list(reversed(events)), lang))

    return router


def install_school_pages(app: FastAPI, instance: Instance, max_upload_bytes: int) -> None:
    """Add the staff pages and the template downloads to ``app``."""
    app.include_router(school_pages_router(instance, max_upload_bytes))
    app.include_router(credential_pages_router(instance, max_upload_bytes))
    app.include_router(template_router())
