"""Parsing of the student rows of the class CSV template into ``StudentYearRecord``.

``RowParser`` keeps the state that spans rows (the class columns seen first, the
students and ids already seen) and appends every problem it finds to
``problems`` instead of stopping at the first one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from issuer.csv_cells import (
    CellError,
    clean_text,
    parse_award,
    parse_birth_date,
    parse_class_name,
    parse_gender,
    parse_grade,
    parse_level,
    parse_name,
    parse_pass_fail,
    parse_remark,
    parse_row_index,
    parse_school_year,
    parse_score,
    parse_student_id,
)
from issuer.curriculum import Curriculum, Subject
from issuer.import_checks import check_row_results, term_suffix
from issuer.records import SchoolTransfer, StudentYearRecord, SubjectResult
from issuer.rules import TERMS, RuleSet
from issuer.transcript import school_year_period
from issuer.transfer import TransferProblem, transfer_problems
from issuer.transfer_import import (
    academic_mismatches,
    filled_terms,
    parse_transfer_cells,
)

__all__ = ["CLASS_COLUMNS", "ImportProblem", "RowParser"]

CLASS_COLUMNS = ("Lớp", "Khối", "Năm học", "Giáo viên chủ nhiệm")

_MISSING = object()


@dataclass(frozen=True)
class ImportProblem:
    """One rejected cell or row: where it is, what it contains and why it was rejected."""

    row: int
    column: str
    value: str
    message_vi: str
    message_en: str
    code: str


class RowParser:
    """Parse student rows one by one, collecting problems across the whole file."""

    def __init__(
        self, header: list[str], subjects: list[Subject], curriculum: Curriculum, rules: RuleSet
    ) -> None:
        self._columns = {clean_text(name).casefold(): index for index, name in enumerate(header)}
        self._width = len(header)
        self._subjects = subjects
        self._curriculum = curriculum
        self._rules = rules
        self._class_values: dict[str, tuple[object, int]] = {}
        self._students: dict[tuple[str, date], int] = {}
        self._ids: dict[str, int] = {}
        self.problems: list[ImportProblem] = []

    def _add(self, row: int, column: str, value: str, vi: str, en: str, code: str) -> None:
        self.problems.append(ImportProblem(row, column, value, vi, en, code))

    def _field(
        self, row: int, record: list[str], column: str, parser: Callable[..., Any], *args: Any
    ) -> Any:
        raw = record[self._columns[column.casefold()]]
        try:
            return parser(raw, *args)
        except CellError as exc:
            self._add(row, column, raw, exc.message_vi, exc.message_en, exc.code)
            return _MISSING

    def _check_same_class(self, row: int, column: str, value: object) -> None:
        if value is _MISSING:
            return
        first = self._class_values.setdefault(column, (value, row))
        if first[0] != value:
            self._add(
                row, column, str(value),
                f"Cột {column!r} ghi {value!s} nhưng dòng {first[1]} ghi {first[0]!s}; "
                "mỗi tệp chỉ chứa một lớp.",
                f"column {column!r} is {value!s} but row {first[1]} has {first[0]!s}",
                "inconsistent_class_column",
            )

    def _parse_subjects(self, row: int, record: list[str],
                        terms: tuple[str, ...] = TERMS) -> list[SubjectResult] | None:
        results: list[SubjectResult] = []
        complete = True
        for subject in self._subjects:
            parser = parse_score if subject.is_scored else parse_pass_fail
            values = [
                self._field(row, record, f"{subject.csv_label} {term_suffix(term)}", parser)
                if term in terms else ""
                for term in TERMS
            ]
            if _MISSING in values:
                complete = False
                continue
            results.append(SubjectResult(subject.code, *values))
        return results if complete else None

    def _check_birth_date(
        self, row: int, raw: str, born: date, grade: object, year: object
    ) -> None:
        if grade is _MISSING or year is _MISSING:
            return
        start_year = int(str(year)[:4])
        accepted = self._curriculum.age_check.birth_years(int(str(grade)), start_year)
        if born.year in accepted:
            return
        self._add(
            row, "Ngày sinh", raw,
            f"Năm sinh {born.year} không phù hợp với khối {grade} năm học {year} "
            f"(chấp nhận từ {accepted.start} đến {accepted.stop - 1}).",
            f"birth year {born.year} is implausible for grade {grade} in {year} "
            f"(accepted {accepted.start}-{accepted.stop - 1})",
            "implausible_birth_date",
        )

    def _check_duplicates(self, row: int, name: object, born: object, student_id: object) -> None:
        if name is not _MISSING and born is not _MISSING:
            key = (str(name).casefold(), born)
            first = self._students.setdefault(key, row)  # type: ignore[arg-type]
            if first != row:
                self._add(
                    row, "Họ và tên", str(name),
                    f"Học sinh trùng với dòng {first} (cùng họ tên và ngày sinh).",
                    f"duplicate of row {first}: same name and date of birth",
                    "duplicate_student",
                )
        if student_id not in (_MISSING, ""):
            first = self._ids.setdefault(str(student_id), row)
            if first != row:
                self._add(
                    row, "Mã học sinh", str(student_id),
                    f"Mã học sinh trùng với dòng {first}.",
                    f"student id already used on row {first}",
                    "duplicate_student_id",
                )

    def parse(self, row: int, record: list[str]) -> StudentYearRecord | None:
        """Parse the spreadsheet row ``row``; return None when it has a problem."""
        before = len(self.problems)
        if len(record) != self._width:
            self._add(
                row, "", "",
                f"Dòng có {len(record)} ô nhưng tiêu đề có {self._width} cột.",
                f"the row has {len(record)} cells but the header has {self._width} columns",
                "wrong_cell_count",
            )
            return None

        self._field(row, record, "STT", parse_row_index)
        name = self._field(row, record, "Họ và tên", parse_name)
        born = self._field(row, record, "Ngày sinh", parse_birth_date)
        gender = self._field(row, record, "Giới tính", parse_gender)
        student_id = self._field(row, record, "Mã học sinh", parse_student_id)
        class_name = self._field(row, record, "Lớp", parse_class_name)
        grade = self._field(row, record, "Khối", parse_grade, self._curriculum.grades)
        year = self._field(row, record, "Năm học", parse_school_year)
        teacher = self._field(row, record, "Giáo viên chủ nhiệm", parse_name)
        for column, value in zip(CLASS_COLUMNS, (class_name, grade, year, teacher), strict=True):
            self._check_same_class(row, column, value)
        both = class_name is not _MISSING and grade is not _MISSING
        if both and not str(class_name).startswith(str(grade)):
            self._add(
                row, "Lớp", str(class_name),
                f"Lớp {class_name} không thuộc khối {grade}.",
                f"class {class_name} does not belong to grade {grade}",
                "class_grade_mismatch",
            )
        if born is not _MISSING:
            self._check_birth_date(row, record[self._columns["ngày sinh"]], born, grade, year)
        self._check_duplicates(row, name, born, student_id)

        transfer, terms = self._transfer(row, record, year)
        subjects = self._parse_subjects(row, record, terms)
        academic = self._levels(row, record, "Kết quả học tập", terms)
        conduct = self._levels(row, record, "Kết quả rèn luyện", terms)
        award = self._field(row, record, "Danh hiệu", parse_award)
        remark = self._field(row, record, "Nhận xét", parse_remark)
        if isinstance(transfer, SchoolTransfer) and transfer.direction == "out" and award:
            self._add(row, "Danh hiệu", str(award),
                      "Học sinh chuyển đi không có danh hiệu cả năm ở trường chuyển đi; để trống "
                      "cột Danh hiệu.",
                      "a transferred-out record carries no award title; leave it empty",
                      "transfer_out_with_award")
        if subjects is not None and isinstance(transfer, SchoolTransfer):
            for item in academic_mismatches(subjects, academic, terms, self._curriculum,
                                            self._rules):
                self._add_transfer_problem(row, item)
        elif subjects is not None and transfer is None:
            mismatches = check_row_results(
                subjects, academic, conduct, None if award is _MISSING else award,
                self._curriculum, self._rules, check_award=award is not _MISSING,
            )
            for item in mismatches:
                self._add(row, item.column, item.value, item.message_vi, item.message_en, item.code)

        if len(self.problems) != before or subjects is None:
            return None
        return StudentYearRecord(
            row_number=row, full_name=name, birth_date=born, gender=gender,
            student_id=student_id, class_name=class_name, grade=grade, school_year=year,
            homeroom_teacher=teacher, subjects=subjects, academic=academic, conduct=conduct,
            award_title=award, remark=remark,
            transfer=transfer if isinstance(transfer, SchoolTransfer) else None,
        )

    def _add_transfer_problem(self, row: int, item: TransferProblem) -> None:
        self._add(row, item.column, item.value, item.message_vi, item.message_en, item.code)

    def _transfer(self, row: int, record: list[str],
                  year: object) -> tuple[SchoolTransfer | object, tuple[str, ...]]:
        """Return the row's transfer and the terms the row carries.

        The transfer is None for an ordinary row (which carries every term) and
        _MISSING after a problem. A row with invalid transfer cells still carries
        only its filled terms, so that its empty term cells are not reported too.
        """
        cells = {key: record[index] for key, index in self._columns.items()}
        parsed, problems = parse_transfer_cells(cells)
        for item in problems:
            self._add_transfer_problem(row, item)
        terms = filled_terms(cells, self._subjects)
        ordered = tuple(term for term in TERMS if term in terms)
        if parsed is None:
            return (_MISSING, ordered) if problems else (None, TERMS)
        direction, moved_on, other_school = parsed
        if year is not _MISSING:
            start, end = school_year_period(str(year))
            for item in transfer_problems(direction, moved_on, terms,
                                          year_start=date.fromisoformat(start[:10]),
                                          year_end=date.fromisoformat(end[:10])):
                self._add_transfer_problem(row, item)
        return SchoolTransfer(direction, moved_on, other_school, ordered), ordered

    def _levels(self, row: int, record: list[str], prefix: str,
                terms: tuple[str, ...] = TERMS) -> dict[str, str]:
        levels: dict[str, str] = {}
        for term in terms:
            value = self._field(row, record, f"{prefix} {term_suffix(term)}", parse_level)
            if value is not _MISSING:
                levels[term] = value
        return levels
