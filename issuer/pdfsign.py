"""Sign transcript PDFs with PAdES signatures, one incremental revision per signer.

Vietnamese schools sign a học bạ số in a fixed order: the homeroom teacher, then
the principal, then the school's organisation certificate. Each signature here
is a PAdES signature (``ETSI.CAdES.detached``) in its own revision, with the
signature field named after the role, so a later signer never rewrites what an
earlier one signed. Render and attach ``credential.json`` first, then sign: an
attachment added after signing is not covered by any signature.

Levels: B-B by default, B-T when a timestamp authority URL is given, and B-LT
when revocation settings are also given (certificates and OCSP/CRL responses are
fetched at signing time and written to the Document Security Store in one more
revision after the last signature).

Keys come from PKCS#12 files or PKCS#11 tokens. ``PdfSigningSession`` loads
every key once and signs many PDFs; ``sign_pdf`` is the one-document shortcut.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal

from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko_certvalidator import ValidationContext

from hocba.errors import HocbaError, InputError

__all__ = [
    "ROLE_FIELDS",
    "PdfSigningError",
    "PdfSigningSession",
    "Pkcs11Key",
    "Pkcs12Key",
    "RevocationSettings",
    "Role",
    "SignerSpec",
    "sign_pdf",
]

logger = logging.getLogger(__name__)

Role = Literal["homeroom_teacher", "principal", "organisation"]

ROLE_FIELDS: dict[str, str] = {
    "homeroom_teacher": "ChuKy_GiaoVienChuNhiem",
    "principal": "ChuKy_HieuTruong",
    "organisation": "ChuKy_NhaTruong",
}
_ROLE_REASONS: dict[str, str] = {
    "homeroom_teacher": "Giáo viên chủ nhiệm xác nhận",
    "principal": "Hiệu trưởng duyệt",
    "organisation": "Đóng dấu của nhà trường",
}
_MD_ALGORITHM = "sha256"


class PdfSigningError(HocbaError, RuntimeError):
    """A PDF could not be signed: a key that cannot be loaded, a token or TSA failure."""

    code = "pdf_sign_failed"


@dataclass(frozen=True)
class Pkcs12Key:
    """A key and certificate chain in a PKCS#12 (.p12/.pfx) file."""

    path: Path
    passphrase: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Pkcs11Key:
    """A key on a PKCS#11 token, found by token label and key label.

    ``cert_label`` defaults to ``key_label``. ``ca_certs`` are added to the
    signature when the token holds only the signer's own certificate. Set
    ``raw_mechanism`` for tokens that sign ECDSA only over a digest computed
    by the caller (plain ``CKM_ECDSA``), such as SoftHSM2 2.6.
    """

    module_path: Path
    token_label: str
    pin: str = field(repr=False)
    key_label: str
    cert_label: str | None = None
    ca_certs: tuple[x509.Certificate, ...] = ()
    raw_mechanism: bool = False


@dataclass(frozen=True)
class SignerSpec:
    """One person or organisation that signs, in signing order."""

    role: Role
    display_name: str
    key: Pkcs12Key | Pkcs11Key


@dataclass(frozen=True)
class RevocationSettings:
    """Validation data to embed for PAdES B-LT.

    ``trust_roots`` are the anchors that the signer chains are built to when
    OCSP responses and CRLs are fetched at signing time. Fetching follows the
    URLs in the signer certificates.
    """

    trust_roots: tuple[x509.Certificate, ...]
    other_certs: tuple[x509.Certificate, ...] = ()


def _check_order(specs: Sequence[SignerSpec]) -> None:
    if not specs:
        raise InputError("at least one signer is required", code="pdf_sign_no_signer",
                         message_vi="Cần ít nhất một người ký.")
    roles = [spec.role for spec in specs]
    for role in roles:
        if role not in ROLE_FIELDS:
            raise InputError(f"unknown signer role {role!r}", code="pdf_sign_role",
                             message_vi=f"Vai trò ký không hợp lệ: {role!r}.")
    if len(set(roles)) != len(roles):
        raise InputError("each role may sign once", code="pdf_sign_role",
                         message_vi="Mỗi vai trò chỉ được ký một lần.")
    order = list(ROLE_FIELDS)
    if roles != sorted(roles, key=order.index):
        raise InputError(
            "signers must be ordered homeroom teacher, principal, organisation",
            code="pdf_sign_order",
            message_vi="Thứ tự ký phải là: giáo viên chủ nhiệm, hiệu trưởng, nhà trường.",
        )


def _load_pkcs12(key: Pkcs12Key) -> signers.Signer:
    try:
        loaded = signers.SimpleSigner.load_pkcs12(str(key.path), passphrase=key.passphrase)
    except (OSError, ValueError) as error:
        raise PdfSigningError(f"cannot read PKCS#12 file {key.path}: {type(error).__name__}",
                              message_vi=f"Không đọc được tệp khóa PKCS#12 {key.path}.") from None
    if loaded is None:
        # pyHanko 0.38 logs the cause and returns None for an unreadable file or a
        # wrong passphrase instead of raising.
        raise PdfSigningError(
            f"cannot unlock PKCS#12 file {key.path}: wrong passphrase or damaged file",
            message_vi=f"Không mở được tệp khóa {key.path}: sai mật khẩu hoặc tệp bị hỏng.",
        )
    return loaded


