"""Normalize a record spreadsheet, CSV or XLSX, to the plain CSV that the record readers parse.

The primary, upper-secondary, continuing-education, completion and competence
readers read a CSV whose header is on row 1. Schools also upload XLSX
workbooks and exports with a title row or a two-row header above the students.
``normalize_sheet`` finds the header with the THCS importer's
``locate_header``, converts XLSX cells with its ``cell_text`` (date serials in
the date columns become dd/mm/yyyy), rejects formula cells, and writes one CSV
row per student. ``row_numbers`` maps each CSV row back to the spreadsheet row
a person reads, so that ``restore_rows`` can report problems against the
uploaded file.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from hocba.errors import ImportRowsError, InputError
from issuer.import_encoding import decode_utf8, find_mojibake, guess_legacy_encoding
from issuer.import_header import header_key, locate_header
from issuer.import_rows import ImportProblem
from issuer.import_table import FILE_ROW, MAX_STUDENT_ROWS
from issuer.import_xlsx import FormulaCell, cell_text, read_xlsx_sheet

__all__ = ["NormalizedSheet", "is_xlsx", "normalize_sheet", "restore_rows", "sheet_problems"]

logger = logging.getLogger(__name__)

# Header rows and a title above them may precede the student rows of a sheet.
_MAX_SHEET_ROWS = MAX_STUDENT_ROWS + 20
_TERM_SUFFIXES = (" hki", " hkii", " cn")
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class NormalizedSheet:
    """The sheet as CSV bytes, the sheet row of each CSV row, the names and the cell problems."""

    csv_bytes: bytes
    row_numbers: dict[int, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)


def is_xlsx(data: bytes, file_name: str) -> bool:
    """Tell whether an upload is an XLSX workbook, by its suffix or else by its bytes."""
    suffix = PurePath(file_name).suffix.casefold()
    if suffix:
        return suffix == ".xlsx"
    return data.startswith(_ZIP_MAGIC)


def _group_labels(columns: list[str]) -> set[str]:
    """Return the keys of labels that head a group of term columns, such as ``Toán``."""
    groups = set()
    for column in columns:
        key = header_key(column)
        for suffix in _TERM_SUFFIXES:
            if key.endswith(suffix):
                groups.add(key.removesuffix(suffix))
    return groups


def _csv_rows(data: bytes) -> list[tuple[int, list[object]]]:
    """Return the non-blank rows of a UTF-8 CSV; raise ``InputError`` for other encodings."""
    text, bad_offset = decode_utf8(data)
    if bad_offset is not None:
        encoding = guess_legacy_encoding(data)
        raise InputError(
            f"the file is not valid UTF-8 (byte offset {bad_offset}); it looks like "
            f"{encoding}. Save it as CSV UTF-8", code="invalid_encoding",
            message_vi=f"Tệp không phải UTF-8; có vẻ được lưu bằng bảng mã {encoding}. Trong "
                       "Excel hãy chọn File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)' "
                       "rồi nhập lại.")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                                  strict=True))
    except csv.Error as exc:
        raise InputError(f"the file is not valid CSV: {exc}", code="invalid_csv",
                         message_vi="Tệp không đọc được theo định dạng CSV (dấu ngoặc kép "
                                    "không khớp?).") from exc
    return [(number, list(record)) for number, record in enumerate(records, start=1)
            if any(cell.strip() for cell in record)]


def _cell_problem(row: int, column: str, value: object, text: str) -> ImportProblem | None:
    if isinstance(value, FormulaCell):
        return ImportProblem(
            row, column, value.text,
            f"Ô {value.reference} chứa công thức {value.text!r}; hocba không tính công thức. "
            "Hãy sao chép rồi dán dạng giá trị (Paste Values).",
            f"cell {value.reference} contains the formula {value.text!r}; formulas are not "
            "evaluated, paste the values instead",
            "formula_cell")
    repaired = find_mojibake(text)
    if repaired is not None:
        return ImportProblem(
            row, column, text,
            f"Ô có chữ bị lỗi bảng mã: {text!r}, có lẽ đúng là {repaired!r}. Hãy gõ lại "
            "hoặc xuất lại tệp từ phần mềm gốc dạng UTF-8.",
            f"the cell looks like UTF-8 text misread as CP1252: {text!r} was probably "
            f"{repaired!r}",
            "mojibake")
    return None


def _convert(value: object, column: str, date_columns: set[str], date_1904: bool,
             xlsx: bool) -> str:
    if not xlsx:
        return "" if value is None else str(value)
    return cell_text(value, birth_date=header_key(column) in date_columns, date_1904=date_1904)


def normalize_sheet(data: bytes, file_name: str, columns: list[str],
                    date_columns: tuple[str, ...]) -> NormalizedSheet:
    """Return the upload as a header-first CSV of its student rows.

    ``columns`` are the template's column labels, used to find the header row.
    Raise ``InputError`` for a CSV that is not UTF-8 or not valid CSV, and for a
    workbook that cannot be read or has too many rows.
    """
    xlsx = is_xlsx(data, file_name)
    date_1904 = False
    if xlsx:
        sheet = read_xlsx_sheet(data, max_rows=_MAX_SHEET_ROWS)
        rows, date_1904 = sheet.rows, sheet.date_1904
    else:
        rows = _csv_rows(data)
    if not rows:
        return NormalizedSheet(b"")

    known = {header_key(column) for column in columns}
    layout, body = locate_header(rows, known, _group_labels(columns))
    labels = layout.labels
    dates = {header_key(column) for column in date_columns}
    name_key = header_key("Họ và tên")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(labels)
    result = NormalizedSheet(b"", {1: layout.row})
    for csv_row, (number, cells) in enumerate(body, start=2):
        width = max(len(labels), len(cells))
        texts = []
        for index in range(width):
            value = cells[index] if index < len(cells) else None
            column = labels[index] if index < len(labels) else ""
            try:
                text = _convert(value, column, dates, date_1904, xlsx)
            except InputError as exc:
                result.problems.append(ImportProblem(number, column, str(value), exc.message_vi,
                                                     str(exc), exc.code))
                text = ""
            problem = _cell_problem(number, column, value, text)
            if problem is not None:
                result.problems.append(problem)
            if header_key(column) == name_key:
                result.names[number] = text
            texts.append(text)
        while len(texts) > len(labels) and not texts[-1]:
            texts.pop()
        writer.writerow(texts)
        result.row_numbers[csv_row] = number
    result.csv_bytes = ("\ufeff" + out.getvalue()).encode("utf-8")
    logger.debug("normalized %s: header on row %d, %d rows", "XLSX" if xlsx else "CSV",
                 layout.row, len(body))
    return result


def restore_rows(problems: list[ImportProblem], sheet: NormalizedSheet) -> list[ImportProblem]:
    """Return ``problems`` with CSV row numbers replaced by the uploaded sheet's row numbers."""
    return [replace(problem, row=sheet.row_numbers.get(problem.row, problem.row))
            if problem.row != FILE_ROW else problem for problem in problems]


def sheet_problems(error: ImportRowsError, sheet: NormalizedSheet) -> list[ImportProblem]:
    """Merge a reader's problems with the sheet's cell problems, one per cell, sorted by row."""
    cells = list(sheet.problems)
    flagged = {(problem.row, problem.column) for problem in cells}
    restored = [problem for problem in restore_rows(error.problems, sheet)
                if (problem.row, problem.column) not in flagged]
    return sorted(cells + restored, key=lambda item: item.row)
