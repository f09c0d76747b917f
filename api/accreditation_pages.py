"""Accreditation pages: ``/department/...`` for the Department, ``/accreditor/...`` for
accreditors (commune People's Committees, or the Department's own accrediting unit).

Every form is sent twice: first it shows a confirmation page with what will be
written, then (with ``confirmed=yes``) it runs the chain action and shows the
transaction hash and block. Both steps check the form's CSRF token. A
school's history is read from the registry's events and views, not from the
database. An accreditor may open and act on only the schools it supervises on
chain (403 otherwise). The Department may open every school's page but acts as
no school.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api import accreditation_actions as actions
from api.accreditation_text import ACTION_TITLES, EVENT_NAMES, WORDS
from api.accreditation_views import (
    accreditor_rows,
    audit_rows,
    history_context,
    school_rows,
)
from api.page_auth import PageActor, check_form_csrf, page_lang, render_page
from api.problems import ProblemError
from hocba.accounts import Actor
from hocba.db import IssuerRecord
from hocba.errors import ChainError, HocbaError
from hocba.instance import Instance
from issuer.accreditation import accreditor_key_name, find_school
from issuer.accreditation_reverts import error_messages

__all__ = ["accreditation_router", "install_accreditation_pages"]

logger = logging.getLogger(__name__)

_MAX_FORM_BYTES = 16384
_MAX_FIELDS = 16


class _Denied(Exception):
    """A page request that the actor may not make (403) or whose target is missing (404)."""

    def __init__(self, status: int, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.status = status
        self.message_vi = message_vi
        self.message_en = message_en


def _suffix(lang: str) -> str:
    return "?lang=en" if lang == "en" else ""


def _page(request: Request, template: str, actor: Actor, *, status_code: int = 200,
          **values: Any) -> HTMLResponse:
    lang = page_lang(request)
    return render_page(request, f"accreditation/{template}", lang, status_code=status_code,
                       words=WORDS[lang], actor=actor, suffix=_suffix(lang), **values)


def _message(request: Request, actor: Actor, status: int, title_key: str, message: str,
             back: str) -> HTMLResponse:
    return _page(request, "message.html", actor, status_code=status, title_key=title_key,
                 message=message, back=back)


def _denied_page(request: Request, actor: Actor, denied: _Denied) -> HTMLResponse:
    logger.info("accreditation page denied: %d on %s", denied.status, request.url.path)
    lang = page_lang(request)
    message = denied.message_vi if lang == "vi" else denied.message_en
    return _message(request, actor, denied.status, "forbidden_title", message, "/")


def _require_department(actor: Actor) -> None:
    if actor.role != "department" or actor.kind != "user":
        raise _Denied(403, "Chỉ tài khoản của Sở GD&ĐT được mở trang này.",
                      "Only Department accounts may open this page.")


def _require_accreditor(instance: Instance, actor: Actor) -> str:
    """Return the accreditor's chain address; 403 for other roles or an unappointed unit."""
    if actor.role != "accreditor" or not actor.admin_unit_code:
        raise _Denied(403, "Chỉ tài khoản của đơn vị công nhận được mở trang này.",
                      "Only accreditor accounts may open this page.")
    name = accreditor_key_name(actor.admin_unit_code)
    if not instance.keys.has(name):
        raise _Denied(403, WORDS["vi"]["not_appointed"], WORDS["en"]["not_appointed"])
    return instance.keys.account(name).address


def _area_school(instance: Instance, actor: Actor, code: str) -> IssuerRecord:
    """Return a school that the actor's unit supervises on chain now; 403 or 404 otherwise."""
    address = _require_accreditor(instance, actor)
    record = find_school(instance.engine, code)
    if record is None:
        raise _Denied(404, f"Không có trường mã {code} trên hệ thống này.",
                      f"No school with code {code} on this instance.")
    supervisor = instance.registry.issuer(record.account)["accreditor"]
    if supervisor.lower() != address.lower():
        raise _Denied(403, "Trường này không thuộc đơn vị quản lý của bạn.",
                      "This school is not supervised by your unit.")
    return record


