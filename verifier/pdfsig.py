"""Validate the PAdES signatures of a transcript PDF with pyHanko.

An unsigned PDF yields one informational check and keeps the status unchanged.
A signed PDF is ``tampered`` when any signature is broken, when pyHanko's
difference analysis finds changes beyond adding signatures and validation data
after a signature, or when the last signature does not cover the whole file.
"Covers the whole file" allows only a Document Security Store update (pyHanko
modification level ``LTA_UPDATES``) after the last signature, which is how
PAdES B-LT files end.

pypdf alone reads the latest revision, so an attachment swapped by an appended
incremental update would be returned by it as if genuine. The credential is
therefore read from the last signed revision (``extract_signed_credential``),
and a different credential in the latest revision is reported as tampered.

The signer certificate chain is reported. Whether it leads to a configured
trust anchor is informational only: the credential's own checks decide the
status. No certificate, OCSP response or CRL is fetched while verifying,
because a verifier makes no request driven by document content. Only the
revocation data embedded in the PDF is used.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from hocba.errors import InputError
from hocba.status import Check, Status
from verifier.pdf import DEFAULT_MAX_PDF_BYTES, extract_credential

__all__ = ["check_pdf_signatures", "extract_signed_credential", "signed_revision_bytes"]

logger = logging.getLogger(__name__)

_READ_ERRORS = (PdfError, KeyError, TypeError, ValueError, AttributeError, IndexError,
                RecursionError)
_CODE = "pdf.pades"


def _open(pdf_bytes: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(pdf_bytes), strict=False)


def _signatures(pdf_bytes: bytes) -> tuple[PdfFileReader, list[EmbeddedPdfSignature]]:
    if len(pdf_bytes) > DEFAULT_MAX_PDF_BYTES:
        raise PdfError(f"PDF is larger than {DEFAULT_MAX_PDF_BYTES} bytes")
    reader = _open(pdf_bytes)
    signatures = sorted(reader.embedded_signatures, key=lambda sig: sig.signed_revision)
    return reader, signatures


def _signed_end(signature: EmbeddedPdfSignature) -> int:
    start_2, length_2 = int(signature.byte_range[2]), int(signature.byte_range[3])
    return start_2 + length_2


def signed_revision_bytes(pdf_bytes: bytes) -> bytes | None:
    """Return the file as of its last signed revision, or ``None`` when it has no signature.

    The prefix that a signature's ``/ByteRange`` ends at is a complete PDF of
    that revision, so it can be read with any PDF reader.
    """
    try:
        _reader, signatures = _signatures(pdf_bytes)
    except _READ_ERRORS:
        return None
    if not signatures:
        return None
    return pdf_bytes[: max(_signed_end(signature) for signature in signatures)]


def extract_signed_credential(pdf_bytes: bytes) -> bytes:
    """Return ``credential.json`` from the last signed revision, or the latest when unsigned.

    Raises ``InputError`` like ``verifier.pdf.extract_credential``.
    """
    signed = signed_revision_bytes(pdf_bytes)
    return extract_credential(signed if signed is not None else pdf_bytes)


def _name_part(name: x509.Name, part: str) -> str | None:
    value = name.native.get(part)
    if isinstance(value, list):
        value = value[-1]
    return str(value) if value is not None else None


def _certificate_details(certificate: x509.Certificate) -> dict[str, Any]:
    validity = certificate["tbs_certificate"]["validity"]
    return {
        "subjectCommonName": _name_part(certificate.subject, "common_name"),
        "subjectOrganization": _name_part(certificate.subject, "organization_name"),
        "issuerCommonName": _name_part(certificate.issuer, "common_name"),
        "notBefore": validity["not_before"].native.isoformat(),
        "notAfter": validity["not_after"].native.isoformat(),
        "serialNumber": format(certificate.serial_number, "x"),
    }


def _validation_context(reader: PdfFileReader,
                        trust_roots: Sequence[x509.Certificate]) -> ValidationContext:
    settings: dict[str, Any] = {
        # An empty list, never None: None makes pyHanko load the system trust store.
        "trust_roots": list(trust_roots),
        "allow_fetching": False,
        "revocation_mode": "soft-fail",
    }
    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(settings)
    except NoDSSFoundError:
        return ValidationContext(**settings)


def _timestamp_details(status: PdfSignatureStatus) -> dict[str, Any]:
    token = status.timestamp_validity
    if token is None:
        return {}
    return {"timestamp": token.timestamp.isoformat(), "timestampIntact": token.intact,
            "timestampValid": token.valid, "timestampTrusted": token.trusted}


def _signature_checks(signature: EmbeddedPdfSignature, status: PdfSignatureStatus,
                      field: str) -> list[Check]:
    details: dict[str, Any] = {
        "field": field,
        "signer": _certificate_details(signature.signer_cert),
        "coverage": status.coverage.name if status.coverage else None,
        "modificationLevel": (status.modification_level.name
                              if status.modification_level else None),
        "bottomLine": status.bottom_line,
        **_timestamp_details(status),
    }
    if status.signer_reported_dt is not None:
        details["signingTime"] = status.signer_reported_dt.isoformat()
    signer_name = details["signer"]["subjectCommonName"] or "?"
    checks: list[Check] = []

    token = status.timestamp_validity
    token_ok = token is None or (token.intact and token.valid)
    if status.intact and status.valid and token_ok:
        checks.append(Check(f"{_CODE}.integrity", True, None,
                            f"Chữ ký số “{field}” của {signer_name} còn nguyên vẹn.",
                            f"The signature “{field}” by {signer_name} is intact.", details))
    else:
        checks.append(Check(f"{_CODE}.integrity", False, Status.TAMPERED,
                            f"Chữ ký số “{field}” của {signer_name} không hợp lệ: nội dung đã "
                            "bị sửa sau khi ký.",
                            f"The signature “{field}” by {signer_name} is broken: the signed "
                            "content was changed.", details))

    modified = isinstance(status.diff_result, SuspiciousModification) or status.docmdp_ok is False
    if modified:
        checks.append(Check(f"{_CODE}.modifications", False, Status.TAMPERED,
                            f"Tệp PDF đã bị sửa sau chữ ký “{field}” (không chỉ thêm chữ ký).",
                            f"The PDF was changed after the signature “{field}” beyond adding "
                            "signatures.", details))

    if status.trusted:
        checks.append(Check(f"{_CODE}.trust", True, None,
                            f"Chứng thư số của {signer_name} thuộc danh sách tin cậy.",
                            f"The certificate of {signer_name} chains to a trusted anchor.",
                            details))
    else:
        issuer = details["signer"]["issuerCommonName"] or "?"
        checks.append(Check(f"{_CODE}.trust", True, None,
                            f"Chứng thư số của {signer_name} (do {issuer} cấp) không thuộc danh "
                            "sách tin cậy; chỉ kiểm tra tính nguyên vẹn.",
                            f"The certificate of {signer_name} (issued by {issuer}) is not in "
                            "the trusted list; only integrity was checked.", details))
    return checks


def _covers_file(status: PdfSignatureStatus) -> bool:
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    return (status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and status.modification_level == ModificationLevel.LTA_UPDATES)


def _coverage_check(status: PdfSignatureStatus, field: str) -> Check:
    if _covers_file(status):
        return Check(f"{_CODE}.coverage", True, None,
                     "Chữ ký số cuối cùng bao trùm toàn bộ tệp PDF.",
                     "The last signature covers the whole PDF file.", {"field": field})
    return Check(f"{_CODE}.coverage", False, Status.TAMPERED,
                 "Tệp PDF có phần được thêm vào sau chữ ký số cuối cùng (có thể tệp đính kèm đã "
                 "bị thay).",
                 "Content was appended after the last signature (an attachment may have been "
                 "replaced).", {"field": field})


def _credential_check(pdf_bytes: bytes, signed: bytes) -> Check:
    try:
        latest = extract_credential(pdf_bytes)
        at_signing = extract_credential(signed)
    except InputError as error:
        return Check(f"{_CODE}.credential", False, Status.TAMPERED,
                     f"Không đọc được chứng nhận đính kèm trong bản đã ký: {error.message_vi}",
                     f"The embedded credential cannot be read from the signed revision: {error}")
    if latest != at_signing:
        return Check(f"{_CODE}.credential", False, Status.TAMPERED,
                     "Tệp chứng nhận đính kèm đã bị thay sau khi ký; kết quả dựa trên bản đã ký.",
                     "The embedded credential was replaced after signing; the signed one was "
                     "verified.")
    return Check(f"{_CODE}.credential", True, None,
                 "Tệp chứng nhận đính kèm trùng với bản đã ký.",
                 "The embedded credential is the one that was signed.")


def check_pdf_signatures(pdf_bytes: bytes, *,
                         trust_roots: Sequence[x509.Certificate] = ()) -> list[Check]:
    """Validate every PAdES signature of ``pdf_bytes`` and return the checks.

    ``trust_roots`` are the certificates that a signer chain may lead to for
    the informational trust note. Failed checks carry ``Status.TAMPERED``.
    """
    try:
        reader, signatures = _signatures(pdf_bytes)
    except _READ_ERRORS as error:
        logger.info("PDF signature dictionary unreadable: %s", type(error).__name__)
        return [Check(_CODE, False, Status.TAMPERED,
                      "Không đọc được chữ ký số trong tệp PDF (cấu trúc bị hỏng).",
                      "The PDF's signatures cannot be read (damaged structure).")]
    if not signatures:
        return [Check(_CODE, True, None, "PDF không có chữ ký số PAdES.",
                      "The PDF has no PAdES signature.")]

    checks: list[Check] = []
    statuses: list[PdfSignatureStatus] = []
    for signature in signatures:
        field = str(signature.field_name)
        try:
            status = validate_pdf_signature(signature, _validation_context(reader, trust_roots))
        except (SignatureValidationError, *_READ_ERRORS) as error:
            logger.info("signature %s could not be validated: %s", field, type(error).__name__)
            checks.append(Check(f"{_CODE}.integrity", False, Status.TAMPERED,
                                f"Không kiểm tra được chữ ký số “{field}”.",
                                f"The signature “{field}” cannot be validated.",
                                {"field": field}))
            continue
        statuses.append(status)
        checks += _signature_checks(signature, status, field)

    if len(statuses) == len(signatures):
        checks.append(_coverage_check(statuses[-1], str(signatures[-1].field_name)))
    signed = pdf_bytes[: max(_signed_end(signature) for signature in signatures)]
    checks.append(_credential_check(pdf_bytes, signed))
    logger.debug("validated %d PDF signature(s)", len(signatures))
    return checks
