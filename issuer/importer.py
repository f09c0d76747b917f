"""Import and export of the one-class template (Circular 22/2021, lower secondary).

One row per student, in a CSV file or the first worksheet of an XLSX workbook.
Class name, grade, school year and homeroom teacher are columns repeated on
every row and must be equal across the file. The importer collects every
problem of the file and raises ``ImportRowsError`` with all of them; a file with
any problem returns nothing. Row numbers are the spreadsheet rows a person sees:
without a title row the header is row 1 and the first student row 2. Problems
of the whole file (size, archive) have row 0.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from hocba.errors import ImportRowsError, InputError
from issuer.curriculum import Curriculum, load_curriculum
from issuer.import_encoding import decode_utf8, guess_legacy_encoding
from issuer.import_rows import ImportProblem
from issuer.import_table import (
    FILE_ROW,
    MAX_STUDENT_ROWS,
    RowStatus,
    TableOutcome,
    analyse_rows,
    csv_text,
    template_header,
    xlsx_text,
)
from issuer.import_xlsx import read_xlsx_sheet
from issuer.records import ClassRecords, StudentYearRecord
from issuer.rules import TERMS, RuleSet, load_rules
from issuer.transfer import DIRECTION_NAMES, TRANSFER_COLUMNS

__all__ = [
    "MAX_FILE_BYTES",
    "ImportPreview",
    "ImportProblem",
    "RowStatus",
    "class_rows",
    "preview_class_file",
    "read_class_csv",
    "read_class_file",
    "read_class_xlsx",
    "template_header",
    "write_class_csv",
]

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
_FORMULA_PREFIXES = ("=", "+", "-", "@")
_ZIP_MAGIC = b"PK\x03\x04"
# Header rows and a title above them may precede the student rows of a sheet.
_MAX_SHEET_ROWS = MAX_STUDENT_ROWS + 20


@dataclass(frozen=True)
class ImportPreview:
    """Every student row of a file with its status, and the problems of the whole file."""

    source: str
    rows: list[RowStatus]
    problems: list[ImportProblem]
    records: ClassRecords | None

    @property
    def can_issue(self) -> bool:
        """True when the file has no problem and at least one student."""
        return self.records is not None


def _problem(row: int, column: str, value: str, vi: str, en: str, code: str) -> ImportProblem:
    return ImportProblem(row, column, value, vi, en, code)


def _decode(data: bytes) -> tuple[str, list[ImportProblem]]:
    text, offset = decode_utf8(data)
    if offset is None:
        return text, []
    row = data[:offset].count(b"\n") + 1
    encoding = guess_legacy_encoding(data)
    logger.info("CSV is not UTF-8 at byte %d; likely %s", offset, encoding)
    problem = ImportProblem(
        row,
        "",
        encoding,
        f"Tệp không phải UTF-8; có vẻ được lưu bằng bảng mã {encoding}. Trong Excel hãy "
        "chọn File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)' rồi nhập lại.",
        f"the file is not valid UTF-8 (byte offset {offset}); it looks like {encoding}. "
        "Save it as CSV UTF-8",
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


def _load(source: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        data, name = source, ""
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
            data = b"" if size > MAX_FILE_BYTES else path.read_bytes()
        except OSError as exc:
            raise InputError(
                f"cannot read {path}: {exc.strerror}",
                code="file_unreadable",
                message_vi=f"Không đọc được tệp {path.name}.",
            ) from exc
        name = path.name
        if size > MAX_FILE_BYTES:
            _reject([_too_large(size)], name)
    if len(data) > MAX_FILE_BYTES:
        _reject([_too_large(len(data))], name)
    return data, name


def _too_large(size: int) -> ImportProblem:
    return _problem(
        FILE_ROW, "", str(size),
        f"Tệp nặng {size / (1024 * 1024):.1f} MB, vượt giới hạn "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB; mỗi tệp chỉ nên chứa một lớp.",
        f"the file has {size} bytes, more than the limit of {MAX_FILE_BYTES}",
        "file_too_large",
    )


def _csv_outcome(data: bytes, curriculum: Curriculum, rules: RuleSet) -> TableOutcome:
    text, problems = _decode(data)
    records: list[list[str]] = []
    if not problems:
        records, problems = _split_records(text)
    if problems:
        return TableOutcome(problems=problems)
    rows: list[tuple[int, list[object]]] = [
        (number, list(record))
        for number, record in enumerate(records, start=1)
        if not _is_blank(record)
    ]
    return analyse_rows(rows, curriculum, rules, to_text=csv_text, pad_short_rows=False)


def _xlsx_outcome(data: bytes, curriculum: Curriculum, rules: RuleSet) -> TableOutcome:
    try:
        sheet = read_xlsx_sheet(data, max_rows=_MAX_SHEET_ROWS)
    except InputError as exc:
        return TableOutcome(problems=[_problem(FILE_ROW, "", "", exc.message_vi, str(exc),
                                               exc.code)])
    return analyse_rows(sheet.rows, curriculum, rules, to_text=xlsx_text(sheet.date_1904),
                        pad_short_rows=True)


def _is_xlsx(data: bytes, name: str) -> bool:
    suffix = Path(name).suffix.casefold()
    if suffix:
        return suffix == ".xlsx"
    return data.startswith(_ZIP_MAGIC)


def _check_format(name: str) -> None:
    suffix = Path(name).suffix.casefold()
    if suffix in ("", ".csv", ".txt", ".xlsx"):
        return
    raise InputError(
        f"unsupported file type {suffix!r}; use .xlsx or .csv",
        code="unsupported_format",
        message_vi=f"Không nhận tệp dạng {suffix!r}. Hãy lưu bảng tính dạng .xlsx (Excel "
                   "Workbook) hoặc .csv (CSV UTF-8); tệp .xls cũ cần mở bằng Excel rồi lưu lại "
                   "dạng .xlsx.",
    )


def _records(outcome: TableOutcome) -> ClassRecords:
    first = outcome.students[0]
    logger.info(
        "imported class %s (%s): %d students",
        first.class_name, first.school_year, len(outcome.students),
    )
    return ClassRecords(
        class_name=first.class_name,
        grade=first.grade,
        school_year=first.school_year,
        homeroom_teacher=first.homeroom_teacher,
        students=outcome.students,
    )


def _read(
    source: str | Path | bytes,
    curriculum: Curriculum | None,
    rules: RuleSet | None,
    source_name: str | None,
    *,
    xlsx: bool | None,
) -> tuple[TableOutcome, str]:
    curriculum = curriculum or load_curriculum()
    rules = rules or load_rules()
    if not isinstance(source, bytes):
        _check_format(Path(source).name)
    data, default_name = _load(source)
    name = source_name or default_name
    if xlsx is None:
        xlsx = _is_xlsx(data, name)
    if xlsx:
        return _xlsx_outcome(data, curriculum, rules), name
    return _csv_outcome(data, curriculum, rules), name


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
    outcome, name = _read(source, curriculum, rules, source_name, xlsx=False)
    if outcome.problems:
        _reject(outcome.problems, name)
    return _records(outcome)


def read_class_xlsx(
    source: str | Path | bytes,
    curriculum: Curriculum | None = None,
    *,
    rules: RuleSet | None = None,
    source_name: str | None = None,
) -> ClassRecords:
    """Read one class from the first worksheet of an XLSX workbook; raise as ``read_class_csv``."""
    outcome, name = _read(source, curriculum, rules, source_name, xlsx=True)
    if outcome.problems:
        _reject(outcome.problems, name)
    return _records(outcome)


def read_class_file(
    source: str | Path | bytes,
    curriculum: Curriculum | None = None,
    *,
    rules: RuleSet | None = None,
    source_name: str | None = None,
) -> ClassRecords:
    """Read one class from a .xlsx or .csv file, chosen by the file name or the bytes.

    Raise ``InputError`` (``unsupported_format``) for other file types and
    ``ImportRowsError`` as ``read_class_csv`` does.
    """
    outcome, name = _read(source, curriculum, rules, source_name, xlsx=None)
    if outcome.problems:
        _reject(outcome.problems, name)
    return _records(outcome)


def preview_class_file(
    source: str | Path | bytes,
    curriculum: Curriculum | None = None,
    *,
    rules: RuleSet | None = None,
    source_name: str | None = None,
) -> ImportPreview:
    """Check a class file without issuing anything; return every row with its problems."""
    try:
        outcome, name = _read(source, curriculum, rules, source_name, xlsx=None)
    except ImportRowsError as exc:
        return ImportPreview(source_name or _display_name(source), [], exc.problems, None)
    row_numbers = {row.row for row in outcome.rows}
    file_problems = [problem for problem in outcome.problems if problem.row not in row_numbers]
    records = None if outcome.problems else _records(outcome)
    return ImportPreview(name, outcome.rows, file_problems, records)


def _display_name(source: str | Path | bytes) -> str:
    return "" if isinstance(source, bytes) else Path(source).name


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
    cells.extend(student.academic.get(term, "") for term in TERMS)
    cells.extend(student.conduct.get(term, "") for term in TERMS)
    cells.extend([student.award_title or "", student.remark])
    return cells


def _transfer_cells(student: StudentYearRecord) -> list[str]:
    transfer = student.transfer
    if transfer is None:
        return ["", "", ""]
    return [DIRECTION_NAMES[transfer.direction], transfer.transfer_date.strftime("%d/%m/%Y"),
            transfer.other_school]


def class_rows(
    class_records: ClassRecords, curriculum: Curriculum | None = None
) -> list[list[str]]:
    """Return the header and one row of text cells per student, as the template lays them out.

    The transfer columns are added when a student has a transfer. Raise
    ``InputError`` when a student's subjects are not in curriculum order or a cell
    starts with a formula character.
    """
    curriculum = curriculum or load_curriculum()
    header = template_header(curriculum, class_records.grade)
    transfers = any(student.transfer for student in class_records.students)
    if transfers:
        header = [*header, *TRANSFER_COLUMNS]
    codes = [subject.code for subject in curriculum.subjects_for_grade(class_records.grade)]
    rows = [header]
    for index, student in enumerate(class_records.students, start=1):
        if [result.code for result in student.subjects] != codes:
            raise InputError(f"row {index}: subjects are not in curriculum order {codes}")
        cells = _student_cells(student, index, class_records)
        if transfers:
            cells.extend(_transfer_cells(student))
        if any(cell.startswith(_FORMULA_PREFIXES) for cell in cells):
            raise InputError(f"row {index}: a cell starts with a formula character")
        rows.append(cells)
    return rows


def write_class_csv(
    class_records: ClassRecords,
    path: str | Path,
    curriculum: Curriculum | None = None,
) -> Path:
    """Write ``class_records`` as the CSV template (UTF-8 with BOM, comma separated)."""
    rows = class_rows(class_records, curriculum)
    target = Path(path)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    logger.info(
        "wrote class %s (%s) to %s",
        class_records.class_name, class_records.school_year, target.name,
    )
    return target
