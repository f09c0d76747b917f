"""Render a transcript credential as a one-page Vietnamese PDF with a QR link.

The page is laid out with reportlab platypus in Be Vietnam Pro. The signed
credential bytes are then embedded unchanged as ``credential.json`` with
pypdf. The same inputs always give the same PDF bytes: reportlab runs in
invariant mode and the document dates come from the issue date.
"""

from __future__ import annotations

import hashlib
import io
import logging
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from xml.sax.saxutils import escape

import qrcode
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject, NameObject, NumberObject
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from hocba.errors import InputError
from hocba.jcs import parse_json
from hocba.qrlink import MAX_QR_URL_BYTES
from issuer.fonts import FONT_BOLD, FONT_ITALIC, FONT_REGULAR, FONT_SEMIBOLD, register_fonts
from issuer.pdf_primary import PrimaryView, primary_story, read_primary
from issuer.primary import ACHIEVEMENT_TYPE as PRIMARY_TYPE
from issuer.transcript import TranscriptView, display_value, read_transcript

__all__ = [
    "ATTACHMENT_NAME",
    "QR_SIZE_MM",
    "render_transcript_pdf",
]

logger = logging.getLogger(__name__)

ATTACHMENT_NAME = "credential.json"
QR_SIZE_MM = 40
_VIETNAM_TZ = timezone(timedelta(hours=7))
_DASH = " \u2013 "
# Printed in a term column that the record does not carry (a transfer record).
_NOT_HERE = "\u2014"
_LEVEL_NAMES = {
    "TH": "Tiểu học",
    "THCS": "Trung học cơ sở",
    "THPT": "Trung học phổ thông",
    "GDTX": "Giáo dục thường xuyên",
}
_GRID = colors.HexColor("#5b6470")
_HEADER_FILL = colors.HexColor("#e8edf3")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _markup(text: str) -> str:
    """Escape a value for reportlab's paragraph markup, in NFC."""
    return escape(_nfc(text))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT_REGULAR, fontSize=10, leading=13)
    return {
        "base": base,
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "center_bold": ParagraphStyle(
            "center_bold", parent=base, fontName=FONT_BOLD, alignment=TA_CENTER
        ),
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=24, leading=30, alignment=TA_CENTER
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontName=FONT_SEMIBOLD, fontSize=11.5, leading=15,
            alignment=TA_CENTER,
        ),
        "caption": ParagraphStyle(
            "caption", parent=base, fontName=FONT_ITALIC, fontSize=7.5, leading=9.5,
            alignment=TA_CENTER,
        ),
        "note": ParagraphStyle("note", parent=base, fontName=FONT_ITALIC, fontSize=9, leading=12,
                               alignment=TA_CENTER),
    }


