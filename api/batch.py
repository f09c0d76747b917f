"""Reading several uploaded files at once: many multipart ``files`` or one ZIP archive.

A ZIP is opened in memory and checked member by member: at most
``MAX_BATCH_FILES`` members, each at most the upload limit once decompressed,
and at most ``MAX_ZIP_TOTAL_BYTES`` decompressed in all. Sizes declared in the
archive are not trusted: every member is read with a byte cap. A nested ZIP or
an encrypted member becomes a per-file error, not a verification. File names
are reduced to a short, printable base name before they are returned, and they
are never logged because they may contain a student's name.
"""

from __future__ import annotations

import io
import logging
import unicodedata
import zipfile
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.problems import ProblemError

__all__ = ["MAX_BATCH_FILES", "MAX_ZIP_TOTAL_BYTES", "BatchItem", "batch_items", "expand_zip",
           "read_files", "safe_name"]

logger = logging.getLogger(__name__)

MAX_BATCH_FILES = 50
MAX_ZIP_TOTAL_BYTES = 100 * 1024 * 1024
_MAX_NAME_CHARS = 80
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class BatchItem:
    """One file of a batch: its sanitized name, and its bytes or the reason it was skipped."""

    name: str
    data: bytes | None = None
    error_vi: str | None = None
    error_en: str | None = None
    error_code: str | None = None


def safe_name(raw: str | None, fallback: str) -> str:
    """Reduce a client-supplied file name to a printable base name of at most 80 characters."""
    text = unicodedata.normalize("NFC", raw or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in text if ch.isalnum() or ch in " ._-()")
    kept = kept.strip(" .")[:_MAX_NAME_CHARS]
    return kept or fallback


def _too_many(count: int) -> ProblemError:
    return ProblemError(
        422, "batch_too_many_files",
        f"Mỗi lần chỉ kiểm tra tối đa {MAX_BATCH_FILES} tệp; đã nhận {count}.",
        f"A batch holds at most {MAX_BATCH_FILES} files; got {count}.",
        limit=MAX_BATCH_FILES,
    )


def _too_large(limit: int) -> ProblemError:
    return ProblemError(
        413, "upload_too_large",
        f"Dữ liệu gửi lên vượt quá giới hạn {limit} byte. Hãy gửi ít tệp hơn.",
        f"The request body exceeds the limit of {limit} bytes. Send fewer files.",
        limit=limit,
    )


async def _counted_stream(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        raise _too_large(limit)
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise _too_large(limit)
        yield chunk


async def read_files(request: Request, limit: int) -> list[tuple[str, bytes]]:
    """Read every file in the multipart fields ``files`` (or ``file``), at most ``limit`` bytes."""
    parser = MultiPartParser(request.headers, _counted_stream(request, limit),
                             max_files=MAX_BATCH_FILES + 1, max_fields=16,
                             max_part_size=64 * 1024)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ProblemError(400, "multipart_invalid",
                           "Dữ liệu multipart/form-data không đọc được.",
                           f"The multipart/form-data body cannot be parsed: {exc.message}"
                           ) from exc
    try:
        uploads = [value for key in ("files", "file") for value in form.getlist(key)
                   if isinstance(value, UploadFile)]
        if not uploads:
            raise ProblemError(422, "file_missing",
                               "Chưa có tệp nào trong trường «files».",
                               "No file in the 'files' field.")
        if len(uploads) > MAX_BATCH_FILES:
            raise _too_many(len(uploads))
        return [(upload.filename or "", await upload.read()) for upload in uploads]
    finally:
        await form.close()


def expand_zip(data: bytes, member_limit: int) -> list[BatchItem]:
    """Return the files inside the ZIP ``data``, each capped at ``member_limit`` bytes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ProblemError(422, "zip_invalid", "Không đọc được tệp ZIP.",
                           f"The ZIP archive cannot be read: {exc}") from exc
    if len(members) > MAX_BATCH_FILES:
        raise _too_many(len(members))

    items: list[BatchItem] = []
    total = 0
    for index, info in enumerate(members, start=1):
        item = BatchItem(safe_name(info.filename, f"tep-{index}"))
        items.append(item)
        if info.flag_bits & 0x1:
            _reject(item, "zip_encrypted", "Tệp trong ZIP được đặt mật khẩu, không mở được.",
                    "The ZIP member is encrypted.")
            continue
        try:
            with archive.open(info) as member:
                content = member.read(member_limit + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            logger.info("ZIP member %d unreadable: %s", index, type(exc).__name__)
            _reject(item, "zip_member_invalid", "Không giải nén được tệp này trong ZIP.",
                    "This ZIP member cannot be decompressed.")
            continue
        if len(content) > member_limit:
            _reject(item, "zip_member_too_large",
                    f"Tệp trong ZIP lớn hơn {member_limit} byte khi giải nén.",
                    f"The ZIP member exceeds {member_limit} bytes once decompressed.")
            continue
        total += len(content)
        if total > MAX_ZIP_TOTAL_BYTES:
            raise ProblemError(
                413, "zip_too_large",
                f"Các tệp trong ZIP vượt quá {MAX_ZIP_TOTAL_BYTES} byte khi giải nén.",
                f"The ZIP members exceed {MAX_ZIP_TOTAL_BYTES} bytes once decompressed.",
                limit=MAX_ZIP_TOTAL_BYTES)
        if content.startswith(_ZIP_MAGIC):
            _reject(item, "zip_nested", "Không nhận tệp ZIP lồng trong tệp ZIP.",
                    "A ZIP inside the ZIP is not accepted.")
            continue
        item.data = content
    return items


def _reject(item: BatchItem, code: str, message_vi: str, message_en: str) -> None:
    item.error_code, item.error_vi, item.error_en = code, message_vi, message_en


def batch_items(files: list[tuple[str, bytes]], member_limit: int) -> list[BatchItem]:
    """Turn uploaded files into batch items, expanding a ZIP upload into its members."""
    items: list[BatchItem] = []
    for index, (raw_name, data) in enumerate(files, start=1):
        if data.startswith(_ZIP_MAGIC):
            items.extend(expand_zip(data, member_limit))
        else:
            items.append(BatchItem(safe_name(raw_name, f"tep-{index}"), data))
        if len(items) > MAX_BATCH_FILES:
            raise _too_many(len(items))
    return items
