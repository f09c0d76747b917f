"""Reading a multipart upload with one file and a few short text fields."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.problems import ProblemError

__all__ = ["read_form"]

logger = logging.getLogger(__name__)

_MAX_FIELDS = 8
_MAX_FIELD_BYTES = 16 * 1024


def _too_large(limit: int) -> ProblemError:
    return ProblemError(413, "upload_too_large",
                        f"Dữ liệu gửi lên vượt quá giới hạn {limit} byte.",
                        f"The request body exceeds the limit of {limit} bytes.")


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise _too_large(limit)
        yield chunk


async def read_form(request: Request, limit: int) -> tuple[bytes, str, dict[str, str]]:
    """Return the file in field ``file``, its name and the text fields; 413 past ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ProblemError(415, "media_type_unsupported",
                           "Cần gửi tệp theo dạng multipart/form-data (trường «file»).",
                           "Send the file as multipart/form-data in the field 'file'.")
    parser = MultiPartParser(request.headers, _limited(request, limit), max_files=1,
                             max_fields=_MAX_FIELDS, max_part_size=_MAX_FIELD_BYTES)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ProblemError(400, "multipart_invalid",
                           "Dữ liệu multipart/form-data không đọc được.",
                           f"The multipart/form-data body cannot be parsed: {exc.message}"
                           ) from exc
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ProblemError(422, "file_missing", "Thiếu tệp trong trường «file».",
                               "The field 'file' with the class file is missing.")
        fields = {name: value for name, value in form.multi_items()
                  if isinstance(value, str)}
        return await upload.read(), upload.filename or "upload.csv", fields
    finally:
        await form.close()
