"""Sample class files of every record type: a good CSV, the same class as XLSX, and a bad CSV.

The XLSX copy is what a school's export looks like: a title row above the
header, numbers and dates as typed cells, and the first student's birth date as
an Excel date serial. Each bad CSV changes one cell of the second student
(spreadsheet row 3) to a value its reader rejects.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl

from issuer.curriculum import load_curriculum
from issuer.elective_csv import write_elective_class_csv
from issuer.importer import write_class_csv
from issuer.primary_csv import write_primary_csv
from issuer.rules import load_rules
from scripts.sample_data import (
    SampleSchool,
    _generate_graded,
    generate_primary_class,
    generate_school,
    generate_thpt_school,
)
from scripts.sample_records import write_sample_records

__all__ = ["SAMPLE_TYPES", "RecordSample", "bad_copy", "build_sample", "xlsx_copy"]

# Record type alias → (column of the bad cell, bad value, expected problem code).
SAMPLE_TYPES = {
    "thcs": ("Toán HKI", "11", "score_out_of_range"),
    "primary": ("Toán KTĐK", "8.5", "invalid_test_score"),
    "thpt": ("Toán HKI", "11", "score_out_of_range"),
    "gdtx": ("Toán HKI", "11", "score_out_of_range"),
    "completion": ("Ngày cấp", "31/02/2026", "invalid_date"),
    "competence": ("NL 1.1", "9", "invalid_competence_level"),
}
_CENTRE = SampleSchool("gdtx-cu-chi", "Trung tâm GDNN-GDTX Củ Chi", "79785701", "79",
                       "Phạm Văn Lộc", (("10B1", "Võ Thị Hạnh"),))
_ELECTIVES = ("VAT_LI", "HOA_HOC", "SINH_HOC", "TIN_HOC")
_DATE_COLUMNS = ("Ngày sinh", "Ngày cấp", "Ngày chuyển")
_TEXT_COLUMNS = ("Mã học sinh", "Số hiệu", "Số vào sổ gốc", "Năm học",
                 "Số quyết định công nhận tốt nghiệp")
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class RecordSample:
    """One class of a record type as files, and the first student's birth date."""

    alias: str
    good_csv: bytes
    good_xlsx: bytes
    bad_csv: bytes
    first_birth_date: str


def _good_csv(alias: str, folder: Path, size: int) -> bytes:
    if alias == "thcs":
        records = generate_school(11, "2025-2026")[0]
        records = type(records)(records.class_name, records.grade, records.school_year,
                                records.homeroom_teacher, records.students[:size])
        return write_class_csv(records, folder / "thcs.csv").read_bytes()
    if alias == "primary":
        primary = load_curriculum("tieu-hoc-2018")
        return write_primary_csv(generate_primary_class(3, size=size), folder / "primary.csv",
                                 primary).read_bytes()
    if alias == "thpt":
        records = generate_thpt_school(5, sizes=(size, size))[0]
        return write_elective_class_csv(records, folder / "thpt.csv",
                                        load_curriculum("thpt-2018")).read_bytes()
    if alias == "gdtx":
        gdtx = load_curriculum("gdtx-thpt")
        records = _generate_graded(_CENTRE, 4, "2025-2026", (size, size),
                                   gdtx.with_electives(_ELECTIVES), load_rules())[0]
        return write_elective_class_csv(records, folder / "gdtx.csv", gdtx).read_bytes()
    competence, completion = write_sample_records(folder / alias, size=size)
    return (competence if alias == "competence" else completion).read_bytes()


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _typed(column: str, text: str) -> object:
    if not text or column in _TEXT_COLUMNS:
        return text
    if column in _DATE_COLUMNS:
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def xlsx_copy(data: bytes, title: str = "DANH SÁCH LỚP", formula_at: str = "") -> bytes:
    """Return the CSV ``data`` as an XLSX workbook with a title row and typed cells.

    The first student's birth date is written as an Excel serial number. With
    ``formula_at`` (a column label), the first student's cell in that column
    contains a formula.
    """
    rows = _rows(data)
    header = rows[0]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([title])
    sheet.append(header)
    for index, row in enumerate(rows[1:]):
        cells = [_typed(column, text) for column, text in zip(header, row, strict=False)]
        birth = header.index("Ngày sinh")
        if index == 0 and isinstance(cells[birth], date):
            cells[birth] = (cells[birth] - _EXCEL_EPOCH).days
        if index == 0 and formula_at:
            cells[header.index(formula_at)] = "=1+1"
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bad_copy(data: bytes, column: str, value: str, row_index: int = 1) -> bytes:
    """Return ``data`` with one cell of student ``row_index`` (0-based) replaced."""
    rows = _rows(data)
    rows[row_index + 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def build_sample(alias: str, folder: Path, size: int = 3) -> RecordSample:
    """Write the sample files of record type ``alias`` under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    good = _good_csv(alias, folder, size)
    column, value, _code = SAMPLE_TYPES[alias]
    rows = _rows(good)
    day, month, year = rows[1][rows[0].index("Ngày sinh")].split("/")
    return RecordSample(alias, good, xlsx_copy(good), bad_copy(good, column, value),
                        f"{year}-{month}-{day}")
