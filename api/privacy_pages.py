"""Privacy pages: what the server keeps about a learner, export, and deletion.

- ``GET /wallet/privacy``: every kind of data kept about the wallet's learner.
- ``POST /wallet/privacy/export.json`` and ``/export.zip``: the export, at once.
- ``GET``/``POST /wallet/privacy/delete``: confirm, then delete the wallet rows and
  open one deletion request per issuing school (``wallet.privacy_deletion``).
- ``GET /school/{code}/data-requests``: the school's deletion requests; the
  principal purges (``POST .../{id}/purge``) or refuses with a reason
  (``POST .../{id}/refuse``). Staff of the school may only read the list.

Wallet forms carry the wallet session's CSRF token, staff forms the login
session's, both in the hidden field ``csrf_token``.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.auth import forbidden
from api.page_auth import PageActor, check_form_csrf, page_lang, render_page
from api.pages import VIETNAM_TIME
from api.privacy_text import PRIVACY_TEXT
from api.problems import ProblemError
from api.wallet_auth import WALLET_COOKIE, WalletPageActorDep, check_wallet_csrf
from hocba.accounts import Actor
from hocba.db import CredentialRecord
from hocba.errors import HocbaError
from wallet.privacy import collect_wallet_data, export_json, export_zip, record_export
from wallet.privacy_deletion import (
    DeletionRequest,
    confirm_deletion,
    open_requests,
    refuse_deletion,
    request_deletion,
)

__all__ = ["privacy_router"]

logger = logging.getLogger(__name__)

_MAX_FORM_BYTES = 4096


def _local(value: str | None, lang: str) -> str:
    """Format an ISO timestamp as a Vietnam-time date (dd/mm/yyyy) for the page."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = moment.astimezone(VIETNAM_TIME)
    return f"{local:%d/%m/%Y}" if lang == "vi" else f"{local:%Y-%m-%d}"


def _suffix(lang: str) -> str:
    return "?lang=en" if lang == "en" else ""


async def _form(request: Request) -> dict[str, str]:
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > _MAX_FORM_BYTES:
        raise ProblemError(413, "form_too_large", "Biểu mẫu gửi lên quá lớn.",
                           "The submitted form is too large.")
    async with request.form(max_files=0, max_fields=8, max_part_size=_MAX_FORM_BYTES) as form:
        return {key: value for key, value in form.multi_items() if isinstance(value, str)}


def _download(body: bytes, media_type: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "Cache-Control": "no-store"}
    return Response(body, media_type=media_type, headers=headers)


def _wallet_page(request: Request, template: str, lang: str, actor: Any, *,
                 status_code: int = 200, **values: Any) -> HTMLResponse:
    return render_page(request, template, lang, status_code=status_code,
                       words=PRIVACY_TEXT[lang], suffix=_suffix(lang),
                       csrf_token=actor.csrf_token, **values)


def _school_rows(request: Request, requests: list[DeletionRequest]) -> list[dict[str, Any]]:
    """Add each credential's learner name, class and year (read before any purge)."""
    engine = request.app.state.instance.engine
    rows = []
    with Session(engine) as db:
        for item in requests:
            credentials = []
            for credential_id in item.credential_ids:
                record = db.get(CredentialRecord, credential_id)
                name = ""
                if record is not None and record.purged_at is None:
                    subject = json.loads(record.credential_json).get("credentialSubject", {})
                    name = next((str(entry.get("identityHash", ""))
                                 for entry in subject.get("identifier", [])
                                 if entry.get("identityType") == "name"), "")
                credentials.append({
                    "id": credential_id, "name": name,
                    "class_name": record.class_name if record else "",
                    "school_year": record.school_year if record else "",
                    "purged": record is None or record.purged_at is not None,
                })
            rows.append({"request": item, "credentials": credentials})
    return rows


def _require_school(actor: Actor, code: str, *, decide: bool) -> None:
    if actor.school_code != code or actor.role not in ("principal", "school_staff"):
        raise forbidden("Bạn không có quyền xem yêu cầu của trường này.",
                        "You may not see this school's requests.")
    if decide and actor.role != "principal":
        raise forbidden("Chỉ hiệu trưởng quyết định xóa hoặc từ chối.",
                        "Only the principal decides to delete or refuse.")


