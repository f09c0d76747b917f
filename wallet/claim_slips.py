"""A4 claim slips as PDF: one slip per learner with the claim link's QR code, three per page."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from datetime import timedelta, timezone

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from issuer.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from wallet.claims import NewClaimLink

__all__ = ["SLIP_STEPS_VI", "render_claim_slips"]

logger = logging.getLogger(__name__)

SLIP_STEPS_VI = ("Cách nhận: 1) Mở camera điện thoại, quét mã QR. 2) Bấm «Nhận học bạ». "
                 "3) Học bạ nằm trong ví trên điện thoại này. Học sinh dưới 16 tuổi: cha mẹ "
                 "hoặc người giám hộ nhận thay. Mất điện thoại: xin nhà trường phiếu mới, "
                 "phiếu cũ sẽ hết hiệu lực.")
"""The instructions printed on every slip (also shown on the slip web page)."""

_VIETNAM_TIME = timezone(timedelta(hours=7))
_SLIPS_PER_PAGE = 3
_MARGIN = 12 * mm
_QR_SIZE = 48 * mm


def _qr_image(url: str) -> ImageReader:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=2)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().get_image().convert("L").save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def _wrap(canvas: Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if canvas.stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        lines.append(current)
        current = word
    return [*lines, current] if current else lines


def _draw_slip(canvas: Canvas, link: NewClaimLink, url: str, school_name: str,
               top: float, height: float) -> None:
    width = A4[0] - 2 * _MARGIN
    canvas.setDash(4, 3)
    canvas.rect(_MARGIN, top - height, width, height)
    canvas.setDash()
    canvas.drawImage(_qr_image(url), _MARGIN + 5 * mm, top - 5 * mm - _QR_SIZE,
                     _QR_SIZE, _QR_SIZE)

    left = _MARGIN + _QR_SIZE + 10 * mm
    text_width = _MARGIN + width - 5 * mm - left
    y = top - 11 * mm
    canvas.setFont(FONT_BOLD, 14)
    canvas.drawString(left, y, link.learner_name)
    y -= 6 * mm
    canvas.setFont(FONT_REGULAR, 10)
    for line in _wrap(canvas, f"Lớp {link.class_name} · Năm học {link.school_year} · "
                              f"{school_name}", FONT_REGULAR, 10, text_width):
        canvas.drawString(left, y, line)
        y -= 4.5 * mm
    y -= 1.5 * mm
    for line in _wrap(canvas, SLIP_STEPS_VI, FONT_REGULAR, 9, text_width):
        canvas.setFont(FONT_REGULAR, 9)
        canvas.drawString(left, y, line)
        y -= 4.2 * mm
    expires = link.expires_at.astimezone(_VIETNAM_TIME).strftime("%d/%m/%Y")
    canvas.setFont(FONT_BOLD, 9)
    canvas.drawString(left, y - 1 * mm, f"Hạn dùng: hết ngày {expires}. Mỗi mã chỉ dùng một lần.")
    canvas.setFont(FONT_REGULAR, 6.5)
    canvas.drawString(_MARGIN + 5 * mm, top - height + 4 * mm, url)


def render_claim_slips(links: Sequence[tuple[NewClaimLink, str]], school_name: str) -> bytes:
    """Render ``(link, claim URL)`` pairs as A4 slips, three per page; return the PDF."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(f"Phiếu nhận học bạ: {school_name}")
    height = (A4[1] - 2 * _MARGIN - (_SLIPS_PER_PAGE - 1) * 6 * mm) / _SLIPS_PER_PAGE
    for index, (link, url) in enumerate(links):
        slot = index % _SLIPS_PER_PAGE
        if index and slot == 0:
            canvas.showPage()
        top = A4[1] - _MARGIN - slot * (height + 6 * mm)
        _draw_slip(canvas, link, url, school_name, top, height)
    canvas.save()
    logger.info("rendered %d claim slips", len(links))
    return buffer.getvalue()
