"""HTML routes of the verification service: home, upload, QR scan, person match, static files.

The pages are Vietnamese unless ``lang=en`` (or the ``/en`` home page) is asked
for. The QR decoder (npm ``zxing-wasm``) is served from the repository's
``node_modules``; without it the home page says camera scanning is unavailable
and file upload still works.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api.batch import BatchItem, batch_items, read_files
from api.match import match_result
from api.page_text import TEXT
from api.pages import (
    LANGUAGES,
    PAGE_HEADERS,
    render_home,
    render_match,
    render_message,
    render_results,
)
from api.problems import ProblemError
from api.ratelimit import RateLimiter
from api.service import VerificationService, parse_binding, parse_credential_uuid
from hocba.errors import InputError
from hocba.qrlink import parse_qr_url
from hocba.status import Check, Status, VerificationResult

__all__ = ["ZXING_DIST", "batch_results", "camera_available", "install_pages", "page_language"]

logger = logging.getLogger(__name__)

_STATIC = Path(__file__).resolve().parent / "static"
ZXING_DIST = Path(__file__).resolve().parents[1] / "node_modules" / "zxing-wasm" / "dist"
# The only vendor files served: public name -> (path under ZXING_DIST, media type).
_VENDOR_FILES = {
    "reader.js": ("iife/reader/index.js", "text/javascript"),
    "zxing_reader.wasm": ("reader/zxing_reader.wasm", "application/wasm"),
}
_MAX_FORM_BYTES = 4096


def camera_available() -> bool:
    """Tell whether the QR decoder files exist, so the page can offer camera scanning."""
    return all((ZXING_DIST / path).is_file() for path, _ in _VENDOR_FILES.values())


def page_language(lang: str | None) -> str:
    """Return ``lang`` if it is a page language, else Vietnamese."""
    return lang if lang in LANGUAGES else "vi"


def _with_lang(path: str, lang: str) -> str:
    separator = "&" if "?" in path else "?"
    return f"{path}{separator}lang=en" if lang == "en" else path


def _html(body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status_code, headers=PAGE_HEADERS)


def _problem_page(exc: ProblemError, lang: str) -> HTMLResponse:
    logger.info("page request rejected: %d %s", exc.status, exc.code)
    message = exc.message_vi if lang == "vi" else str(exc)
    title = "Không kiểm tra được" if lang == "vi" else "Cannot check"
    return _html(render_message(lang, title, message), exc.status)


def _skipped(item: BatchItem, source: str) -> VerificationResult:
    check = Check(f"batch.{item.error_code}", False, Status.MALFORMED, item.error_vi or "",
                  item.error_en or "")
    return VerificationResult(status=Status.MALFORMED, checks=[check], source=source)


def batch_results(service: VerificationService,
                  items: list[BatchItem]) -> list[tuple[str, VerificationResult]]:
    """Verify every batch item; a skipped ZIP member gets a malformed result with the reason."""
    named: list[tuple[str, VerificationResult]] = []
    for index, item in enumerate(items, start=1):
        source = f"batch:{index}"
        if item.data is None:
            named.append((item.name, _skipped(item, source)))
        else:
            named.append((item.name, service.verify_file(item.data, source)))
    return named


def install_pages(app: FastAPI, service: VerificationService, rate_limiter: RateLimiter,
                  limit: int) -> None:
    """Add the HTML routes and the static files to ``app``."""

    def home(lang: str) -> HTMLResponse:
        other = "/en" if lang == "vi" else "/"
        return _html(render_home(lang, camera_available=camera_available(),
                                 other_language_url=other))

    @app.get("/", include_in_schema=False)
    async def home_page(lang: str | None = None) -> HTMLResponse:
        return home(page_language(lang))

    @app.get("/en", include_in_schema=False)
    async def home_page_english() -> HTMLResponse:
        return home("en")

    @app.post("/verify", include_in_schema=False)
    async def verify_page(request: Request, lang: str | None = None) -> HTMLResponse:
        language = page_language(lang)
        try:
            rate_limiter.check(request)
            files = await read_files(request, limit)
            items = batch_items(files, limit)
        except ProblemError as exc:
            return _problem_page(exc, language)
        named = await run_in_threadpool(batch_results, service, items)
        other = "/" if language == "en" else "/en"
        return _html(render_results(named, language, other))

    @app.get("/scan", include_in_schema=False)
    async def scan(request: Request, url: str = "", lang: str | None = None) -> Response:
        """Redirect to the verdict page of a scanned QR link that passes the strict parser."""
        language = page_language(lang)
        try:
            rate_limiter.check(request)
            link = parse_qr_url(url, [service.instance.settings.verify_base_url])
        except ProblemError as exc:
            return _problem_page(exc, language)
        except InputError as exc:
            logger.info("scanned QR link rejected: %s", exc.code)
            message = exc.message_vi if language == "vi" else str(exc)
            return _html(render_message(language, TEXT[language]["qr_invalid_title"], message),
                         422)
        binding = base64.urlsafe_b64encode(link.binding).rstrip(b"=").decode()
        target = f"/v1/c/{link.credential_uuid}?h={binding}"
        return RedirectResponse(_with_lang(target, language), status_code=303,
                                headers={"Cache-Control": "no-store"})

    @app.post("/v1/c/{credential_uuid}/match", include_in_schema=False)
    async def match_page(request: Request, credential_uuid: str, h: str | None = None,
                         lang: str | None = None) -> HTMLResponse:
        """Person match form of a QR-link verdict page."""
        language = page_language(lang)
        try:
            rate_limiter.check(request)
            normalized = parse_credential_uuid(credential_uuid)
            binding = parse_binding(h)
            declared = request.headers.get("content-length", "")
            if not declared.isdigit() or int(declared) > _MAX_FORM_BYTES:
                raise ProblemError(413, "form_too_large", "Biểu mẫu gửi lên quá lớn.",
                                   "The submitted form is too large.")
            async with request.form(max_files=0, max_fields=4,
                                    max_part_size=_MAX_FORM_BYTES) as form:
                name, birth_date = form.get("name"), form.get("birthDate")
            result = await run_in_threadpool(service.verify_link, normalized, binding)
            if result is None:
                raise ProblemError(404, "credential_not_found",
                                   TEXT["vi"]["not_found"], TEXT["en"]["not_found"])
            match = match_result(result, name, birth_date)
        except ProblemError as exc:
            return _problem_page(exc, language)
        own = f"/v1/c/{normalized}?h={h}"
        other = _with_lang(own, "en" if language == "vi" else "vi")
        action = _with_lang(f"/v1/c/{normalized}/match?h={h}", language)
        return _html(render_match(result, match, language, other, action))

    @app.get("/static/vendor/zxing-wasm/{name}", include_in_schema=False)
    async def vendor_file(name: str) -> Response:
        entry = _VENDOR_FILES.get(name)
        if entry is None or not (ZXING_DIST / entry[0]).is_file():
            raise ProblemError(404, "not_found", "Không có tệp này trên máy chủ.",
                               "No such file on this server.")
        return FileResponse(ZXING_DIST / entry[0], media_type=entry[1],
                            headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
