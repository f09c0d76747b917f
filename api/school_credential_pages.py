"""The credential pages under ``/school/{school_code}/credentials``: list, detail, PDF, status.

Staff and principals of the school read. Only the principal revokes (with a
reason code and a reason), suspends, reinstates and re-issues a correction.
Every POST carries the session's CSRF token in the form field ``csrf_token``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from api.auth import require_school
from api.page_auth import PageActor, check_form_csrf, page_lang, read_small_form, render_page
from api.problems import ProblemError
from api.school_actions import (
    change_status,
    guarded,
    list_credentials,
    own_credential,
    reissue_correction,
    revoke_with_audit,
)
from api.school_forms import read_form
from api.school_page_responses import Handler, forget_cached_states, html_errors, see_other
from api.school_page_text import WORDS
from api.school_views import credential_view, filter_credentials, page_values
from api.stored_files import stored_pdf
from hocba.accounts import SCHOOL_ROLES, Actor
from hocba.instance import Instance

__all__ = ["credential_pages_router"]

logger = logging.getLogger(__name__)

_PRINCIPAL = ("principal",)


def credential_pages_router(instance: Instance, max_upload_bytes: int) -> APIRouter:
    """Build the router of the credential pages over ``instance``."""
    router = APIRouter(prefix="/school/{school_code}", include_in_schema=False)
    engine = instance.engine

    def base(request: Request, school_code: str, actor: Actor) -> dict[str, Any]:
        return page_values(page_lang(request), school_code, actor)

    @router.get("/credentials")
    @html_errors
    async def credentials(request: Request, school_code: str, actor: PageActor) -> Response:
        require_school(actor, school_code, SCHOOL_ROLES)
        lang = page_lang(request)
        rows = await run_in_threadpool(list_credentials, engine, school_code)
        chosen = {key: request.query_params.get(key, "") for key in ("class", "year", "status")}
        return render_page(request, "school/credentials.html", lang,
                           **base(request, school_code, actor),
                           **filter_credentials(rows, chosen, lang), chosen=chosen)

    @router.get("/credentials/{credential_id}")
    @html_errors
    async def credential(request: Request, school_code: str, credential_id: str,
                         actor: PageActor) -> Response:
        require_school(actor, school_code, SCHOOL_ROLES)
        lang = page_lang(request)
        row = await run_in_threadpool(own_credential, engine, school_code, credential_id)
        view = credential_view(row, instance.settings.verify_base_url, lang)
        return render_page(request, "school/credential.html", lang,
                           **base(request, school_code, actor), item=view, error=None)

    @router.get("/credentials/{credential_id}/pdf")
    @html_errors
    async def credential_pdf(request: Request, school_code: str, credential_id: str,
                             actor: PageActor) -> Response:
        require_school(actor, school_code, SCHOOL_ROLES)
        row = await run_in_threadpool(own_credential, engine, school_code, credential_id)
        path = stored_pdf(row.pdf_path)
        if path is None:
            raise ProblemError(404, "pdf_not_found", "Văn bản này chưa có tệp PDF.",
                               "This document has no PDF file.")
        uuid = row.id.removeprefix("urn:uuid:")
        return FileResponse(path, media_type="application/pdf", filename=f"hocba-{uuid}.pdf",
                            headers={"Cache-Control": "no-store"})

    async def status_action(request: Request, school_code: str, credential_id: str,
                            actor: Actor, action: str) -> Response:
        require_school(actor, school_code, _PRINCIPAL)
        lang = page_lang(request)
        fields = await read_small_form(request)
        check_form_csrf(request, fields.get("csrf_token", ""))
        row = await run_in_threadpool(own_credential, engine, school_code, credential_id)
        reason = fields.get("reason", "").strip()[:400]
        if not reason:
            view = credential_view(row, instance.settings.verify_base_url, lang)
            return render_page(request, "school/credential.html", lang, status_code=422,
                               **base(request, school_code, actor), item=view,
                               error=WORDS[lang]["reason_missing"])
        if action == "revoke":
            code_text = fields.get("reason_code", "0")
            code = int(code_text) if code_text.isdigit() else -1
            await guarded(lambda: revoke_with_audit(instance, row, school_code, actor, code,
                                                    reason))
        else:
            await guarded(lambda: change_status(instance, row, school_code, actor, reason,
                                                suspend=action == "suspend"))
        forget_cached_states(request)
        return see_other(f"/school/{quote(school_code)}/credentials/{quote(credential_id)}",
                          lang)

    def status_route(action: str) -> Handler:
        async def act(request: Request, school_code: str, credential_id: str,
                      actor: PageActor) -> Response:
            return await status_action(request, school_code, credential_id, actor, action)

        return html_errors(act)

    for action in ("revoke", "suspend", "reinstate"):
        router.add_api_route(f"/credentials/{{credential_id}}/{action}", status_route(action),
                             methods=["POST"], name=f"page_{action}")

    @router.post("/credentials/{credential_id}/reissue")
    @html_errors
    async def reissue(request: Request, school_code: str, credential_id: str,
                      actor: PageActor) -> Response:
        require_school(actor, school_code, _PRINCIPAL)
        lang = page_lang(request)
        data, file_name, fields = await read_form(request, max_upload_bytes)
        check_form_csrf(request, fields.get("csrf_token", ""))
        old = await run_in_threadpool(own_credential, engine, school_code, credential_id)
        reason = fields.get("reason", "").strip()[:400]
        if not reason or not data:
            view = credential_view(old, instance.settings.verify_base_url, lang)
            error = WORDS[lang]["reason_missing"] if not reason else WORDS[lang]["file_missing"]
            return render_page(request, "school/credential.html", lang, status_code=422,
                               **base(request, school_code, actor), item=view, error=error)
        result = await guarded(lambda: reissue_correction(instance, old, data, file_name,
                                                          reason, actor, school_code))
        forget_cached_states(request)
        new_id = str(result["id"]).removeprefix("urn:uuid:")
        return see_other(f"/school/{quote(school_code)}/credentials/{new_id}", lang)

    return router
