"""Rows for the school staff pages: imports, credentials and audit events.

Student names and birth dates come from the stored JSON of the school's own
credentials. The pages show them to that school's staff only, and this module
does not log them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from api.pages import VIETNAM_TIME
from api.school_page_text import (
    ACTION_LABELS,
    BATCH_LABELS,
    REASON_LABELS,
    STATE_LABELS,
    STATUS_LABELS,
    WORDS,
)
from hocba.accounts import Actor
from hocba.db import AuditEvent, CredentialRecord, ImportJob
from hocba.qrlink import build_qr_url

__all__ = ["audit_rows", "credential_rows", "credential_view",
           "filter_credentials", "format_time", "import_view", "page_values"]

logger = logging.getLogger(__name__)

def format_time(moment: datetime) -> str:
    """Format a stored UTC time as dd/mm/yyyy HH:mm in Vietnam time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")


def page_values(lang: str, school_code: str, actor: Actor | None) -> dict[str, Any]:
    """Return the values every staff page template uses: words, links and the actor."""
    words = WORDS[lang]
    suffix = "?lang=en" if lang == "en" else ""
    base = f"/school/{quote(school_code, safe='')}"
    role = words.get(f"role_{actor.role}", actor.role) if actor else ""
    return {
        "words": words,
        "school_code": school_code,
        "actor": actor,
        "signed_in": words["signed_in_as"].format(login=actor.label, role=role) if actor else "",
        "is_principal": actor is not None and actor.role == "principal"
                        and actor.school_code == school_code,
        "is_school_member": actor is not None and actor.school_code == school_code,
        "base": base,
        "suffix": suffix,
        "status_labels": STATUS_LABELS[lang],
        "batch_labels": BATCH_LABELS[lang],
        "reason_labels": REASON_LABELS[lang],
    }


def import_view(job: ImportJob, lang: str) -> dict[str, Any]:
    """Return what the pages show of one import job."""
    preview = json.loads(job.preview_json)
    problems = len(preview.get("problems") or [])
    # A job with problems stays "previewed" in the database but can never be approved.
    shown = "rejected" if job.state == "previewed" and problems else job.state
    return {
        "id": job.id,
        "state": job.state,
        "state_label": STATE_LABELS[lang].get(shown, job.state),
        "created_by": job.created_by,
        "created_at": format_time(job.created_at),
        "approved_by": job.approved_by,
        "batch_id": job.batch_id,
        "rows": len(preview.get("checkedRows") or preview.get("rows") or []),
        "problems": problems,
        "class_name": preview.get("className"),
        "school_year": preview.get("schoolYear"),
    }


def _subject(row: CredentialRecord) -> dict[str, str]:
    """Return the name, birth date and student id written in a stored credential."""
    try:
        credential = json.loads(row.credential_json)
        identifiers = credential["credentialSubject"]["identifier"]
        found = {item["identityType"]: str(item["identityHash"]) for item in identifiers
                 if isinstance(item, dict) and item.get("hashed") is False}
    except (ValueError, KeyError, TypeError):
        logger.warning("stored credential %s has no readable subject", row.id)
        return {}
    return {"name": found.get("name", ""),
            "birth_date": _day_month_year(found.get("ext:birthDate", "")),
            "student_id": found.get("studentId", "")}


def _day_month_year(iso_date: str) -> str:
    """Write an ISO date as dd/mm/yyyy; return other text unchanged."""
    parts = iso_date.split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return iso_date
    return f"{parts[2]}/{parts[1]}/{parts[0]}"


def _short_id(credential_id: str) -> str:
    return credential_id.removeprefix("urn:uuid:")


def credential_rows(rows: list[CredentialRecord], lang: str) -> list[dict[str, Any]]:
    """Return the list entries of ``rows``: id, student, class, year and status."""
    entries = []
    for row in rows:
        subject = _subject(row)
        entries.append({
            "id": _short_id(row.id),
            "name": subject.get("name", ""),
            "class_name": row.class_name,
            "school_year": row.school_year,
            "row": row.row_number,
            "status": row.status,
            "status_label": STATUS_LABELS[lang].get(row.status, row.status),
            "has_pdf": bool(row.pdf_path),
            "replaces": _short_id(row.replaces) if row.replaces else None,
        })
    return entries


def filter_credentials(rows: list[CredentialRecord], chosen: dict[str, str],
                       lang: str) -> dict[str, Any]:
    """Filter ``rows`` by class, school year and status; return them with the choices."""
    kept = [row for row in rows
            if (not chosen["class"] or row.class_name == chosen["class"])
            and (not chosen["year"] or row.school_year == chosen["year"])
            and (not chosen["status"] or row.status == chosen["status"])]
    return {
        "rows": credential_rows(kept, lang),
        "classes": sorted({row.class_name for row in rows}),
        "years": sorted({row.school_year for row in rows}, reverse=True),
        "statuses": list(STATUS_LABELS[lang].items()),
    }


def credential_view(row: CredentialRecord, verify_base_url: str, lang: str) -> dict[str, Any]:
    """Return what the credential page shows, with the path of its public verification page."""
    entry = credential_rows([row], lang)[0]
    subject = _subject(row)
    link = build_qr_url(verify_base_url, row.id, bytes.fromhex(row.credential_digest[2:]))
    public = link.removeprefix(verify_base_url.rstrip("/")) if link.startswith(
        verify_base_url.rstrip("/")) else link
    return {**entry, "full_id": row.id, "birth_date": subject.get("birth_date", ""),
            "student_id": subject.get("student_id", ""), "batch_id": row.batch_id,
            "public_path": public, "status_block": row.status_block}


def _short_address(text: str) -> str:
    return f"{text[:6]}…{text[-4:]}" if text.startswith("0x") and len(text) == 42 else text


def audit_rows(events: list[AuditEvent], lang: str) -> list[dict[str, str]]:
    """Return the audit entries: when (Vietnam time), who, what, on what, and why.

    A chain account (``0x`` and 40 hex digits) is shown shortened, with the whole
    address in ``actor_full`` for the cell's tooltip.
    """
    rows = []
    for event in events:
        chain = event.actor.startswith("0x") and len(event.actor) == 42
        rows.append({
            "at": format_time(event.at),
            "actor": _short_address(event.actor),
            "actor_full": event.actor,
            "actor_note": WORDS[lang]["chain_account"] if chain else "",
            "action": ACTION_LABELS[lang].get(event.action, event.action),
            "target": event.target.replace("urn:uuid:", ""),
            "reason": event.reason,
        })
    return rows
