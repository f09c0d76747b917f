"""Changes appended to an unsigned PDF after it was issued.

hocba writes each transcript PDF in one revision. An incremental update appended
later can redraw the page or replace the embedded credential without touching the
original bytes, and an unsigned PDF has no signature to reveal it. So the PDF as
first written (up to its first ``%%EOF``) is compared with the latest revision:
the page-1 text and the embedded credential must be the same in both. Annotations
or other appended objects that change neither are reported but accepted.
"""

from __future__ import annotations

import logging

from hocba.errors import InputError
from hocba.status import Check, Status
from verifier.pdf import extract_credential, visible_text

__all__ = ["check_appended_updates", "first_revision"]

logger = logging.getLogger(__name__)

_EOF = b"%%EOF"


def first_revision(pdf_bytes: bytes) -> bytes | None:
    """Return the PDF as first written when later revisions follow it, else None."""
    end = pdf_bytes.find(_EOF)
    if end < 0:
        return None
    cut = end + len(_EOF)
    while cut < len(pdf_bytes) and pdf_bytes[cut:cut + 1] in (b"\r", b"\n"):
        cut += 1
    if not pdf_bytes[cut:].strip():
        return None
    return pdf_bytes[:cut]


def check_appended_updates(pdf_bytes: bytes) -> list[Check]:
    """Compare an unsigned PDF's first revision with its latest; [] for a single revision."""
    original = first_revision(pdf_bytes)
    if original is None:
        return []
    try:
        text_changed = visible_text(original) != visible_text(pdf_bytes)
        credential_changed = extract_credential(original) != extract_credential(pdf_bytes)
    except InputError as exc:
        logger.info("appended PDF revision cannot be compared: %s", exc.code)
        return [Check("pdf.updates", False, Status.TAMPERED,
                      "PDF đã bị bổ sung nội dung sau khi phát hành và không đối chiếu được với "
                      "bản gốc.",
                      "Content was appended to the PDF after it was issued and cannot be "
                      "compared with the original.")]
    if credential_changed:
        return [Check("pdf.updates", False, Status.TAMPERED,
                      "Chứng nhận đính kèm trong PDF đã bị thay bằng một chứng nhận khác sau khi "
                      "phát hành.",
                      "The embedded credential was replaced after the PDF was issued.")]
    if text_changed:
        return [Check("pdf.updates", False, Status.TAMPERED,
                      "Chữ hiển thị trên PDF đã bị sửa sau khi phát hành: nội dung in khác nội "
                      "dung nhà trường đã ký.",
                      "The visible text was changed after the PDF was issued, so the printed "
                      "page differs from the signed content.")]
    return [Check("pdf.updates", True, None,
                  "PDF có phần bổ sung sau khi phát hành (ví dụ ghi chú), nhưng chữ hiển thị và "
                  "chứng nhận đính kèm không đổi.",
                  "Content was appended after issuing (an annotation, say), but neither the "
                  "visible text nor the embedded credential changed.")]
