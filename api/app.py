"""The public verification API of one hocba instance.

Routes (all versioned under ``/v1``):

- ``POST /v1/verify``: a credential as ``application/json``, or one PDF, JSON or
  QR image in the multipart field ``file``. Returns the verification result with
  status 200 whatever the verdict; the verdict is in the body.
- ``GET /v1/c/{uuid}?h=<binding>``: the page a printed QR code opens. The
  credential comes from this instance's store only, never from the network.
  JSON by default, an HTML page for ``Accept: text/html``; ``lang=en`` for English.
- ``POST /v1/verify/batch``: many files in the multipart field ``files``, or one
  ZIP; one verdict per file.
- ``POST /v1/match``: whether a typed name and birth date match a credential,
  named by its QR link or sent in full.
- ``POST /credentials/verify``: the W3C VC-API style verification.
- ``GET /v1/health``: whether the service is up and the chain can be read.

The web pages (``/``, ``/en``, the upload form, QR scan, person match) are in
``api.web``.

Errors are RFC 9457 problem responses (see ``api.problems``). Verify and QR-link
requests are limited per client address (429 past the limit). No CORS headers
are sent, so browsers on other origins cannot read the responses.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.access_log import hide_claim_tokens
from api.account_routes import account_router
from api.accreditation_pages import install_accreditation_pages
from api.batch import batch_items, read_files
from api.learner_routes import learner_router
from api.match import json_object, match_result, match_target
from api.page_auth import install_page_auth
from api.pages import LANGUAGES, PAGE_HEADERS, render_not_found, render_verdict
from api.privacy_pages import privacy_router
from api.problems import ProblemError, install_problem_handlers
from api.ratelimit import DEFAULT_REQUESTS_PER_MINUTE, RateLimiter
from api.school_pages import install_school_pages
from api.school_routes import school_router
from api.service import VerificationService, parse_binding, parse_credential_uuid
from api.uploads import DEFAULT_MAX_UPLOAD_BYTES, read_json_body, read_uploaded_file, upload_kind
from api.vcapi import credential_from_request, vc_api_response
from api.wallet_pages import install_wallet
from api.web import batch_results, install_pages
from hocba.errors import InputError
from hocba.instance import Instance

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

_VERIFY_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object",
                                            "description": "A hocba credential (W3C VC 2.0)"}},
            "multipart/form-data": {"schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary",
                                        "description": "A PDF, credential JSON or QR image"}},
            }},
        },
    }
}

_BATCH_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "required": ["files"],
            "properties": {"files": {"type": "array",
                                     "items": {"type": "string", "format": "binary"},
                                     "description": "PDFs, credential JSONs, QR images or one "
                                                    "ZIP of them"}},
        }}},
    }
}

_MATCH_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["name", "birthDate"],
            "properties": {
                "link": {"type": "string", "description": "The QR link of the credential"},
                "credential": {"type": "object", "description": "Or the credential itself"},
                "name": {"type": "string", "description": "Full name from the ID card"},
                "birthDate": {"type": "string", "description": "dd/mm/yyyy or yyyy-mm-dd"},
            },
        }}},
    }
}

_VC_API_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["verifiableCredential"],
            "properties": {"verifiableCredential": {"type": "object"},
                           "options": {"type": "object"}},
        }}},
    }
}


class _NoSniffMiddleware:
    """Add ``X-Content-Type-Options: nosniff`` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-content-type-options", b"nosniff"))
            await send(message)

        await self.app(scope, receive, send_with_header)


def _count_from_environment(name: str, default: int, *, minimum: int) -> int:
    """Read a whole number of at least ``minimum`` from the environment variable ``name``."""
    text = os.environ.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < minimum:
        raise InputError(
            f"invalid {name} {text!r}: expected a whole number of at least {minimum}",
            code="settings_invalid",
            message_vi=f"Giá trị {name} «{text}» không hợp lệ: cần một số nguyên không nhỏ hơn "
                       f"{minimum}.",
        )
    return int(text)


def _require_json(request: Request) -> None:
    """Raise 415 unless the body of ``request`` is JSON."""
    if upload_kind(request) != "json":
        raise ProblemError(415, "media_type_unsupported",
                           "Đường dẫn này chỉ nhận nội dung application/json.",
                           "This path accepts application/json only.",
                           headers={"Accept-Post": "application/json"})


def _wants_html(request: Request) -> bool:
    """Tell whether the client ranks text/html above application/json in its Accept header."""
    weights: dict[str, float] = {}
    for item in request.headers.get("accept", "").split(","):
        media_type, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        weights[media_type.lower()] = quality
    html = weights.get("text/html", 0.0)
    return html > 0 and html >= weights.get("application/json", 0.0)


