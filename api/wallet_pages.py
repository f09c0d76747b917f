"""The student's wallet pages and the page a share recipient opens.

- ``/wallet``: records grouped by school year (newest first), each with its current
  status, and the student's share links with a withdraw button.
- ``/wallet/records/{id}``: one record in Vietnamese, with PDF and JSON downloads.
- ``/wallet/share``: choose records and what to show; ``static/wallet-share.js``
  encrypts in the browser and draws the link's QR code with the zxing-wasm writer.
- ``/s/{id}``: ``static/wallet-open.js`` reads the key from the fragment, decrypts and
  sends the documents to ``/v1/verify/disclosures`` for the verdict. A closed link gives
  410 here and its ciphertext is deleted.

Every wallet page needs the ``hocba_wallet`` session; another wallet's record is 404.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.claim_pages import claim_page_router, vietnam_date
from api.page_auth import page_lang, render_page
from api.problems import ProblemError
from api.ratelimit import RateLimiter
from api.service import VerificationService
from api.stored_files import stored_pdf
from api.wallet_api import claim_api_router, wallet_api_router
from api.wallet_auth import WalletPageActorDep, check_wallet_csrf, install_wallet_auth
from api.wallet_data import group_by_year, held_record, held_records, load_wallet
from api.wallet_text import WALLET_TEXT
from api.web import ZXING_DIST
from hocba.errors import HocbaError, InputError
from wallet.consent import needs_child_agreement, today_in_vietnam
from wallet.held_records import PRESET_NAMES, field_groups
from wallet.shares import ShareError, list_shares, open_share, withdraw_share

__all__ = ["install_wallet", "wallet_page_router"]

logger = logging.getLogger(__name__)

_MAX_FORM_BYTES = 2048
# The only zxing-wasm writer files served: public name -> (path under ZXING_DIST, media type).
_WRITER_FILES = {
    "writer.js": ("iife/writer/index.js", "text/javascript"),
    "zxing_writer.wasm": ("writer/zxing_writer.wasm", "application/wasm"),
}


def _lang_query(lang: str) -> str:
    return "?lang=en" if lang == "en" else ""


def _problem_page(request: Request, lang: str, exc: ProblemError) -> HTMLResponse:
    words = WALLET_TEXT[lang]
    return render_page(request, "wallet/message.html", lang, status_code=exc.status,
                       words=words, title=words["records"],
                       message=exc.message_vi if lang == "vi" else str(exc), code=exc.code,
                       tone="invalid", back_url="/wallet" + _lang_query(lang),
                       back_label=words["back"])


def _child_agreement(engine: object, wallet_id: int, acting_as: str) -> bool:
    if acting_as != "guardian":
        return False
    wallet = load_wallet(engine, wallet_id)
    try:
        return needs_child_agreement(wallet.birth_date, today_in_vietnam())
    except InputError:
        return False


def wallet_page_router(service: VerificationService) -> APIRouter:
    """Build the router of the wallet pages, the share page and the recipient's page."""
    router = APIRouter(include_in_schema=False)
    engine = service.instance.engine

    @router.get("/wallet")
    async def wallet_home(request: Request, actor: WalletPageActorDep) -> HTMLResponse:
        lang = page_lang(request)
        records = await run_in_threadpool(held_records, service, actor.wallet_id)
        shares = await run_in_threadpool(list_shares, engine, actor.wallet_id)
        wallet = await run_in_threadpool(load_wallet, engine, actor.wallet_id)
        claimed = request.query_params.get("claimed", "")
        return render_page(
            request, "wallet/list.html", lang, words=WALLET_TEXT[lang], records=records,
            groups=group_by_year(records), csrf_token=actor.csrf_token,
            shares=[{"id": s.id, "label": s.label, "record_count": s.record_count,
                     "state": s.state, "opened_count": s.opened_count,
                     "expires": vietnam_date(s.expires_at)} for s in shares],
            claimed=int(claimed) if claimed.isdigit() else 0,
            guardian_of=wallet.display_name if actor.acting_as == "guardian" else None,
            lang_query=_lang_query(lang))

    @router.get("/wallet/records/{record_id}")
    async def record_page(request: Request, record_id: str,
                          actor: WalletPageActorDep) -> HTMLResponse:
        lang = page_lang(request)
        try:
            record = await run_in_threadpool(held_record, service, actor.wallet_id, record_id)
        except ProblemError as exc:
            return _problem_page(request, lang, exc)
        return render_page(request, "wallet/record.html", lang, words=WALLET_TEXT[lang],
                           record=record, rows=field_groups(record.credential),
                           csrf_token=actor.csrf_token, lang_query=_lang_query(lang))

    @router.get("/wallet/records/{record_id}/pdf")
    async def record_pdf(record_id: str, actor: WalletPageActorDep) -> FileResponse:
        record = await run_in_threadpool(held_record, service, actor.wallet_id, record_id)
        path = stored_pdf(record.pdf_path) if record.has_pdf else None
        if path is None:
            raise ProblemError(404, "pdf_not_found", "Nhà trường chưa lưu bản PDF của văn bản "
                               "này.", "The school has not stored a PDF of this record.")
        return FileResponse(path, media_type="application/pdf",
                            filename=f"hocba-{record.school_year}-{record.class_name}.pdf",
                            headers={"Cache-Control": "no-store"})

    @router.get("/wallet/records/{record_id}/json")
    async def record_json(record_id: str, actor: WalletPageActorDep) -> Response:
        record = await run_in_threadpool(held_record, service, actor.wallet_id, record_id)
        row_json = json.dumps(record.credential, ensure_ascii=False, indent=2)
        name = f"hocba-{record.school_year}-{record.class_name}.json"
        return Response(row_json.encode("utf-8"), media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})

    @router.get("/wallet/share")
    async def share_page(request: Request, actor: WalletPageActorDep) -> HTMLResponse:
        lang = page_lang(request)
        records = await run_in_threadpool(held_records, service, actor.wallet_id)
        chosen = request.query_params.get("record")
        items = []
        for record in records:
            groups = field_groups(record.credential)
            names = [name for name in PRESET_NAMES
                     if any(name in group.presets for group in groups)]
            default = "results-conduct" if "results-conduct" in names else "hide-birth-date"
            items.append({"record": record, "groups": groups,
                          "presets": [(name, PRESET_NAMES[name]) for name in names],
                          "default_preset": default,
                          "chosen": chosen == record.id or (chosen is None and len(records) == 1)})
        child = await run_in_threadpool(_child_agreement, engine, actor.wallet_id,
                                        actor.acting_as)
        return render_page(request, "wallet/share.html", lang, words=WALLET_TEXT[lang],
                           items=items, csrf_token=actor.csrf_token, child_agreement=child,
                           lang_query=_lang_query(lang))

    @router.post("/wallet/shares/{share_id}/withdraw")
    async def withdraw(request: Request, share_id: str, actor: WalletPageActorDep) -> Response:
        declared = request.headers.get("content-length", "")
        if not declared.isdigit() or int(declared) > _MAX_FORM_BYTES:
            raise ProblemError(413, "form_too_large", "Biểu mẫu gửi lên quá lớn.",
                               "The submitted form is too large.")
        async with request.form(max_files=0, max_fields=4,
                                max_part_size=_MAX_FORM_BYTES) as form:
            token = form.get("csrf_token")
        check_wallet_csrf(actor, token if isinstance(token, str) else "")
        try:
            await run_in_threadpool(lambda: withdraw_share(engine, wallet_id=actor.wallet_id,
                                                           share_id=share_id))
        except ShareError as exc:
            raise ProblemError(404, exc.code, exc.message_vi, str(exc)) from exc
        target = "/wallet" + _lang_query(page_lang(request))
        return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})

    @router.get("/s/{share_id}")
    async def open_page(request: Request, share_id: str) -> HTMLResponse:
        lang = page_lang(request)
        words = WALLET_TEXT[lang]
        try:
            await run_in_threadpool(lambda: open_share(engine, share_id, count=False,
                                                       now=datetime.now(UTC)))
        except HocbaError as exc:
            status = 404 if exc.code == "share_not_found" else 410
            return render_page(request, "wallet/message.html", lang, status_code=status,
                               words=words, title=words["share_gone_title"],
                               message=exc.message_vi if lang == "vi" else str(exc),
                               code=exc.code, tone="invalid", back_url=None, back_label="")
        return render_page(request, "wallet/open.html", lang, words=words, share_id=share_id)

    @router.get("/wallet-vendor/zxing-writer/{name}")
    async def writer_file(name: str) -> FileResponse:
        entry = _WRITER_FILES.get(name)
        if entry is None or not (ZXING_DIST / entry[0]).is_file():
            raise ProblemError(404, "not_found", "Không có tệp này trên máy chủ.",
                               "No such file on this server.")
        return FileResponse(ZXING_DIST / entry[0], media_type=entry[1],
                            headers={"Cache-Control": "public, max-age=86400"})

    return router


def install_wallet(app: FastAPI, service: VerificationService, rate_limiter: RateLimiter,
                   limit: int) -> None:
    """Add the claim, wallet and share pages and their JSON routes to ``app``."""
    install_wallet_auth(app)
    app.include_router(wallet_api_router(service, rate_limiter, limit))
    app.include_router(claim_api_router(service))
    app.include_router(claim_page_router(service.instance))
    app.include_router(wallet_page_router(service))
