"""Person match: compare what a verifier typed from an ID card with a verified credential.

The answer is two booleans and the credential's status. The stored name and
birth date are never returned, so a verifier who guesses learns only "matches"
or "does not match", and the rate limit of the verify routes applies.
Names are compared after NFC normalization, case folding and whitespace
collapsing, so "nguyễn  văn AN" matches "Nguyễn Văn An". Diacritics still count:
"Nguyen Van An" does not match.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime
from typing import Any

from api.problems import ProblemError
from api.service import VerificationService
from hocba.errors import HocbaError, InputError
from hocba.jcs import parse_json
from hocba.qrlink import parse_qr_url
from hocba.status import Status, VerificationResult

__all__ = ["json_object", "match_result", "match_target", "normalize_name", "parse_birth_date"]

_MAX_FIELD_CHARS = 200
_WHITESPACE = re.compile(r"\s+")


def normalize_name(text: str) -> str:
    """Return ``text`` in NFC, case-folded, with runs of whitespace collapsed to one space."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return unicodedata.normalize("NFC", _WHITESPACE.sub(" ", folded).strip())


def parse_birth_date(text: str) -> date:
    """Read a birth date written as dd/mm/yyyy or yyyy-mm-dd, or raise 422."""
    cleaned = text.strip()[:_MAX_FIELD_CHARS]
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ProblemError(422, "birth_date_invalid",
                       f"Ngày sinh «{cleaned[:40]}» không hợp lệ; nhập theo dạng ngày/tháng/năm, "
                       "ví dụ 05/09/2012.",
                       f"Invalid date of birth {cleaned[:40]!r}; use dd/mm/yyyy, for example "
                       "05/09/2012.")


def _required_text(value: Any, field: str, label_vi: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProblemError(422, "match_field_missing",
                           f"Thiếu {label_vi} (trường «{field}»).",
                           f"The field {field!r} is missing or empty.")
    if len(value) > _MAX_FIELD_CHARS:
        raise ProblemError(422, "match_field_too_long",
                           f"Trường «{field}» dài quá {_MAX_FIELD_CHARS} ký tự.",
                           f"The field {field!r} is longer than {_MAX_FIELD_CHARS} characters.")
    return value


def match_result(result: VerificationResult, name: Any, birth_date: Any) -> dict[str, Any]:
    """Compare the typed ``name`` and ``birth_date`` with the subject of ``result``."""
    typed_name = normalize_name(_required_text(name, "name", "họ và tên"))
    typed_date = parse_birth_date(_required_text(birth_date, "birthDate", "ngày sinh"))

    # A tampered or unreadable credential's fields are not the issuer's, so they never match.
    authentic = result.status not in (Status.MALFORMED, Status.TAMPERED)
    subject = (result.subject or {}) if authentic else {}
    stored_name = subject.get("name")
    stored_date = subject.get("birthDate")
    name_matches = isinstance(stored_name, str) and normalize_name(stored_name) == typed_name
    try:
        date_matches = (isinstance(stored_date, str)
                        and date.fromisoformat(stored_date) == typed_date)
    except ValueError:
        date_matches = False
    return {"nameMatches": name_matches, "birthDateMatches": date_matches,
            "status": result.status.value}


def json_object(data: bytes) -> dict[str, Any]:
    """Parse a request body that must be one JSON object, or raise 422."""
    try:
        body = parse_json(data.removeprefix(b"\xef\xbb\xbf"))
    except HocbaError as exc:
        raise ProblemError(422, "json_invalid", f"Nội dung JSON không hợp lệ: {exc.message_vi}",
                           f"Invalid JSON body: {exc}") from exc
    if not isinstance(body, dict):
        raise ProblemError(422, "request_invalid", "Nội dung yêu cầu phải là một đối tượng JSON.",
                           "The request body must be a JSON object.")
    return body


def match_target(service: VerificationService, body: dict[str, Any]) -> VerificationResult:
    """Verify the credential a match request names: ``link`` (a QR link) or ``credential``."""
    link_text, credential = body.get("link"), body.get("credential")
    if isinstance(link_text, str) == isinstance(credential, dict):
        raise ProblemError(422, "match_target_invalid",
                           "Cần đúng một trong hai trường «link» (liên kết trong mã QR) hoặc "
                           "«credential» (chứng nhận JSON).",
                           "Send exactly one of 'link' (the QR link) or 'credential' (the "
                           "credential JSON).")
    if isinstance(credential, dict):
        data = json.dumps(credential, ensure_ascii=False).encode()
        return service.verify_json(data, "match")
    try:
        link = parse_qr_url(link_text, [service.instance.settings.verify_base_url])
    except InputError as exc:
        raise ProblemError(422, "link_invalid", exc.message_vi, str(exc)) from exc
    result = service.verify_link(link.credential_uuid, link.binding)
    if result is None:
        raise ProblemError(404, "credential_not_found",
                           "Hệ thống này không lưu văn bản nào có mã trong liên kết.",
                           "This service stores no credential with the id in the link.")
    return result