def privacy_router() -> APIRouter:
    """Build the router of the wallet privacy pages and the school's data requests."""
    router = APIRouter(include_in_schema=False)

    @router.get("/wallet/privacy")
    async def privacy_page(request: Request, actor: WalletPageActorDep) -> HTMLResponse:
        lang = page_lang(request)
        engine = request.app.state.instance.engine
        data = await run_in_threadpool(collect_wallet_data, engine, actor.wallet_id,
                                       current_session_id=actor.session_id)
        return _wallet_page(request, "privacy/wallet_privacy.html", lang, actor, data=data,
                            local=lambda value: _local(value, lang))

    @router.post("/wallet/privacy/export.{kind}")
    async def export(request: Request, kind: str, actor: WalletPageActorDep) -> Response:
        check_wallet_csrf(actor, (await _form(request)).get("csrf_token", ""))
        if kind not in ("json", "zip"):
            raise ProblemError(404, "not_found", "Không có trang này.", "No such page.")
        engine = request.app.state.instance.engine
        build = export_json if kind == "json" else export_zip
        body = await run_in_threadpool(build, engine, actor.wallet_id,
                                       current_session_id=actor.session_id)
        await run_in_threadpool(record_export, engine, actor.wallet_id,
                                requested_by=actor.acting_as)
        stamp = datetime.now(VIETNAM_TIME).strftime("%Y%m%d")
        media = "application/json" if kind == "json" else "application/zip"
        return _download(body, media, f"hocba-du-lieu-{stamp}.{kind}")

    @router.get("/wallet/privacy/delete")
    async def delete_page(request: Request, actor: WalletPageActorDep) -> HTMLResponse:
        lang = page_lang(request)
        return _wallet_page(request, "privacy/delete_confirm.html", lang, actor, error=None)

    @router.post("/wallet/privacy/delete")
    async def delete_submit(request: Request, actor: WalletPageActorDep) -> HTMLResponse:
        lang = page_lang(request)
        fields = await _form(request)
        check_wallet_csrf(actor, fields.get("csrf_token", ""))
        words = PRIVACY_TEXT[lang]
        if fields.get("confirm") != "1":
            return _wallet_page(request, "privacy/delete_confirm.html", lang, actor,
                                status_code=422, error=words["confirm_missing"])
        engine = request.app.state.instance.engine
        try:
            ids = await run_in_threadpool(request_deletion, engine, actor.wallet_id,
                                          acting_as=actor.acting_as)
        except HocbaError as exc:
            logger.info("deletion of wallet row %s rejected: %s", actor.wallet_id, exc.code)
            message = exc.message_vi if lang == "vi" else str(exc)
            return _wallet_page(request, "privacy/delete_confirm.html", lang, actor,
                                status_code=403, error=message)
        response = render_page(request, "privacy/deleted.html", lang, words=words,
                               suffix=_suffix(lang),
                               request_ids=", ".join(f"#{number}" for number in ids))
        response.delete_cookie(WALLET_COOKIE, path="/")
        return response

    @router.get("/school/{code}/data-requests")
    async def school_requests(request: Request, code: str, actor: PageActor) -> HTMLResponse:
        _require_school(actor, code, decide=False)
        return await _school_page(request, code, actor)

    @router.post("/school/{code}/data-requests/{request_id}/{action}")
    async def school_decide(request: Request, code: str, request_id: int, action: str,
                            actor: PageActor) -> Response:
        fields = await _form(request)
        check_form_csrf(request, fields.get("csrf_token", ""))
        _require_school(actor, code, decide=True)
        lang = page_lang(request)
        words = PRIVACY_TEXT[lang]
        engine = request.app.state.instance.engine
        try:
            if action == "purge":
                if fields.get("confirm") != "1":
                    return await _school_page(request, code, actor, status_code=422,
                                              error=words["confirm_missing"])
                result = await run_in_threadpool(confirm_deletion, engine, request_id,
                                                 school_code=code, actor=actor.label)
                done = f"purged&count={len(result.purged)}"
            elif action == "refuse":
                await run_in_threadpool(refuse_deletion, engine, request_id, school_code=code,
                                        actor=actor.label, reason=fields.get("reason", ""))
                done = f"refused&id={request_id}"
            else:
                raise ProblemError(404, "not_found", "Không có trang này.", "No such page.")
        except ProblemError:
            raise
        except HocbaError as exc:
            logger.info("decision %s on data request %s rejected: %s", action, request_id,
                        exc.code)
            message = exc.message_vi if lang == "vi" else str(exc)
            return await _school_page(request, code, actor, status_code=422, error=message)
        target = f"/school/{quote(code, safe='')}/data-requests?done={done}"
        target += "&lang=en" if lang == "en" else ""
        return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})

    return router


def _notice(request: Request, words: dict[str, str]) -> str | None:
    """Return the message of a decision just made, named by the redirect's query."""
    done = request.query_params.get("done")
    number = request.query_params.get("count" if done == "purged" else "id", "")
    if done not in ("purged", "refused") or not number.isdigit():
        return None
    if done == "purged":
        return words["purged_done"].format(count=int(number))
    return words["refused_done"].format(id=int(number))


async def _school_page(request: Request, code: str, actor: Actor, *, status_code: int = 200,
                       error: str | None = None) -> HTMLResponse:
    lang = page_lang(request)
    engine = request.app.state.instance.engine
    requests = await run_in_threadpool(open_requests, engine, code)
    rows = await run_in_threadpool(_school_rows, request, requests)
    notice = _notice(request, PRIVACY_TEXT[lang])
    return render_page(request, "privacy/data_requests.html", lang, status_code=status_code,
                       words=PRIVACY_TEXT[lang], suffix=_suffix(lang), code=code, rows=rows,
                       may_decide=actor.role == "principal", error=error, notice=notice,
                       local=lambda value: _local(value.isoformat() if value else None, lang))

