"""Read the CSV spreadsheets of the non-transcript record types, one row per student.

The digital-competence and completion spreadsheets share the layout rules of the
class spreadsheet: UTF-8 (with or without BOM), comma or semicolon separated,
header on row 1, blank rows skipped. Every rejected cell becomes an
``ImportProblem`` naming its row and column, and the whole file is rejected
with ``ImportRowsError`` when any problem was found.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from hocba.errors import ImportRowsError, InputError
from issuer.csv_cells import CellError, clean_text
from issuer.import_rows import ImportProblem

__all__ = ["RowCells", "read_record_rows"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


class RowCells:
    """The cells of one data row, addressed by column name, collecting cell problems."""

    def __init__(self, row_number: int, cells: dict[str, str]) -> None:
        self.row_number = row_number
        self._cells = cells
        self.problems: list[ImportProblem] = []

    def raw(self, column: str) -> str:
        """Return the raw text of ``column`` (empty when the row is short)."""
        return self._cells.get(column, "")

    def parse(self, column: str, parser: Callable[[str], T]) -> T | None:
        """Return ``parser(cell)``, or record the problem and return None."""
        raw = self.raw(column)
        try:
            return parser(raw)
        except CellError as error:
            self.problems.append(ImportProblem(self.row_number, column, raw, error.message_vi,
                                               error.message_en, error.code))
            return None

    def reject(self, column: str, message_vi: str, message_en: str, code: str) -> None:
        """Record a problem that spans the row or a column, found after parsing."""
        self.problems.append(ImportProblem(self.row_number, column, self.raw(column),
                                           message_vi, message_en, code))


def _load(source: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, ""
    path = Path(source)
    try:
        return path.read_bytes(), path.name
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", code="file_unreadable",
                         message_vi=f"Không đọc được tệp {path.name}.") from exc


def _records(data: bytes) -> tuple[list[list[str]], list[ImportProblem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        return [], [ImportProblem(
            row, "", "",
            "Tệp không phải UTF-8. Trong Excel hãy lưu bằng 'CSV UTF-8 (Comma delimited)'.",
            f"the file is not valid UTF-8 (byte offset {exc.start}); save it as CSV UTF-8",
            "invalid_encoding")]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    records: list[list[str]] = []
    try:
        records.extend(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return records, [ImportProblem(
            len(records) + 1, "", "",
            "Dòng này không đọc được theo định dạng CSV (dấu ngoặc kép không khớp?).",
            f"the row is not valid CSV: {exc}", "invalid_csv")]
    return records, []


def _header_problems(header: list[str], expected: list[str]) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    expected_keys = {name.casefold(): name for name in expected}
    seen: set[str] = set()
    for cell in header:
        name = clean_text(cell)
        if name.casefold() in seen:
            problems.append(ImportProblem(1, name, cell, f"Cột {name!r} bị lặp lại.",
                                          f"column {name!r} appears twice", "duplicate_column"))
        elif name.casefold() not in expected_keys:
            problems.append(ImportProblem(
                1, name, cell, f"Cột {name!r} không có trong mẫu; hãy xoá hoặc đổi tên cột.",
                f"column {name!r} is not part of the template", "unknown_column"))
        seen.add(name.casefold())
    for key, name in expected_keys.items():
        if key not in seen:
            problems.append(ImportProblem(
                1, name, "", f"Thiếu cột {name!r}; hãy dùng đúng tiêu đề của tệp mẫu.",
                f"missing column {name!r}", "missing_column"))
    return problems


def read_record_rows(source: str | Path | bytes, columns: list[str],
                     parse_row: Callable[[RowCells], T | None], *,
                     source_name: str | None = None) -> list[T]:
    """Parse every data row of a record spreadsheet with ``parse_row``.

    ``columns`` is the template header; the order of columns in the file is free.
    ``parse_row`` returns None when it recorded a problem on the row. Raises
    ``ImportRowsError`` listing every problem of the file, or ``InputError``
    ``empty_file`` when the file has no data row.
    """
    data, name = _load(source)
    name = source_name or name
    records, problems = _records(data)
    if problems:
        raise ImportRowsError(problems, source=name)
    if not records:
        raise InputError("the spreadsheet is empty", code="empty_file",
                         message_vi="Bảng tính trống; hãy dùng tệp mẫu có dòng tiêu đề.")
    header = [clean_text(cell) for cell in records[0]]
    problems = _header_problems(header, columns)
    if problems:
        raise ImportRowsError(problems, source=name)

    keys = {name.casefold(): name for name in columns}
    parsed: list[T] = []
    for row_number, record in enumerate(records[1:], start=2):
        if all(not cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            problems.append(ImportProblem(
                row_number, "", "", "Dòng này có nhiều ô hơn số cột của tiêu đề.",
                "the row has more cells than the header", "extra_cells"))
            continue
        # A short row leaves its last cells empty; RowCells.raw returns "" for them.
        cells = {keys[column.casefold()]: value
                 for column, value in zip(header, record, strict=False)}
        row = RowCells(row_number, cells)
        item = parse_row(row)
        problems.extend(row.problems)
        if item is not None and not row.problems:
            parsed.append(item)
    if problems:
        raise ImportRowsError(problems, source=name)
    if not parsed:
        raise InputError("the spreadsheet has no data rows", code="empty_file",
                         message_vi="Bảng tính không có dòng học sinh nào.")
    logger.info("read %d rows from %s", len(parsed), name or "a spreadsheet")
    return parsed
