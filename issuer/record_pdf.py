"""Render any issued credential with the PDF layout of its record type.

The record type is read from ``credentialSubject.achievement.achievementType``:
``Certificate`` is the digital-competence certificate, ``ext:CompletionConfirmation``
the lower-secondary completion confirmation, and anything else is rendered as a
year transcript (``issuer.pdf``), which rejects what it cannot read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from issuer import competence, completion

__all__ = ["render_credential_pdf"]


def _achievement_type(credential: Any) -> str | None:
    subject = credential.get("credentialSubject") if isinstance(credential, dict) else None
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    kind = achievement.get("achievementType") if isinstance(achievement, dict) else None
    return kind if isinstance(kind, str) else None


def render_credential_pdf(credential: dict[str, Any], credential_bytes: bytes, *, qr_url: str,
                          issued_on: date) -> bytes:
    """Render ``credential`` with its record type's layout; see ``render_transcript_pdf``."""
    kind = _achievement_type(credential)
    if kind == competence.ACHIEVEMENT_TYPE:
        from issuer.pdf_competence import render_competence_pdf as render
    elif kind == completion.ACHIEVEMENT_TYPE:
        from issuer.pdf_completion import render_completion_pdf as render
    else:
        from issuer.pdf import render_transcript_pdf as render
    return render(credential, credential_bytes, qr_url=qr_url, issued_on=issued_on)
