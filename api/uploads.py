"""Reading request bodies under a byte limit, as JSON or as one uploaded file.

The limit is enforced twice: a declared ``Content-Length`` above it is rejected
before any body byte is received, and the bytes are counted while they stream
in, so a chunked body without a length stops at the limit too. Either way the
client gets 413 and at most ``limit`` bytes plus one chunk are ever received.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import Literal

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.problems import ProblemError

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "UploadKind", "read_json_body", "read_uploaded_file",
           "upload_kind"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_MAX_FORM_FIELDS = 16
_MAX_FIELD_BYTES = 64 * 1024
_ACCEPTED = "application/json, multipart/form-data"

UploadKind = Literal["json", "multipart"]


def upload_kind(request: Request) -> UploadKind:
    """Return how the body of ``request`` is sent, or raise 415 for any other media type."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        return "json"
    if media_type == "multipart/form-data":
        return "multipart"
    raise ProblemError(
        415, "media_type_unsupported",
        "Chỉ nhận nội dung kiểu application/json (một chứng nhận) hoặc multipart/form-data "
        f"(một tệp trong trường «file»); đã nhận «{media_type or 'không có Content-Type'}».",
        "Send application/json (a credential) or multipart/form-data (one file in the 'file' "
        f"field); got {media_type or 'no Content-Type'!r}.",
        headers={"Accept-Post": _ACCEPTED},
    )


def _too_large(limit: int) -> ProblemError:
    return ProblemError(
        413, "upload_too_large",
        f"Dữ liệu gửi lên vượt quá giới hạn {limit} byte ({limit / 1048576:.0f} MiB). "
        "Hãy gửi tệp PDF, JSON hoặc ảnh mã QR nhỏ hơn.",
        f"The request body exceeds the limit of {limit} bytes. Send a smaller PDF, JSON or "
        "QR image.",
        limit=limit,
    )


def _check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.strip().isdigit():
        raise ProblemError(400, "content_length_invalid",
                           f"Tiêu đề Content-Length «{declared[:40]}» không hợp lệ.",
                           f"Invalid Content-Length header {declared[:40]!r}.")
    if int(declared) > limit:
        logger.info("rejected upload declaring %s bytes (limit %d)", declared, limit)
        raise _too_large(limit)


async def _counted_stream(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            logger.info("stopped an upload after %d bytes (limit %d)", received, limit)
            raise _too_large(limit)
        yield chunk


async def read_json_body(request: Request, limit: int) -> bytes:
    """Read the whole body, at most ``limit`` bytes."""
    _check_declared_length(request, limit)
    chunks = [chunk async for chunk in _counted_stream(request, limit)]
    return b"".join(chunks)


async def read_uploaded_file(request: Request, limit: int) -> tuple[bytes, str]:
    """Read the one file sent in the multipart field ``file``; return its bytes and name."""
    _check_declared_length(request, limit)
    parser = MultiPartParser(request.headers, _counted_stream(request, limit),
                             max_files=2, max_fields=_MAX_FORM_FIELDS,
                             max_part_size=_MAX_FIELD_BYTES)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ProblemError(400, "multipart_invalid",
                           "Dữ liệu multipart/form-data không đọc được.",
                           f"The multipart/form-data body cannot be parsed: {exc.message}"
                           ) from exc

    try:
        files = [value for value in form.getlist("file") if isinstance(value, UploadFile)]
        if len(files) != 1:
            raise ProblemError(422, "file_missing",
                               "Cần đúng một tệp trong trường «file» (PDF, JSON hoặc ảnh mã QR); "
                               f"đã nhận {len(files)}.",
                               "Send exactly one file in the 'file' field (PDF, JSON or QR "
                               f"image); got {len(files)}.")
        upload = files[0]
        data = await upload.read()
        return data, upload.filename or "upload"
    finally:
        await form.close()
