"""Class CSV import: round trip of a generated class and every rejected case."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import pytest

from hocba.errors import ImportRowsError
from issuer.curriculum import load_curriculum
from issuer.importer import ImportProblem, read_class_csv, template_header, write_class_csv
from issuer.records import ClassRecords
from scripts.sample_data import generate_school

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "lop-thcs-tt22.csv"


@pytest.fixture(scope="module")
def grade8() -> ClassRecords:
    return generate_school(7)[2]


@pytest.fixture
def rows(grade8: ClassRecords, tmp_path: Path) -> list[list[str]]:
    path = write_class_csv(grade8, tmp_path / "8A1.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def encode(rows: list[list[str]], *, delimiter: str = ",", bom: bool = True) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def set_cell(rows: list[list[str]], row: int, column: str, value: str) -> None:
    rows[row - 1][rows[0].index(column)] = value


def problems_of(data: bytes) -> list[ImportProblem]:
    with pytest.raises(ImportRowsError) as info:
        read_class_csv(data)
    return info.value.problems


def only(problems: list[ImportProblem], code: str) -> ImportProblem:
    matching = [problem for problem in problems if problem.code == code]
    assert len(matching) == 1, problems
    return matching[0]


def test_round_trip_equal(grade8: ClassRecords, tmp_path: Path) -> None:
    path = write_class_csv(grade8, tmp_path / "8A1.csv")
    assert read_class_csv(path) == grade8


def test_round_trip_without_bom(grade8: ClassRecords, rows: list[list[str]]) -> None:
    assert read_class_csv(encode(rows, bom=False)) == grade8


def test_bom_is_written(grade8: ClassRecords, tmp_path: Path) -> None:
    path = write_class_csv(grade8, tmp_path / "8A1.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_semicolon_separator(grade8: ClassRecords, rows: list[list[str]]) -> None:
    assert read_class_csv(encode(rows, delimiter=";")) == grade8


def test_comma_decimal_accepted(grade8: ClassRecords, rows: list[list[str]]) -> None:
    value = rows[1][rows[0].index("Toán HKI")]
    set_cell(rows, 2, "Toán HKI", value.replace(".", ","))
    imported = read_class_csv(encode(rows))
    assert imported.students[0].subjects[0].hk1 == value


def test_whole_number_accepted(grade8: ClassRecords, rows: list[list[str]]) -> None:
    column = rows[0].index("Toán HKI")
    row = next(i for i, cells in enumerate(rows) if i and cells[column].endswith(".0"))
    value = rows[row][column]
    rows[row][column] = value[:-2]
    assert read_class_csv(encode(rows)).students[row - 1].subjects[0].hk1 == value


def test_iso_birth_date_accepted(grade8: ClassRecords, rows: list[list[str]]) -> None:
    set_cell(rows, 2, "Ngày sinh", grade8.students[0].birth_date.isoformat())
    assert read_class_csv(encode(rows)).students[0].birth_date == grade8.students[0].birth_date


def test_nfd_name_becomes_nfc(grade8: ClassRecords, rows: list[list[str]]) -> None:
    name = grade8.students[0].full_name
    set_cell(rows, 2, "Họ và tên", "  " + unicodedata.normalize("NFD", name).replace(" ", "  "))
    assert read_class_csv(encode(rows)).students[0].full_name == name


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("8.55", "score_too_precise"),
        ("8,55", "score_too_precise"),
        ("11", "score_out_of_range"),
        ("-1", "score_out_of_range"),
        ("abc", "invalid_score"),
        ("", "missing_value"),
        ("=1+1", "formula_cell"),
    ],
)
def test_bad_score(rows: list[list[str]], value: str, code: str) -> None:
    set_cell(rows, 4, "Toán HKI", value)
    problem = only(problems_of(encode(rows)), code)
    assert (problem.row, problem.column, problem.value) == (4, "Toán HKI", value)


def test_bad_score_message_vietnamese(rows: list[list[str]]) -> None:
    set_cell(rows, 4, "Toán HKI", "11")
    problem = only(problems_of(encode(rows)), "score_out_of_range")
    assert "điểm phải từ 0 đến 10" in problem.message_vi


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("31/02/2012", "invalid_date"),
        ("2012-13-01", "invalid_date"),
        ("14.09.2012", "invalid_date"),
        ("41166", "invalid_date"),
        ("14/09/2001", "implausible_birth_date"),
        ("14/09/2020", "implausible_birth_date"),
    ],
)
def test_bad_birth_date(rows: list[list[str]], value: str, code: str) -> None:
    set_cell(rows, 3, "Ngày sinh", value)
    problem = only(problems_of(encode(rows)), code)
    assert (problem.row, problem.column) == (3, "Ngày sinh")


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("Họ và tên", "=HYPERLINK(\"http://127.0.0.1\",\"x\")", "formula_cell"),
        ("Họ và tên", "@SUM(A1)", "formula_cell"),
        ("Họ và tên", "Nguyễn Văn 2", "invalid_name"),
        ("Họ và tên", "Nguyễn", "invalid_name"),
        ("Họ và tên", "\u00d0ỗ Văn An", "lookalike_letter"),
        ("Nhận xét", "+cmd", "formula_cell"),
        ("Giới tính", "M", "invalid_gender"),
        ("Mã học sinh", "792601234", "invalid_student_id"),
        ("Kết quả rèn luyện HKI", "Gioi", "invalid_level"),
        ("GDTC HKI", "8.0", "invalid_pass_fail"),
        ("Danh hiệu", "Học sinh Tiên tiến", "invalid_award"),
    ],
)
def test_bad_cell(rows: list[list[str]], column: str, value: str, code: str) -> None:
    set_cell(rows, 5, column, value)
    problem = only(problems_of(encode(rows)), code)
    assert (problem.row, problem.column) == (5, column)


def test_wrong_academic_result(grade8: ClassRecords, rows: list[list[str]]) -> None:
    given = grade8.students[1].academic["cn"]
    wrong = "Chưa đạt" if given != "Chưa đạt" else "Tốt"
    set_cell(rows, 3, "Kết quả học tập CN", wrong)
    problem = only(problems_of(encode(rows)), "academic_mismatch")
    assert (problem.row, problem.column, problem.value) == (3, "Kết quả học tập CN", wrong)


def test_wrong_year_average(rows: list[list[str]]) -> None:
    value = rows[2][rows[0].index("KHTN CN")]
    wrong = "9.9" if value != "9.9" else "1.0"
    set_cell(rows, 3, "KHTN CN", wrong)
    problem = only(problems_of(encode(rows)), "year_average_mismatch")
    assert (problem.row, problem.column) == (3, "KHTN CN")


def test_wrong_conduct_year(grade8: ClassRecords, rows: list[list[str]]) -> None:
    set_cell(rows, 2, "Kết quả rèn luyện HKI", "Tốt")
    set_cell(rows, 2, "Kết quả rèn luyện HKII", "Tốt")
    set_cell(rows, 2, "Kết quả rèn luyện CN", "Đạt")
    problem = only(problems_of(encode(rows)), "conduct_mismatch")
    assert (problem.row, problem.column) == (2, "Kết quả rèn luyện CN")


def test_wrong_award(grade8: ClassRecords, rows: list[list[str]]) -> None:
    index = next(i for i, s in enumerate(grade8.students) if s.award_title is None)
    set_cell(rows, index + 2, "Danh hiệu", "Học sinh Xuất sắc")
    problem = only(problems_of(encode(rows)), "award_mismatch")
    assert (problem.row, problem.column) == (index + 2, "Danh hiệu")


def test_duplicate_row(rows: list[list[str]]) -> None:
    rows.append(list(rows[3]))
    problem = only(problems_of(encode(rows)), "duplicate_student")
    assert (problem.row, problem.column) == (len(rows), "Họ và tên")


def test_duplicate_row_names_first(rows: list[list[str]]) -> None:
    rows.append(list(rows[3]))
    assert "dòng 4" in only(problems_of(encode(rows)), "duplicate_student").message_vi


def test_inconsistent_class_column(rows: list[list[str]]) -> None:
    set_cell(rows, 6, "Giáo viên chủ nhiệm", "Lê Văn Khác")
    problem = only(problems_of(encode(rows)), "inconsistent_class_column")
    assert (problem.row, problem.column) == (6, "Giáo viên chủ nhiệm")


def test_class_of_other_grade(rows: list[list[str]]) -> None:
    for row in range(2, len(rows) + 1):
        set_cell(rows, row, "Lớp", "9A1")
    flagged = [p.row for p in problems_of(encode(rows)) if p.code == "class_grade_mismatch"]
    assert flagged == list(range(2, len(rows) + 1))


def test_missing_column(rows: list[list[str]]) -> None:
    index = rows[0].index("Nhận xét")
    trimmed = [row[:index] + row[index + 1 :] for row in rows]
    problem = only(problems_of(encode(trimmed)), "missing_column")
    assert (problem.row, problem.column) == (1, "Nhận xét")


def test_unknown_column(rows: list[list[str]]) -> None:
    widened = [[*row, "x"] for row in rows]
    widened[0][-1] = "Ghi chú"
    problem = only(problems_of(encode(widened)), "unknown_column")
    assert (problem.row, problem.column) == (1, "Ghi chú")


def test_short_row(rows: list[list[str]]) -> None:
    rows[4] = rows[4][:-3]
    assert only(problems_of(encode(rows)), "wrong_cell_count").row == 5


def test_empty_file() -> None:
    problem = only(problems_of(b""), "empty_file")
    assert problem.row == 1


def test_bom_only_file() -> None:
    assert only(problems_of(b"\xef\xbb\xbf\r\n"), "empty_file").row == 1


def test_header_only(rows: list[list[str]]) -> None:
    assert only(problems_of(encode(rows[:1])), "no_students").row == 2


def test_not_utf8(rows: list[list[str]]) -> None:
    data = encode(rows[:3], bom=False) + "Lê".encode("latin-1")
    assert only(problems_of(data), "invalid_encoding").row == 4


def test_all_problems_collected(rows: list[list[str]]) -> None:
    set_cell(rows, 2, "Toán HKI", "abc")
    set_cell(rows, 7, "Ngày sinh", "30/02/2012")
    set_cell(rows, 9, "Họ và tên", "=1")
    found = {(problem.row, problem.code) for problem in problems_of(encode(rows))}
    assert found == {(2, "invalid_score"), (7, "invalid_date"), (9, "formula_cell")}


def test_error_lists_problem_count(rows: list[list[str]]) -> None:
    set_cell(rows, 2, "Toán HKI", "abc")
    with pytest.raises(ImportRowsError) as info:
        read_class_csv(encode(rows), source_name="8A1.csv")
    assert "8A1.csv" in info.value.message_vi


def test_blank_rows_keep_numbering(rows: list[list[str]]) -> None:
    rows.insert(2, [""] * len(rows[0]))
    set_cell(rows, 4, "Toán HKI", "abc")
    assert only(problems_of(encode(rows)), "invalid_score").row == 4


def test_template_file_matches_header() -> None:
    with TEMPLATE.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == template_header(load_curriculum(), 8)


def test_template_file_rejected_as_empty_class() -> None:
    assert only(problems_of(TEMPLATE.read_bytes()), "no_students").row == 2
