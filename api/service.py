"""The verification service behind the API routes: uploads and QR links, one instance.

Every verification runs under one lock. pdfium (behind the PDF reader) is not
thread-safe and the in-process chain is not built for concurrent use, so the
service verifies one request at a time.

Registry states are kept for a few seconds in a ``RegistryStateCache`` (see
``verifier.registry_cache``), so verifying the same credential again reads no chain.
A PDF or image over the decoder's size, pixel or decompression limits is answered
with 413, and one that cannot be parsed with 422, as problem responses.

NOTE: while the chain node does not answer, each request holds the lock until
the RPC timeout of ``hocba.chain`` (10 s) passes, so requests queue behind it.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
import uuid
from typing import Any

from api.problems import ProblemError
from hocba.anchoring import credential_digest
from hocba.errors import CredentialError, HocbaError
from hocba.instance import Instance
from hocba.jcs import parse_json
from hocba.qrlink import BINDING_BYTES, QrLink, binding_matches
from hocba.status import Check, Status, VerificationResult
from verifier.disclosure import verify_disclosure
from verifier.engine import VerifierContext, verify_credential
from verifier.inputs import verify_bytes
from verifier.registry_cache import RegistryStateCache

__all__ = ["VerificationService", "parse_binding", "parse_credential_uuid"]

logger = logging.getLogger(__name__)

_BINDING = re.compile(r"[A-Za-z0-9_-]{22}")

# Failed input checks (see verifier.inputs) that mean the upload itself is rejected:
# over a decoder limit (413) or not a readable PDF or image (422).
_UPLOAD_REJECTIONS = {
    "pdf.pdf_too_large": 413,
    "qr.image_too_large": 413,
    "pdf.pdf_invalid": 422,
    "qr.image_invalid": 422,
}


def parse_credential_uuid(text: str) -> str:
    """Return the lowercase UUID in a ``/v1/c/<uuid>`` path, or raise 422."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise ProblemError(422, "credential_id_invalid",
                           f"Mã văn bản «{text[:60]}» trong đường dẫn không phải một UUID.",
                           f"The credential id {text[:60]!r} in the path is not a UUID."
                           ) from None


def parse_binding(text: str | None) -> bytes:
    """Decode the ``h`` query parameter (22 base64url characters, 16 bytes), or raise 422."""
    if text is None:
        raise ProblemError(422, "binding_missing",
                           "Thiếu tham số h (mã ràng buộc in trong mã QR) trong liên kết.",
                           "The link has no h parameter (the binding printed in the QR code).")
    binding = b""
    if _BINDING.fullmatch(text):
        try:
            binding = base64.urlsafe_b64decode(text + "==")
        except (binascii.Error, ValueError):
            binding = b""
    canonical = base64.urlsafe_b64encode(binding).rstrip(b"=").decode()
    if len(binding) != BINDING_BYTES or canonical != text:
        raise ProblemError(422, "binding_invalid",
                           "Tham số h trong liên kết phải gồm đúng 22 ký tự base64url.",
                           "The h parameter must be exactly 22 base64url characters.")
    return binding


class VerificationService:
    """Verifies credentials for the API, one at a time, with the instance's chain."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self._lock = threading.Lock()
        self._chain_failures = 0
        self.state_cache = RegistryStateCache.from_environment()
        self._chain_context: VerifierContext | None = None

    def _context(self) -> VerifierContext:
        """Build a verifier context; without a chain connection, chain checks end 'unavailable'."""
        try:
            chain = self.instance.chain
        except HocbaError as exc:
            self._chain_failures += 1
            if self._chain_failures == 1:
                logger.warning("no chain connection (%s): verdicts that need the chain are "
                               "'unavailable' until it connects", exc.code)
            return VerifierContext(self.instance.settings)
        if self._chain_failures:
            logger.info("chain connected after %d failed attempts", self._chain_failures)
            self._chain_failures = 0
        # One context per chain connection keeps its registry clients between requests.
        known = self._chain_context
        if known is None or known.chains.get(chain.chain_id) is not chain \
                or known.settings is not self.instance.settings:
            known = VerifierContext(self.instance.settings, chains={chain.chain_id: chain},
                                    state_cache=self.state_cache)
            self._chain_context = known
        return known

    def verify_json(self, data: bytes, source: str) -> VerificationResult:
        """Verify a credential sent as a JSON body."""
        with self._lock:
            return verify_credential(data.removeprefix(b"\xef\xbb\xbf"), self._context(),
                                     source=source)

    def verify_disclosure(self, document: dict[str, Any], source: str) -> VerificationResult:
        """Verify a selective disclosure (see wallet.disclosure) shared by a holder."""
        with self._lock:
            return verify_disclosure(document, self._context(), source=source)

    def verify_file(self, data: bytes, source: str) -> VerificationResult:
        """Verify an uploaded PDF, credential JSON or QR image."""
        with self._lock:
            result = verify_bytes(data, self._context(), source=source,
                                  lookup=self.instance.lookup_credential,
                                  allowed_origins=[self.instance.settings.verify_base_url])
        _raise_rejected_upload(result)
        return result

    def verify_link(self, credential_uuid: str, binding: bytes) -> VerificationResult | None:
        """Verify the stored credential a QR link names; return None when none is stored."""
        link = QrLink(self.instance.settings.verify_base_url, credential_uuid, binding)
        source = f"qr-link:{credential_uuid}"
        with self._lock:
            stored = self.instance.lookup_credential(link.credential_id)
            if stored is None:
                return None
            try:
                digest = credential_digest(parse_json(stored))
            except CredentialError as exc:
                logger.error("stored credential %s cannot be hashed: %s", link.credential_id,
                             exc.code)
                return verify_credential(stored, self._context(), source=source)
            if not binding_matches(link, digest):
                logger.info("QR link for %s has a wrong binding", link.credential_id)
                return _binding_mismatch(link.credential_id, source)
            result = verify_credential(stored, self._context(), source=source)
        result.checks.insert(0, Check("qr.binding", True, None,
                                      "Mã QR khớp với chứng nhận đã lưu.",
                                      "The QR code's hash binding matches the stored credential."))
        return result

    def health(self) -> dict[str, Any]:
        """Report whether the chain can be read; the service itself is up if this runs."""
        with self._lock:
            try:
                chain = self.instance.chain
                block, _ = chain.pinned_block()
            except HocbaError as exc:
                return {"status": "degraded", "chain": {"reachable": False, "code": exc.code}}
        return {"status": "ok",
                "chain": {"reachable": True, "chainId": chain.chain_id, "block": block}}


def _raise_rejected_upload(result: VerificationResult) -> None:
    """Raise 413 or 422 when the upload was rejected before any credential was read."""
    if len(result.checks) != 1 or result.checks[0].passed:
        return
    check = result.checks[0]
    status = _UPLOAD_REJECTIONS.get(check.code)
    if status is None:
        return
    code = check.code.split(".", 1)[1]
    logger.info("rejected an upload: %s", code)
    raise ProblemError(status, code, check.message_vi, check.message_en)


def _binding_mismatch(credential_id: str, source: str) -> VerificationResult:
    """Report a wrong binding without showing anything from the stored credential."""
    check = Check("qr.binding", False, Status.TAMPERED,
                  "Mã ràng buộc trong liên kết (tham số h) không khớp với chứng nhận đã lưu: "
                  "mã QR hoặc liên kết đã bị sửa, hoặc là giả.",
                  "The link's hash binding (the h parameter) does not match the stored "
                  "credential: the QR code or link was altered or forged.")
    return VerificationResult(status=Status.TAMPERED, checks=[check],
                              credential_id=credential_id, source=source)
