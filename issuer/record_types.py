"""The record types a school issues, and one dispatch for reading, previewing and signing each.

Every type has a code (stored with an import job and sent as ``recordType`` or
``--type``), a short alias, Vietnamese and English names, its template columns,
a CSV reader and a credential builder. XLSX uploads of every type go through
``issuer.record_sheet``, which uses the THCS importer's header search and cell
conversion. The lower-secondary transcript keeps its own importer
(``issuer.importer``), which reads CSV and XLSX itself. Every type's PDF is
written by ``issuer.issuance.write_pdfs``, which picks the layout from the
credential's achievement type (``issuer.record_pdf``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path, PurePath
from typing import Any

from hocba.errors import ImportRowsError, InputError
from issuer.competence import build_competence_credential, competence_columns, read_competence_csv
from issuer.completion import COMPLETION_COLUMNS, build_completion_credential, read_completion_csv
from issuer.curriculum import Curriculum, load_curriculum
from issuer.elective_csv import read_elective_class_csv
from issuer.import_rows import ImportProblem
from issuer.import_table import FILE_ROW, RowStatus, template_header
from issuer.importer import MAX_FILE_BYTES, ImportPreview, preview_class_file, read_class_file
from issuer.issuance import PreparedBatch, SchoolSigner, prepare_batch
from issuer.primary import build_primary_credential
from issuer.primary_csv import primary_header, read_primary_csv
from issuer.record_sheet import NormalizedSheet, normalize_sheet, sheet_problems
from issuer.records import ClassRecords

__all__ = [
    "DEFAULT_TYPE",
    "RECORD_TYPES",
    "RecordType",
    "batch_label",
    "folder_name",
    "prepare_records",
    "preview_records",
    "read_records",
    "read_records_file",
    "record_type",
]

logger = logging.getLogger(__name__)

DEFAULT_TYPE = "transcript-thcs-tt22"
# Sample elective choice for the THPT and GDTX templates; schools replace these columns.
TEMPLATE_ELECTIVES = ("VAT_LI", "HOA_HOC", "SINH_HOC", "TIN_HOC")
_DATE_COLUMNS = ("Ngày sinh", "Ngày chuyển", "Ngày cấp")
_FORMATS = ("", ".csv", ".txt", ".xlsx")


@dataclass(frozen=True)
class RecordType:
    """One issuable record type: names, template, reader and credential builder."""

    code: str
    alias: str
    short_vi: str
    name_vi: str
    name_en: str
    curriculum_id: str | None
    grades: tuple[int, ...]
    columns: Callable[[int], list[str]]
    read_csv: Callable[[bytes, str], ClassRecords]
    builder: Callable[[], Any] | None = None

    def curriculum(self) -> Curriculum | None:
        """Return the curriculum of a transcript type, or None for certificates."""
        return load_curriculum(self.curriculum_id) if self.curriculum_id else None


def _elective_columns(curriculum_id: str, grade: int) -> list[str]:
    chosen = load_curriculum(curriculum_id).with_electives(TEMPLATE_ELECTIVES)
    return template_header(chosen, grade)


def _read_elective(curriculum_id: str, data: bytes, name: str) -> ClassRecords:
    return read_elective_class_csv(data, load_curriculum(curriculum_id), source_name=name)


def _read_primary(data: bytes, name: str) -> ClassRecords:
    return read_primary_csv(data, load_curriculum("tieu-hoc-2018"), source_name=name)


def _primary_builder() -> Any:
    return partial(build_primary_credential, curriculum=load_curriculum("tieu-hoc-2018"))


def _catalogue() -> list[RecordType]:
    return [
        RecordType(DEFAULT_TYPE, "thcs", "học bạ THCS", "Học bạ trung học cơ sở (Thông tư 22/2021)",
                   "Lower-secondary transcript (Circular 22/2021)", "thcs-2018", (6, 7, 8, 9),
                   lambda grade: template_header(load_curriculum(), grade),
                   lambda data, name: read_class_file(data, load_curriculum(),
                                                      source_name=name)),
        RecordType("transcript-tieu-hoc-tt27", "primary", "học bạ tiểu học",
                   "Học bạ tiểu học (Thông tư 27/2020)", "Primary transcript (Circular 27/2020)",
                   "tieu-hoc-2018", (1, 2, 3, 4, 5),
                   lambda grade: primary_header(load_curriculum("tieu-hoc-2018"), grade),
                   _read_primary, _primary_builder),
        RecordType("transcript-thpt-tt22", "thpt", "học bạ THPT",
                   "Học bạ trung học phổ thông (Thông tư 22/2021)",
                   "Upper-secondary transcript (Circular 22/2021)", "thpt-2018", (10, 11, 12),
                   partial(_elective_columns, "thpt-2018"), partial(_read_elective, "thpt-2018")),
        RecordType("transcript-gdtx-tt43", "gdtx", "học bạ GDTX",
                   "Học bạ giáo dục thường xuyên THPT (Thông tư 43/2021)",
                   "Continuing-education transcript, upper secondary (Circular 43/2021)",
                   "gdtx-thpt", (10, 11, 12), partial(_elective_columns, "gdtx-thpt"),
                   partial(_read_elective, "gdtx-thpt")),
        RecordType("completion-thcs", "completion", "xác nhận hoàn thành THCS",
                   "Xác nhận hoàn thành chương trình THCS",
                   "Lower-secondary completion confirmation", None, (9,),
                   lambda _grade: list(COMPLETION_COLUMNS),
                   lambda data, name: read_completion_csv(data, source_name=name),
                   lambda: build_completion_credential),
        RecordType("competence-tt02-2025", "competence", "năng lực số",
                   "Chứng nhận năng lực số (Thông tư 02/2025)",
                   "Digital-competence certificate (Circular 02/2025)", None, (),
                   lambda _grade: competence_columns(),
                   lambda data, name: read_competence_csv(data, source_name=name),
                   lambda: build_competence_credential),
    ]


RECORD_TYPES: dict[str, RecordType] = {item.code: item for item in _catalogue()}


def record_type(name: str | None) -> RecordType:
    """Return the record type with code or alias ``name`` (None is the THCS transcript).

    Raise ``InputError`` ``record_type_unknown`` for any other name.
    """
    requested = (name or DEFAULT_TYPE).strip().casefold()
    for item in RECORD_TYPES.values():
        if requested in (item.code, item.alias):
            return item
    choices = ", ".join(f"{item.code} ({item.alias})" for item in RECORD_TYPES.values())
    raise InputError(f"unknown record type {name!r}; use one of {choices}",
                     code="record_type_unknown",
                     message_vi=f"Loại văn bản {name!r} không hợp lệ; chọn một trong: {choices}.")


def _check_size(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"the file has {len(data)} bytes, more than the limit of "
                         f"{MAX_FILE_BYTES}", code="file_too_large",
                         message_vi=f"Tệp nặng {len(data) / (1024 * 1024):.1f} MB, vượt giới hạn "
                                    f"{MAX_FILE_BYTES // (1024 * 1024)} MB; mỗi tệp chỉ nên chứa "
                                    "một lớp.")


def _check_format(file_name: str) -> None:
    suffix = PurePath(file_name).suffix.casefold()
    if suffix in _FORMATS:
        return
    raise InputError(f"unsupported file type {suffix!r}; use .xlsx or .csv",
                     code="unsupported_format",
                     message_vi=f"Không nhận tệp dạng {suffix!r}. Hãy lưu bảng tính dạng .xlsx "
                                "hoặc .csv (CSV UTF-8).")


def _with_sheet_row(record: Any, row: int) -> Any:
    if hasattr(record, "student"):
        return replace(record, student=replace(record.student, row_number=row))
    return replace(record, row_number=row)


def _sheet_records(records: ClassRecords, sheet: NormalizedSheet) -> ClassRecords:
    """Return ``records`` whose row numbers are those of the uploaded sheet."""
    students = [_with_sheet_row(item, sheet.row_numbers.get(item.row_number, item.row_number))
                for item in records.students]
    return replace(records, students=students)


def _columns(kind: RecordType) -> list[str]:
    return kind.columns(kind.grades[0] if kind.grades else 0)


def _normalized(kind: RecordType, data: bytes, file_name: str) -> NormalizedSheet:
    columns = _columns(kind)
    if kind.curriculum_id in ("thpt-2018", "gdtx-thpt"):
        # Every elective label helps find the header, whichever the school chose.
        columns = template_header(load_curriculum(kind.curriculum_id), kind.grades[0])
    return normalize_sheet(data, file_name, columns, _DATE_COLUMNS)


def read_records(kind: RecordType, data: bytes, file_name: str) -> ClassRecords:
    """Read one class of ``kind`` from an uploaded CSV or XLSX file.

    Raise ``ImportRowsError`` listing every problem with the row numbers of the
    uploaded sheet, or ``InputError`` for a file that cannot be read at all.
    """
    _check_format(file_name)
    _check_size(data)
    name = PurePath(file_name).name
    if kind.code == DEFAULT_TYPE:
        return read_class_file(data, load_curriculum(), source_name=name)
    sheet = _normalized(kind, data, file_name)
    try:
        records = kind.read_csv(sheet.csv_bytes, name)
    except ImportRowsError as exc:
        raise ImportRowsError(sheet_problems(exc, sheet), source=name) from exc
    if sheet.problems:
        raise ImportRowsError(sheet.problems, source=name)
    return _sheet_records(records, sheet)


def read_records_file(kind: RecordType, path: Path) -> ClassRecords:
    """Read one class of ``kind`` from the file at ``path``; raise as ``read_records``."""
    _check_format(path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", code="file_unreadable",
                         message_vi=f"Không đọc được tệp {path.name}.") from exc
    return read_records(kind, data, path.name)


def folder_name(kind: RecordType, records: ClassRecords) -> str:
    """Return the PDF folder of a class: its name, and the type's alias unless THCS."""
    if kind.code == DEFAULT_TYPE:
        return records.class_name
    return f"{records.class_name}-{kind.alias}"


