"""Untrusted PDFs given to the verifier: missing, extra, oversized and bomb attachments."""

from __future__ import annotations

import io
import time
import zlib

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.pdfgen.canvas import Canvas

from hocba.errors import InputError
from verifier.pdf import extract_credential, extract_qr_url, visible_text

MIB = 1024 * 1024


def _code(pdf: bytes, **limits: int) -> str:
    with pytest.raises(InputError) as caught:
        extract_credential(pdf, **limits)
    assert caught.value.message_vi != str(caught.value)
    return caught.value.code


def _write(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _blank_pdf() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    return writer


def _with_stream(data: bytes, *, filters: str | None) -> bytes:
    """Build a one-page PDF whose credential.json stream contains ``data`` unchanged."""
    writer = _blank_pdf()
    embedded = writer.add_attachment("credential.json", b"{}")
    stream = embedded.pdf_object["/EF"]["/F"].get_object()
    stream.set_data(data)
    if filters is not None:
        stream[NameObject("/Filter")] = NameObject(filters)
    return _write(writer)


def _deflate_zeros(size: int) -> bytes:
    compressor = zlib.compressobj(9)
    chunk = b"\0" * MIB
    parts = [compressor.compress(chunk) for _ in range(size // MIB)]
    parts.append(compressor.flush())
    return b"".join(parts)


def test_no_attachment() -> None:
    assert _code(_write(_blank_pdf())) == "pdf_no_credential"


def test_two_attachments(transcript_pdf: bytes) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(transcript_pdf)))
    writer.add_attachment("other.json", b'{"id": "urn:uuid:other"}')
    assert _code(_write(writer)) == "pdf_many_credentials"


def test_two_same_name(transcript_pdf: bytes) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(transcript_pdf)))
    writer.add_attachment("credential.json", b'{"id": "urn:uuid:other"}')
    assert _code(_write(writer)) == "pdf_many_credentials"


def test_annotation_attachment_counted(transcript_pdf: bytes) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(transcript_pdf)))
    embedded = writer.add_attachment("note.txt", b"hello")
    spec_reference = embedded.pdf_object.indirect_reference
    embedded.delete()
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 30, 30)]),
            NameObject("/FS"): spec_reference,
        }
    )
    writer.add_annotation(0, annotation)
    assert _code(_write(writer)) == "pdf_many_credentials"


def test_wrong_attachment_name() -> None:
    writer = _blank_pdf()
    writer.add_attachment("transcript.json", b"{}")
    assert _code(_write(writer)) == "pdf_no_credential"


def test_attachment_not_json() -> None:
    assert _code(_with_stream(b"\x89PNG not json", filters=None)) == "pdf_no_credential"


def test_not_a_pdf() -> None:
    assert _code(b"PK\x03\x04 a zip file, not a PDF") == "pdf_invalid"


def test_broken_pdf() -> None:
    assert _code(b"%PDF-1.7\n1 0 obj << /Type /Catalog\n%%EOF") == "pdf_invalid"


def test_truncated_pdf(transcript_pdf: bytes) -> None:
    assert _code(transcript_pdf[: len(transcript_pdf) // 2]) == "pdf_invalid"


def test_encrypted_pdf() -> None:
    writer = _blank_pdf()
    writer.add_attachment("credential.json", b"{}")
    writer.encrypt("secret", algorithm="AES-128")
    assert _code(_write(writer)) == "pdf_invalid"


def test_too_large_pdf() -> None:
    oversized = b"%PDF-1.7\n" + b"\0" * (20 * MIB)
    assert _code(oversized) == "pdf_too_large"


def test_pdf_limit_off_by_one(transcript_pdf: bytes, credential_bytes: bytes) -> None:
    assert extract_credential(transcript_pdf, max_pdf_bytes=len(transcript_pdf)) == credential_bytes
    assert _code(transcript_pdf, max_pdf_bytes=len(transcript_pdf) - 1) == "pdf_too_large"


def test_attachment_limit_off_by_one(transcript_pdf: bytes, credential_bytes: bytes) -> None:
    size = len(credential_bytes)
    assert extract_credential(transcript_pdf, max_attachment_bytes=size) == credential_bytes
    assert _code(transcript_pdf, max_attachment_bytes=size - 1) == "pdf_too_large"


def test_compressed_attachment_round_trips(credential_bytes: bytes) -> None:
    pdf = _with_stream(zlib.compress(credential_bytes), filters="/FlateDecode")
    assert extract_credential(pdf) == credential_bytes


def test_compressed_limit_off_by_one(credential_bytes: bytes) -> None:
    pdf = _with_stream(zlib.compress(credential_bytes), filters="/FlateDecode")
    size = len(credential_bytes)
    assert extract_credential(pdf, max_attachment_bytes=size) == credential_bytes
    assert _code(pdf, max_attachment_bytes=size - 1) == "pdf_too_large"


def test_decompression_bomb_rejected() -> None:
    bomb = _deflate_zeros(64 * MIB)
    pdf = _with_stream(bomb, filters="/FlateDecode")
    assert len(pdf) < MIB
    started = time.perf_counter()
    assert _code(pdf) == "pdf_too_large"
    assert time.perf_counter() - started < 1.0


def test_corrupt_compressed_attachment(credential_bytes: bytes) -> None:
    damaged = zlib.compress(credential_bytes)[:-40] + b"\xff" * 40
    assert _code(_with_stream(damaged, filters="/FlateDecode")) == "pdf_invalid"


def test_truncated_compressed_attachment(credential_bytes: bytes) -> None:
    cut = zlib.compress(credential_bytes)[:-30]
    assert _code(_with_stream(cut, filters="/FlateDecode")) == "pdf_invalid"


def test_unsupported_filter(credential_bytes: bytes) -> None:
    pdf = _with_stream(credential_bytes.hex().encode(), filters="/ASCIIHexDecode")
    assert _code(pdf) == "pdf_invalid"


def test_qr_url_none_without_qr() -> None:
    assert extract_qr_url(_write(_blank_pdf())) is None


def test_qr_url_rejects_non_pdf() -> None:
    with pytest.raises(InputError) as caught:
        extract_qr_url(b"not a pdf")
    assert caught.value.code == "pdf_invalid"


def test_visible_text_blank_page() -> None:
    assert visible_text(_write(_blank_pdf())) == ""


def test_vector_qr_found_by_rendering(qr_url: str) -> None:
    # A QR code drawn as vector paths has no image object, so only the
    # pypdfium2 rendering fallback can find it.
    widget = QrCodeWidget(qr_url, barLevel="M")
    drawing = Drawing(120, 120)
    drawing.add(widget)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842), invariant=1)
    renderPDF.draw(drawing, canvas, 400, 650)
    canvas.showPage()
    canvas.save()
    assert extract_qr_url(buffer.getvalue()) == qr_url
