"""The PDF signer file (signers.toml) that `hocba school issue-all --sign` and the server read.

The file lists the PDF signers in signing order (homeroom teacher, principal,
organisation), with key paths relative to the file::

    location = "Củ Chi, TP. Hồ Chí Minh"              # optional
    timestamp_url = "http://127.0.0.1:8080/tsa"       # optional: PAdES B-T
    trust_roots = ["ca/root.pem"]                      # optional, with timestamp_url: B-LT

    [[signer]]
    role = "homeroom_teacher"
    name = "Nguyễn Thị Lan"
    p12 = "keys/teacher.p12"
    passphrase_env = "HOCBA_SIGN_PASSPHRASE_LAN"       # optional

    [[signer]]
    role = "organisation"
    name = "Trường THCS Phú Hòa Đông"
    pkcs11 = "/usr/lib/softhsm/libsofthsm2.so"        # a token instead of a file
    token = "school"
    key = "sign"

A PKCS#12 passphrase is read from the environment variable that ``passphrase_env``
names, by default ``HOCBA_SIGN_PASSPHRASE_<ROLE>`` with the role in upper case
(e.g. ``HOCBA_SIGN_PASSPHRASE_HOMEROOM_TEACHER``). A token PIN is read from
``pin_env``, by default ``HOCBA_SIGN_PIN_<ROLE>``. Secrets are never read from the file.
The server may list several homeroom teachers; each class is signed by the one
whose name its class file gives (``issuer.web_signing``).
"""

from __future__ import annotations

import logging
import os
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509

from hocba.errors import InputError
from issuer.pdfsign import Pkcs11Key, Pkcs12Key, RevocationSettings, SignerSpec

__all__ = ["SignerFile", "read_signer_file", "read_signers"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignerFile:
    """The contents of a signer file: signers in file order and the signing options."""

    path: Path
    specs: tuple[SignerSpec, ...]
    location: str | None
    timestamp_url: str | None
    revocation: RevocationSettings | None


def _invalid(path: Path, message: str, message_vi: str) -> InputError:
    return InputError(f"{message} in signer file {path}", code="signers_invalid",
                      message_vi=f"Tệp người ký {path.name}: {message_vi}")


def _key(path: Path, entry: dict[str, Any], role: str) -> Pkcs12Key | Pkcs11Key:
    env_role = role.upper()
    if "p12" in entry:
        variable = str(entry.get("passphrase_env", f"HOCBA_SIGN_PASSPHRASE_{env_role}"))
        passphrase = os.environ.get(variable)
        return Pkcs12Key(path.parent / str(entry["p12"]),
                         passphrase.encode("utf-8") if passphrase is not None else None)
    if "pkcs11" in entry:
        variable = str(entry.get("pin_env", f"HOCBA_SIGN_PIN_{env_role}"))
        return Pkcs11Key(Path(str(entry["pkcs11"])), str(entry.get("token", "")),
                         os.environ.get(variable, ""), str(entry.get("key", "")))
    raise _invalid(path, f"signer {role!r} has neither p12 nor pkcs11",
                   f"người ký {role!r} thiếu khóa (p12 hoặc pkcs11).")


def _certificates(path: Path, names: list[Any]) -> tuple[x509.Certificate, ...]:
    certificates = []
    for name in names:
        cert_path = path.parent / str(name)
        try:
            data = cert_path.read_bytes()
            if pem.detect(data):
                _kind, _headers, data = pem.unarmor(data)
            certificate = x509.Certificate.load(data)
            # asn1crypto parses lazily, so read a field to make a damaged file fail here.
            _subject = certificate.subject
            certificates.append(certificate)
        except (OSError, ValueError) as exc:
            raise _invalid(path, f"cannot read trust root {cert_path.name}: {exc}",
                           f"không đọc được chứng thư gốc {cert_path.name}.") from exc
    return tuple(certificates)


def read_signer_file(path: Path) -> SignerFile:
    """Read a signer file; raise ``InputError`` ``signers_invalid`` when it cannot be used."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read signer file {path}: {exc}", code="signers_invalid",
                         message_vi=f"Không đọc được tệp người ký {path}.") from exc
    specs = []
    for entry in data.get("signer", []):
        role = str(entry.get("role", ""))
        name = unicodedata.normalize("NFC", str(entry.get("name", "")))
        specs.append(SignerSpec(role, name, _key(path, entry, role)))  # type: ignore[arg-type]
    if not specs:
        raise InputError(f"no [[signer]] in {path}", code="signers_invalid",
                         message_vi=f"Tệp {path} không có người ký nào ([[signer]]).")
    location = data.get("location")
    timestamp_url = str(data["timestamp_url"]) if data.get("timestamp_url") else None
    roots = data.get("trust_roots") or []
    if roots and timestamp_url is None:
        raise _invalid(path, "trust_roots (PAdES B-LT) need timestamp_url",
                       "chữ ký dài hạn (trust_roots) cần địa chỉ cấp dấu thời gian "
                       "(timestamp_url).")
    revocation = RevocationSettings(_certificates(path, list(roots))) if roots else None
    logger.info("read %d PDF signer(s) from %s", len(specs), path)
    return SignerFile(path, tuple(specs),
                      unicodedata.normalize("NFC", location) if location else None,
                      timestamp_url, revocation)


def read_signers(path: Path) -> tuple[list[SignerSpec], str | None]:
    """Read a signer file into SignerSpecs in file order and the optional signing location."""
    signer_file = read_signer_file(path)
    return list(signer_file.specs), signer_file.location
