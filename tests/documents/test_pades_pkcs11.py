"""PAdES signing through PKCS#11 with a SoftHSM2 token (Debian package ``softhsm2``).

A token is created in a temporary SOFTHSM2_CONF, the teacher's key is imported
with softhsm2-util and its certificate with python-pkcs11, and pyHanko signs
through the token. Skipped only when the SoftHSM2 library is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hocba.status import Status, overall_status
from issuer.pdfsign import PdfSigningError, Pkcs11Key, Pkcs12Key, SignerSpec, sign_pdf
from tests.pki.testpki import TEST_PASSPHRASE, TestPki, start_test_pki
from verifier.pdfsig import check_pdf_signatures

MODULE_CANDIDATES = (
    Path("/usr/lib/softhsm/libsofthsm2.so"),
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
    Path("/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"),
)
TOKEN_LABEL = "hocba-test"
USER_PIN = "1234"
KEY_LABEL = "teacher"


def _module() -> Path | None:
    return next((path for path in MODULE_CANDIDATES if path.exists()), None)


pytestmark = pytest.mark.skipif(
    _module() is None or shutil.which("softhsm2-util") is None,
    reason="SoftHSM2 is not installed (Debian package softhsm2)",
)


def _import_certificate(module: Path, der: bytes, subject: bytes) -> None:
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    token = pkcs11.lib(str(module)).get_token(token_label=TOKEN_LABEL)
    with token.open(rw=True, user_pin=USER_PIN) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True,
            Attribute.LABEL: KEY_LABEL,
            Attribute.ID: b"\x01",
            Attribute.SUBJECT: subject,
            Attribute.VALUE: der,
        })


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, TestPki]]:
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    config = folder / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    pki = start_test_pki(tmp_path_factory.mktemp("pki11"))
    module = _module()
    assert module is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(config))
        run = {"check": True, "capture_output": True, "env": os.environ.copy()}
        subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL,
                        "--so-pin", "5678", "--pin", USER_PIN], **run)
        subprocess.run(["softhsm2-util", "--import", str(pki.folder / f"{KEY_LABEL}.key.pem"),
                        "--token", TOKEN_LABEL, "--label", KEY_LABEL, "--id", "01",
                        "--pin", USER_PIN], **run)
        certificate = pki.cert(KEY_LABEL)
        _import_certificate(module, certificate.dump(), certificate.subject.dump())
        yield module, pki
    pki.close()


def _token_key(module: Path, pki: TestPki, pin: str = USER_PIN) -> Pkcs11Key:
    return Pkcs11Key(module_path=module, token_label=TOKEN_LABEL, pin=pin, key_label=KEY_LABEL,
                     ca_certs=(pki.cert("interm"), pki.root), raw_mechanism=True)


def test_token_signs(token: tuple[Path, TestPki], transcript_pdf: bytes) -> None:
    module, pki = token
    spec = SignerSpec("homeroom_teacher", "Nguyễn Thị Lan", _token_key(module, pki))
    checks = check_pdf_signatures(sign_pdf(transcript_pdf, [spec]), trust_roots=[pki.root])
    integrity = [check for check in checks if check.code == "pdf.pades.integrity"]
    assert overall_status(checks) is Status.VALID
    assert integrity[0].details["signer"]["subjectCommonName"] == "Nguyễn Thị Lan"
    assert integrity[0].details["bottomLine"] is True


def test_token_then_pkcs12(token: tuple[Path, TestPki], transcript_pdf: bytes) -> None:
    module, pki = token
    specs = [
        SignerSpec("homeroom_teacher", "Nguyễn Thị Lan", _token_key(module, pki)),
        SignerSpec("organisation", "Trường THCS Phú Hòa Đông",
                   Pkcs12Key(pki.pkcs12("school"), TEST_PASSPHRASE)),
    ]
    checks = check_pdf_signatures(sign_pdf(transcript_pdf, specs))
    assert [check.code for check in checks].count("pdf.pades.integrity") == 2
    assert overall_status(checks) is Status.VALID


def test_wrong_pin(token: tuple[Path, TestPki], transcript_pdf: bytes) -> None:
    module, pki = token
    spec = SignerSpec("homeroom_teacher", "Nguyễn Thị Lan", _token_key(module, pki, pin="0000"))
    with pytest.raises(PdfSigningError):
        sign_pdf(transcript_pdf, [spec])
