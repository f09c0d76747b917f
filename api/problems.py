"""RFC 9457 problem responses for every error the API returns.

A problem body carries ``type``, ``title``, ``status`` and ``detail`` (Vietnamese,
for the person who reads it), plus the extensions ``title_en``, ``detail_en`` and
``code`` (a machine code that clients and tests compare). ``type`` is
``urn:hocba:problem:<code>``: a name, not a page to fetch.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hocba.errors import HocbaError

__all__ = ["PROBLEM_MEDIA_TYPE", "ProblemError", "install_problem_handlers", "problem_response"]

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Titles per status code: (Vietnamese, English).
_TITLES: dict[int, tuple[str, str]] = {
    400: ("Yêu cầu không hợp lệ", "Bad Request"),
    401: ("Chưa xác thực", "Unauthorized"),
    403: ("Không có quyền", "Forbidden"),
    404: ("Không tìm thấy", "Not Found"),
    405: ("Phương thức không được hỗ trợ", "Method Not Allowed"),
    409: ("Xung đột trạng thái", "Conflict"),
    413: ("Dữ liệu gửi lên quá lớn", "Content Too Large"),
    415: ("Kiểu dữ liệu không được hỗ trợ", "Unsupported Media Type"),
    422: ("Dữ liệu không xử lý được", "Unprocessable Content"),
    429: ("Quá nhiều yêu cầu", "Too Many Requests"),
    500: ("Lỗi máy chủ", "Internal Server Error"),
}


class ProblemError(HocbaError):
    """An error that the API returns to the client as a problem response."""

    code = "problem"

    def __init__(self, status: int, code: str, detail_vi: str, detail_en: str, *,
                 headers: dict[str, str] | None = None, **extensions: Any) -> None:
        super().__init__(detail_en, code=code, message_vi=detail_vi)
        self.status = status
        self.headers = headers or {}
        self.extensions = extensions


def problem_response(status: int, code: str, detail_vi: str, detail_en: str, *,
                     headers: dict[str, str] | None = None, **extensions: Any) -> JSONResponse:
    """Build an ``application/problem+json`` response."""
    title_vi, title_en = _TITLES.get(status, _TITLES[500] if status >= 500 else _TITLES[400])
    body = {
        "type": f"urn:hocba:problem:{code}",
        "title": title_vi,
        "status": status,
        "detail": detail_vi,
        "title_en": title_en,
        "detail_en": detail_en,
        "code": code,
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE,
                        headers={"Content-Language": "vi", **(headers or {})})


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, ProblemError):
        raise exc
    logger.info("%s %s: %d %s", request.method, request.url.path, exc.status, exc.code)
    return problem_response(exc.status, exc.code, exc.message_vi, str(exc), headers=exc.headers,
                            **exc.extensions)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):
        raise exc
    logger.info("%s %s: %d", request.method, request.url.path, exc.status_code)
    if exc.status_code == 404:
        return problem_response(404, "not_found", "Không có địa chỉ này trên máy chủ.",
                                "No such path on this server.")
    if exc.status_code == 405:
        return problem_response(405, "method_not_allowed",
                                "Địa chỉ này không nhận phương thức HTTP đã dùng.",
                                "This path does not accept the HTTP method used.",
                                headers=dict(exc.headers or {}))
    return problem_response(exc.status_code, f"http_{exc.status_code}",
                            f"Yêu cầu bị từ chối (HTTP {exc.status_code}).",
                            str(exc.detail), headers=dict(exc.headers or {}))


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        raise exc
    logger.info("%s %s: 422 with %d validation errors", request.method, request.url.path,
                len(exc.errors()))
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors()
    ]
    return problem_response(422, "request_invalid",
                            "Tham số của yêu cầu không hợp lệ; xem danh sách lỗi trong «errors».",
                            "The request parameters are invalid; see the list in 'errors'.",
                            errors=errors)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(500, "internal_error",
                            "Máy chủ gặp lỗi không mong muốn; hãy thử lại sau.",
                            "The server hit an unexpected error; try again later.")


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error response of ``app`` a problem response."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_unexpected)
