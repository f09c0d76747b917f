"""Transfers between schools (học sinh chuyển trường) within one school year.

A student who moves during the year gets two records of that year:

- the sending school's record (``out``, chuyển đi) carries Học kỳ I and, when the
  student left after Học kỳ II ended, Học kỳ II, but never the whole-year result
  (Cả năm), with the transfer date and the destination school;
- the receiving school's record (``in``, chuyển đến) carries Học kỳ II and may
  carry the whole-year result, which the receiving school works out from both
  terms. It never repeats Học kỳ I, because that stays on the sending school's record.

NOTE: these term rules follow common practice for assessment under Circular
22/2021/TT-BGDĐT as secondary sources describe it; they were not checked against
the text of the circular or of the Ministry's transfer rules (unconfirmed).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from issuer.records import SchoolTransfer

__all__ = [
    "DIRECTION_NAMES",
    "TRANSFER_COLUMNS",
    "TransferProblem",
    "activity_period",
    "parse_direction",
    "transfer_problems",
    "transfer_subject",
]

TRANSFER_COLUMNS = ("Chuyển trường", "Ngày chuyển", "Trường đi/đến")
"""Optional columns of the class template, all three filled or all three empty."""

DIRECTION_NAMES = {"out": "Chuyển đi", "in": "Chuyển đến"}
_DIRECTIONS = {"chuyển đi": "out", "đi": "out", "chuyển đến": "in", "đến": "in"}
_TERM_ORDER = ("hk1", "hk2", "cn")


@dataclass(frozen=True)
class TransferProblem:
    """One rejected transfer value: the column, messages in Vietnamese and English, a code."""

    column: str
    value: str
    message_vi: str
    message_en: str
    code: str


def parse_direction(text: str) -> str | None:
    """Return ``out`` or ``in`` for a direction cell (Chuyển đi / Chuyển đến), else None."""
    key = unicodedata.normalize("NFC", " ".join(text.split())).casefold()
    return _DIRECTIONS.get(key)


def _ordered(terms: set[str]) -> tuple[str, ...]:
    return tuple(term for term in _TERM_ORDER if term in terms)


def transfer_problems(direction: str, transfer_date: date, terms: set[str], *,
                      year_start: date, year_end: date) -> list[TransferProblem]:
    """Check a transfer against its school year and the terms the row fills in.

    ``terms`` are the terms with results in the row. The date must fall after the
    first day and on or before the last day of the school year.
    """
    problems = []
    if not year_start < transfer_date <= year_end:
        problems.append(TransferProblem(
            "Ngày chuyển", f"{transfer_date:%d/%m/%Y}",
            f"Ngày chuyển {transfer_date:%d/%m/%Y} nằm ngoài năm học "
            f"(từ {year_start:%d/%m/%Y} đến {year_end:%d/%m/%Y}).",
            f"transfer date {transfer_date} is outside the school year "
            f"({year_start} to {year_end})",
            "transfer_date_outside_year",
        ))
    if direction == "out":
        if "hk1" not in terms:
            problems.append(_term_problem(
                "Học sinh chuyển đi phải có kết quả Học kỳ I; chuyển đi trước khi hết Học kỳ I "
                "thì trường không cấp học bạ năm học này.",
                "a transferred-out record needs the term I results", "transfer_out_without_hk1"))
        if "cn" in terms:
            problems.append(_term_problem(
                "Học sinh chuyển đi không có kết quả Cả năm ở trường chuyển đi; để trống các "
                "cột CN.",
                "a transferred-out record carries no whole-year result; leave the CN columns "
                "empty", "transfer_out_with_year_result"))
    else:
        if "hk1" in terms:
            problems.append(_term_problem(
                "Học sinh chuyển đến không ghi lại kết quả Học kỳ I (đã có trong học bạ của "
                "trường chuyển đi); để trống các cột HK1.",
                "a transferred-in record does not repeat term I; leave the HK1 columns empty",
                "transfer_in_with_hk1"))
        if "hk2" not in terms:
            problems.append(_term_problem(
                "Học sinh chuyển đến phải có kết quả Học kỳ II.",
                "a transferred-in record needs the term II results", "transfer_in_without_hk2"))
    return problems


def _term_problem(vi: str, en: str, code: str) -> TransferProblem:
    return TransferProblem("Chuyển trường", "", vi, en, code)


def activity_period(transfer: SchoolTransfer | None, start: str, end: str) -> tuple[str, str]:
    """Return the record's (activityStartDate, activityEndDate) given the school year's.

    A sending school's record ends on the transfer date and a receiving school's
    record starts on it, both at midnight Vietnam time like the school year's dates.
    """
    if transfer is None:
        return start, end
    moment = f"{transfer.transfer_date.isoformat()}T00:00:00+07:00"
    return (start, moment) if transfer.direction == "out" else (moment, end)


def transfer_subject(transfer: SchoolTransfer) -> dict[str, Any]:
    """Return the ``transfer`` object of the credential subject."""
    kind = "TransferOut" if transfer.direction == "out" else "TransferIn"
    return {
        "type": [kind],
        "transferDate": transfer.transfer_date.isoformat(),
        "otherSchoolName": unicodedata.normalize("NFC", transfer.other_school),
        "termsStudied": list(_ordered(set(transfer.terms))),
    }
