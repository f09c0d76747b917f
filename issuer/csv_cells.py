"""Parsers for single cells of the class spreadsheet.

Every parser takes the raw cell text and returns the normalised value, or raises
``CellError`` with a machine code and a message in Vietnamese and English. The
importer turns a ``CellError`` into an ``ImportProblem`` naming the row and column.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from hocba.errors import InputError
from issuer.rules import format_score

__all__ = [
    "GENDERS",
    "LEVELS",
    "CellError",
    "clean_text",
    "parse_award",
    "parse_birth_date",
    "parse_class_name",
    "parse_gender",
    "parse_grade",
    "parse_level",
    "parse_name",
    "parse_pass_fail",
    "parse_remark",
    "parse_row_index",
    "parse_school_year",
    "parse_score",
    "parse_student_id",
]

GENDERS = ("Nam", "Nữ")
LEVELS = ("Tốt", "Khá", "Đạt", "Chưa đạt")
PASS_FAIL = ("Đạt", "Chưa đạt")
AWARDS = ("Học sinh Xuất sắc", "Học sinh Giỏi")

_FORMULA_PREFIXES = ("=", "+", "-", "@")
# Letters that look like Đ/đ but are other code points (Icelandic eth, African D).
_LOOKALIKES = {"\u00d0": "Đ", "\u00f0": "đ", "\u0189": "Đ", "\u0256": "đ"}
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_DMY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_EXCEL_SERIAL = re.compile(r"^\d{4,6}(?:[.,]\d+)?$")
_SCHOOL_YEAR = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")
_CLASS_NAME = re.compile(r"^[0-9]{1,2}[A-ZĐ0-9/.-]{0,8}$")
_MAX_NAME = 100
_MAX_REMARK = 1000
_TEN = Decimal(10)
_ONE_DECIMAL = Decimal("0.1")


class CellError(InputError):
    """A cell whose value cannot be accepted; ``message_vi`` is shown to the user."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en, code=code, message_vi=message_vi)
        self.message_en = message_en


