"""PAdES signatures on transcript PDFs: signing in order, validation, incremental-update attacks.

The certificates, OCSP responder and timestamp authority come from the
Certomancer test PKI in tests/pki/, served on 127.0.0.1 by a background thread.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from hocba.anchoring import credential_digest
from hocba.errors import InputError
from hocba.qrlink import build_qr_url
from hocba.status import Check, Status, overall_status
from issuer.issuance import credential_json_bytes
from issuer.pdf import render_transcript_pdf
from issuer.pdfsign import (
    ROLE_FIELDS,
    PdfSigningError,
    Pkcs12Key,
    RevocationSettings,
    SignerSpec,
    sign_pdf,
)
from tests.network import Network
from tests.pki.testpki import TEST_PASSPHRASE, TestPki, start_test_pki
from tests.test_issue_verify import context_for, issue, small_class
from verifier.inputs import verify_bytes
from verifier.pdf import extract_credential, visible_text
from verifier.pdfsig import check_pdf_signatures, extract_signed_credential

VERIFIER_ORIGIN = "https://verify.hocba.vn"
ISSUED_ON = date(2026, 5, 30)
SIGNERS = (
    ("homeroom_teacher", "teacher", "Nguyễn Thị Lan"),
    ("principal", "principal", "Trần Văn Minh"),
    ("organisation", "school", "Trường THCS Phú Hòa Đông"),
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    test_pki = start_test_pki(tmp_path_factory.mktemp("pki"))
    yield test_pki
    test_pki.close()


@pytest.fixture(scope="module")
def specs(pki: TestPki) -> list[SignerSpec]:
    return [SignerSpec(role, name, Pkcs12Key(pki.pkcs12(label), TEST_PASSPHRASE))
            for role, label, name in SIGNERS]


@pytest.fixture(scope="module")
def signed_pdf(transcript_pdf: bytes, specs: list[SignerSpec]) -> bytes:
    return sign_pdf(transcript_pdf, specs, location="Củ Chi, TP. Hồ Chí Minh")


def _failed_codes(checks: list[Check]) -> set[str]:
    return {check.code for check in checks if not check.passed}


def _forged_credential(credential_bytes: bytes) -> bytes:
    forged = json.loads(credential_bytes)
    forged["credentialSubject"]["name"] = "Học sinh khác"
    return json.dumps(forged, ensure_ascii=False).encode()


def _swap_attachment(pdf: bytes, data: bytes) -> bytes:
    """Append an incremental update that replaces the credential.json stream's bytes."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    stream = names[1].get_object()["/EF"]["/F"].get_object()
    stream.set_data(data)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _stamp_text(pdf: bytes, text: str) -> bytes:
    """Append an incremental update that draws ``text`` over page 1."""
    overlay = io.BytesIO()
    canvas = Canvas(overlay, pagesize=(595, 842))
    canvas.drawString(300, 400, text)
    canvas.save()
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.pages[0].merge_page(PdfReader(overlay).pages[0])
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_unsigned_informational(transcript_pdf: bytes) -> None:
    checks = check_pdf_signatures(transcript_pdf)
    assert [check.code for check in checks] == ["pdf.pades"]
    assert checks[0].passed
    assert overall_status(checks) is Status.VALID
    assert checks[0].message_vi == "PDF không có chữ ký số PAdES."


def test_signed_intact(signed_pdf: bytes) -> None:
    checks = check_pdf_signatures(signed_pdf)
    assert _failed_codes(checks) == set()
    assert overall_status(checks) is Status.VALID
    assert [check.code for check in checks].count("pdf.pades.integrity") == 3
    assert "pdf.pades.coverage" in {check.code for check in checks}


def test_signers_in_order(signed_pdf: bytes) -> None:
    reader = PdfFileReader(io.BytesIO(signed_pdf))
    signatures = sorted(reader.embedded_signatures, key=lambda sig: sig.signed_revision)
    assert [sig.field_name for sig in signatures] == list(ROLE_FIELDS.values())
    reasons = [str(sig.sig_object["/Reason"]) for sig in signatures]
    assert reasons == ["Giáo viên chủ nhiệm xác nhận", "Hiệu trưởng duyệt",
                       "Đóng dấu của nhà trường"]
    names = [sig.signer_cert.subject.native["common_name"] for sig in signatures]
    assert names == [name for _role, _label, name in SIGNERS]


def test_signer_details_reported(signed_pdf: bytes) -> None:
    integrity = [c for c in check_pdf_signatures(signed_pdf) if c.code == "pdf.pades.integrity"]
    signer = integrity[0].details["signer"]
    assert signer["subjectCommonName"] == "Nguyễn Thị Lan"
    assert signer["issuerCommonName"] == "Hocba Test Issuing CA"
    assert signer["notAfter"].startswith("2036-01-01")


def test_untrusted_chain_noted(signed_pdf: bytes) -> None:
    trust = [c for c in check_pdf_signatures(signed_pdf) if c.code == "pdf.pades.trust"]
    assert len(trust) == 3
    assert all(check.passed for check in trust)
    assert "không thuộc danh sách tin cậy" in trust[0].message_vi


def test_trusted_chain(signed_pdf: bytes, pki: TestPki) -> None:
    checks = check_pdf_signatures(signed_pdf, trust_roots=[pki.root])
    trust = [check for check in checks if check.code == "pdf.pades.trust"]
    assert "trusted anchor" in trust[0].message_en
    assert trust[0].details["bottomLine"] is True


