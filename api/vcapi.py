"""The W3C VC-API style answer of ``POST /credentials/verify``, built from a hocba result.

VC-API (W3C CCG, "Verifiable Credentials API") returns ``checks`` (names of the
checks that passed), ``warnings`` and ``errors`` (objects for the ones that
did not). hocba adds its own ``status`` and ``label`` so that a client can tell
"revoked" from "tampered" without reading the error list.
"""

from __future__ import annotations

from typing import Any

from api.problems import ProblemError
from hocba.status import VerificationResult

__all__ = ["credential_from_request", "vc_api_response"]


def credential_from_request(body: Any) -> dict[str, Any]:
    """Return the ``verifiableCredential`` object of a VC-API request body, or raise 422."""
    if not isinstance(body, dict):
        raise ProblemError(422, "request_invalid",
                           "Nội dung yêu cầu phải là một đối tượng JSON.",
                           "The request body must be a JSON object.")
    credential = body.get("verifiableCredential")
    if not isinstance(credential, dict):
        raise ProblemError(422, "verifiable_credential_missing",
                           "Thiếu đối tượng «verifiableCredential» trong yêu cầu.",
                           "The request has no 'verifiableCredential' object.")
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise ProblemError(422, "options_invalid",
                           "Trường «options» phải là một đối tượng JSON.",
                           "The 'options' field must be a JSON object.")
    return credential


def vc_api_response(result: VerificationResult) -> dict[str, Any]:
    """Map a verification result to ``{"checks", "warnings", "errors"}`` plus hocba's status."""
    checks = [check.code for check in result.checks if check.passed]
    # NOTE: every failed check is an error, expiry included, so ``warnings`` stays empty.
    warnings: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for check in result.checks:
        if check.passed:
            continue
        entry = {"check": check.code, "status": check.status.value if check.status else None,
                 "message": check.message_en, "message_vi": check.message_vi}
        errors.append(entry)
    return {
        "checks": checks,
        "warnings": warnings,
        "errors": errors,
        "status": result.status.value,
        "label": {"vi": result.status.label_vi, "en": result.status.label_en},
        "verified": result.valid,
        "issuer": result.issuer,
        "anchored": result.anchored,
        "checkedAtBlock": result.block,
    }
