"""The public web pages: home (scan or upload), verdicts, batch results, person match.

Templates live in ``api/templates`` and are rendered with autoescaping on, so a
name such as ``<script>`` in a credential is shown as text. The issuer name on
a page is the one the registry returned, never the one written in the
credential. Student details are marked as confirmed only when the whole
verification passed, because only then do they match the signed, anchored hash.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.page_text import TEXT
from hocba.status import Status, VerificationResult

__all__ = ["LANGUAGES", "PAGE_HEADERS", "format_vietnam_time", "render_home", "render_match",
           "render_message", "render_not_found", "render_results", "render_verdict",
           "verdict_context"]

LANGUAGES = ("vi", "en")

# Pages load only this app's own script, stylesheet and QR decoder (WebAssembly).
# The camera preview is a MediaStream, hence media-src mediastream: and blob:.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; "
                               "style-src 'self'; img-src 'self' data: blob:; "
                               "media-src 'self' blob: mediastream:; connect-src 'self'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

VIETNAM_TIME = timezone(timedelta(hours=7))

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
_ICONS = {"valid": "✓", "pending": "!", "invalid": "✗"}


def format_vietnam_time(timestamp: int) -> str:
    """Format a Unix time as dd/mm/yyyy HH:mm in Vietnam time (UTC+7)."""
    return datetime.fromtimestamp(timestamp, UTC).astimezone(VIETNAM_TIME).strftime(
        "%d/%m/%Y %H:%M")


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
        return TEXT[lang]["valid_sentence"]
    return failed.message(lang)


def verdict_context(result: VerificationResult, lang: str) -> dict[str, Any]:
    """Collect what a verdict block shows for ``result`` in ``lang``."""
    subject = result.subject or {}
    issuer = result.issuer or {}
    anchored = result.anchored or {}
    tone = _TONES.get(result.status, "invalid")
    timestamp = anchored.get("timestamp")
    return {
        "tone": tone,
        "icon": _ICONS[tone],
        "status": result.status.value,
        "label": result.status.label(lang),
        "sentence": _sentence(result, lang),
        "issuer_name": issuer.get("name"),
        "school_code": issuer.get("schoolCode"),
        "accreditor_name": issuer.get("accreditorName"),
        "anchored_time": format_vietnam_time(timestamp) if isinstance(timestamp, int) else None,
        "anchored_block": anchored.get("block"),
        "student_name": subject.get("name"),
        "birth_date": _display_date(subject.get("birthDate"), lang),
        "class_name": subject.get("className"),
        "school_year": subject.get("schoolYear"),
        "subject_verified": result.valid,
        "checks": [(check.passed, check.message(lang)) for check in result.checks],
        "block": result.block,
    }


def _render(template: str, lang: str, **values: Any) -> str:
    return _environment.get_template(template).render(lang=lang, text=TEXT[lang], **values)


def render_home(lang: str, *, camera_available: bool, other_language_url: str) -> str:
    """Render the home page: scan a QR code or upload files."""
    return _render("home.html", lang, camera_available=camera_available,
                   other_language_url=other_language_url)


def render_verdict(result: VerificationResult, lang: str, other_language_url: str, *,
                   match_action: str | None = None,
                   match: dict[str, Any] | None = None) -> str:
    """Render the verdict page for one verification result.

    ``match_action`` is the form target of the person match (QR-link pages only);
    ``match`` is the outcome of a match already submitted.
    """
    return _render("verdict.html", lang, verdict=verdict_context(result, lang),
                   other_language_url=other_language_url, match_action=match_action,
                   match=match)


def render_results(named: list[tuple[str, VerificationResult]], lang: str,
                   other_language_url: str) -> str:
    """Render one verdict per uploaded file, with a summary table when there are several."""
    rows = [(name, verdict_context(result, lang)) for name, result in named]
    return _render("results.html", lang, rows=rows, other_language_url=other_language_url)


def render_match(result: VerificationResult, match: dict[str, Any], lang: str,
                 other_language_url: str, match_action: str) -> str:
    """Render a verdict page with the outcome of a person match."""
    return render_verdict(result, lang, other_language_url, match_action=match_action,
                          match=match)


def render_message(lang: str, title: str, message: str, other_language_url: str = "/") -> str:
    """Render a short page with one message, such as a QR code that is not a hocba link."""
    return _render("message.html", lang, title=title, message=message,
                   other_language_url=other_language_url)


def render_not_found(lang: str) -> str:
    """Render the page for a QR link whose credential this instance does not store."""
    return _render("not_found.html", lang, other_language_url="/en" if lang == "vi" else "/")
