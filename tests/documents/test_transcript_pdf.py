"""The rendered transcript PDF: attachment, QR code, text layer, determinism."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import subprocess
import sys
import time
import unicodedata
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from hocba.errors import CredentialError, InputError
from issuer.pdf import render_transcript_pdf
from verifier.pdf import extract_credential, extract_qr_url, visible_text
from verifier.qr import decode_qr_image

ISSUED_ON = date(2026, 5, 30)


def _render(credential: dict, qr_url: str) -> bytes:
    data = json.dumps(credential, ensure_ascii=False).encode("utf-8")
    return render_transcript_pdf(credential, data, qr_url=qr_url, issued_on=ISSUED_ON)


def _page_png(pdf: bytes, dpi: int) -> bytes:
    document = pypdfium2.PdfDocument(pdf)
    try:
        picture = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def test_attachment_round_trips(transcript_pdf: bytes, credential_bytes: bytes) -> None:
    assert extract_credential(transcript_pdf) == credential_bytes


def test_attachment_metadata(transcript_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(transcript_pdf))
    files = list(reader.attachment_list)
    assert [file.name for file in files] == ["credential.json"]
    assert files[0].subtype == "/application/json"
    assert files[0].associated_file_relationship == "/Data"


def test_single_a4_page(transcript_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(transcript_pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


@pytest.mark.parametrize("dpi", [100, 150])
def test_rendered_page_qr_decodes(transcript_pdf: bytes, qr_url: str, dpi: int) -> None:
    assert decode_qr_image(_page_png(transcript_pdf, dpi)) == [qr_url]


def test_extract_qr_url(transcript_pdf: bytes, qr_url: str) -> None:
    assert extract_qr_url(transcript_pdf) == qr_url


@pytest.mark.parametrize(
    "expected",
    [
        "Nguyễn Thị Ánh Dương",
        "Phú Hòa Đông",
        "TRƯỜNG THCS PHÚ HÒA ĐÔNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "HỌC BẠ",
        "Học kỳ I",
        "Học kỳ II",
        "Cả năm",
        "Lịch sử và Địa lí",
        "8,5",
        "9,1",
        "14/09/2012",
        "Kết quả học tập",
        "Kết quả rèn luyện",
        "Danh hiệu",
        "Chăm ngoan, tích cực tham gia hoạt động của lớp.",
        "ngày 30 tháng 05 năm 2026",
        "Trần Văn Bình",
        "Lê Thị Hồng",
        "Quét mã để xác thực",
        "urn:uuid:3f6c2a52-8d1e-4b7a-9c2f-0e5d7b1a4c90",
    ],
)
def test_text_layer_contains(transcript_pdf: bytes, expected: str) -> None:
    assert unicodedata.is_normalized("NFC", expected)
    assert expected in visible_text(transcript_pdf)


def test_text_layer_no_dot_scores(transcript_pdf: bytes) -> None:
    assert "8.5" not in visible_text(transcript_pdf)


def test_deterministic_bytes(credential: dict, credential_bytes: bytes, qr_url: str) -> None:
    first = render_transcript_pdf(credential, credential_bytes, qr_url=qr_url, issued_on=ISSUED_ON)
    second = render_transcript_pdf(credential, credential_bytes, qr_url=qr_url, issued_on=ISSUED_ON)
    assert first == second


def test_issue_date_changes_bytes(credential: dict, credential_bytes: bytes, qr_url: str) -> None:
    first = render_transcript_pdf(credential, credential_bytes, qr_url=qr_url, issued_on=ISSUED_ON)
    later = render_transcript_pdf(
        credential, credential_bytes, qr_url=qr_url, issued_on=date(2026, 6, 1)
    )
    assert first != later


def test_document_metadata(transcript_pdf: bytes, credential: dict) -> None:
    info = PdfReader(io.BytesIO(transcript_pdf)).metadata
    assert info.title == credential["name"]
    assert info.author == "Trường THCS Phú Hòa Đông"
    assert "Nguyễn" not in (info.get("/Keywords") or "")
    assert "Nguyễn" not in (info.subject or "")
    assert info.get("/CreationDate") == "D:20260530000000+07'00'"


def test_render_speed(credential: dict, credential_bytes: bytes, qr_url: str) -> None:
    started = time.perf_counter()
    render_transcript_pdf(credential, credential_bytes, qr_url=qr_url, issued_on=ISSUED_ON)
    assert time.perf_counter() - started < 2.0


def test_nfd_input_shown_as_nfc(credential: dict, qr_url: str) -> None:
    changed = copy.deepcopy(credential)
    nfd_name = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Dương")
    changed["credentialSubject"]["identifier"][0]["identityHash"] = nfd_name
    assert "Nguyễn Thị Ánh Dương" in visible_text(_render(changed, qr_url))


def test_markup_in_remark_is_text(credential: dict, qr_url: str) -> None:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["remark"] = "<script>alert(1)</script> & <b>"
    assert "<script>alert(1)</script> & <b>" in visible_text(_render(changed, qr_url))


def test_award_title_shown(credential: dict, qr_url: str) -> None:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["awardTitle"] = "Học sinh Giỏi"
    assert "Học sinh Giỏi" in visible_text(_render(changed, qr_url))


def test_mismatched_bytes_rejected(credential: dict, qr_url: str) -> None:
    other = copy.deepcopy(credential)
    other["credentialSubject"]["className"] = "8A2"
    data = json.dumps(other, ensure_ascii=False).encode("utf-8")
    with pytest.raises(InputError) as caught:
        render_transcript_pdf(credential, data, qr_url=qr_url, issued_on=ISSUED_ON)
    assert caught.value.code == "pdf_credential_mismatch"


def test_oversized_qr_url_rejected(credential: dict, credential_bytes: bytes) -> None:
    url = "https://verify.hocba.vn/" + "a" * 600
    with pytest.raises(InputError) as caught:
        render_transcript_pdf(credential, credential_bytes, qr_url=url, issued_on=ISSUED_ON)
    assert caught.value.code == "qr_invalid"


def test_missing_results_rejected(credential: dict, qr_url: str) -> None:
    changed = copy.deepcopy(credential)
    del changed["credentialSubject"]["result"][-1]
    with pytest.raises(CredentialError) as caught:
        _render(changed, qr_url)
    assert caught.value.code == "malformed"


def test_missing_birth_date_rejected(credential: dict, qr_url: str) -> None:
    changed = copy.deepcopy(credential)
    del changed["credentialSubject"]["identifier"][1]
    with pytest.raises(CredentialError) as caught:
        _render(changed, qr_url)
    assert caught.value.code == "malformed"


def test_bytes_stable_across_processes(transcript_pdf: bytes, qr_url: str) -> None:
    # A different hash seed in a fresh interpreter must not change the output,
    # so nothing in the layout depends on set or dict iteration order.
    script = (
        "import hashlib, json, sys\n"
        "from datetime import date\n"
        "from issuer.pdf import render_transcript_pdf\n"
        "raw = open(sys.argv[1], 'rb').read()\n"
        "pdf = render_transcript_pdf(json.loads(raw), raw, qr_url=sys.argv[2],\n"
        "                            issued_on=date(2026, 5, 30))\n"
        "print(hashlib.sha256(pdf).hexdigest())\n"
    )
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "transcript_credential.json"
    result = subprocess.run(
        [sys.executable, "-c", script, str(fixture), qr_url],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert result.stdout.strip() == hashlib.sha256(transcript_pdf).hexdigest()