def _qr_image(qr_url: str) -> Image:
    """Build the QR code as a raster image at error correction M, 4 px per module."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=4, border=4)
    code.add_data(qr_url.encode("utf-8"))
    code.make(fit=True)
    picture = code.make_image().get_image().convert("L")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    buffer.seek(0)
    return Image(buffer, width=QR_SIZE_MM * mm, height=QR_SIZE_MM * mm)


def _header(view: TranscriptView, styles: dict[str, ParagraphStyle]) -> Table:
    left = [
        Paragraph(f"<b>{_markup(view.school_name.upper())}</b>", styles["center"]),
        Paragraph(f"Mã trường: {_markup(view.school_code)}", styles["center"]),
    ]
    right = [
        Paragraph("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", styles["center"]),
        Paragraph("<b>Độc lập - Tự do - Hạnh phúc</b>", styles["center"]),
        HRFlowable(width=45 * mm, thickness=0.6, color=colors.black, spaceBefore=2),
    ]
    table = Table([[left, right]], colWidths=[78 * mm, 102 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _student_block(view: TranscriptView, qr_url: str, styles: dict[str, ParagraphStyle]) -> Table:
    rows = [
        ("Họ và tên", f"<b>{_markup(view.student_name)}</b>"),
        ("Ngày sinh", view.birth_date.strftime("%d/%m/%Y")),
        ("Giới tính", _markup(view.gender)),
        ("Lớp", _markup(view.class_name)),
        (f"Mã {view.learner_term}", _markup(view.student_id or "—")),
        ("Năm học", _markup(view.school_year)),
    ]
    details = Table(
        [[Paragraph(f"{label}:", styles["base"]), Paragraph(value, styles["base"])]
         for label, value in rows],
        colWidths=[30 * mm, 100 * mm],
    )
    details.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    caption = Paragraph("Quét mã để xác thực<br/>Scan to verify", styles["caption"])
    qr_cell = [_qr_image(qr_url), caption]
    block = Table([[details, qr_cell]], colWidths=[134 * mm, 46 * mm])
    block.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("VALIGN", (0, 0), (0, 0), "MIDDLE"),
        ("VALIGN", (1, 0), (1, 0), "TOP"),
        ("ALIGN", (1, 0), (1, 0), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return block


def _results_table(view: TranscriptView, styles: dict[str, ParagraphStyle]) -> Table:
    header = ["Môn học", "Học kỳ I", "Học kỳ II", "Cả năm"]
    rows: list[list[object]] = [header]
    for row in view.subjects:
        rows.append([
            Paragraph(_markup(row.name), styles["base"]),
            *(_nfc(display_value(value)) or _NOT_HERE for value in (row.hk1, row.hk2, row.cn)),
        ])
    first_summary = len(rows)
    for label, results in (("Kết quả học tập", view.academic), ("Kết quả rèn luyện", view.conduct)):
        rows.append([label, *(_nfc(results[term]) or _NOT_HERE for term in ("hk1", "hk2", "cn"))])

    table = Table(rows, colWidths=[84 * mm, 32 * mm, 32 * mm, 32 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
        ("FONTNAME", (0, first_summary), (-1, -1), FONT_SEMIBOLD),
        ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
        ("BACKGROUND", (0, first_summary), (-1, -1), _HEADER_FILL),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.5, _GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.2),
    ]))
    return table


def _signatures(view: TranscriptView, issued_on: date, styles: dict[str, ParagraphStyle]) -> Table:
    dated = f"ngày {issued_on:%d} tháng {issued_on:%m} năm {issued_on:%Y}"
    left = [
        Paragraph("&nbsp;", styles["note"]),
        Paragraph("GIÁO VIÊN CHỦ NHIỆM", styles["center_bold"]),
        Spacer(1, 14 * mm),
        Paragraph(f"<b>{_markup(view.homeroom_teacher)}</b>", styles["center"]),
    ]
    right = [
        Paragraph(dated, styles["note"]),
        Paragraph(_markup(view.head_title.upper()), styles["center_bold"]),
        Spacer(1, 14 * mm),
        Paragraph(f"<b>{_markup(view.principal)}</b>", styles["center"]),
    ]
    table = Table([[left, right]], colWidths=[90 * mm, 90 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _story(view: TranscriptView, qr_url: str, issued_on: date) -> list[Flowable]:
    styles = _styles()
    level = view.level_name or _LEVEL_NAMES.get(view.education_level, view.education_level)
    subtitle = f"{level}{_DASH}Lớp {view.grade}{_DASH}Năm học {view.school_year}"
    if isinstance(view, PrimaryView):
        results = primary_story(view, styles)
    else:
        award = view.award_title or "Không"
        results = [_results_table(view, styles), Spacer(1, 3 * mm),
                   Paragraph(f"<b>Danh hiệu:</b> {_markup(award)}", styles["base"])]
    return [
        _header(view, styles),
        Spacer(1, 7 * mm),
        Paragraph("HỌC BẠ", styles["title"]),
        Paragraph(_markup(subtitle), styles["subtitle"]),
        Spacer(1, 5 * mm),
        _student_block(view, qr_url, styles),
        Spacer(1, 4 * mm),
        *results,
        Paragraph(
            f"<b>Nhận xét của giáo viên chủ nhiệm:</b> {_markup(view.remark or '—')}",
            styles["base"],
        ),
        *(Paragraph(note, styles["base"]) for note in _school_life_notes(view)),
        Paragraph(f"<b>Ngày cấp:</b> {issued_on:%d/%m/%Y}", styles["base"]),
        Spacer(1, 3 * mm),
        _signatures(view, issued_on, styles),
    ]


def _school_life_notes(view: TranscriptView | PrimaryView) -> list[str]:
    """Return the printed notes of a transfer and of a back-filled record, as markup."""
    notes = []
    transfer = getattr(view, "transfer", None)
    if transfer is not None:
        day = f"{transfer.transfer_date:%d/%m/%Y}"
        school = _markup(transfer.other_school)
        if transfer.direction == "out":
            notes.append(f"<b>Chuyển trường:</b> chuyển đi ngày {day}, đến {school}. "
                         "Học bạ này chỉ ghi các học kỳ học tại trường; kết quả cả năm do "
                         "trường chuyển đến ghi.")
        else:
            notes.append(f"<b>Chuyển trường:</b> chuyển đến ngày {day}, từ {school}. "
                         "Kết quả Học kỳ I ghi trong học bạ của trường chuyển đi.")
    backfill_date = getattr(view, "backfill_date", None)
    if backfill_date is not None:
        as_of = getattr(view, "name_as_of", None)
        named = f"; tên trường theo sổ đăng ký tại ngày {as_of:%d/%m/%Y}" if as_of else ""
        notes.append(f"<b>Nhập bổ sung</b> từ hồ sơ lưu trữ năm học {_markup(view.school_year)}, "
                     f"cấp ngày {backfill_date:%d/%m/%Y}{named}.")
    return notes


def _draw_footer(view: TranscriptView) -> Callable[[Canvas, SimpleDocTemplate], None]:
    issued_by = _nfc(
        f"Học bạ số do {view.school_name} cấp. Dữ liệu gốc có chữ ký số được đính kèm "
        f"trong tệp {ATTACHMENT_NAME}."
    )
    identifier = f"Mã văn bản: {view.credential_id}"

    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT_REGULAR, 7)
        canvas.setFillColor(_GRID)
        canvas.drawString(doc.leftMargin, 10.5 * mm, issued_by)
        canvas.drawString(doc.leftMargin, 7.5 * mm, identifier)
        canvas.drawRightString(A4[0] - doc.rightMargin, 7.5 * mm, f"Trang {doc.page}")
        canvas.restoreState()

    return draw


def _pdf_date(issued_on: date) -> str:
    moment = datetime.combine(issued_on, time(0, 0), tzinfo=_VIETNAM_TZ)
    return moment.strftime("D:%Y%m%d%H%M%S+07'00'")


def _layout(view: TranscriptView, qr_url: str, issued_on: date) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=16 * mm,
        invariant=1,
        title=_nfc(view.title),
        author=_nfc(view.school_name),
        subject="Học bạ số",
        creator="hocba",
    )
    footer = _draw_footer(view)
    document.build(_story(view, qr_url, issued_on), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _attach(layout_pdf: bytes, credential_bytes: bytes, view: TranscriptView,
            issued_on: date) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(layout_pdf)))
    moment = datetime.combine(issued_on, time(0, 0), tzinfo=_VIETNAM_TZ)

    embedded = writer.add_attachment(ATTACHMENT_NAME, credential_bytes)
    embedded.subtype = NameObject("/application/json")
    embedded.associated_file_relationship = NameObject("/Data")
    embedded.size = NumberObject(len(credential_bytes))
    embedded.creation_date = moment
    embedded.modification_date = moment
    md5 = hashlib.md5(credential_bytes, usedforsecurity=False).digest()
    embedded.checksum = ByteStringObject(md5)
    writer.root_object[NameObject("/AF")] = ArrayObject([embedded.pdf_object.indirect_reference])

    writer.add_metadata({
        "/Title": _nfc(view.title),
        "/Author": _nfc(view.school_name),
        "/Subject": f"Học bạ số{_DASH}{view.credential_id}",
        "/Keywords": "học bạ số, hocba, verifiable credential",
        "/Creator": "hocba",
        "/CreationDate": _pdf_date(issued_on),
        "/ModDate": _pdf_date(issued_on),
    })
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def render_transcript_pdf(credential: dict, credential_bytes: bytes, *, qr_url: str,
                          issued_on: date) -> bytes:
    """Render the transcript page and embed ``credential_bytes`` as ``credential.json``.

    ``credential_bytes`` must be the signed JSON of ``credential`` exactly as
    issued. Raises ``InputError`` with code ``pdf_credential_mismatch`` when
    they differ or ``qr_invalid`` when ``qr_url`` cannot be printed, and
    ``CredentialError`` when the credential lacks a displayed part.
    """
    if not qr_url.isascii() or len(qr_url) > MAX_QR_URL_BYTES:
        raise InputError(
            f"QR URL must be ASCII and at most {MAX_QR_URL_BYTES} bytes",
            code="qr_invalid",
            message_vi=f"Liên kết QR phải là ký tự ASCII và dài tối đa {MAX_QR_URL_BYTES} byte.",
        )
    if parse_json(credential_bytes) != credential:
        raise InputError(
            "credential_bytes do not encode the credential being rendered",
            code="pdf_credential_mismatch",
            message_vi="Dữ liệu đính kèm không khớp với học bạ đang in; không tạo tệp PDF.",
        )
    register_fonts()
    achievement = credential.get("credentialSubject", {}).get("achievement", {})
    if isinstance(achievement, dict) and achievement.get("achievementType") == PRIMARY_TYPE:
        view: TranscriptView | PrimaryView = read_primary(credential)
    else:
        view = read_transcript(credential)

    layout_pdf = _layout(view, qr_url, issued_on)
    pdf = _attach(layout_pdf, credential_bytes, view, issued_on)
    logger.info("rendered transcript PDF for %s (%d bytes)", view.credential_id, len(pdf))
    return pdf
