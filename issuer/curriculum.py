"""Subject lists of a general education programme, loaded from ``data/curriculum``.

A curriculum file lists, per subject, its code (``TOAN``), the segment used in
result ids (``toan`` in ``urn:hocba:result:toan:hk1``), its Vietnamese name, its
CSV column label, how it is assessed (``score`` or ``pass_fail``) and the grades
that study it.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from hocba.errors import InputError

__all__ = [
    "ASSESSMENT_KINDS",
    "DATA_DIR",
    "AgeCheck",
    "Curriculum",
    "Subject",
    "curriculum_for",
    "load_curriculum",
]

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ASSESSMENT_KINDS = ("score", "pass_fail", "rating")


@dataclass(frozen=True)
class Subject:
    """One subject or educational activity of the programme."""

    code: str
    id_segment: str
    name: str
    csv_label: str
    assessment: str
    grades: tuple[int, ...]
    elective: bool = False

    @property
    def is_scored(self) -> bool:
        return self.assessment == "score"


@dataclass(frozen=True)
class AgeCheck:
    """Plausible age band for a grade, in whole years of birth-year difference."""

    nominal_age_in_grade1: int
    max_years_older: int
    max_years_younger: int

    def birth_years(self, grade: int, start_year: int) -> range:
        """Return the accepted birth years for ``grade`` in the year starting ``start_year``."""
        nominal = start_year - (self.nominal_age_in_grade1 + grade - 1)
        return range(nominal - self.max_years_older, nominal + self.max_years_younger + 1)


@dataclass(frozen=True)
class Curriculum:
    """A programme: its id, education level, grades and subjects in display order."""

    id: str
    name: str
    education_level: str
    education_level_name: str
    grades: tuple[int, ...]
    subjects: tuple[Subject, ...]
    age_check: AgeCheck
    electives_count: int | None = None
    rules_id: str = "tt22-2021"
    circular: str = "Thông tư 22/2021/TT-BGDĐT"
    learner_term: str = "học sinh"
    head_title: str = "Hiệu trưởng"

    @property
    def has_open_electives(self) -> bool:
        """Tell whether the school still has to choose elective subjects."""
        return self.electives_count is not None

    def with_electives(self, codes: Iterable[str]) -> Curriculum:
        """Return this curriculum restricted to the compulsory subjects and ``codes``.

        ``codes`` are the elective subjects a school chose; their number must be
        the curriculum's ``electives_count``.
        """
        chosen = set(codes)
        electives = {subject.code for subject in self.subjects if subject.elective}
        unknown = sorted(chosen - electives)
        if unknown:
            raise InputError(
                f"{unknown} are not elective subjects of curriculum {self.id}",
                code="unknown_elective",
                message_vi=f"Môn {', '.join(unknown)} không phải môn lựa chọn của "
                           f"chương trình {self.name}.",
            )
        if self.electives_count is not None and len(chosen) != self.electives_count:
            raise InputError(
                f"curriculum {self.id} needs {self.electives_count} electives, got {len(chosen)}",
                code="elective_count",
                message_vi=f"Cần đúng {self.electives_count} môn lựa chọn, "
                           f"nhưng có {len(chosen)} môn.",
            )
        subjects = tuple(item for item in self.subjects if not item.elective or item.code in chosen)
        return replace(self, subjects=subjects, electives_count=None)

    def for_subject_codes(self, codes: Iterable[str]) -> Curriculum:
        """Return the curriculum whose electives are those among ``codes`` (itself if none open)."""
        if not self.has_open_electives:
            return self
        electives = {subject.code for subject in self.subjects if subject.elective}
        return self.with_electives(code for code in codes if code in electives)

    def subjects_for_grade(self, grade: int) -> list[Subject]:
        """Return the subjects of ``grade`` in curriculum order."""
        if grade not in self.grades:
            raise InputError(
                f"grade {grade} is not part of curriculum {self.id} (grades {self.grades})",
                code="unknown_grade",
                message_vi=f"Khối {grade} không thuộc chương trình {self.name}.",
            )
        return [subject for subject in self.subjects if grade in subject.grades]

    def subject(self, code: str) -> Subject:
        """Return the subject with ``code``."""
        for subject in self.subjects:
            if subject.code == code:
                return subject
        raise InputError(
            f"unknown subject code {code!r} in curriculum {self.id}",
            code="unknown_subject",
            message_vi=f"Không có môn mã {code!r} trong chương trình {self.name}.",
        )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _parse_subject(raw: dict) -> Subject:
    assessment = raw["assessment"]
    if assessment not in ASSESSMENT_KINDS:
        raise InputError(f"subject {raw['code']}: unknown assessment kind {assessment!r}")
    return Subject(
        code=raw["code"],
        id_segment=raw["idSegment"],
        name=_nfc(raw["name"]),
        csv_label=_nfc(raw["csvLabel"]),
        assessment=assessment,
        grades=tuple(int(grade) for grade in raw["grades"]),
        elective=bool(raw.get("elective", False)),
    )


def _parse_curriculum(raw: dict) -> Curriculum:
    age = raw["ageCheck"]
    subjects = tuple(_parse_subject(item) for item in raw["subjects"])
    codes = [subject.code for subject in subjects]
    if len(set(codes)) != len(codes):
        raise InputError(f"curriculum {raw['id']}: duplicate subject codes")
    return Curriculum(
        id=raw["id"],
        name=_nfc(raw["name"]),
        education_level=raw["educationLevel"],
        education_level_name=_nfc(raw["educationLevelName"]),
        grades=tuple(int(grade) for grade in raw["grades"]),
        subjects=subjects,
        age_check=AgeCheck(
            nominal_age_in_grade1=int(age["nominalAgeInGrade1"]),
            max_years_older=int(age["maxYearsOlder"]),
            max_years_younger=int(age["maxYearsYounger"]),
        ),
        electives_count=int(raw["electives"]["count"]) if "electives" in raw else None,
        rules_id=raw.get("rules", "tt22-2021"),
        circular=_nfc(raw.get("circular", "Thông tư 22/2021/TT-BGDĐT")),
        learner_term=_nfc(raw.get("learnerTerm", "học sinh")),
        head_title=_nfc(raw.get("headTitle", "Hiệu trưởng")),
    )


@lru_cache(maxsize=8)
def load_curriculum(name: str = "thcs-2018") -> Curriculum:
    """Load ``data/curriculum/<name>.json``; raise InputError when it is missing or invalid."""
    path = DATA_DIR / "curriculum" / f"{name}.json"
    if not path.is_file():
        raise InputError(f"curriculum file not found: {path}", code="curriculum_not_found")
    try:
        curriculum = _parse_curriculum(json.loads(path.read_text(encoding="utf-8")))
    except InputError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"invalid curriculum file {path}: {exc}", code="curriculum_invalid"
        ) from exc
    logger.debug("loaded curriculum %s with %d subjects", curriculum.id, len(curriculum.subjects))
    return curriculum


@lru_cache(maxsize=16)
def curriculum_for(education_level: str, grade: int) -> Curriculum:
    """Return the curriculum in ``data/curriculum`` for ``education_level`` and ``grade``.

    The files are scanned in name order; the first one whose education level and
    grades match wins. Raise InputError ``unknown_level`` when none matches.
    """
    for path in sorted((DATA_DIR / "curriculum").glob("*.json")):
        candidate = load_curriculum(path.stem)
        if candidate.education_level == education_level and grade in candidate.grades:
            return candidate
    raise InputError(
        f"no curriculum for level {education_level!r} grade {grade}",
        code="unknown_level",
        message_vi=f"Không có chương trình cho cấp {education_level} lớp {grade}.",
    )
