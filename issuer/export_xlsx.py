"""Writing a class, or the empty template, as an XLSX workbook.

Scores, grade and list number are written as numbers and the birth date as a
date cell formatted dd/mm/yyyy, as a teacher would type them; the learner id is
a text cell so that leading zeros survive. Drop-down lists (data validation)
offer Đạt/Chưa đạt and Tốt/Khá/Đạt/Chưa đạt in the result columns.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from issuer.csv_cells import AWARDS, GENDERS, LEVELS, PASS_FAIL
from issuer.curriculum import Curriculum, load_curriculum
from issuer.import_checks import term_suffix
from issuer.importer import class_rows, template_header
from issuer.records import ClassRecords
from issuer.rules import TERMS

__all__ = ["write_class_xlsx", "write_template_xlsx"]

logger = logging.getLogger(__name__)

SHEET_TITLE = "Danh sách lớp"
# Rows that carry drop-down lists in the template; well above a class size.
_VALIDATED_ROWS = 200
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_FONT = Font(bold=True, color="FFFFFF")


def _column_kinds(curriculum: Curriculum, grade: int) -> dict[str, str]:
    """Map header labels to ``score``, ``pass_fail``, ``level`` or another cell kind."""
    kinds = {"STT": "integer", "Khối": "integer", "Ngày sinh": "date", "Mã học sinh": "text",
             "Giới tính": "gender", "Danh hiệu": "award"}
    for subject in curriculum.subjects_for_grade(grade):
        kind = "score" if subject.is_scored else "pass_fail"
        for term in TERMS:
            kinds[f"{subject.csv_label} {term_suffix(term)}"] = kind
    for prefix in ("Kết quả học tập", "Kết quả rèn luyện"):
        for term in TERMS:
            kinds[f"{prefix} {term_suffix(term)}"] = "level"
    return kinds


def _typed(text: str, kind: str) -> object:
    if not text:
        return None
    if kind == "integer":
        return int(text)
    if kind == "score":
        return float(text)
    if kind == "date":
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    return text


def _list_validation(values: tuple[str, ...], title_vi: str) -> DataValidation:
    validation = DataValidation(
        type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
        showErrorMessage=True,
    )
    validation.errorTitle = "Giá trị không hợp lệ"
    validation.error = f"{title_vi}: chỉ nhận {', '.join(values)}."
    return validation


def _format_sheet(sheet: Worksheet, header: list[str], kinds: dict[str, str], rows: int) -> None:
    """Style the header, set column formats and add the drop-down lists."""
    for index, label in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.fill = _HEADER_FILL
        cell.font = _HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(len(label) + 2, 24))
    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 32

    lists = {
        "pass_fail": _list_validation(PASS_FAIL, "Kết quả môn đánh giá bằng nhận xét"),
        "level": _list_validation(LEVELS, "Mức đánh giá"),
        "gender": _list_validation(GENDERS, "Giới tính"),
        "award": _list_validation(AWARDS, "Danh hiệu"),
    }
    last_row = max(rows, _VALIDATED_ROWS)
    for index, label in enumerate(header, start=1):
        letter = get_column_letter(index)
        kind = kinds.get(label, "")
        if kind in lists:
            lists[kind].add(f"{letter}2:{letter}{last_row}")
        if kind == "date":
            for row in range(2, rows + 1):
                sheet.cell(row=row, column=index).number_format = "dd/mm/yyyy"
        if kind == "text":
            for row in range(2, last_row + 1):
                sheet.cell(row=row, column=index).number_format = "@"
    for validation in lists.values():
        if validation.sqref:
            sheet.add_data_validation(validation)


def _save(workbook: Workbook, path: str | Path) -> Path:
    workbook.properties.creator = "hocba"
    target = Path(path)
    workbook.save(target)
    return target


def write_class_xlsx(
    class_records: ClassRecords, path: str | Path, curriculum: Curriculum | None = None
) -> Path:
    """Write ``class_records`` as an XLSX workbook with the template's single worksheet."""
    curriculum = curriculum or load_curriculum()
    rows = class_rows(class_records, curriculum)
    header = rows[0]
    kinds = _column_kinds(curriculum, class_records.grade)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(header)
    for cells in rows[1:]:
        sheet.append([_typed(text, kinds.get(label, "")) for label, text in
                      zip(header, cells, strict=True)])
    _format_sheet(sheet, header, kinds, len(rows))
    target = _save(workbook, path)
    logger.info("wrote class %s (%s) to %s as XLSX",
                class_records.class_name, class_records.school_year, target.name)
    return target


def write_template_xlsx(
    path: str | Path, curriculum: Curriculum | None = None, grade: int = 8
) -> Path:
    """Write the empty class template for ``grade``: the header row and the drop-down lists."""
    curriculum = curriculum or load_curriculum()
    header = template_header(curriculum, grade)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(header)
    _format_sheet(sheet, header, _column_kinds(curriculum, grade), 1)
    return _save(workbook, path)
