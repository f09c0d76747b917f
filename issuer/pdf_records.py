"""Page parts shared by the PDF layouts of the non-transcript records.

The layouts follow the transcript page of ``issuer.pdf``: A4, Be Vietnam Pro, the
school and national motto header, a student block with the QR code, signatures,
a footer with the credential id, and the signed credential embedded unchanged as
``credential.json``. The same inputs always give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject, NameObject, NumberObject
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from hocba.errors import InputError
from hocba.jcs import parse_json
from hocba.qrlink import MAX_QR_URL_BYTES
from issuer.fonts import FONT_REGULAR, register_fonts
from issuer.pdf import ATTACHMENT_NAME, _qr_image, _styles

__all__ = [
    "GRID",
    "HEADER_FILL",
    "PageText",
    "attach_credential",
    "check_render_inputs",
    "header",
    "layout",
    "markup",
    "signatures",
    "student_block",
    "styles",
]

_VIETNAM_TZ = timezone(timedelta(hours=7))
GRID = colors.HexColor("#5b6470")
HEADER_FILL = colors.HexColor("#e8edf3")


def markup(text: str) -> str:
    """Escape a value for reportlab's paragraph markup, in NFC."""
    return escape(unicodedata.normalize("NFC", text))


def styles() -> dict[str, ParagraphStyle]:
    return _styles()


def check_render_inputs(credential: dict[str, Any], credential_bytes: bytes, qr_url: str) -> None:
    """Raise InputError unless ``qr_url`` is printable and the bytes encode ``credential``."""
    if not qr_url.isascii() or len(qr_url) > MAX_QR_URL_BYTES:
        raise InputError(
            f"QR URL must be ASCII and at most {MAX_QR_URL_BYTES} bytes", code="qr_invalid",
            message_vi=f"Liên kết QR phải là ký tự ASCII và dài tối đa {MAX_QR_URL_BYTES} byte.")
    if parse_json(credential_bytes) != credential:
        raise InputError(
            "credential_bytes do not encode the credential being rendered",
            code="pdf_credential_mismatch",
            message_vi="Dữ liệu đính kèm không khớp với văn bản đang in; không tạo tệp PDF.")
    register_fonts()


def _plain_table(data: list[list[Any]], widths: list[float], extra: list[tuple] = ()) -> Table:
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        *extra,
    ]))
    return table


def header(school_name: str, school_code: str, style: dict[str, ParagraphStyle]) -> Table:
    left = [Paragraph(f"<b>{markup(school_name.upper())}</b>", style["center"]),
            Paragraph(f"Mã trường: {markup(school_code)}", style["center"])]
    right = [Paragraph("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", style["center"]),
             Paragraph("<b>Độc lập - Tự do - Hạnh phúc</b>", style["center"]),
             HRFlowable(width=45 * mm, thickness=0.6, color=colors.black, spaceBefore=2)]
    return _plain_table([[left, right]], [78 * mm, 102 * mm])


def student_block(rows: list[tuple[str, str]], qr_url: str,
                  style: dict[str, ParagraphStyle]) -> Table:
    """Lay out (label, markup value) pairs beside the QR code."""
    details = _plain_table(
        [[Paragraph(f"{label}:", style["base"]), Paragraph(value, style["base"])]
         for label, value in rows],
        [38 * mm, 96 * mm], [("BOTTOMPADDING", (0, 0), (-1, -1), 3)])
    caption = Paragraph("Quét mã để xác thực<br/>Scan to verify", style["caption"])
    return _plain_table([[details, [_qr_image(qr_url), caption]]], [134 * mm, 46 * mm],
                        [("ALIGN", (1, 0), (1, 0), "CENTER")])


def signatures(left: tuple[str, str], right: tuple[str, str], issued_on: date,
               style: dict[str, ParagraphStyle], *, gap_mm: float = 14) -> Table:
    """Lay out two (title, name) signature blocks; the right one carries the date.

    ``gap_mm`` is the space left for the handwritten or stamped signature.
    """
    dated = f"ngày {issued_on:%d} tháng {issued_on:%m} năm {issued_on:%Y}"
    cells = []
    for (title, name), line in ((left, "&nbsp;"), (right, dated)):
        cells.append([Paragraph(line, style["note"]),
                      Paragraph(markup(title.upper()), style["center_bold"]),
                      Spacer(1, gap_mm * mm),
                      Paragraph(f"<b>{markup(name)}</b>", style["center"])])
    return _plain_table([cells], [90 * mm, 90 * mm])


class PageText:
    """The document texts of one PDF: title, author (the school), subject and footer."""

    def __init__(self, title: str, school_name: str, kind: str, credential_id: str) -> None:
        self.title = unicodedata.normalize("NFC", title)
        self.author = unicodedata.normalize("NFC", school_name)
        self.kind = kind
        self.credential_id = credential_id

    def footer(self) -> Callable[[Canvas, SimpleDocTemplate], None]:
        issued_by = unicodedata.normalize(
            "NFC", f"{self.kind} do {self.author} cấp. Dữ liệu gốc có chữ ký số được đính kèm "
                   f"trong tệp {ATTACHMENT_NAME}.")
        identifier = f"Mã văn bản: {self.credential_id}"

        def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
            canvas.saveState()
            canvas.setFont(FONT_REGULAR, 7)
            canvas.setFillColor(GRID)
            canvas.drawString(doc.leftMargin, 10.5 * mm, issued_by)
            canvas.drawString(doc.leftMargin, 7.5 * mm, identifier)
            canvas.drawRightString(A4[0] - doc.rightMargin, 7.5 * mm, f"Trang {doc.page}")
            canvas.restoreState()

        return draw


def layout(story: list[Flowable], text: PageText) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=12 * mm,
        bottomMargin=16 * mm, invariant=1, title=text.title, author=text.author,
        subject=text.kind, creator="hocba")
    footer = text.footer()
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _pdf_date(moment: datetime) -> str:
    return moment.strftime("D:%Y%m%d%H%M%S+07'00'")


def attach_credential(layout_pdf: bytes, credential_bytes: bytes, text: PageText,
                      issued_on: date) -> bytes:
    """Embed ``credential_bytes`` as ``credential.json`` (an associated file) and set metadata."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(layout_pdf)))
    moment = datetime.combine(issued_on, time(0, 0), tzinfo=_VIETNAM_TZ)
    embedded = writer.add_attachment(ATTACHMENT_NAME, credential_bytes)
    embedded.subtype = NameObject("/application/json")
    embedded.associated_file_relationship = NameObject("/Data")
    embedded.size = NumberObject(len(credential_bytes))
    embedded.creation_date = moment
    embedded.modification_date = moment
    embedded.checksum = ByteStringObject(
        hashlib.md5(credential_bytes, usedforsecurity=False).digest())
    writer.root_object[NameObject("/AF")] = ArrayObject([embedded.pdf_object.indirect_reference])
    writer.add_metadata({
        "/Title": text.title, "/Author": text.author,
        "/Subject": f"{text.kind} \u2013 {text.credential_id}",
        "/Keywords": "hocba, verifiable credential, open badges",
        "/Creator": "hocba", "/CreationDate": _pdf_date(moment), "/ModDate": _pdf_date(moment),
    })
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