def create_app(instance: Instance, *, max_upload_bytes: int | None = None,
               requests_per_minute: int | None = None) -> FastAPI:
    """Build the API over ``instance``.

    ``max_upload_bytes`` caps a request body (default: ``HOCBA_MAX_UPLOAD_BYTES``,
    else 20 MiB); a larger body gets 413 before it is read into memory.
    ``requests_per_minute`` caps verify and QR-link requests per client address
    (default: ``HOCBA_RATE_LIMIT_PER_MINUTE``, else 120; 0 turns the cap off).
    """
    limit = max_upload_bytes or _count_from_environment(
        "HOCBA_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES, minimum=1)
    if requests_per_minute is None:
        requests_per_minute = _count_from_environment(
            "HOCBA_RATE_LIMIT_PER_MINUTE", DEFAULT_REQUESTS_PER_MINUTE, minimum=0)
    rate_limiter = RateLimiter(requests_per_minute)
    service = VerificationService(instance)
    app = FastAPI(
        title="hocba: xác thực học bạ / transcript verification",
        version="1",
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
    )
    app.state.service = service
    app.state.max_upload_bytes = limit
    app.state.requests_per_minute = requests_per_minute
    install_problem_handlers(app)
    app.add_middleware(_NoSniffMiddleware)

    @app.post("/v1/verify", openapi_extra=_VERIFY_BODY_DOC)
    async def verify(request: Request) -> JSONResponse:
        """Xác thực một chứng nhận / verify a credential, PDF or QR image."""
        rate_limiter.check(request)
        if upload_kind(request) == "json":
            body = await read_json_body(request, limit)
            result = await run_in_threadpool(service.verify_json, body, "request-body")
        else:
            data, _filename = await read_uploaded_file(request, limit)
            # The file name may contain the student's name, so it is neither logged nor echoed.
            result = await run_in_threadpool(service.verify_file, data, "upload")
        return JSONResponse(result.to_json(), headers={"Cache-Control": "no-store"})

    @app.get("/v1/c/{credential_uuid}", response_model=None)
    async def qr_landing(request: Request, credential_uuid: str, h: str | None = None,
                         lang: str = "vi") -> JSONResponse | HTMLResponse:
        """Trang mở từ mã QR / the page a printed QR code opens."""
        rate_limiter.check(request)
        if lang not in LANGUAGES:
            raise ProblemError(422, "lang_invalid",
                               f"Ngôn ngữ «{lang[:10]}» không được hỗ trợ; dùng vi hoặc en.",
                               f"Unsupported language {lang[:10]!r}; use vi or en.")
        normalized = parse_credential_uuid(credential_uuid)
        binding = parse_binding(h)
        html = _wants_html(request)
        result = await run_in_threadpool(service.verify_link, normalized, binding)

        if result is None and html:
            return HTMLResponse(render_not_found(lang), status_code=404,
                                headers={**PAGE_HEADERS, "Vary": "Accept"})
        if result is None:
            raise ProblemError(404, "credential_not_found",
                               "Hệ thống này không lưu văn bản nào có mã trong liên kết.",
                               "This service stores no credential with the id in the link.",
                               headers={"Vary": "Accept"})
        if html:
            other = "en" if lang == "vi" else "vi"
            other_url = f"/v1/c/{normalized}?h={h}" + ("&lang=en" if other == "en" else "")
            match_action = f"/v1/c/{normalized}/match?h={h}" + ("&lang=en" if lang == "en"
                                                                  else "")
            return HTMLResponse(render_verdict(result, lang, other_url,
                                               match_action=match_action),
                                headers={**PAGE_HEADERS, "Vary": "Accept"})
        return JSONResponse(result.to_json(), headers={"Cache-Control": "no-store",
                                                       "Vary": "Accept"})

    @app.post("/v1/verify/batch", openapi_extra=_BATCH_BODY_DOC)
    async def verify_batch(request: Request) -> JSONResponse:
        """Xác thực nhiều tệp hoặc một tệp ZIP / verify many files or one ZIP."""
        rate_limiter.check(request)
        items = batch_items(await read_files(request, limit), limit)
        named = await run_in_threadpool(batch_results, service, items)
        body = {"count": len(named),
                "results": [{"file": name, **result.to_json()} for name, result in named]}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    @app.post("/v1/match", openapi_extra=_MATCH_BODY_DOC)
    async def match(request: Request) -> JSONResponse:
        """Đối chiếu họ tên, ngày sinh / match a typed name and birth date."""
        rate_limiter.check(request)
        _require_json(request)
        body = json_object(await read_json_body(request, limit))
        result = await run_in_threadpool(match_target, service, body)
        return JSONResponse(match_result(result, body.get("name"), body.get("birthDate")),
                            headers={"Cache-Control": "no-store"})

    @app.post("/credentials/verify", openapi_extra=_VC_API_BODY_DOC)
    async def vc_api_verify(request: Request) -> JSONResponse:
        """W3C VC-API: xác thực chứng nhận / verify a credential."""
        rate_limiter.check(request)
        _require_json(request)
        credential = credential_from_request(json_object(await read_json_body(request, limit)))
        data = json.dumps(credential, ensure_ascii=False).encode()
        result = await run_in_threadpool(service.verify_json, data, "vc-api")
        return JSONResponse(vc_api_response(result), headers={"Cache-Control": "no-store"})

    @app.get("/v1/health")
    async def health() -> dict[str, Any]:
        """Trạng thái dịch vụ / service and chain status."""
        return await run_in_threadpool(service.health)

    app.state.instance = instance
    hide_claim_tokens()
    app.include_router(account_router(rate_limiter))
    install_page_auth(app, rate_limiter)
    app.include_router(school_router(instance, limit))
    app.include_router(learner_router())
    install_school_pages(app, instance, limit)
    install_accreditation_pages(app, instance)
    app.include_router(privacy_router())
    install_wallet(app, service, rate_limiter, limit)
    install_pages(app, service, rate_limiter, limit)
    logger.info("verification API ready (upload limit %d bytes, %d requests per minute)", limit,
                requests_per_minute)
    return app
