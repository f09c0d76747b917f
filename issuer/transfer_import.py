"""The optional transfer columns of the class template: header, cells and term checks.

A class sheet may end with the three columns ``Chuyển trường`` (Chuyển đi or
Chuyển đến), ``Ngày chuyển`` (dd/mm/yyyy) and ``Trường đi/đến`` (the other
school). A row with the three cells empty is an ordinary row. A transfer row
fills only the terms its school records (see issuer.transfer); the terms are
read from which result cells are filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from issuer.csv_cells import CellError, clean_text, parse_birth_date, parse_name
from issuer.curriculum import Curriculum, Subject
from issuer.import_checks import term_suffix
from issuer.records import SubjectResult
from issuer.rules import TERMS, RuleSet, academic_result, parse_score
from issuer.transfer import TRANSFER_COLUMNS, TransferProblem, parse_direction

__all__ = [
    "TransferCells",
    "academic_mismatches",
    "column_key",
    "filled_terms",
    "parse_transfer_cells",
    "split_transfer_columns",
]



def column_key(label: str) -> str:
    """Return the form in which column labels are compared (as issuer.import_header does)."""
    return clean_text(label).casefold()


TransferCells = tuple[str, date, str]
"""(direction, transfer date, other school) of one row."""


def split_transfer_columns(labels: Sequence[str]) -> tuple[list[str], list[TransferProblem]]:
    """Return the labels without the transfer columns, and a problem per missing one.

    The transfer columns are optional as a group: a header with some but not all
    of them gets a ``missing_column`` problem for each absent one.
    """
    keys = {column_key(name): name for name in TRANSFER_COLUMNS}
    present = {column_key(label) for label in labels} & keys.keys()
    rest = [label for label in labels if column_key(label) not in keys]
    problems = []
    if present:
        for key, name in keys.items():
            if key not in present:
                problems.append(TransferProblem(
                    name, "",
                    f"Thiếu cột {name!r}: các cột chuyển trường phải có đủ ba cột "
                    f"{', '.join(TRANSFER_COLUMNS)}.",
                    f"missing column {name!r}: the transfer columns come as a group of three",
                    "missing_column",
                ))
    return rest, problems


def parse_transfer_cells(cells: dict[str, str]
                         ) -> tuple[TransferCells | None, list[TransferProblem]]:
    """Parse the transfer cells of one row, keyed by ``column_key`` of the column label.

    Returns (None, []) for a row without a transfer and (None, problems) for a
    row whose transfer cells are invalid or incomplete.
    """
    direction_text, date_text, school_text = (clean_text(cells.get(column_key(name), ""))
                                              for name in TRANSFER_COLUMNS)
    if not (direction_text or date_text or school_text):
        return None, []
    problems = []
    direction = parse_direction(direction_text)
    if direction is None:
        problems.append(TransferProblem(
            TRANSFER_COLUMNS[0], direction_text,
            f"Cột Chuyển trường ghi {direction_text!r}; hãy ghi 'Chuyển đi' hoặc 'Chuyển đến'.",
            f"transfer direction {direction_text!r} is not 'Chuyển đi' or 'Chuyển đến'",
            "invalid_transfer_direction",
        ))
    moved_on: date | None = None
    try:
        moved_on = parse_birth_date(date_text)
    except CellError as exc:
        problems.append(TransferProblem(
            TRANSFER_COLUMNS[1], date_text,
            f"Ngày chuyển {date_text!r} thiếu hoặc sai định dạng; hãy ghi dd/mm/yyyy.",
            f"transfer date {date_text!r} is missing or invalid ({exc.code})",
            "invalid_transfer_date",
        ))
    school = ""
    try:
        school = parse_name(school_text)
    except CellError as exc:
        problems.append(TransferProblem(TRANSFER_COLUMNS[2], school_text, exc.message_vi,
                                        exc.message_en, exc.code))
    if problems or direction is None or moved_on is None:
        return None, problems
    return (direction, moved_on, school), []


def filled_terms(cells: dict[str, str], subjects: Sequence[Subject]) -> set[str]:
    """Return the terms with at least one filled result cell in the row."""
    filled = set()
    for term in TERMS:
        suffix = term_suffix(term)
        labels = [f"{subject.csv_label} {suffix}" for subject in subjects]
        labels += [f"Kết quả học tập {suffix}", f"Kết quả rèn luyện {suffix}"]
        if any(clean_text(cells.get(column_key(label), "")) for label in labels):
            filled.add(term)
    return filled


def academic_mismatches(subjects: Sequence[SubjectResult], academic: dict[str, str],
                        terms: Sequence[str], curriculum: Curriculum,
                        rules: RuleSet) -> list[TransferProblem]:
    """Compare the academic result of each carried term with what the rules give.

    NOTE: the year average and the award title of a receiving school's record
    depend on term I results held by the sending school, so they are not recomputed.
    """
    problems = []
    for term in terms:
        given = academic.get(term)
        if given is None or term == "cn":
            continue
        scores = []
        comments = []
        for result in subjects:
            value = result.value(term)
            if curriculum.subject(result.code).is_scored:
                scores.append(parse_score(value))
            else:
                comments.append(value)
        expected = academic_result(scores, comments, rules)
        if given != expected:
            column = f"Kết quả học tập {term_suffix(term)}"
            problems.append(TransferProblem(
                column, given,
                f"{column} ghi {given!r} nhưng theo Thông tư 22/2021 phải là {expected!r}.",
                f"academic result {term} is {given!r} but the rules give {expected!r}",
                "academic_mismatch",
            ))
    return problems
