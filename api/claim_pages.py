"""Claim link pages: staff print slips (``/school/{code}/claims``), students claim (``/claim/...``).

The slip page draws each claim URL as a QR code on the server: the school already
has the token it hands out, unlike a share key. ``GET /claim/{token}`` only shows the
link; the link is used by the form's POST, so a link preview that fetches the URL does
not use up a one-time link.
"""

from __future__ import annotations

import base64
import io
import logging
from datetime import datetime
from typing import Any

import qrcode
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from qrcode.constants import ERROR_CORRECT_M
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from api.auth import require_school
from api.page_auth import PageActor, check_form_csrf, page_lang, render_page
from api.pages import VIETNAM_TIME
from api.problems import ProblemError
from api.wallet_auth import set_wallet_cookie
from api.wallet_text import WALLET_TEXT
from hocba.accounts import SCHOOL_ROLES
from hocba.db import Batch, IssuerRecord
from hocba.errors import HocbaError
from hocba.instance import Instance
from wallet.claims import (
    WALLET_SESSION_LIFETIME,
    ClaimError,
    claim,
    claim_state_error,
    create_claim_links,
    preview_claim,
)

__all__ = ["claim_page_router", "qr_data_uri", "vietnam_date"]

logger = logging.getLogger(__name__)

_MAX_FORM_BYTES = 4096
_STATE_TITLES = {"used": "claim_used_title", "expired": "claim_expired_title",
                 "invalidated": "claim_invalidated_title"}


def qr_data_uri(text: str) -> str:
    """Draw ``text`` as a QR code PNG and return it as a data: URI."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=6, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().get_image().convert("L").save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def vietnam_date(moment: datetime) -> str:
    """Format a moment as dd/mm/yyyy in Vietnam time."""
    return moment.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y")


def _lang_query(lang: str) -> str:
    return "?lang=en" if lang == "en" else ""


async def _small_form(request: Request) -> dict[str, str]:
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > _MAX_FORM_BYTES:
        raise ProblemError(413, "form_too_large", "Biểu mẫu gửi lên quá lớn.",
                           "The submitted form is too large.")
    async with request.form(max_files=0, max_fields=8, max_part_size=_MAX_FORM_BYTES) as form:
        return {key: value for key, value in form.multi_items() if isinstance(value, str)}


def _school_batches(instance: Instance, school_code: str) -> tuple[str, list[Batch]]:
    with Session(instance.engine) as db:
        schools = db.exec(select(IssuerRecord).where(
            IssuerRecord.school_code == school_code)).all()
        accounts = [school.account for school in schools]
        batches = db.exec(select(Batch).where(col(Batch.issuer_account).in_(accounts),
                                              Batch.status == "anchored")
                          .order_by(col(Batch.id).desc())).all()
        return (schools[0].name if schools else school_code), list(batches)


def _message(request: Request, lang: str, title_key: str, message: str, code: str,
             status_code: int) -> HTMLResponse:
    words = WALLET_TEXT[lang]
    return render_page(request, "wallet/message.html", lang, status_code=status_code,
                       words=words, title=words[title_key], message=message, code=code,
                       tone="invalid", back_url=None, back_label="")


def claim_page_router(instance: Instance) -> APIRouter:
    """Build the router of the staff slip page and the student's claim page."""
    router = APIRouter(include_in_schema=False)

    @router.get("/school/{school_code}/claims")
    async def claims_page(request: Request, school_code: str, actor: PageActor) -> HTMLResponse:
        require_school(actor, school_code, SCHOOL_ROLES)
        lang = page_lang(request)
        _, batches = await run_in_threadpool(_school_batches, instance, school_code)
        return render_page(request, "wallet/claims.html", lang, words=WALLET_TEXT[lang],
                           school_code=school_code, batches=batches,
                           lang_query=_lang_query(lang), error=None)

    @router.post("/school/{school_code}/claims")
    async def make_slips(request: Request, school_code: str, actor: PageActor) -> HTMLResponse:
        require_school(actor, school_code, SCHOOL_ROLES)
        lang = page_lang(request)
        fields = await _small_form(request)
        check_form_csrf(request, fields.get("csrf_token", ""))
        batch_text = fields.get("batch_id", "")
        school_name, batches = await run_in_threadpool(_school_batches, instance, school_code)
        if not batch_text.isdigit() or int(batch_text) not in {batch.id for batch in batches}:
            raise ProblemError(404, "batch_not_found", "Không tìm thấy lô này của trường.",
                               "No such batch in this school.")
        try:
            links = await run_in_threadpool(
                lambda: create_claim_links(instance.engine, school_code=school_code,
                                           created_by=actor.label, batch_id=int(batch_text)))
        except HocbaError as exc:
            raise ProblemError(422, exc.code, exc.message_vi, str(exc)) from exc
        base = instance.settings.verify_base_url.rstrip("/")
        slips: list[dict[str, Any]] = []
        for link in links:
            url = f"{base}/claim/{link.token}"
            slips.append({"claim_id": link.claim_id, "learner_name": link.learner_name,
                          "class_name": link.class_name, "school_year": link.school_year,
                          "url": url, "qr": qr_data_uri(url),
                          "expires": vietnam_date(link.expires_at)})
        return render_page(request, "wallet/slips.html", lang, words=WALLET_TEXT[lang],
                           school_code=school_code, school_name=school_name, slips=slips,
                           lang_query=_lang_query(lang))

    def claim_form(request: Request, token: str, lang: str, *, error: ClaimError | None = None,
                   guardian_name: str = "") -> HTMLResponse:
        words = WALLET_TEXT[lang]
        try:
            preview = preview_claim(instance.engine, token)
        except ClaimError as exc:
            return _message(request, lang, "claim_not_found_title",
                            exc.message_vi if lang == "vi" else str(exc), exc.code, 404)
        if preview.state != "open":
            failure = claim_state_error(preview.state)
            return _message(request, lang, _STATE_TITLES[preview.state],
                            failure.message_vi if lang == "vi" else str(failure), failure.code,
                            410)
        school_name, _ = _school_batches(instance, preview.school_code)
        message = None
        if error is not None:
            message = error.message_vi if lang == "vi" else str(error)
        return render_page(
            request, "wallet/claim.html", lang, status_code=422 if error else 200,
            words=words, preview=preview, school_name=school_name,
            expires=vietnam_date(preview.expires_at),
            action=f"/claim/{token}{_lang_query(lang)}", guardian_name=guardian_name,
            error=message, error_code=error.code if error else "")

    @router.get("/claim/{token}")
    async def claim_page(request: Request, token: str) -> HTMLResponse:
        return await run_in_threadpool(claim_form, request, token, page_lang(request))

    @router.post("/claim/{token}")
    async def claim_submit(request: Request, token: str) -> Response:
        lang = page_lang(request)
        fields = await _small_form(request)
        guardian_name = fields.get("guardian_name", "")
        try:
            result = await run_in_threadpool(
                lambda: claim(instance.engine, token, guardian_name=guardian_name,
                              guardian_confirms=fields.get("guardian_confirms") == "1"))
        except ClaimError as exc:
            logger.info("claim rejected: %s", exc.code)
            failure = exc
            return await run_in_threadpool(
                lambda: claim_form(request, token, lang, error=failure,
                                   guardian_name=guardian_name))
        target = f"/wallet?claimed={result.added}" + ("&lang=en" if lang == "en" else "")
        response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
        set_wallet_cookie(response, request, result.session_token,
                          int(WALLET_SESSION_LIFETIME.total_seconds()))
        return response

    return router