def clean_text(raw: str) -> str:
    """Return ``raw`` in NFC with outer spaces removed and inner runs of spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", raw)).strip()


def _reject_formula(text: str) -> None:
    if text.startswith(_FORMULA_PREFIXES):
        raise CellError(
            "formula_cell",
            "Ô bắt đầu bằng =, +, - hoặc @ trông như công thức bảng tính; hãy nhập giá trị thuần.",
            "the cell starts with =, +, - or @ and looks like a spreadsheet formula",
        )


def _required(text: str) -> None:
    if not text:
        raise CellError("missing_value", "Ô này không được để trống.", "the cell is empty")


def parse_name(raw: str) -> str:
    """Parse a full name: Latin letters, spaces and inner apostrophes, at least two words."""
    text = clean_text(raw)
    _required(text)
    _reject_formula(text)
    for char in text:
        if char in _LOOKALIKES:
            raise CellError(
                "lookalike_letter",
                f"Chữ {char!r} không phải chữ Đ/đ tiếng Việt; "
                f"hãy gõ lại bằng {_LOOKALIKES[char]!r}.",
                f"letter U+{ord(char):04X} is not the Vietnamese Đ/đ (U+0110/U+0111)",
            )
    if any(char.isdigit() for char in text):
        raise CellError(
            "invalid_name", "Họ và tên không được chứa chữ số.", "a name contains digits"
        )
    for index, char in enumerate(text):
        if char == " ":
            continue
        if char in "'\u2019" and 0 < index < len(text) - 1 and text[index - 1] != " ":
            continue
        is_letter = unicodedata.category(char).startswith("L")
        if not (is_letter and "LATIN" in unicodedata.name(char, "")):
            raise CellError(
                "invalid_name",
                f"Họ và tên chỉ gồm chữ cái và dấu cách; ký tự {char!r} không hợp lệ.",
                f"a name may contain only letters and spaces, not U+{ord(char):04X}",
            )
    # NOTE: the two-word minimum is a plausibility check, not a legal rule.
    if len(text.split(" ")) < 2:
        raise CellError(
            "invalid_name",
            "Cần ghi đầy đủ họ và tên (ít nhất hai từ).",
            "a full name needs at least two words",
        )
    if len(text) > _MAX_NAME:
        raise CellError(
            "invalid_name", f"Họ và tên dài quá {_MAX_NAME} ký tự.", "a name is too long"
        )
    return text


def parse_score(raw: str) -> str:
    """Parse a subject average from 0 to 10 with at most one decimal (``8,5``, ``8.5``, ``8``)."""
    text = clean_text(raw)
    _required(text)
    if text.startswith("-") and _NUMBER.match(text):
        raise CellError(
            "score_out_of_range",
            f"Điểm {text} không hợp lệ: điểm phải từ 0 đến 10.",
            f"score {text} is outside 0 to 10",
        )
    _reject_formula(text)
    if not _NUMBER.match(text):
        raise CellError(
            "invalid_score",
            f"{text!r} không phải là điểm; hãy ghi số từ 0 đến 10, ví dụ 8,5.",
            f"{text!r} is not a score; expected a number from 0 to 10 such as 8.5",
        )
    value = Decimal(text.replace(",", "."))
    if value > _TEN:
        raise CellError(
            "score_out_of_range",
            f"Điểm {text} không hợp lệ: điểm phải từ 0 đến 10.",
            f"score {text} is outside 0 to 10",
        )
    if value != value.quantize(_ONE_DECIMAL):
        raise CellError(
            "score_too_precise",
            f"Điểm {text} có quá một chữ số thập phân; hãy làm tròn đến một chữ số, ví dụ 8,6.",
            f"score {text} has more than one decimal",
        )
    return format_score(value)


def _one_of(raw: str, allowed: tuple[str, ...], code: str, what_vi: str, what_en: str) -> str:
    text = clean_text(raw)
    _required(text)
    _reject_formula(text)
    for value in allowed:
        if text.casefold() == value.casefold():
            return value
    choices = ", ".join(allowed)
    raise CellError(
        code,
        f"{what_vi} {text!r} không hợp lệ; chỉ nhận: {choices}.",
        f"{what_en} {text!r} is invalid; expected one of: {choices}",
    )


def parse_pass_fail(raw: str) -> str:
    """Parse a comment-only subject result: Đạt or Chưa đạt."""
    return _one_of(raw, PASS_FAIL, "invalid_pass_fail", "Kết quả", "pass/fail result")


def parse_level(raw: str) -> str:
    """Parse an academic or conduct result: Tốt, Khá, Đạt or Chưa đạt."""
    return _one_of(raw, LEVELS, "invalid_level", "Mức đánh giá", "level")


def parse_gender(raw: str) -> str:
    """Parse a gender: Nam or Nữ."""
    return _one_of(raw, GENDERS, "invalid_gender", "Giới tính", "gender")


def parse_award(raw: str) -> str | None:
    """Parse an award title; an empty cell means no title."""
    if not clean_text(raw):
        return None
    return _one_of(raw, AWARDS, "invalid_award", "Danh hiệu", "award title")


def parse_birth_date(raw: str) -> date:
    """Parse a date of birth written dd/mm/yyyy or yyyy-mm-dd."""
    text = clean_text(raw)
    _required(text)
    _reject_formula(text)
    if _EXCEL_SERIAL.match(text):
        raise CellError(
            "invalid_date",
            f"{text!r} là số ngày kiểu Excel; hãy định dạng cột Ngày sinh là văn bản dd/mm/yyyy.",
            f"{text!r} looks like an Excel date serial; format the column as text dd/mm/yyyy",
        )
    match = _DMY.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = _ISO.match(text)
        if not match:
            raise CellError(
                "invalid_date",
                f"Ngày sinh {text!r} sai định dạng; hãy ghi dd/mm/yyyy, ví dụ 14/09/2012.",
                f"date {text!r} is not dd/mm/yyyy or yyyy-mm-dd",
            )
        year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise CellError(
            "invalid_date",
            f"Ngày sinh {text!r} không tồn tại trên lịch.",
            f"date {text!r} does not exist",
        ) from exc


def parse_student_id(raw: str) -> str:
    """Parse the optional 10-digit learner id; an empty cell gives an empty string."""
    text = clean_text(raw)
    if not text:
        return ""
    if not (len(text) == 10 and text.isascii() and text.isdigit()):
        raise CellError(
            "invalid_student_id",
            f"Mã học sinh {text!r} phải gồm đúng 10 chữ số (hoặc để trống).",
            f"student id {text!r} must be exactly 10 digits or empty",
        )
    return text


def parse_school_year(raw: str) -> str:
    """Parse a school year ``2025-2026``: two consecutive years."""
    text = clean_text(raw)
    _required(text)
    match = _SCHOOL_YEAR.match(text)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise CellError(
            "invalid_school_year",
            f"Năm học {text!r} không hợp lệ; hãy ghi hai năm liên tiếp, ví dụ 2025-2026.",
            f"school year {text!r} must be two consecutive years such as 2025-2026",
        )
    return f"{match.group(1)}-{match.group(2)}"


def parse_grade(raw: str, grades: tuple[int, ...]) -> int:
    """Parse a grade (khối) that must be one of ``grades``."""
    text = clean_text(raw)
    _required(text)
    if not (text.isascii() and text.isdigit()) or int(text) not in grades:
        allowed = ", ".join(str(grade) for grade in grades)
        raise CellError(
            "invalid_grade",
            f"Khối {text!r} không hợp lệ; chỉ nhận: {allowed}.",
            f"grade {text!r} is invalid; expected one of {allowed}",
        )
    return int(text)


def parse_class_name(raw: str) -> str:
    """Parse a class name such as ``8A1``: the grade number, then letters or digits."""
    text = clean_text(raw).upper()
    _required(text)
    _reject_formula(text)
    if not _CLASS_NAME.match(text):
        raise CellError(
            "invalid_class_name",
            f"Tên lớp {text!r} không hợp lệ; hãy ghi như 8A1.",
            f"class name {text!r} is invalid; expected a name such as 8A1",
        )
    return text


def parse_remark(raw: str) -> str:
    """Parse the homeroom teacher's remark: free text, possibly empty."""
    text = clean_text(raw)
    if not text:
        return ""
    _reject_formula(text)
    if len(text) > _MAX_REMARK:
        raise CellError(
            "remark_too_long",
            f"Nhận xét dài quá {_MAX_REMARK} ký tự.",
            f"the remark is longer than {_MAX_REMARK} characters",
        )
    return text


def parse_row_index(raw: str) -> int | None:
    """Parse the optional list number (STT)."""
    text = clean_text(raw)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise CellError(
            "invalid_row_index",
            f"STT {text!r} phải là số nguyên dương.",
            f"list number {text!r} must be a positive integer",
        )
    return int(text)
