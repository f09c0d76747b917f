"""Render a digital-competence credential as a one-page Vietnamese A4 PDF with a QR link.

The table lists the 24 component competences grouped by domain, each with the
level reached (Bậc 1 to 8) and its band (Cơ bản, Trung cấp, Nâng cao, Chuyên sâu).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from issuer.competence import CompetenceView, read_competence
from issuer.competence_framework import load_framework
from issuer.fonts import FONT_BOLD, FONT_REGULAR, FONT_SEMIBOLD
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

__all__ = ["render_competence_pdf"]

logger = logging.getLogger(__name__)
_KIND = "Chứng nhận năng lực số"


def _levels_table(view: CompetenceView, style: dict) -> Table:
    small = style["base"].clone("small", fontSize=8.6, leading=10.4)
    rows: list[list[Any]] = [["Mã", "Năng lực thành phần", "Bậc", "Trình độ"]]
    domain_rows = []
    current = ""
    for row in view.rows:
        if row.domain_code != current:
            current = row.domain_code
            domain_rows.append(len(rows))
            rows.append([Paragraph(f"<b>{markup(row.domain_code)}. "
                                   f"{markup(row.domain_name)}</b>", small), "", "", ""])
        rows.append([row.code, Paragraph(markup(row.name), small), str(row.level), row.band])
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 8.6),
        ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
        ("FONTNAME", (2, 1), (2, -1), FONT_SEMIBOLD),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("ALIGN", (2, 0), (-1, -1), "CENTER"),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 0.4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
    ]
    for index in domain_rows:
        commands += [("SPAN", (0, index), (-1, index)),
                     ("BACKGROUND", (0, index), (-1, index), HEADER_FILL)]
    table = Table(rows, colWidths=[14 * mm, 120 * mm, 16 * mm, 30 * mm], repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _band_legend() -> str:
    bands = [f"bậc {band.levels[0]}\u2013{band.levels[-1]}: {band.name}"
             for band in load_framework().bands]
    legend = "; ".join(bands)
    return markup(legend[:1].upper() + legend[1:] + ".")


def _story(view: CompetenceView, qr_url: str, issued_on: date) -> list[Flowable]:
    style = styles()
    student = [
        ("Họ và tên", f"<b>{markup(view.student_name)}</b>"),
        ("Ngày sinh", view.birth_date.strftime("%d/%m/%Y")),
        ("Giới tính", markup(view.gender)),
        ("Lớp", markup(view.class_name)),
        ("Mã học sinh", markup(view.student_id or "—")),
        ("Năm học", markup(view.school_year)),
    ]
    return [
        header(view.school_name, view.school_code, style),
        Spacer(1, 3 * mm),
        Paragraph("CHỨNG NHẬN NĂNG LỰC SỐ", style["title"].clone("title_small", fontSize=19,
                                                                 leading=24)),
        Paragraph(markup(view.framework_name), style["subtitle"]),
        Spacer(1, 1 * mm),
        student_block(student, qr_url, style),
        Spacer(1, 2 * mm),
        _levels_table(view, style),
        Spacer(1, 1.5 * mm),
        Paragraph(_band_legend(), style["note"]),
        signatures(("Giáo viên chủ nhiệm", view.homeroom_teacher), ("Hiệu trưởng", view.principal),
                   issued_on, style, gap_mm=11),
    ]


def render_competence_pdf(credential: dict[str, Any], credential_bytes: bytes, *, qr_url: str,
                          issued_on: date) -> bytes:
    """Render the certificate page and embed ``credential_bytes`` as ``credential.json``.

    Raises ``InputError`` (``qr_invalid``, ``pdf_credential_mismatch``) like the
    transcript renderer, and ``CredentialError`` when a displayed part is missing.
    """
    check_render_inputs(credential, credential_bytes, qr_url)
    view = read_competence(credential)
    text = PageText(view.title, view.school_name, _KIND, view.credential_id)
    pdf = attach_credential(layout(_story(view, qr_url, issued_on), text), credential_bytes,
                            text, issued_on)
    logger.info("rendered digital competence PDF for %s (%d bytes)", view.credential_id, len(pdf))
    return pdf
