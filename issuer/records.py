"""Domain records of one school year: subject results, students, classes, the school.

Text fields are NFC. Scores are strings with a dot and one decimal (``"8.5"``);
comment-only subjects carry ``"Đạt"`` or ``"Chưa đạt"``. Terms are ``hk1``
(Học kỳ I), ``hk2`` (Học kỳ II) and ``cn`` (Cả năm).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "ClassRecords",
    "SchoolIdentity",
    "SchoolTransfer",
    "StudentYearRecord",
    "SubjectResult",
]


@dataclass(frozen=True)
class SubjectResult:
    """Results of one subject: term I, term II and the whole year."""

    code: str
    hk1: str
    hk2: str
    cn: str

    def value(self, term: str) -> str:
        """Return the result for ``term`` (``hk1``, ``hk2`` or ``cn``)."""
        if term not in ("hk1", "hk2", "cn"):
            raise KeyError(term)
        return str(getattr(self, term))


@dataclass(frozen=True)
class SchoolTransfer:
    """A transfer between schools during the school year, as one school records it.

    ``direction`` is ``out`` (chuyển đi: the sending school's record) or ``in``
    (chuyển đến: the receiving school's record). ``other_school`` is the
    destination for ``out`` and the origin for ``in``. ``terms`` lists the terms
    the record carries, in the order ``hk1``, ``hk2``, ``cn``.
    """

    direction: str
    transfer_date: date
    other_school: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class StudentYearRecord:
    """One student's learning record for one school year, as imported or generated.

    ``row_number`` is the spreadsheet row the record came from (header = row 1),
    or 0 for a record that did not come from a spreadsheet. ``student_id`` is the
    10-digit learner id or an empty string. ``academic`` and ``conduct`` map each
    term to Tốt / Khá / Đạt / Chưa đạt. A record with a ``transfer`` carries only
    the terms in ``transfer.terms``: the other terms' values are empty strings and
    absent from ``academic`` and ``conduct``.
    """

    row_number: int
    full_name: str
    birth_date: date
    gender: str
    student_id: str
    class_name: str
    grade: int
    school_year: str
    homeroom_teacher: str
    subjects: list[SubjectResult]
    academic: dict[str, str]
    conduct: dict[str, str]
    award_title: str | None
    remark: str
    transfer: SchoolTransfer | None = None

    @property
    def terms(self) -> tuple[str, ...]:
        """Return the terms this record carries: all three unless it records a transfer."""
        return self.transfer.terms if self.transfer else ("hk1", "hk2", "cn")


@dataclass(frozen=True)
class ClassRecords:
    """One class of one school year and its students in list order."""

    class_name: str
    grade: int
    school_year: str
    homeroom_teacher: str
    students: list[StudentYearRecord] = field(default_factory=list)


@dataclass(frozen=True)
class SchoolIdentity:
    """The issuing school as it appears in credentials.

    ``issuer_did`` is ``did:pkh:eip155:<chain id>:<school account>``;
    ``school_code`` is the MOET school code and ``admin_unit_code`` the 5-digit
    code of the supervising commune or the 2-digit code of the province.
    """

    issuer_did: str
    name: str
    school_code: str
    admin_unit_code: str
    principal: str
