"""Locating and checking the header of a class spreadsheet.

School systems export lists with a title row above the header ("DANH SÁCH HỌC
SINH LỚP 8A1"), with a two-row header whose upper row holds merged subject
labels ("Toán" over three columns) and whose lower row holds the terms (HKI,
HKII, CN), and with blank columns on the right. ``locate_header`` finds the
header row by its known column labels and returns one label per column.
"""

from __future__ import annotations

from dataclasses import dataclass

from issuer.csv_cells import clean_text
from issuer.import_rows import ImportProblem

__all__ = ["HeaderLayout", "header_key", "header_problems", "locate_header"]

# A row is the header when at least this many of its cells are known labels.
_MIN_KNOWN_LABELS = 3
# Only the first rows of a sheet are searched, so a student row is never taken
# for a header.
_SEARCH_ROWS = 20
_TERM_LABELS = {
    "hki": "HKI", "hkii": "HKII", "cn": "CN",
    "học kỳ i": "HKI", "học kỳ ii": "HKII", "cả năm": "CN",
    "học kì i": "HKI", "học kì ii": "HKII",
}


@dataclass(frozen=True)
class HeaderLayout:
    """The header row number, its column labels and the first row after it."""

    row: int
    labels: list[str]
    body_start: int


def header_key(text: str) -> str:
    """Return the form in which header labels are compared: NFC, spaces collapsed, casefolded."""
    return clean_text(text).casefold()


def _text(value: object) -> str:
    return "" if value is None else clean_text(str(value))


def _merge_two_rows(upper: list[str], lower: list[str]) -> list[str]:
    """Join a group label row and a term row into single labels such as ``Toán HKI``."""
    labels: list[str] = []
    group = ""
    for index, top in enumerate(upper):
        bottom = lower[index] if index < len(lower) else ""
        term = _TERM_LABELS.get(bottom.casefold())
        if top:
            group = top
        if term and group:
            labels.append(f"{group} {term}")
        elif bottom:
            # A label in the lower row is the more specific one, e.g. "STT"
            # under a merged "Thông tin học sinh".
            labels.append(bottom)
            group = ""
        else:
            labels.append(top)
    return labels


def _trim_right(labels: list[str]) -> list[str]:
    width = len(labels)
    while width and not labels[width - 1]:
        width -= 1
    return labels[:width]


def locate_header(
    rows: list[tuple[int, list[object]]], known_labels: set[str], group_labels: set[str]
) -> tuple[HeaderLayout, list[tuple[int, list[object]]]]:
    """Find the header among the first non-blank ``rows``; return it and the data rows.

    ``known_labels`` and ``group_labels`` are header keys: whole column labels,
    and the labels that may head a group of term columns. Without a match the
    first row is the header, so that its problems are reported against it.
    """
    index = 0
    for position, (_, cells) in enumerate(rows[:_SEARCH_ROWS]):
        keys = {header_key(_text(cell)) for cell in cells}
        if len(keys & (known_labels | group_labels)) >= _MIN_KNOWN_LABELS:
            index = position
            break
    number, cells = rows[index]
    labels = [_text(cell) for cell in cells]
    consumed = index + 1
    if consumed < len(rows) and rows[consumed][0] == number + 1:
        lower = [_text(cell) for cell in rows[consumed][1]]
        if any(label.casefold() in _TERM_LABELS for label in lower):
            labels = _merge_two_rows(labels, lower)
            consumed += 1
    last_header_row = rows[consumed - 1][0]
    layout = HeaderLayout(number, _trim_right(labels), last_header_row + 1)
    return layout, rows[consumed:]


def header_problems(row: int, header: list[str], expected: list[str]) -> list[ImportProblem]:
    """Return a problem for every repeated, unknown or missing column of ``header``."""
    problems: list[ImportProblem] = []
    seen: set[str] = set()
    expected_keys = {header_key(name): name for name in expected}
    for cell in header:
        key = header_key(cell)
        label = clean_text(cell)
        if key in seen:
            problems.append(ImportProblem(
                row, label, cell, f"Cột {label!r} bị lặp lại.",
                f"column {label!r} appears twice", "duplicate_column",
            ))
        elif key not in expected_keys:
            problems.append(ImportProblem(
                row, label, cell,
                f"Cột {label!r} không có trong mẫu; hãy xoá hoặc đổi tên cột.",
                f"column {label!r} is not part of the template", "unknown_column",
            ))
        seen.add(key)
    for key, name in expected_keys.items():
        if key not in seen:
            problems.append(ImportProblem(
                row, name, "", f"Thiếu cột {name!r}; hãy dùng đúng tiêu đề của tệp mẫu.",
                f"missing column {name!r}", "missing_column",
            ))
    return problems