def _any_school(instance: Instance, actor: Actor, code: str) -> IssuerRecord:
    _require_department(actor)
    record = find_school(instance.engine, code)
    if record is None:
        raise _Denied(404, f"Không có trường mã {code} trên hệ thống này.",
                      f"No school with code {code} on this instance.")
    return record


async def _read_form(request: Request) -> dict[str, str]:
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > _MAX_FORM_BYTES:
        raise ProblemError(413, "form_too_large", "Biểu mẫu gửi lên quá lớn.",
                           "The submitted form is too large.")
    async with request.form(max_files=0, max_fields=_MAX_FIELDS,
                            max_part_size=_MAX_FORM_BYTES) as form:
        return {key: value for key, value in form.multi_items() if isinstance(value, str)}


async def _act(request: Request, actor: Actor, action: str, back: str,
               authorize: Callable[[], Any], run: Callable[[Any, dict[str, str]], actions.Outcome],
               prepare: Callable[[dict[str, str]], dict[str, str]] | None = None
               ) -> HTMLResponse:
    """Check, confirm, then run one chain action of a page form."""
    lang = page_lang(request)
    raw = await _read_form(request)
    check_form_csrf(request, raw.get("csrf_token", ""))
    try:
        target = await run_in_threadpool(authorize)
    except _Denied as denied:
        return _denied_page(request, actor, denied)
    fields = actions.nfc_fields({key: value for key, value in raw.items()
                                 if key not in ("csrf_token", "confirmed")})
    title = ACTION_TITLES[action][0 if lang == "vi" else 1]
    try:
        if raw.get("confirmed") != "yes":
            if prepare is not None:
                fields = await run_in_threadpool(prepare, fields)
            return _page(request, "confirm.html", actor, title=title, fields=fields,
                         action_url=request.url.path + _suffix(lang), back=back)
        outcome = await run_in_threadpool(run, target, fields)
    except HocbaError as error:
        vietnamese, english = error_messages(error)
        if isinstance(error, ChainError) and error.code == "chain_unavailable":
            vietnamese, english = WORDS["vi"]["chain_unavailable"], WORDS["en"]["chain_unavailable"]
        status = 409 if isinstance(error, ChainError) else 422
        logger.info("accreditation action %s failed: %s", action, error.code)
        return _message(request, actor, status, "error_title",
                        vietnamese if lang == "vi" else english, back)
    logger.info("accreditation action %s by account %s in block %d", action, actor.user_id,
                outcome.transactions[-1].block_number)
    return _page(request, "done.html", actor, title=title, outcome=outcome, back=back)


