"""Forged documents for the demo and the tests: what a careless forger would produce."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from issuer.pdf import render_transcript_pdf
from verifier.pdf import extract_credential, extract_qr_url

__all__ = ["raise_one_score", "tampered_copy"]

_SCORE = re.compile(r"(?:10|[0-9])\.[0-9]")


def raise_one_score(credential: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``credential`` with its first score below 9.0 raised by one point."""
    forged = json.loads(json.dumps(credential))
    for result in forged["credentialSubject"]["result"]:
        value = result.get("value")
        if isinstance(value, str) and _SCORE.fullmatch(value) and Decimal(value) < 9:
            result["value"] = str(Decimal(value) + 1)
            return forged
    raise ValueError("no score below 9.0 to change")


def tampered_copy(original: Path, target: Path) -> Path:
    """Write a copy of a transcript PDF whose embedded credential has one score raised.

    The copy is re-rendered so that the printed table shows the forged score too,
    and it keeps the original QR code: only the signature check can tell.
    """
    data = original.read_bytes()
    forged = raise_one_score(json.loads(extract_credential(data)))
    forged_bytes = (json.dumps(forged, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    qr_url = extract_qr_url(data) or ""
    pdf = render_transcript_pdf(forged, forged_bytes, qr_url=qr_url,
                                issued_on=datetime.now(UTC).date())
    target.write_bytes(pdf)
    return target