def test_swapped_attachment_tampered(signed_pdf: bytes, credential_bytes: bytes) -> None:
    forged = _forged_credential(credential_bytes)
    tampered = _swap_attachment(signed_pdf, forged)

    # pypdf reads the latest revision and returns the forged attachment.
    assert extract_credential(tampered) == forged
    checks = check_pdf_signatures(tampered)
    assert overall_status(checks) is Status.TAMPERED
    assert "pdf.pades.coverage" in _failed_codes(checks)
    assert "pdf.pades.credential" in _failed_codes(checks)
    # Each signature's own bytes are unchanged, so each still reports "intact".
    assert "pdf.pades.integrity" not in _failed_codes(checks)


def test_signed_revision_credential(signed_pdf: bytes, credential_bytes: bytes) -> None:
    tampered = _swap_attachment(signed_pdf, _forged_credential(credential_bytes))
    assert extract_signed_credential(tampered) == credential_bytes


def test_unsigned_credential_latest(transcript_pdf: bytes, credential_bytes: bytes) -> None:
    assert extract_signed_credential(transcript_pdf) == credential_bytes


def test_visible_text_tampered(signed_pdf: bytes) -> None:
    tampered = _stamp_text(signed_pdf, "Toan 10,0")
    assert "Toan 10,0" in visible_text(tampered)
    checks = check_pdf_signatures(tampered)
    assert overall_status(checks) is Status.TAMPERED
    assert "pdf.pades.coverage" in _failed_codes(checks)


def test_broken_signature_tampered(signed_pdf: bytes) -> None:
    # Flip one byte inside the first signed range (the PDF header comment).
    broken = signed_pdf[:10] + bytes([signed_pdf[10] ^ 0x01]) + signed_pdf[11:]
    checks = check_pdf_signatures(broken)
    assert "pdf.pades.integrity" in _failed_codes(checks)


def test_wrong_order_rejected(specs: list[SignerSpec], transcript_pdf: bytes) -> None:
    with pytest.raises(InputError) as caught:
        sign_pdf(transcript_pdf, list(reversed(specs)))
    assert caught.value.code == "pdf_sign_order"


def test_wrong_passphrase(pki: TestPki, transcript_pdf: bytes) -> None:
    spec = SignerSpec("principal", "Trần Văn Minh", Pkcs12Key(pki.pkcs12("principal"), b"wrong"))
    with pytest.raises(PdfSigningError):
        sign_pdf(transcript_pdf, [spec])


def test_timestamped_b_t(transcript_pdf: bytes, specs: list[SignerSpec], pki: TestPki) -> None:
    signed = sign_pdf(transcript_pdf, specs[-1:], timestamp_url=pki.tsa_url)
    checks = check_pdf_signatures(signed, trust_roots=[pki.root])
    integrity = [check for check in checks if check.code == "pdf.pades.integrity"]
    assert _failed_codes(checks) == set()
    assert integrity[0].details["timestampTrusted"] is True
    assert "timestamp" in integrity[0].details


def test_long_term_b_lt(transcript_pdf: bytes, specs: list[SignerSpec], pki: TestPki) -> None:
    signed = sign_pdf(transcript_pdf, specs, timestamp_url=pki.tsa_url,
                      revocation=RevocationSettings(trust_roots=(pki.root,)))
    dss = PdfFileReader(io.BytesIO(signed)).root["/DSS"]
    assert len(dss["/OCSPs"]) >= 3
    assert len(dss["/CRLs"]) >= 1
    checks = check_pdf_signatures(signed, trust_roots=[pki.root])
    assert _failed_codes(checks) == set()
    coverage = [check for check in checks if check.code == "pdf.pades.integrity"][-1]
    assert coverage.details["modificationLevel"] == "LTA_UPDATES"


def test_b_lt_swap_tampered(transcript_pdf: bytes, specs: list[SignerSpec], pki: TestPki,
                            credential_bytes: bytes) -> None:
    signed = sign_pdf(transcript_pdf, specs[-1:], timestamp_url=pki.tsa_url,
                      revocation=RevocationSettings(trust_roots=(pki.root,)))
    tampered = _swap_attachment(signed, _forged_credential(credential_bytes))
    assert "pdf.pades.coverage" in _failed_codes(check_pdf_signatures(tampered))


def _issued_pdfs(network: Network) -> list[tuple[str, bytes]]:
    """Issue and anchor a small class; return (credential id, credential JSON) pairs."""
    batch = issue(network, class_records=small_class(2))
    return [(item.credential_id, credential_json_bytes(item.credential))
            for item in batch.credentials]


def test_verify_signed_pdf(network: Network, specs: list[SignerSpec]) -> None:
    (credential_id, data), (_other_id, other_data) = _issued_pdfs(network)
    credential = json.loads(data)
    digest = credential_digest(credential)
    pdf = render_transcript_pdf(credential, data, issued_on=ISSUED_ON,
                                qr_url=build_qr_url(VERIFIER_ORIGIN, credential_id, digest))
    signed = sign_pdf(pdf, specs)

    result = verify_bytes(signed, context_for(network))
    assert result.status is Status.VALID
    assert "pdf.pades.coverage" in {check.code for check in result.checks}

    # Another student's valid credential swapped in after signing.
    swapped = verify_bytes(_swap_attachment(signed, other_data), context_for(network))
    assert swapped.status is Status.TAMPERED
    assert swapped.credential_id == credential_id
