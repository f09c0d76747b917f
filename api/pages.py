"""The HTML verdict page behind a QR link, in Vietnamese or English.

Templates live in ``api/templates`` and are rendered with autoescaping on, so a
name such as ``<script>`` in a credential is shown as text. The issuer name on
the page is the one the registry returned, never the one written in the
credential.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from hocba.status import Status, VerificationResult

__all__ = ["LANGUAGES", "PAGE_HEADERS", "render_not_found", "render_verdict"]

LANGUAGES = ("vi", "en")

# The page loads nothing: no script, no image, no font; only its inline style.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

# Colour of the verdict banner: green only for valid, amber when the verdict may
# change on a later try, red otherwise.
_TONES = {Status.VALID: "valid", Status.UNAVAILABLE: "pending", Status.NOT_ANCHORED: "pending"}

_TEXT = {
    "vi": {
        "title": "Kết quả xác thực học bạ",
        "issuer": "Đơn vị cấp (theo sổ đăng ký trên chuỗi khối)",
        "issuer_unknown": "Chưa xác định (không đọc được sổ đăng ký)",
        "student": "Học sinh",
        "birth_date": "Ngày sinh",
        "unverified": "Thông tin học sinh lấy từ nội dung văn bản, chưa được xác thực.",
        "checks": "Các bước kiểm tra",
        "block": "Theo trạng thái chuỗi khối tại khối {block}.",
        "other_language": "English",
        "not_found_title": "Không tìm thấy văn bản",
        "not_found": "Hệ thống này không lưu văn bản nào có mã trong liên kết. Hãy kiểm tra lại "
                     "mã QR hoặc hỏi nhà trường đã cấp.",
    },
    "en": {
        "title": "Transcript verification result",
        "issuer": "Issuer (from the on-chain registry)",
        "issuer_unknown": "Unknown (the registry could not be read)",
        "student": "Student",
        "birth_date": "Date of birth",
        "unverified": "The student details come from the document itself and are not verified.",
        "checks": "Checks",
        "block": "As of chain block {block}.",
        "other_language": "Tiếng Việt",
        "not_found_title": "Document not found",
        "not_found": "This service stores no document with the id in the link. Check the QR "
                     "code or ask the issuing school.",
    },
}


def _display_date(value: Any, lang: str) -> str:
    if not isinstance(value, str):
        return ""
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return value
    return parsed.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")


def _sentence(result: VerificationResult, lang: str) -> str:
    """Return the one sentence under the verdict: the first failed check, or the passed label."""
    failed = next((check for check in result.checks if not check.passed), None)
    if failed is None:
        return ("Văn bản hợp lệ: chữ ký, dấu ghi nhận trên chuỗi khối và đơn vị cấp đều được "
                "xác thực." if lang == "vi" else
                "The document is valid: its signature, anchor and issuer are all verified.")
    return failed.message(lang)


def render_verdict(result: VerificationResult, lang: str, other_language_url: str) -> str:
    """Render the verdict page for one verification result."""
    subject = result.subject or {}
    return _environment.get_template("verdict.html").render(
        lang=lang,
        text=_TEXT[lang],
        tone=_TONES.get(result.status, "invalid"),
        status=result.status.value,
        label=result.status.label(lang),
        sentence=_sentence(result, lang),
        issuer_name=(result.issuer or {}).get("name"),
        student_name=subject.get("name"),
        birth_date=_display_date(subject.get("birthDate"), lang),
        subject_verified=result.valid,
        checks=[(check.passed, check.message(lang)) for check in result.checks],
        block=result.block,
        other_language_url=other_language_url,
    )


def render_not_found(lang: str) -> str:
    """Render the page for a QR link whose credential this instance does not store."""
    return _environment.get_template("not_found.html").render(lang=lang, text=_TEXT[lang])
