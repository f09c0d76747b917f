"""Verifying what a person hands over: a credential JSON, a PDF, or a photo of the QR code.

The file's kind is decided by its first bytes, not its name. A PDF is verified
from its embedded credential, and the QR code printed on it must bind to that
same credential. A QR image names a credential by id on an allow-listed hocba
instance. The credential is then fetched from the local store, never from a URL
taken out of the QR code, checked against the QR's hash binding, and verified.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from hocba.anchoring import credential_digest
from hocba.errors import CredentialError, InputError
from hocba.jcs import parse_json
from hocba.qrlink import binding_matches, parse_qr_url
from hocba.status import Check, Status, VerificationResult
from verifier.engine import VerifierContext, verify_credential

__all__ = ["CredentialLookup", "detect_kind", "verify_bytes", "verify_path"]

logger = logging.getLogger(__name__)

CredentialLookup = Callable[[str], bytes | None]
"""Returns the stored credential JSON for a credential id (``urn:uuid:…``), or None."""

MAX_INPUT_BYTES = 20 * 1024 * 1024


def detect_kind(data: bytes) -> str:
    """Return ``pdf``, ``json``, ``image`` or ``unknown`` from the first bytes."""
    head = data[:16].lstrip()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"{") or data.startswith(b"\xef\xbb\xbf{"):
        return "json"
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"BM")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    ):
        return "image"
    return "unknown"


def verify_path(path: Path, context: VerifierContext, *, lookup: CredentialLookup | None = None,
                allowed_origins: Iterable[str] = ()) -> VerificationResult:
    """Verify the file at ``path``."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return _failed(str(path), "input.read", f"Không đọc được tệp {path}: {exc.strerror}.",
                       f"Cannot read {path}: {exc.strerror}.")
    if size > MAX_INPUT_BYTES:
        return _failed(str(path), "input.size",
                       f"Tệp quá lớn ({size} byte, tối đa {MAX_INPUT_BYTES}).",
                       f"File too large ({size} bytes, limit {MAX_INPUT_BYTES}).")
    return verify_bytes(path.read_bytes(), context, source=str(path), lookup=lookup,
                        allowed_origins=allowed_origins)


def verify_bytes(data: bytes, context: VerifierContext, *, source: str = "",
                 lookup: CredentialLookup | None = None,
                 allowed_origins: Iterable[str] = ()) -> VerificationResult:
    """Verify a credential JSON, a PDF carrying one, or an image of a hocba QR code."""
    kind = detect_kind(data)
    if kind == "json":
        return verify_credential(data.removeprefix(b"\xef\xbb\xbf"), context, source=source)
    if kind == "pdf":
        return _verify_pdf(data, context, source)
    if kind == "image":
        return _verify_qr_image(data, context, source, lookup, allowed_origins)
    return _failed(source, "input.kind",
                   "Không nhận ra loại tệp: cần tệp PDF học bạ, tệp JSON chứng nhận hoặc ảnh "
                   "mã QR.",
                   "Unknown file kind: expected a transcript PDF, a credential JSON or a QR image.")


def _verify_pdf(data: bytes, context: VerifierContext, source: str) -> VerificationResult:
    from verifier.pdf import extract_qr_url
    from verifier.pdfsig import (
        check_pdf_signatures,
        extract_signed_credential,
        signed_revision_bytes,
    )
    from verifier.pdfupdates import check_appended_updates

    try:
        # A signed PDF is verified from its last signed revision, never from content
        # appended after the signatures.
        embedded = extract_signed_credential(data)
    except InputError as exc:
        return _failed(source, f"pdf.{exc.code}", exc.message_vi, str(exc))
    result = verify_credential(embedded, context, source=source)
    if result.status is Status.MALFORMED:
        return result
    result.checks.extend(check_pdf_signatures(data))
    if signed_revision_bytes(data) is None:
        result.checks.extend(check_appended_updates(data))

    try:
        qr_text = extract_qr_url(data)
    except InputError as exc:
        # A page that decodes past the render cap is a decompression bomb: reject the file.
        if exc.code == "pdf_too_large":
            return _failed(source, f"pdf.{exc.code}", exc.message_vi, str(exc))
        qr_text = None
    if qr_text is None:
        return _recomputed(result)
    try:
        link = parse_qr_url(qr_text, [_origin_of(qr_text)])
        digest = credential_digest(parse_json(embedded))
    except (InputError, CredentialError) as exc:
        result.checks.append(Check("pdf.qr", False, Status.TAMPERED,
                                   "Mã QR in trên PDF không hợp lệ.",
                                   f"The QR code printed on the PDF is invalid: {exc}"))
    else:
        if binding_matches(link, digest) and link.credential_id == result.credential_id:
            result.checks.append(Check("pdf.qr", True, None,
                                       "Mã QR in trên PDF khớp với chứng nhận đính kèm.",
                                       "The printed QR code matches the embedded credential."))
        else:
            result.checks.append(Check("pdf.qr", False, Status.TAMPERED,
                                       "Mã QR in trên PDF trỏ tới một chứng nhận khác với chứng "
                                       "nhận đính kèm.",
                                       "The printed QR code names another credential than the "
                                       "embedded one."))
    return _recomputed(result)


def _verify_qr_image(data: bytes, context: VerifierContext, source: str,
                     lookup: CredentialLookup | None,
                     allowed_origins: Iterable[str]) -> VerificationResult:
    from verifier.qr import decode_qr_image

    try:
        texts = decode_qr_image(data)
        link = parse_qr_url(texts[0], allowed_origins)
    except InputError as exc:
        return _failed(source, f"qr.{exc.code}", exc.message_vi, str(exc))
    stored = lookup(link.credential_id) if lookup else None
    if stored is None:
        return _failed(source, "qr.not_found",
                       "Không tìm thấy chứng nhận mà mã QR trỏ tới trong kho của hệ thống này.",
                       "The credential named by the QR code is not in this instance's store.")
    try:
        digest = credential_digest(parse_json(stored))
    except CredentialError as exc:
        return _failed(source, "qr.stored_invalid", exc.message_vi, str(exc))
    if not binding_matches(link, digest):
        return _failed(source, "qr.binding",
                       "Mã QR không khớp với chứng nhận đã lưu: mã QR có thể đã bị làm giả.",
                       "The QR code's hash binding does not match the stored credential.",
                       status=Status.TAMPERED)
    result = verify_credential(stored, context, source=source)
    result.checks.insert(0, Check("qr.binding", True, None,
                                  "Mã QR khớp với chứng nhận đã lưu.",
                                  "The QR code's hash binding matches the stored credential."))
    return result


def _origin_of(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _recomputed(result: VerificationResult) -> VerificationResult:
    from hocba.status import overall_status

    result.status = overall_status(result.checks)
    return result


def _failed(source: str, code: str, vi: str, en: str, *,
            status: Status = Status.MALFORMED) -> VerificationResult:
    logger.info("verification of %s failed at %s", source or "input", code)
    return VerificationResult(status=status, checks=[Check(code, False, status, vi, en)],
                              source=source)
