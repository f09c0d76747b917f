"""Read and write the primary class spreadsheet (CSV, UTF-8) with row-level Vietnamese errors.

Columns: the nine identity and class columns of the THCS template, then per
subject ``<label> mức`` (and ``<label> KTĐK`` when it has a periodic test),
then one column per quality and competence, ``Kết quả cuối năm`` and ``Nhận xét``.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from hocba.errors import ImportRowsError
from issuer.csv_cells import (
    CellError,
    clean_text,
    parse_birth_date,
    parse_class_name,
    parse_gender,
    parse_name,
    parse_remark,
    parse_school_year,
    parse_student_id,
)
from issuer.curriculum import Curriculum
from issuer.import_rows import ImportProblem
from issuer.primary import PrimaryRecord, load_primary_rules, primary_traits, test_subjects
from issuer.records import ClassRecords

__all__ = ["primary_header", "read_primary_csv", "write_primary_csv"]

logger = logging.getLogger(__name__)

_BASE = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã học sinh", "Lớp", "Khối", "Năm học",
         "Giáo viên chủ nhiệm"]


def primary_header(curriculum: Curriculum, grade: int) -> list[str]:
    """Return the column names of the grade's class spreadsheet."""
    tested = test_subjects(curriculum.id)
    header = list(_BASE)
    for subject in curriculum.subjects_for_grade(grade):
        header.append(f"{subject.csv_label} mức")
        if subject.code in tested:
            header.append(f"{subject.csv_label} KTĐK")
    traits = primary_traits(curriculum.id)
    header += [trait.name for trait in (*traits["quality"], *traits["competence"])]
    return [*header, "Kết quả cuối năm", "Nhận xét"]


def _cells(record: PrimaryRecord, index: int) -> list[str]:
    cells = [str(index), record.full_name, record.birth_date.strftime("%d/%m/%Y"), record.gender,
             record.student_id, record.class_name, str(record.grade), record.school_year,
             record.homeroom_teacher]
    for code, rating in record.ratings.items():
        cells.append(rating)
        if code in record.tests:
            cells.append(record.tests[code])
    cells += [*record.qualities.values(), *record.competences.values()]
    return [*cells, record.year_result, record.remark]


def write_primary_csv(class_records: ClassRecords, path: str | Path,
                      curriculum: Curriculum) -> Path:
    """Write a primary class as the CSV template (UTF-8 with BOM)."""
    rows = [primary_header(curriculum, class_records.grade)]
    rows += [_cells(record, index) for index, record in enumerate(class_records.students, 1)]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    target = Path(path)
    target.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return target


def _choice(text: str, allowed: tuple[str, ...], what: str) -> str:
    value = clean_text(text)
    for option in allowed:
        if value.casefold() == option.casefold():
            return option
    raise CellError("invalid_rating", f"{what} {value!r} không hợp lệ; chỉ nhận: "
                    f"{', '.join(allowed)}.", f"{what} {value!r} is not one of {allowed}")


def _test(text: str) -> str:
    value = clean_text(text)
    if not value.isdigit() or not 1 <= int(value) <= 10:
        raise CellError("invalid_test_score", f"Điểm kiểm tra {value!r} không hợp lệ: phải là số "
                        "nguyên từ 1 đến 10, không có phần thập phân.",
                        f"test score {value!r} is not a whole number 1 to 10")
    return str(int(value))


def _parse_row(row: list[str], header: list[str], grade: int, curriculum: Curriculum,
               problems: list[ImportProblem], number: int) -> PrimaryRecord | None:
    rules = load_primary_rules(curriculum.rules_id)
    cell = dict(zip(header, row, strict=False))
    before = len(problems)

    def take(column: str, parse):
        try:
            return parse(cell.get(column, ""))
        except CellError as exc:
            problems.append(ImportProblem(number, column, cell.get(column, ""), exc.message_vi,
                                          str(exc), exc.code))
            return None

    tested = test_subjects(curriculum.id)
    ratings, tests = {}, {}
    for subject in curriculum.subjects_for_grade(grade):
        ratings[subject.code] = take(f"{subject.csv_label} mức",
                                     lambda text: _choice(text, rules.subject_ratings, "Mức"))
        if subject.code in tested:
            tests[subject.code] = take(f"{subject.csv_label} KTĐK", _test)
    traits = primary_traits(curriculum.id)
    graded = {kind: {trait.code: take(trait.name, lambda text: _choice(
        text, rules.trait_ratings, "Mức")) for trait in traits[kind]} for kind in traits}
    record = dict(
        row_number=number, full_name=take("Họ và tên", parse_name),
        birth_date=take("Ngày sinh", parse_birth_date), gender=take("Giới tính", parse_gender),
        student_id=take("Mã học sinh", parse_student_id), class_name=take("Lớp", parse_class_name),
        grade=grade, school_year=take("Năm học", parse_school_year),
        homeroom_teacher=take("Giáo viên chủ nhiệm", parse_name), ratings=ratings, tests=tests,
        qualities=graded["quality"], competences=graded["competence"],
        year_result=take("Kết quả cuối năm", lambda text: _choice(
            text, rules.all_results, "Kết quả cuối năm")),
        remark=take("Nhận xét", parse_remark),
    )
    if len(problems) > before:
        return None
    return PrimaryRecord(**record)  # type: ignore[arg-type]


def read_primary_csv(source: str | Path | bytes, curriculum: Curriculum, *,
                     source_name: str = "") -> ClassRecords:
    """Read one primary class; raise ``ImportRowsError`` listing every rejected cell."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"))))
    header = [clean_text(cell) for cell in rows[0]] if rows else []
    grades = {clean_text(row[6]) for row in rows[1:] if len(row) > 6}
    grade = int(next(iter(grades))) if len(grades) == 1 and next(iter(grades)).isdigit() else 0
    if grade not in curriculum.grades or header != primary_header(curriculum, grade):
        raise ImportRowsError([ImportProblem(1, "", "", "Dòng tiêu đề hoặc cột Khối không khớp "
                                             "mẫu học bạ tiểu học.", "header or grade mismatch",
                                             "invalid_header")], source=source_name)
    problems: list[ImportProblem] = []
    students = [record for number, row in enumerate(rows[1:], start=2)
                if (record := _parse_row(row, header, grade, curriculum, problems, number))]
    if problems or not students:
        raise ImportRowsError(problems or [ImportProblem(2, "", "", "Chưa có học sinh nào.",
                                                         "no pupils", "no_students")],
                              source=source_name)
    first = students[0]
    logger.info("imported primary class %s: %d pupils", first.class_name, len(students))
    return ClassRecords(first.class_name, grade, first.school_year, first.homeroom_teacher,
                        students)  # type: ignore[arg-type]
