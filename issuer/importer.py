"""Import and export of the one-class CSV template (Circular 22/2021, lower secondary).

One row per student. Class name, grade, school year and homeroom teacher are
columns repeated on every row and must be equal across the file. The importer
collects every problem of the file and raises ``ImportRowsError`` with all of
them; a file with any problem returns nothing. Row numbers are the spreadsheet
rows a person sees: the header is row 1, the first student row 2.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from hocba.errors import ImportRowsError, InputError
from issuer.csv_cells import clean_text
from issuer.curriculum import Curriculum, load_curriculum
from issuer.import_checks import term_suffix
from issuer.import_rows import CLASS_COLUMNS, ImportProblem, RowParser
from issuer.records import ClassRecords, StudentYearRecord
from issuer.rules import TERMS, RuleSet, load_rules

__all__ = [
    "ImportProblem",
    "read_class_csv",
    "template_header",
    "write_class_csv",
]

logger = logging.getLogger(__name__)

_FORMULA_PREFIXES = ("=", "+", "-", "@")


def template_header(curriculum: Curriculum, grade: int) -> list[str]:
    """Return the header row of the class template for ``grade``."""
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã học sinh", *CLASS_COLUMNS]
    for subject in curriculum.subjects_for_grade(grade):
        header.extend(f"{subject.csv_label} {term_suffix(term)}" for term in TERMS)
    header.extend(f"Kết quả học tập {term_suffix(term)}" for term in TERMS)
    header.extend(f"Kết quả rèn luyện {term_suffix(term)}" for term in TERMS)
    header.extend(["Danh hiệu", "Nhận xét"])
    return header


def _header_key(text: str) -> str:
    return clean_text(text).casefold()


def _decode(data: bytes) -> tuple[str, list[ImportProblem]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        problem = ImportProblem(
            row,
            "",
            "",
            "Tệp không phải UTF-8. Trong Excel hãy lưu bằng 'CSV UTF-8 (Comma delimited)'.",
            f"the file is not valid UTF-8 (byte offset {exc.start}); save it as CSV UTF-8",
            "invalid_encoding",
        )
        return "", [problem]


def _split_records(text: str) -> tuple[list[list[str]], list[ImportProblem]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error as exc:
        problem = ImportProblem(
            len(records) + 1,
            "",
            "",
            "Dòng này không đọc được theo định dạng CSV (dấu ngoặc kép không khớp?).",
            f"the row is not valid CSV: {exc}",
            "invalid_csv",
        )
        return records, [problem]
    return records, []


def _is_blank(record: list[str]) -> bool:
    return all(not cell.strip() for cell in record)


def _header_problems(header: list[str], expected: list[str]) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    seen: set[str] = set()
    expected_keys = {_header_key(name): name for name in expected}
    for cell in header:
        key = _header_key(cell)
        if key in seen:
            problems.append(
                ImportProblem(1, clean_text(cell), cell, f"Cột {clean_text(cell)!r} bị lặp lại.",
                              f"column {clean_text(cell)!r} appears twice", "duplicate_column")
            )
        elif key not in expected_keys:
            problems.append(
                ImportProblem(
                    1, clean_text(cell), cell,
                    f"Cột {clean_text(cell)!r} không có trong mẫu; hãy xoá hoặc đổi tên cột.",
                    f"column {clean_text(cell)!r} is not part of the template",
                    "unknown_column",
                )
            )
        seen.add(key)
    for key, name in expected_keys.items():
        if key not in seen:
            problems.append(
                ImportProblem(
                    1, name, "", f"Thiếu cột {name!r}; hãy dùng đúng tiêu đề của tệp mẫu.",
                    f"missing column {name!r}", "missing_column",
                )
            )
    return problems


def _grade_hint(header: list[str], records: list[list[str]], curriculum: Curriculum) -> int:
    """Return the grade of the first row that names a valid one, else the first grade."""
    keys = [_header_key(cell) for cell in header]
    if _header_key("Khối") in keys:
        index = keys.index(_header_key("Khối"))
        for record in records:
            if index < len(record) and clean_text(record[index]).isdigit():
                grade = int(clean_text(record[index]))
                if grade in curriculum.grades:
                    return grade
    return curriculum.grades[0]


def _problem(row: int, column: str, value: str, vi: str, en: str, code: str) -> ImportProblem:
    return ImportProblem(row, column, value, vi, en, code)


def _load(source: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, ""
    path = Path(source)
    try:
        return path.read_bytes(), path.name
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror}",
            code="file_unreadable",
            message_vi=f"Không đọc được tệp {path.name}.",
        ) from exc


def read_class_csv(
    source: str | Path | bytes,
    curriculum: Curriculum | None = None,
    *,
    rules: RuleSet | None = None,
    source_name: str | None = None,
) -> ClassRecords:
    """Read one class from the CSV template at path ``source`` or from its bytes.

    Raise ``ImportRowsError`` listing every ``ImportProblem`` when any cell, row
    or the header is rejected.
    """
    curriculum = curriculum or load_curriculum()
    rules = rules or load_rules()
    data, default_name = _load(source)
    name = source_name or default_name

    text, problems = _decode(data)
    records: list[list[str]] = []
    if not problems:
        records, problems = _split_records(text)
    if not problems and (not records or all(_is_blank(record) for record in records)):
        problems = [_problem(1, "", "", "Tệp trống: không có dòng tiêu đề và dữ liệu.",
                             "the file is empty", "empty_file")]
    if problems:
        _reject(problems, name)

    header = [clean_text(cell) for cell in records[0]]
    body = records[1:]
    grade = _grade_hint(header, body, curriculum)
    problems = _header_problems(header, template_header(curriculum, grade))
    if problems:
        _reject(problems, name)

    parser = RowParser(header, curriculum.subjects_for_grade(grade), curriculum, rules)
    students: list[StudentYearRecord] = []
    for offset, record in enumerate(body):
        row_number = offset + 2
        if _is_blank(record):
            continue
        student = parser.parse(row_number, record)
        if student is not None:
            students.append(student)
    problems = list(parser.problems)
    if not problems and not students:
        problems = [_problem(2, "", "", "Tệp chỉ có dòng tiêu đề, chưa có học sinh nào.",
                             "the file has a header but no student rows", "no_students")]
    if problems:
        _reject(problems, name)

    first = students[0]
    logger.info(
        "imported class %s (%s): %d students", first.class_name, first.school_year, len(students)
    )
    return ClassRecords(
        class_name=first.class_name,
        grade=first.grade,
        school_year=first.school_year,
        homeroom_teacher=first.homeroom_teacher,
        students=students,
    )


def _reject(problems: list[ImportProblem], source: str) -> None:
    codes = sorted({problem.code for problem in problems})
    logger.info(
        "rejected %s: %d problem(s), codes %s",
        source or "CSV bytes", len(problems), ",".join(codes),
    )
    raise ImportRowsError(sorted(problems, key=lambda item: item.row), source=source)


def _student_cells(student: StudentYearRecord, index: int, classes: ClassRecords) -> list[str]:
    cells = [
        str(index),
        student.full_name,
        student.birth_date.strftime("%d/%m/%Y"),
        student.gender,
        student.student_id,
        classes.class_name,
        str(classes.grade),
        classes.school_year,
        classes.homeroom_teacher,
    ]
    for result in student.subjects:
        cells.extend([result.hk1, result.hk2, result.cn])
    cells.extend(student.academic[term] for term in TERMS)
    cells.extend(student.conduct[term] for term in TERMS)
    cells.extend([student.award_title or "", student.remark])
    return cells


def write_class_csv(
    class_records: ClassRecords,
    path: str | Path,
    curriculum: Curriculum | None = None,
) -> Path:
    """Write ``class_records`` as the CSV template (UTF-8 with BOM, comma separated)."""
    curriculum = curriculum or load_curriculum()
    header = template_header(curriculum, class_records.grade)
    codes = [subject.code for subject in curriculum.subjects_for_grade(class_records.grade)]
    rows = [header]
    for index, student in enumerate(class_records.students, start=1):
        if [result.code for result in student.subjects] != codes:
            raise InputError(f"row {index}: subjects are not in curriculum order {codes}")
        cells = _student_cells(student, index, class_records)
        if any(cell.startswith(_FORMULA_PREFIXES) for cell in cells):
            raise InputError(f"row {index}: a cell starts with a formula character")
        rows.append(cells)
    target = Path(path)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    logger.info(
        "wrote class %s (%s) to %s",
        class_records.class_name, class_records.school_year, target.name,
    )
    return target
