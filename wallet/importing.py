"""Reading a credential out of what the student imports: a PDF, a JSON file or a QR photo.

The verdict comes from ``verifier.inputs.verify_bytes``, the same path as
``hocba verify``, so a PDF's printed QR code and a QR photo's hash binding are
checked too. The credential itself is taken from the PDF attachment, the JSON
file, or, for a QR photo, from the ``lookup`` store that the QR's id names.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from hocba.errors import CredentialError, InputError
from hocba.jcs import parse_json
from hocba.qrlink import parse_qr_url
from hocba.status import VerificationResult
from verifier.engine import VerifierContext
from verifier.inputs import CredentialLookup, detect_kind, verify_bytes

__all__ = ["CredentialLookup", "read_credential"]

logger = logging.getLogger(__name__)


def read_credential(data: bytes, context: VerifierContext, *, source: str = "",
                    lookup: CredentialLookup | None = None,
                    allowed_origins: Iterable[str] = ()
                    ) -> tuple[str, dict[str, Any] | None, VerificationResult]:
    """Return (input kind, credential or None, verdict) for one imported document."""
    origins = list(allowed_origins)
    result = verify_bytes(data, context, source=source, lookup=lookup, allowed_origins=origins)
    kind = detect_kind(data)
    try:
        raw = _credential_bytes(kind, data, lookup, origins)
        credential = parse_json(raw) if raw is not None else None
    except (InputError, CredentialError) as exc:
        logger.info("no credential read from %s input: %s", kind, exc.code)
        return kind, None, result
    if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
        return kind, None, result
    return kind, credential, result


def _credential_bytes(kind: str, data: bytes, lookup: CredentialLookup | None,
                      origins: list[str]) -> bytes | None:
    if kind == "json":
        return data.removeprefix(b"\xef\xbb\xbf")
    if kind == "pdf":
        from verifier.pdf import extract_credential

        return extract_credential(data)
    if kind == "image" and lookup is not None:
        from verifier.qr import decode_qr_image

        link = parse_qr_url(decode_qr_image(data)[0], origins)
        return lookup(link.credential_id)
    return None