def _file_problem(exc: InputError) -> ImportProblem:
    return ImportProblem(FILE_ROW, "", "", exc.message_vi or str(exc), str(exc), exc.code)


def preview_records(kind: RecordType, data: bytes, file_name: str) -> ImportPreview:
    """Check an upload of ``kind`` without issuing; return every student row with its problems.

    Raise ``InputError`` ``unsupported_format`` for a file that is neither CSV nor
    XLSX by its name. Every other problem, a file too large included, is in the
    returned preview.
    """
    _check_format(file_name)
    name = PurePath(file_name).name
    if kind.code == DEFAULT_TYPE:
        return preview_class_file(data, load_curriculum(), source_name=name)
    try:
        _check_size(data)
        sheet = _normalized(kind, data, file_name)
    except InputError as exc:
        return ImportPreview(name, [], [_file_problem(exc)], None)

    records: ClassRecords | None = None
    problems = list(sheet.problems)
    try:
        records = _sheet_records(kind.read_csv(sheet.csv_bytes, name), sheet)
    except ImportRowsError as exc:
        problems = sheet_problems(exc, sheet)
    except InputError as exc:
        problems.append(_file_problem(exc))
    if problems:
        records = None
    student_rows = [row for csv_row, row in sorted(sheet.row_numbers.items()) if csv_row > 1]
    by_row: dict[int, list[ImportProblem]] = {}
    for problem in problems:
        by_row.setdefault(problem.row, []).append(problem)
    rows = [RowStatus(row, sheet.names.get(row, ""), by_row.get(row, [])) for row in student_rows]
    listed = set(student_rows)
    file_problems = [problem for problem in problems if problem.row not in listed]
    logger.info("previewed %s upload: %d rows, %d problems", kind.alias, len(rows), len(problems))
    return ImportPreview(name, rows, file_problems, records)


def batch_label(kind: RecordType, records: ClassRecords) -> str:
    """Return the batch label: class and year, and the type's short name unless THCS.

    The lower-secondary label stays ``<class> <year>`` as ``prepare_batch`` writes
    it, so a completion confirmation of class 9A1 does not clash with its
    transcripts when `hocba school issue` looks for an earlier batch of the class.
    """
    label = f"{records.class_name} {records.school_year}"
    return label if kind.code == DEFAULT_TYPE else f"{label} ({kind.short_vi})"


def prepare_records(kind: RecordType, records: ClassRecords, signer: SchoolSigner, *,
                    issued_at: datetime | None = None) -> PreparedBatch:
    """Build and sign every credential of ``records`` with the builder of ``kind``."""
    builder = kind.builder() if kind.builder is not None else None
    prepared = prepare_batch(records, signer, curriculum=kind.curriculum(), issued_at=issued_at,
                             builder=builder)
    return replace(prepared, label=batch_label(kind, records))
