"""Reading the first worksheet of an XLSX class file as typed cell values.

The workbook is opened with openpyxl in read-only mode without evaluating any
formula: a formula cell arrives as ``FormulaCell`` so that the importer rejects
it, =HYPERLINK(...) included. Before openpyxl sees the archive, the declared
uncompressed sizes of its members are checked, which stops zip bombs: Python's
``zipfile`` stops reading a member at its declared size and fails its CRC check
if the data is longer, so a member cannot expand past the size it declares.
"""

from __future__ import annotations

import io
import logging
import math
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from hocba.errors import InputError
from issuer.csv_cells import CellError

__all__ = [
    "MAX_COLUMNS",
    "MAX_UNCOMPRESSED_BYTES",
    "FormulaCell",
    "XlsxSheet",
    "cell_text",
    "read_xlsx_sheet",
    "serial_to_date",
]

logger = logging.getLogger(__name__)

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 1000
# NOTE: cells right of this column are not read; the template has 53 columns.
MAX_COLUMNS = 512

_EPOCH_1900 = date(1899, 12, 31)
_EPOCH_1904 = date(1904, 1, 1)
_LEAP_BUG_SERIAL = 60


@dataclass(frozen=True)
class FormulaCell:
    """A cell containing a formula; ``text`` is the formula as written, e.g. ``=A1+1``."""

    text: str
    reference: str


@dataclass(frozen=True)
class XlsxSheet:
    """Non-blank rows of a worksheet as (spreadsheet row number, cell values)."""

    title: str
    rows: list[tuple[int, list[object]]]
    date_1904: bool


def _xlsx_error(code: str, en: str, vi: str) -> InputError:
    return InputError(en, code=code, message_vi=vi)


def check_archive(data: bytes) -> None:
    """Raise ``InputError`` unless ``data`` is a zip archive of plausible size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _xlsx_error(
            "invalid_xlsx",
            "the file is not an XLSX workbook (not a zip archive)",
            "Tệp không phải bảng tính XLSX hợp lệ; hãy lưu lại bằng Excel dạng "
            "'Excel Workbook (*.xlsx)'.",
        ) from exc
    with archive:
        members = archive.infolist()
        total = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED_BYTES:
        logger.warning("rejected XLSX: %d members, %d bytes uncompressed", len(members), total)
        raise _xlsx_error(
            "xlsx_too_large",
            f"the XLSX expands to {total} bytes in {len(members)} parts; the limit is "
            f"{MAX_UNCOMPRESSED_BYTES} bytes and {MAX_MEMBERS} parts",
            f"Tệp XLSX khi giải nén quá lớn ({total // (1024 * 1024)} MB, giới hạn "
            f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB); hãy chỉ giữ trang danh sách lớp "
            "và xoá hình ảnh, trang thừa.",
        )


def _cell_value(cell: object) -> object:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f":
        text = value if isinstance(value, str) else str(getattr(value, "text", "") or "")
        return FormulaCell(text, str(getattr(cell, "coordinate", "")))
    if isinstance(value, str) and not value.strip():
        return None
    return value


def read_xlsx_sheet(data: bytes, *, max_rows: int) -> XlsxSheet:
    """Read the active worksheet of the workbook ``data``.

    Raise ``InputError`` for an archive that is not XLSX or too large, and when
    more than ``max_rows`` rows hold a value.
    """
    check_archive(data)
    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise _xlsx_error(
            "invalid_xlsx",
            f"the XLSX workbook cannot be read: {type(exc).__name__}",
            "Không đọc được tệp XLSX; hãy mở bằng Excel và lưu lại dạng "
            "'Excel Workbook (*.xlsx)'.",
        ) from exc
    try:
        sheet = workbook.active
        if not isinstance(sheet, ReadOnlyWorksheet):
            sheet = workbook.worksheets[0]
        # The declared dimension can claim a million rows; reading without it
        # yields only the rows that the sheet XML contains.
        sheet.reset_dimensions()
        rows: list[tuple[int, list[object]]] = []
        for number, cells in enumerate(
            sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS), start=1
        ):
            values = [_cell_value(cell) for cell in cells]
            if all(value is None for value in values):
                continue
            rows.append((number, values))
            if len(rows) > max_rows:
                raise _xlsx_error(
                    "too_many_rows",
                    f"the worksheet has more than {max_rows} rows with values",
                    f"Trang tính có hơn {max_rows} dòng dữ liệu; mỗi tệp chỉ chứa một lớp.",
                )
        return XlsxSheet(sheet.title, rows, workbook.epoch.year == 1904)
    finally:
        workbook.close()


def serial_to_date(serial: float, *, date_1904: bool) -> date:
    """Convert an Excel date serial to a date.

    The 1900 system counts 1900-01-01 as day 1 and, like Lotus 1-2-3, includes
    the day 1900-02-29 that never existed (serial 60), so later serials are one
    day ahead. The 1904 system counts 1904-01-01 as day 0. Raise ``CellError``
    for serial 60, fractions and values outside the calendar.
    """
    if serial != math.floor(serial) or serial < 1:
        raise CellError(
            "invalid_date",
            f"{serial!r} không phải số ngày hợp lệ của Excel; hãy ghi ngày sinh dd/mm/yyyy.",
            f"{serial!r} is not a whole positive Excel date serial",
        )
    days = int(serial)
    if not date_1904 and days == _LEAP_BUG_SERIAL:
        raise CellError(
            "invalid_date",
            "Số ngày 60 của Excel là ngày 29/02/1900, không có trên lịch.",
            "Excel serial 60 is 1900-02-29, which does not exist",
        )
    try:
        if date_1904:
            return _EPOCH_1904 + timedelta(days=days)
        shift = days if days < _LEAP_BUG_SERIAL else days - 1
        return _EPOCH_1900 + timedelta(days=shift)
    except OverflowError as exc:
        raise CellError(
            "invalid_date",
            f"Số {days} quá lớn để là ngày sinh.",
            f"serial {days} is outside the calendar",
        ) from exc


def _number_text(value: float) -> str:
    if value == math.floor(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def cell_text(value: object, *, birth_date: bool, date_1904: bool) -> str:
    """Return the text that the cell parsers expect for an XLSX cell value.

    In the birth-date column a number is an Excel date serial and a date cell
    its date, both written dd/mm/yyyy. Numbers elsewhere keep their shortest
    exact form (8.5, 8). A ``FormulaCell`` returns its formula text.
    """
    if value is None:
        return ""
    if isinstance(value, FormulaCell):
        return value.text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if birth_date else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (time, timedelta)):
        return str(value)
    if isinstance(value, (int, float)):
        if birth_date:
            return serial_to_date(value, date_1904=date_1904).strftime("%d/%m/%Y")
        return _number_text(float(value))
    return str(value)
