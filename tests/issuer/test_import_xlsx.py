"""XLSX class import: round trip, formulas, date serials, headers, limits and zip bombs."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from hocba.errors import ImportRowsError, InputError
from issuer.csv_cells import CellError
from issuer.export_xlsx import write_class_xlsx, write_template_xlsx
from issuer.import_xlsx import serial_to_date
from issuer.importer import (
    MAX_FILE_BYTES,
    ImportProblem,
    class_rows,
    read_class_csv,
    read_class_file,
    read_class_xlsx,
)
from issuer.records import ClassRecords
from scripts.sample_data import generate_school

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "lop-thcs-tt22.xlsx"
EXCEL_1900 = date(1899, 12, 30)


@pytest.fixture(scope="module")
def grade8() -> ClassRecords:
    return generate_school(7)[2]


@pytest.fixture
def rows(grade8: ClassRecords) -> list[list[object]]:
    return [list(row) for row in class_rows(grade8)]


def build(rows: list[list[object]], *, above: tuple[list[object], ...] = (),
          date_1904: bool = False, formulas: dict[tuple[int, str], str] | None = None) -> bytes:
    """Write ``above`` then ``rows`` to a real workbook; ``formulas`` maps (row, column) to text."""
    workbook = Workbook()
    if date_1904:
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    for cells in [*above, *rows]:
        sheet.append(cells)
    header = rows[0]
    for (row, column), formula in (formulas or {}).items():
        sheet.cell(row=row + len(above), column=header.index(column) + 1).value = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def set_cell(rows: list[list[object]], row: int, column: str, value: object) -> None:
    rows[row - 1][rows[0].index(column)] = value


def shifted(records: ClassRecords, rows: int) -> ClassRecords:
    """Return ``records`` with every student row number moved down by ``rows``."""
    students = [replace(student, row_number=student.row_number + rows)
                for student in records.students]
    return replace(records, students=students)


def problems_of(data: bytes) -> list[ImportProblem]:
    with pytest.raises(ImportRowsError) as info:
        read_class_xlsx(data)
    return info.value.problems


def only(problems: list[ImportProblem], code: str) -> ImportProblem:
    matching = [problem for problem in problems if problem.code == code]
    assert len(matching) == 1, problems
    return matching[0]


def test_round_trip_equal(grade8: ClassRecords, tmp_path: Path) -> None:
    path = write_class_xlsx(grade8, tmp_path / "8A1.xlsx")
    assert read_class_file(path) == grade8


def test_round_trip_typed_cells(grade8: ClassRecords, tmp_path: Path) -> None:
    path = write_class_xlsx(grade8, tmp_path / "8A1.xlsx")
    sheet = load_workbook(path).active
    assert isinstance(sheet["J2"].value, float)


def test_text_cells_accepted(grade8: ClassRecords, rows: list[list[object]]) -> None:
    assert read_class_xlsx(build(rows)) == grade8


def test_template_has_lists() -> None:
    sheet = load_workbook(TEMPLATE).active
    lists = {validation.formula1 for validation in sheet.data_validations.dataValidation}
    assert '"Tốt,Khá,Đạt,Chưa đạt"' in lists


def test_template_matches_generator(tmp_path: Path) -> None:
    written = load_workbook(write_template_xlsx(tmp_path / "t.xlsx")).active
    committed = load_workbook(TEMPLATE).active
    assert [c.value for c in written[1]] == [c.value for c in committed[1]]


def test_template_rejected_as_empty() -> None:
    assert only(problems_of(TEMPLATE.read_bytes()), "no_students").row == 2


@pytest.mark.parametrize(
    "formula",
    ['=HYPERLINK("http://127.0.0.1/x","Bấm vào đây")', "=8+0.5", "=SUM(J2:K2)"],
)
def test_formula_cell_rejected(rows: list[list[object]], formula: str) -> None:
    problem = only(problems_of(build(rows, formulas={(4, "Toán HKI"): formula})), "formula_cell")
    assert (problem.row, problem.column, problem.value) == (4, "Toán HKI", formula)


def test_formula_message_names_cell(rows: list[list[object]]) -> None:
    data = build(rows, formulas={(3, "Họ và tên"): '=HYPERLINK("http://127.0.0.1","x")'})
    assert "B3" in only(problems_of(data), "formula_cell").message_vi


def test_formula_reported_once(rows: list[list[object]]) -> None:
    data = build(rows, formulas={(3, "Họ và tên"): "=A1"})
    assert [p.code for p in problems_of(data) if p.row == 3] == ["formula_cell"]


def test_text_formula_rejected(rows: list[list[object]]) -> None:
    set_cell(rows, 5, "Nhận xét", "@SUM(A1)")
    assert only(problems_of(build(rows)), "formula_cell").row == 5


def test_date_serial_accepted(grade8: ClassRecords, rows: list[list[object]]) -> None:
    born = grade8.students[1].birth_date
    set_cell(rows, 3, "Ngày sinh", (born - EXCEL_1900).days)
    assert read_class_xlsx(build(rows)).students[1].birth_date == born


def test_date_cell_accepted(grade8: ClassRecords, rows: list[list[object]]) -> None:
    born = grade8.students[1].birth_date
    set_cell(rows, 3, "Ngày sinh", born)
    assert read_class_xlsx(build(rows)).students[1].birth_date == born


def test_date_serial_1904(grade8: ClassRecords, rows: list[list[object]]) -> None:
    born = grade8.students[1].birth_date
    set_cell(rows, 3, "Ngày sinh", (born - date(1904, 1, 1)).days)
    assert read_class_xlsx(build(rows, date_1904=True)).students[1].birth_date == born


def test_date_cell_1904(grade8: ClassRecords, rows: list[list[object]]) -> None:
    born = grade8.students[1].birth_date
    set_cell(rows, 3, "Ngày sinh", born)
    assert read_class_xlsx(build(rows, date_1904=True)).students[1].birth_date == born


def test_date_serial_in_csv_rejected(rows: list[list[object]]) -> None:
    set_cell(rows, 3, "Ngày sinh", "41166")
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode()
    with pytest.raises(ImportRowsError) as info:
        read_class_csv(data)
    assert only(info.value.problems, "invalid_date").row == 3


def test_fractional_serial_rejected(rows: list[list[object]]) -> None:
    set_cell(rows, 3, "Ngày sinh", 41166.5)
    problem = only(problems_of(build(rows)), "invalid_date")
    assert (problem.row, problem.column) == (3, "Ngày sinh")


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (45658, date(2025, 1, 1)),
    ],
)
def test_serial_1900(serial: int, expected: date) -> None:
    assert serial_to_date(serial, date_1904=False) == expected


def test_serial_1904() -> None:
    assert serial_to_date(0 + 1, date_1904=True) == date(1904, 1, 2)


def test_serial_60_rejected() -> None:
    with pytest.raises(CellError):
        serial_to_date(60, date_1904=False)


def test_title_row_accepted(grade8: ClassRecords, rows: list[list[object]]) -> None:
    data = build(rows, above=(["DANH SÁCH HỌC SINH LỚP 8A1"], []))
    assert read_class_xlsx(data) == shifted(grade8, 2)


def test_title_row_keeps_numbers(rows: list[list[object]]) -> None:
    set_cell(rows, 4, "Toán HKI", 11)
    data = build(rows, above=(["DANH SÁCH HỌC SINH LỚP 8A1"],))
    assert only(problems_of(data), "score_out_of_range").row == 5


def two_row_header(rows: list[list[object]]) -> list[list[object]]:
    """Split labels such as 'Toán HKI' into a merged group row and a term row."""
    upper: list[object] = []
    lower: list[object] = []
    for label in rows[0]:
        group, _, term = str(label).rpartition(" ")
        if term in ("HKI", "HKII", "CN"):
            upper.append(group if term == "HKI" else None)
            lower.append("Học kỳ I" if term == "HKI" else term)
        else:
            upper.append(label)
            lower.append(None)
    return [upper, lower, *rows[1:]]


def test_two_row_header(grade8: ClassRecords, rows: list[list[object]]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH HỌC SINH LỚP 8A1"])
    sheet.merge_cells("A1:M1")
    for cells in two_row_header(rows):
        sheet.append(cells)
    sheet.merge_cells("J2:L2")
    sheet.merge_cells("B2:B3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_class_xlsx(buffer.getvalue()) == shifted(grade8, 2)


def test_two_row_header_numbers(rows: list[list[object]]) -> None:
    set_cell(rows, 2, "Toán HKII", "abc")
    problem = only(problems_of(build(two_row_header(rows))), "invalid_score")
    assert (problem.row, problem.column) == (3, "Toán HKII")


def test_trailing_blanks_ignored(grade8: ClassRecords, rows: list[list[object]]) -> None:
    for cells in rows:
        cells.extend([None, "  "])
    workbook = Workbook()
    sheet = workbook.active
    for cells in rows:
        sheet.append(cells)
    sheet.cell(row=len(rows) + 40, column=70).number_format = "0.0"
    sheet.cell(row=len(rows) + 41, column=2).value = "   "
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_class_xlsx(buffer.getvalue()) == grade8


def test_empty_remark_cell_padded(grade8: ClassRecords, rows: list[list[object]]) -> None:
    for cells in rows[1:]:
        cells[-1] = None
    assert read_class_xlsx(build(rows)).students[0].remark == ""


def test_oversized_file() -> None:
    problem = only(problems_of(b"PK\x03\x04" + b"\0" * MAX_FILE_BYTES), "file_too_large")
    assert problem.row == 0


def test_oversized_file_path(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"\0" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ImportRowsError) as info:
        read_class_file(path)
    assert only(info.value.problems, "file_too_large").row == 0


def test_zip_bomb_rejected(rows: list[list[object]]) -> None:
    source = zipfile.ZipFile(io.BytesIO(build(rows)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            bomb.writestr(item.filename, source.read(item.filename))
        bomb.writestr("xl/media/padding.bin", b"\0" * (51 * 1024 * 1024))
    assert len(buffer.getvalue()) < MAX_FILE_BYTES
    assert only(problems_of(buffer.getvalue()), "xlsx_too_large").row == 0


def test_not_a_zip_rejected() -> None:
    assert only(problems_of("STT,Họ và tên\r\n".encode()), "invalid_xlsx").row == 0


def test_too_many_rows(rows: list[list[object]]) -> None:
    body = rows[1:]
    many = [rows[0], *(body * (2001 // len(body) + 1))]
    assert only(problems_of(build(many)), "too_many_rows").row == 0


def test_xls_rejected(tmp_path: Path) -> None:
    path = tmp_path / "8A1.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError) as info:
        read_class_file(path)
    assert info.value.code == "unsupported_format"
