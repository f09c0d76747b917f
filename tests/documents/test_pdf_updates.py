"""Incremental updates appended to an unsigned transcript PDF after it was issued."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from reportlab.pdfgen.canvas import Canvas

from hocba.status import Status
from issuer.issuance import credential_json_bytes, write_pdfs
from tests.network import Network
from tests.test_issue_verify import context_for, issue
from verifier.inputs import verify_bytes
from verifier.pdfupdates import first_revision


@pytest.fixture
def issued(network: Network, tmp_path: Path) -> tuple[Network, list[bytes], list[bytes]]:
    batch = issue(network)
    paths = write_pdfs(batch, tmp_path, verify_base_url="https://xacthuc.example.edu.vn",
                       issued_on=date(2026, 6, 1))
    credentials = [credential_json_bytes(item.credential) for item in batch.credentials]
    return network, [path.read_bytes() for path in paths], credentials


def _stamp_text(pdf: bytes, text: str) -> bytes:
    overlay = io.BytesIO()
    canvas = Canvas(overlay, pagesize=(595, 842))
    canvas.drawString(300, 400, text)
    canvas.save()
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.pages[0].merge_page(PdfReader(overlay).pages[0])
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _swap_attachment(pdf: bytes, data: bytes) -> bytes:
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    names[1].get_object()["/EF"]["/F"].get_object().set_data(data)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _annotate(pdf: bytes) -> bytes:
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_annotation(0, FreeText(text="Đã xem", rect=(50, 50, 150, 80)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _verify(network: Network, pdf: bytes):  # type: ignore[no-untyped-def]
    return verify_bytes(pdf, context_for(network), source="transcript.pdf")


def test_issued_pdf_single_revision(issued) -> None:  # type: ignore[no-untyped-def]
    network, pdfs, _ = issued
    assert first_revision(pdfs[0]) is None
    assert _verify(network, pdfs[0]).status is Status.VALID


def test_stamped_text_tampered(issued) -> None:  # type: ignore[no-untyped-def]
    network, pdfs, _ = issued
    result = _verify(network, _stamp_text(pdfs[0], "Toán 10,0"))
    failed = [check.code for check in result.checks if not check.passed]
    assert result.status is Status.TAMPERED
    assert failed == ["pdf.updates"]


def test_swapped_credential_tampered(issued) -> None:  # type: ignore[no-untyped-def]
    network, pdfs, credentials = issued
    result = _verify(network, _swap_attachment(pdfs[0], credentials[1]))
    failed = [check.code for check in result.checks if not check.passed]
    assert result.status is Status.TAMPERED
    assert "pdf.updates" in failed


def test_annotation_only_stays_valid(issued) -> None:  # type: ignore[no-untyped-def]
    network, pdfs, _ = issued
    annotated = _annotate(pdfs[0])
    result = _verify(network, annotated)
    updates = next(check for check in result.checks if check.code == "pdf.updates")
    assert first_revision(annotated) is not None
    assert updates.passed
    assert result.status is Status.VALID
