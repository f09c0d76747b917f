"""PAdES signing of the PDFs that an approval or a correction writes, for ``api.school_actions``.

The school's signer file (``issuer.web_signing``) is opened, and one trial PDF signed,
before the batch is anchored, so a failing key becomes a 422 problem with nothing
issued. Without a signer file the PDFs are written unsigned.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from api.problems import ProblemError
from hocba.errors import HocbaError, InputError
from hocba.instance import Instance
from issuer.issuance import AnchoredBatch, PreparedBatch, write_pdfs
from issuer.pdfsign import PdfSigningSession
from issuer.signer_file import SignerFile
from issuer.web_signing import (
    check_signing,
    load_school_signers,
    open_class_signing,
    sign_pdf_files,
    signer_labels,
)

__all__ = ["pdf_signing", "write_signed_pdfs"]

logger = logging.getLogger(__name__)


def _school_signers(instance: Instance, school_code: str) -> SignerFile | None:
    try:
        return load_school_signers(instance.settings.home, school_code)
    except InputError as exc:
        raise ProblemError(422, exc.code, f"{exc.message_vi or exc} Chưa cấp gì; hãy sửa tệp "
                           "người ký rồi duyệt lại.", str(exc)) from exc


@contextmanager
def pdf_signing(instance: Instance, school_code: str, homeroom_teacher: str,
                 prepared: PreparedBatch) -> Iterator[PdfSigningSession | None]:
    """Open the school's PDF signers and sign one trial PDF, before anything is anchored.

    Yields None when the school has no signer file. A key, token or timestamp
    authority that fails raises a 422 problem, so the caller anchors nothing.
    """
    signers = _school_signers(instance, school_code)
    if signers is None:
        yield None
        return
    try:
        session = open_class_signing(signers, homeroom_teacher)
    except HocbaError as exc:
        raise _signing_problem(exc) from exc
    with session:
        try:
            check_signing(session, prepared.credentials[0], instance.settings.verify_base_url)
        except HocbaError as exc:
            raise _signing_problem(exc) from exc
        yield session


def _signing_problem(exc: HocbaError) -> ProblemError:
    logger.info("PDF signers failed before anchoring: %s", exc.code)
    return ProblemError(422, "pdf_sign_failed",
                        f"Không ký số được PDF: {exc.message_vi or exc} Chưa cấp gì; hãy kiểm "
                        "tra tệp người ký, mật khẩu hoặc token rồi duyệt lại.",
                        f"The PDFs cannot be signed: {exc}. Nothing was issued.")


def write_signed_pdfs(instance: Instance, anchored: AnchoredBatch, school_code: str,
                       session: PdfSigningSession | None) -> dict[str, Any]:
    """Write the batch's PDFs, sign them when ``session`` is open, return the signing summary."""
    out_dir = instance.settings.home / "pdf" / school_code / f"batch-{anchored.batch_id}"
    paths = write_pdfs(anchored, out_dir, verify_base_url=instance.settings.verify_base_url,
                       issued_on=date.today(), engine=instance.engine)
    if session is None:
        return {"signed": False, "reason": "not_configured", "signers": []}
    try:
        sign_pdf_files(session, paths)
    except HocbaError as exc:
        # NOTE: the batch is already anchored here, so its PDFs stay unsigned. The trial
        # signature before anchoring makes this rare: a TSA that fails in between.
        logger.warning("PDFs of batch %d left unsigned: %s", anchored.batch_id, exc.code)
        return {"signed": False, "reason": "failed", "signers": []}
    return {"signed": True, "signers": signer_labels(session)}
