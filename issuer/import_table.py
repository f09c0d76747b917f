"""Turning the rows of one class sheet, from CSV or XLSX, into student records.

``analyse_rows`` takes the non-blank rows with their spreadsheet row numbers,
finds the header, converts every cell to the text that the cell parsers read,
and parses each student row. It returns every problem found instead of
raising, so that the preview can show each row with its status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from issuer.csv_cells import CellError, clean_text
from issuer.curriculum import Curriculum
from issuer.import_checks import term_suffix
from issuer.import_encoding import find_mojibake
from issuer.import_header import header_key, header_problems, locate_header
from issuer.import_rows import CLASS_COLUMNS, ImportProblem, RowParser
from issuer.import_xlsx import FormulaCell, cell_text
from issuer.records import StudentYearRecord
from issuer.rules import TERMS, RuleSet
from issuer.transfer_import import split_transfer_columns

__all__ = ["FILE_ROW", "MAX_STUDENT_ROWS", "RowStatus", "TableOutcome", "analyse_rows"]

logger = logging.getLogger(__name__)

MAX_STUDENT_ROWS = 2000
# Row number of problems that concern the whole file (size, archive, encoding).
FILE_ROW = 0

Row = tuple[int, list[object]]
# Columns whose XLSX numbers are date serials and whose date cells are written dd/mm/yyyy.
_DATE_COLUMNS = (header_key("Ngày sinh"), header_key("Ngày chuyển"))


@dataclass(frozen=True)
class RowStatus:
    """One student row of the sheet: its number, the name cell and its problems."""

    row: int
    name: str
    problems: list[ImportProblem]

    @property
    def ok(self) -> bool:
        """True when the row has no problem."""
        return not self.problems


@dataclass
class TableOutcome:
    """Result of reading a sheet: students when every row passed, all problems otherwise."""

    students: list[StudentYearRecord] = field(default_factory=list)
    rows: list[RowStatus] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def template_header(curriculum: Curriculum, grade: int) -> list[str]:
    """Return the header row of the class template for ``grade``."""
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã học sinh", *CLASS_COLUMNS]
    for subject in curriculum.subjects_for_grade(grade):
        header.extend(f"{subject.csv_label} {term_suffix(term)}" for term in TERMS)
    header.extend(f"Kết quả học tập {term_suffix(term)}" for term in TERMS)
    header.extend(f"Kết quả rèn luyện {term_suffix(term)}" for term in TERMS)
    header.extend(["Danh hiệu", "Nhận xét"])
    return header


def _grade_hint(labels: list[str], body: list[Row], curriculum: Curriculum) -> int:
    """Return the grade of the first row that names a valid one, else the first grade."""
    keys = [header_key(label) for label in labels]
    if header_key("Khối") in keys:
        index = keys.index(header_key("Khối"))
        for _, cells in body:
            text = clean_text(str(cells[index])) if index < len(cells) else ""
            if text.isdigit() and int(text) in curriculum.grades:
                return int(text)
    return curriculum.grades[0]


def _problem(row: int, column: str, value: str, vi: str, en: str, code: str) -> ImportProblem:
    return ImportProblem(row, column, value, vi, en, code)


def _cell_problem(row: int, column: str, value: object, text: str) -> ImportProblem | None:
    if isinstance(value, FormulaCell):
        return _problem(
            row, column, value.text,
            f"Ô {value.reference} chứa công thức {value.text!r}; hocba không tính công thức. "
            "Hãy sao chép rồi dán dạng giá trị (Paste Values).",
            f"cell {value.reference} contains the formula {value.text!r}; formulas are not "
            "evaluated, paste the values instead",
            "formula_cell",
        )
    repaired = find_mojibake(text)
    if repaired is not None:
        return _problem(
            row, column, text,
            f"Ô có chữ bị lỗi bảng mã: {text!r}, có lẽ đúng là {repaired!r}. Hãy gõ lại "
            "hoặc xuất lại tệp từ phần mềm gốc dạng UTF-8.",
            f"the cell looks like UTF-8 text misread as CP1252: {text!r} was probably "
            f"{repaired!r}",
            "mojibake",
        )
    return None


def _row_texts(
    number: int, cells: list[object], labels: list[str], to_text: Callable[[object, str], str]
) -> tuple[list[str], list[ImportProblem]]:
    """Convert the cells of one row to text; return the texts and the cell problems."""
    width = len(labels)
    if len(cells) > width and all(value in (None, "") for value in cells[width:]):
        cells = cells[:width]
    texts: list[str] = []
    problems: list[ImportProblem] = []
    for index, value in enumerate(cells):
        column = labels[index] if index < width else ""
        try:
            text = to_text(value, column)
        except CellError as exc:
            problems.append(_problem(number, column, str(value), exc.message_vi,
                                     exc.message_en, exc.code))
            texts.append("")
            continue
        problem = _cell_problem(number, column, value, text)
        if problem is not None:
            problems.append(problem)
        texts.append(text)
    return texts, problems


def xlsx_text(date_1904: bool) -> Callable[[object, str], str]:
    """Return the converter of XLSX cell values for a workbook in the given date system."""

    def convert(value: object, column: str) -> str:
        return cell_text(value, birth_date=header_key(column) in _DATE_COLUMNS,
                         date_1904=date_1904)

    return convert


def csv_text(value: object, column: str) -> str:
    """Return a CSV cell unchanged; CSV cells are already text."""
    return "" if value is None else str(value)


def analyse_rows(
    rows: list[Row],
    curriculum: Curriculum,
    rules: RuleSet,
    *,
    to_text: Callable[[object, str], str],
    pad_short_rows: bool,
) -> TableOutcome:
    """Find the header in ``rows``, then parse and check every student row."""
    outcome = TableOutcome()
    if not rows:
        outcome.problems = [_problem(1, "", "", "Tệp trống: không có dòng tiêu đề và dữ liệu.",
                                     "the file is empty", "empty_file")]
        return outcome

    known = {header_key(label) for label in template_header(curriculum, curriculum.grades[0])}
    groups = {header_key(subject.csv_label) for subject in curriculum.subjects}
    groups |= {header_key("Kết quả học tập"), header_key("Kết quả rèn luyện")}
    layout, body = locate_header(rows, known, groups)
    if layout.row != rows[0][0]:
        logger.info("header found on row %d", layout.row)
    if len(body) > MAX_STUDENT_ROWS:
        outcome.problems = [_problem(
            FILE_ROW, "", str(len(body)),
            f"Tệp có {len(body)} dòng học sinh, vượt giới hạn {MAX_STUDENT_ROWS}; "
            "mỗi tệp chỉ chứa một lớp.",
            f"the file has {len(body)} student rows, more than {MAX_STUDENT_ROWS}",
            "too_many_rows",
        )]
        return outcome

    labels = layout.labels
    grade = _grade_hint(labels, body, curriculum)
    # The transfer columns are optional, so they are checked apart from the template.
    template_labels, transfer_problems = split_transfer_columns(labels)
    outcome.problems = header_problems(layout.row, template_labels,
                                       template_header(curriculum, grade))
    outcome.problems += [
        ImportProblem(layout.row, item.column, item.value, item.message_vi, item.message_en,
                      item.code)
        for item in transfer_problems
    ]
    if outcome.problems:
        return outcome

    parser = RowParser(labels, curriculum.subjects_for_grade(grade), curriculum, rules)
    name_index = [header_key(label) for label in labels].index(header_key("Họ và tên"))
    cell_problems: list[ImportProblem] = []
    for number, cells in body:
        texts, problems = _row_texts(number, cells, labels, to_text)
        if pad_short_rows and len(texts) < len(labels):
            texts.extend([""] * (len(labels) - len(texts)))
        cell_problems.extend(problems)
        student = parser.parse(number, texts)
        if student is not None and not problems:
            outcome.students.append(student)
        name = texts[name_index] if name_index < len(texts) else ""
        outcome.rows.append(RowStatus(number, name, []))

    # A cell already rejected as a formula or mojibake is not reported again by its parser.
    flagged = {(problem.row, problem.column) for problem in cell_problems}
    problems = cell_problems + [
        problem for problem in parser.problems if (problem.row, problem.column) not in flagged
    ]
    if not problems and not outcome.students:
        problems = [_problem(layout.body_start, "", "",
                             "Tệp chỉ có dòng tiêu đề, chưa có học sinh nào.",
                             "the file has a header but no student rows", "no_students")]
    outcome.problems = sorted(problems, key=lambda item: item.row)
    by_row: dict[int, list[ImportProblem]] = {}
    for problem in outcome.problems:
        by_row.setdefault(problem.row, []).append(problem)
    outcome.rows = [RowStatus(row.row, row.name, by_row.get(row.row, [])) for row in outcome.rows]
    if outcome.problems:
        outcome.students = []
    return outcome