def accreditation_router(instance: Instance) -> APIRouter:
    """Build the router of the Department and accreditor pages."""
    router = APIRouter(include_in_schema=False)

    @router.get("/department")
    async def department_home(request: Request, actor: PageActor) -> HTMLResponse:
        try:
            _require_department(actor)
            accreditors = await run_in_threadpool(accreditor_rows, instance)
            schools = await run_in_threadpool(school_rows, instance, None)
        except _Denied as denied:
            return _denied_page(request, actor, denied)
        return _page(request, "department.html", actor, accreditors=accreditors,
                     schools=schools)

    @router.post("/department/accreditors")
    async def appoint(request: Request, actor: PageActor) -> HTMLResponse:
        return await _act(request, actor, "appoint", "/department",
                          lambda: _require_department(actor),
                          lambda _target, fields: actions.appoint(instance, actor, fields))

    @router.post("/department/accreditors/{unit}/remove")
    async def remove(request: Request, unit: str, actor: PageActor) -> HTMLResponse:
        return await _act(request, actor, "remove", "/department",
                          lambda: _require_department(actor),
                          lambda _target, fields: actions.remove(instance, actor, unit, fields))

    @router.get("/department/schools/{code}")
    async def department_school(request: Request, code: str, actor: PageActor) -> HTMLResponse:
        try:
            record = await run_in_threadpool(_any_school, instance, actor, code)
            context = await run_in_threadpool(history_context, instance, record,
                                              page_lang(request))
            accreditors = await run_in_threadpool(accreditor_rows, instance)
        except _Denied as denied:
            return _denied_page(request, actor, denied)
        return _page(request, "school.html", actor, record=record, mode="department",
                     accreditors=accreditors, events=EVENT_NAMES, **context)

    @router.post("/department/schools/{code}/reassign")
    async def reassign(request: Request, code: str, actor: PageActor) -> HTMLResponse:
        back = f"/department/schools/{quote(code, safe='')}"
        return await _act(request, actor, "reassign", back,
                          lambda: _any_school(instance, actor, code),
                          lambda _target, fields: actions.reassign(instance, actor, code, fields))

    @router.get("/accreditor")
    async def accreditor_home(request: Request, actor: PageActor) -> HTMLResponse:
        try:
            address = await run_in_threadpool(_require_accreditor, instance, actor)
            schools = await run_in_threadpool(school_rows, instance, address)
            unit = await run_in_threadpool(instance.registry.accreditor, address)
        except _Denied as denied:
            return _denied_page(request, actor, denied)
        return _page(request, "accreditor.html", actor, schools=schools, unit=unit)

    @router.post("/accreditor/schools")
    async def register(request: Request, actor: PageActor) -> HTMLResponse:
        return await _act(request, actor, "register", "/accreditor",
                          lambda: _require_accreditor(instance, actor),
                          lambda _target, fields: actions.register(instance, actor, fields))

    @router.get("/accreditor/schools/{code}")
    async def accreditor_school(request: Request, code: str, actor: PageActor) -> HTMLResponse:
        try:
            record = await run_in_threadpool(_area_school, instance, actor, code)
            context = await run_in_threadpool(history_context, instance, record,
                                              page_lang(request))
        except _Denied as denied:
            return _denied_page(request, actor, denied)
        return _page(request, "school.html", actor, record=record, mode="accreditor",
                     accreditors=[], events=EVENT_NAMES, **context)

    def school_action(action: str, path: str,
                      run: Callable[[Instance, Actor, IssuerRecord, dict[str, str]],
                                    actions.Outcome],
                      prepare: bool = False) -> None:
        async def handler(request: Request, code: str, actor: PageActor) -> HTMLResponse:
            back = f"/accreditor/schools/{quote(code, safe='')}"
            return await _act(
                request, actor, action, back, lambda: _area_school(instance, actor, code),
                lambda target, fields: run(instance, actor, target, fields),
                (lambda fields: actions.prepare_cutoff(instance, fields)) if prepare else None)

        router.add_api_route(f"/accreditor/schools/{{code}}/{path}", handler, methods=["POST"],
                             name=f"accreditor_{action}")

    school_action("rename", "rename", actions.rename)
    school_action("withdraw", "withdraw", actions.withdraw, prepare=True)
    school_action("rotate", "keys/rotate", actions.rotate)
    school_action("revoke_key", "keys/revoke", actions.revoke_key, prepare=True)

    @router.get("/department/audit")
    async def department_audit(request: Request, actor: PageActor) -> HTMLResponse:
        try:
            _require_department(actor)
        except _Denied as denied:
            return _denied_page(request, actor, denied)
        rows = await run_in_threadpool(audit_rows, instance, None, page_lang(request))
        return _page(request, "audit.html", actor, rows=rows)

    return router


def install_accreditation_pages(app: FastAPI, instance: Instance) -> None:
    """Add the Department and accreditor pages to ``app``."""
    app.include_router(accreditation_router(instance))
