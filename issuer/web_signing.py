"""PAdES signing of the PDFs that the server issues, with one signer file per school.

The file is ``<home>/signers/<school code>.toml`` in the format of
``issuer.signer_file``. When it exists, every PDF of an approval or a correction is
signed in order: the homeroom teacher whose name the class file gives (when the
signer file lists that teacher), the principal, then the organisation. Without it,
PDFs stay unsigned. The keys are opened before anything is anchored, so a wrong
passphrase or a missing token stops the approval with nothing issued.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from hocba.qrlink import build_qr_url
from issuer.issuance import IssuedCredential, credential_json_bytes
from issuer.pdfsign import PdfSigningSession, SignerSpec
from issuer.signer_file import SignerFile, read_signer_file

__all__ = [
    "ROLE_LABELS_VI",
    "SIGNERS_FOLDER",
    "check_signing",
    "load_school_signers",
    "open_class_signing",
    "school_signer_path",
    "sign_pdf_files",
    "signer_labels",
    "specs_for_class",
]

logger = logging.getLogger(__name__)

SIGNERS_FOLDER = "signers"
ROLE_LABELS_VI = {"homeroom_teacher": "giáo viên chủ nhiệm", "principal": "hiệu trưởng",
                  "organisation": "nhà trường"}


def school_signer_path(home: Path, school_code: str) -> Path:
    """Return where the signer file of ``school_code`` lives under the data folder ``home``."""
    return home / SIGNERS_FOLDER / f"{school_code}.toml"


def load_school_signers(home: Path, school_code: str) -> SignerFile | None:
    """Read the school's signer file, or return None when the school has none."""
    path = school_signer_path(home, school_code)
    if not path.is_file():
        return None
    return read_signer_file(path)


def _same_name(left: str, right: str) -> bool:
    def key(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return bool(left.strip()) and key(left) == key(right)


def specs_for_class(signers: SignerFile, homeroom_teacher: str) -> list[SignerSpec]:
    """Return the signers of one class in file order.

    Of the homeroom teachers listed, only the one named ``homeroom_teacher`` signs.
    A class file without a homeroom teacher, or with one the file does not list,
    gets no homeroom teacher signature.
    """
    specs = []
    for spec in signers.specs:
        if spec.role == "homeroom_teacher" and not _same_name(spec.display_name,
                                                              homeroom_teacher):
            continue
        specs.append(spec)
    return specs


def open_class_signing(signers: SignerFile, homeroom_teacher: str) -> PdfSigningSession:
    """Open the keys for one class; raise ``PdfSigningError`` or ``InputError`` when they fail.

    The caller closes the returned session (it is a context manager).
    """
    specs = specs_for_class(signers, homeroom_teacher)
    logger.info("opening %d PDF signer(s) from %s", len(specs), signers.path.name)
    return PdfSigningSession(specs, timestamp_url=signers.timestamp_url,
                             revocation=signers.revocation, location=signers.location)


def sign_pdf_files(session: PdfSigningSession, paths: Iterable[Path]) -> int:
    """Sign each PDF file in place, replacing it atomically; return how many were signed."""
    count = 0
    for path in paths:
        signed = session.sign(path.read_bytes())
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(signed)
        os.replace(partial, path)
        count += 1
    return count


def check_signing(session: PdfSigningSession, item: IssuedCredential,
                  verify_base_url: str) -> None:
    """Render and sign one credential's PDF and discard it, so a failing key or TSA shows early.

    The credential is not anchored yet, so this PDF is never written anywhere.
    """
    from issuer.record_pdf import render_credential_pdf  # reportlab loads only for PDFs

    data = credential_json_bytes(item.credential)
    qr_url = build_qr_url(verify_base_url, item.credential_id, item.digest)
    session.sign(render_credential_pdf(item.credential, data, qr_url=qr_url,
                                       issued_on=date.today()))


def signer_labels(session: PdfSigningSession) -> list[str]:
    """Return ``name (role)`` for each signer of ``session`` in signing order."""
    return [f"{spec.display_name} ({ROLE_LABELS_VI.get(spec.role, spec.role)})"
            for spec in session.specs]
