"""Render a lower-secondary completion confirmation as a one-page Vietnamese A4 PDF.

The page shows the student, the grade 9 year results, and the confirmation's
serial number, register entry number, graduation decision and date of issue
(dd/mm/yyyy), with the QR link and the credential embedded.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from issuer.completion import CompletionView, load_record_type, read_completion
from issuer.fonts import FONT_REGULAR
from issuer.pdf_records import (
    GRID,
    HEADER_FILL,
    PageText,
    attach_credential,
    check_render_inputs,
    header,
    layout,
    markup,
    signatures,
    student_block,
    styles,
)

__all__ = ["render_completion_pdf"]

logger = logging.getLogger(__name__)
_KIND = "Xác nhận hoàn thành chương trình THCS"


def _facts_table(view: CompletionView, style: dict) -> Table:
    rows = [
        ["Kết quả học tập cả năm lớp 9", view.academic],
        ["Kết quả rèn luyện cả năm lớp 9", view.conduct],
        ["Danh hiệu", view.award_title or "Không"],
        ["Số quyết định công nhận tốt nghiệp", view.decision_number],
        ["Số hiệu", view.serial_number],
        ["Số vào sổ gốc", view.register_entry_number],
        ["Ngày cấp", view.issued_on.strftime("%d/%m/%Y")],
    ]
    cells = [[Paragraph(markup(label), style["base"]),
              Paragraph(f"<b>{markup(value)}</b>", style["base"])] for label, value in rows]
    table = Table(cells, colWidths=[80 * mm, 100 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _story(view: CompletionView, qr_url: str, issued_on: date) -> list[Flowable]:
    style = styles()
    record_type = load_record_type()
    student = [
        ("Họ và tên", f"<b>{markup(view.student_name)}</b>"),
        ("Ngày sinh", view.birth_date.strftime("%d/%m/%Y")),
        ("Giới tính", markup(view.gender)),
        ("Lớp", markup(view.class_name)),
        ("Mã học sinh", markup(view.student_id or "—")),
        ("Năm học", markup(view.school_year)),
    ]
    statement = (f"Hiệu trưởng {markup(view.school_name)} xác nhận học sinh "
                 f"<b>{markup(view.student_name)}</b> đã hoàn thành chương trình trung học cơ sở "
                 f"năm học {markup(view.school_year)}, theo {markup(record_type['circular'])}.")
    return [
        header(view.school_name, view.school_code, style),
        Spacer(1, 8 * mm),
        Paragraph(markup(record_type["title"]), style["title"].clone("title_small", fontSize=15,
                                                                     leading=22)),
        Paragraph(markup(record_type["nameEn"]), style["subtitle"]),
        Spacer(1, 6 * mm),
        student_block(student, qr_url, style),
        Spacer(1, 5 * mm),
        Paragraph(statement, style["base"]),
        Spacer(1, 4 * mm),
        _facts_table(view, style),
        Spacer(1, 6 * mm),
        signatures(("Giáo viên chủ nhiệm", view.homeroom_teacher),
                   ("Hiệu trưởng", view.principal), view.issued_on, style),
    ]


def render_completion_pdf(credential: dict[str, Any], credential_bytes: bytes, *, qr_url: str,
                          issued_on: date) -> bytes:
    """Render the confirmation page and embed ``credential_bytes`` as ``credential.json``.

    The page is dated with the confirmation's own date of issue; ``issued_on``
    dates the PDF file (its metadata and attachment).
    """
    check_render_inputs(credential, credential_bytes, qr_url)
    view = read_completion(credential)
    text = PageText(view.title, view.school_name, _KIND, view.credential_id)
    pdf = attach_credential(layout(_story(view, qr_url, issued_on), text), credential_bytes,
                            text, issued_on)
    logger.info("rendered completion confirmation PDF for %s (%d bytes)", view.credential_id,
                len(pdf))
    return pdf