def _open_pkcs11(key: Pkcs11Key) -> tuple[object, signers.Signer]:
    """Open a logged-in session on the token labelled ``key.token_label``."""
    # Imported here so that PKCS#12-only installs never load the PKCS#11 binding.
    from pkcs11 import PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    try:
        session = open_pkcs11_session(str(key.module_path),
                                      token_criteria=TokenCriteria(label=key.token_label),
                                      user_pin=key.pin)
    except (PKCS11Error, SigningError, OSError) as error:
        logger.warning("PKCS#11 token %r could not be opened: %s", key.token_label,
                       type(error).__name__)
        raise PdfSigningError(
            f"cannot open PKCS#11 token {key.token_label!r} with {key.module_path}: "
            f"{type(error).__name__}",
            message_vi=f"Không mở được token {key.token_label!r}: kiểm tra token, mã PIN "
                       "và thư viện PKCS#11.",
        ) from None
    signer = PKCS11Signer(session, cert_label=key.cert_label or key.key_label,
                          key_label=key.key_label, ca_chain=list(key.ca_certs),
                          use_raw_mechanism=key.raw_mechanism)
    return session, signer


class PdfSigningSession:
    """Keys opened once for many PDFs: PKCS#12 files read, PKCS#11 sessions opened.

    Use as a context manager so that token sessions are closed.
    """

    def __init__(self, specs: Sequence[SignerSpec], *, timestamp_url: str | None = None,
                 revocation: RevocationSettings | None = None, location: str | None = None,
                 timestamp_timeout: int = 10) -> None:
        _check_order(specs)
        if revocation is not None and timestamp_url is None:
            raise InputError(
                "PAdES B-LT needs a timestamp authority URL",
                code="pdf_sign_no_tsa",
                message_vi="Chữ ký dài hạn (B-LT) cần địa chỉ máy chủ cấp dấu thời gian (TSA).",
            )
        self.specs = list(specs)
        self.location = location
        self.revocation = revocation
        self.timestamper: TimeStamper | None = (
            HTTPTimeStamper(timestamp_url, timeout=timestamp_timeout) if timestamp_url else None
        )
        self._pkcs11_sessions: list[object] = []
        self._signing_errors: tuple[type[Exception], ...] = (SigningError, PdfError)
        self._signers: list[signers.Signer] = []
        try:
            for spec in self.specs:
                self._signers.append(self._open(spec.key))
        except BaseException:
            self.close()
            raise

    def _open(self, key: Pkcs12Key | Pkcs11Key) -> signers.Signer:
        if isinstance(key, Pkcs12Key):
            return _load_pkcs12(key)
        from pkcs11 import PKCS11Error

        session, signer = _open_pkcs11(key)
        self._pkcs11_sessions.append(session)
        self._signing_errors = (SigningError, PdfError, PKCS11Error)
        return signer

    def close(self) -> None:
        while self._pkcs11_sessions:
            session = self._pkcs11_sessions.pop()
            session.close()  # type: ignore[attr-defined]

    def __enter__(self) -> PdfSigningSession:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def _validation_context(self) -> ValidationContext | None:
        if self.revocation is None:
            return None
        return ValidationContext(
            trust_roots=list(self.revocation.trust_roots),
            other_certs=list(self.revocation.other_certs),
            allow_fetching=True,
            revocation_mode="require",
        )

    def _metadata(self, spec: SignerSpec) -> signers.PdfSignatureMetadata:
        embed = self.revocation is not None
        return signers.PdfSignatureMetadata(
            field_name=ROLE_FIELDS[spec.role],
            reason=_ROLE_REASONS[spec.role],
            location=self.location,
            name=spec.display_name,
            md_algorithm=_MD_ALGORITHM,
            subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=embed,
            validation_context=self._validation_context(),
        )

    def sign(self, pdf_bytes: bytes) -> bytes:
        """Append one signed revision per signer, in order, and return the new file."""
        if not pdf_bytes.startswith(b"%PDF-"):
            raise InputError("the input is not a PDF", code="pdf_invalid",
                             message_vi="Tệp cần ký không phải tài liệu PDF.")
        current = pdf_bytes
        for spec, signer in zip(self.specs, self._signers, strict=True):
            metadata = self._metadata(spec)
            pdf_signer = signers.PdfSigner(
                metadata, signer=signer, timestamper=self.timestamper,
                new_field_spec=fields.SigFieldSpec(sig_field_name=ROLE_FIELDS[spec.role]),
            )
            try:
                writer = IncrementalPdfFileWriter(io.BytesIO(current))
                output = pdf_signer.sign_pdf(writer)
            except self._signing_errors as error:
                logger.warning("PAdES signing failed for role %s: %s", spec.role, error)
                raise PdfSigningError(
                    f"signing as {spec.role} failed: {error}",
                    message_vi=f"Ký với vai trò {_ROLE_REASONS[spec.role]} không thành công.",
                ) from error
            current = output.getvalue()
        logger.debug("signed PDF with %d signature(s), %d bytes", len(self.specs), len(current))
        return current


def sign_pdf(pdf_bytes: bytes, signers_in_order: Sequence[SignerSpec], *,
             timestamp_url: str | None = None, revocation: RevocationSettings | None = None,
             location: str | None = None) -> bytes:
    """Sign ``pdf_bytes`` by each signer in order and return the signed PDF.

    B-B without ``timestamp_url``, B-T with it, B-LT with ``revocation`` as well.
    Raises ``InputError`` for a bad signer list and ``PdfSigningError`` when a
    key, a token or the timestamp authority fails.
    """
    with PdfSigningSession(signers_in_order, timestamp_url=timestamp_url,
                           revocation=revocation, location=location) as session:
        return session.sign(pdf_bytes)
