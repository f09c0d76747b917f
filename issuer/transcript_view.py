"""Read a transcript credential back into a display model for the PDF and the web pages.

``read_transcript`` is strict and total: it either returns a complete
``TranscriptView`` or raises ``CredentialError`` naming the missing or invalid
part. It never raises KeyError or TypeError on a malformed credential. It does
not check signatures or anchoring, which the verifier does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from hocba.errors import CredentialError, InputError
from issuer.curriculum import Curriculum, curriculum_for

__all__ = [
    "LEVELS",
    "PASS_FAIL",
    "TERM_NAMES",
    "TranscriptRow",
    "TranscriptView",
    "TransferView",
    "display_value",
    "read_transcript",
]

TERMS = ("hk1", "hk2", "cn")
TERM_NAMES = {"hk1": "Học kỳ I", "hk2": "Học kỳ II", "cn": "Cả năm"}
LEVELS = ("Tốt", "Khá", "Đạt", "Chưa đạt")
PASS_FAIL = ("Đạt", "Chưa đạt")

_SCORE = re.compile(r"^(?:10\.0|\d\.\d)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RESULT_PREFIX = "urn:hocba:result:"


def display_value(value: str) -> str:
    """Return a result as printed: scores with a decimal comma (``8,5``), words unchanged."""
    return value.replace(".", ",") if _SCORE.match(value) else value


@dataclass(frozen=True)
class TranscriptRow:
    """One subject line of the transcript: the raw credential values per term."""

    code: str
    name: str
    assessment: str
    hk1: str
    hk2: str
    cn: str

    def display(self) -> tuple[str, str, str]:
        """Return (hk1, hk2, cn) as printed, with decimal commas."""
        return display_value(self.hk1), display_value(self.hk2), display_value(self.cn)


@dataclass(frozen=True)
class TransferView:
    """The transfer a record notes: ``out`` (chuyển đi) or ``in`` (chuyển đến)."""

    direction: str
    transfer_date: date
    other_school: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class TranscriptView:
    """Everything a printed transcript shows, read from one credential."""

    credential_id: str
    issuer_id: str
    school_name: str
    school_code: str
    admin_unit_code: str
    valid_from: str
    title: str
    student_name: str
    birth_date: date
    student_id: str
    gender: str
    class_name: str
    grade: int
    school_year: str
    education_level: str
    rows: tuple[TranscriptRow, ...]
    academic: dict[str, str]
    conduct: dict[str, str]
    award_title: str | None
    remark: str
    homeroom_teacher: str
    principal: str
    level_name: str = ""
    learner_term: str = "học sinh"
    head_title: str = "Hiệu trưởng"
    transfer: TransferView | None = None
    # A back-filled record: the day it was issued and the day whose registered
    # school name it carries.
    backfill_date: date | None = None
    name_as_of: date | None = None

    @property
    def subjects(self) -> tuple[TranscriptRow, ...]:
        """Return the subject rows; an alias of ``rows`` for the PDF renderer."""
        return self.rows


def _fail(detail: str) -> CredentialError:
    return CredentialError(
        f"transcript credential: {detail}",
        code="malformed",
        message_vi=f"Học bạ số không hợp lệ: {detail}",
    )


def _object(container: Any, key: str) -> dict[str, Any]:
    value = container.get(key) if isinstance(container, dict) else None
    if not isinstance(value, dict):
        raise _fail(f"{key} is missing or not an object")
    return value


def _text(container: dict[str, Any], key: str, *, optional: bool = False) -> str:
    value = container.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or (not value and not optional):
        raise _fail(f"{key} is missing or not a non-empty string")
    return value


def _identifiers(subject: dict[str, Any]) -> dict[str, str]:
    items = subject.get("identifier")
    if not isinstance(items, list):
        raise _fail("credentialSubject.identifier is missing or not a list")
    found: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            raise _fail("an identifier is not an object")
        kind = _text(item, "identityType")
        if kind in found:
            raise _fail(f"identifier {kind} appears twice")
        if item.get("hashed") is not False:
            raise _fail(f"identifier {kind} must be unhashed in a transcript credential")
        found[kind] = _text(item, "identityHash")
    return found


def _birth_date(text: str) -> date:
    if not _ISO_DATE.match(text):
        raise _fail("birth date is not YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _fail("birth date does not exist") from exc


def _result_values(subject: dict[str, Any]) -> dict[str, str]:
    items = subject.get("result")
    if not isinstance(items, list):
        raise _fail("credentialSubject.result is missing or not a list")
    values: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            raise _fail("a result is not an object")
        result_id = _text(item, "resultDescription")
        if not result_id.startswith(_RESULT_PREFIX):
            raise _fail(f"unknown result id {result_id!r}")
        if result_id in values:
            raise _fail(f"result {result_id} appears twice")
        values[result_id] = _text(item, "value")
    return values


def _take(values: dict[str, str], result_id: str, allowed: tuple[str, ...] | None) -> str:
    value = values.pop(result_id, None)
    if value is None:
        raise _fail(f"result {result_id} is missing")
    valid = bool(_SCORE.match(value)) if allowed is None else value in allowed
    if not valid:
        raise _fail(f"result {result_id} has invalid value {value!r}")
    return value


def _curriculum(given: Curriculum | None, level: str, grade: int,
                values: dict[str, str]) -> Curriculum:
    """Return the curriculum of the credential, its electives taken from the results present."""
    try:
        curriculum = given or curriculum_for(level, grade)
        if not curriculum.has_open_electives:
            return curriculum
        chosen = [item.code for item in curriculum.subjects if item.elective
                  and any(f"{_RESULT_PREFIX}{item.id_segment}:{term}" in values
                          for term in TERMS)]
        return curriculum.with_electives(chosen)
    except InputError as exc:
        raise _fail(str(exc)) from exc


def read_transcript(
    credential: dict[str, Any], curriculum: Curriculum | None = None
) -> TranscriptView:
    """Return the display model of a transcript credential, or raise CredentialError."""
    if not isinstance(credential, dict):
        raise _fail("the credential is not a JSON object")
    issuer = _object(credential, "issuer")
    subject = _object(credential, "credentialSubject")
    identifiers = _identifiers(subject)
    if "name" not in identifiers or "ext:birthDate" not in identifiers:
        raise _fail("the name or birth date identifier is missing")
    grade = subject.get("grade")
    if not isinstance(grade, int) or isinstance(grade, bool):
        raise _fail(f"grade {grade!r} is not a whole number")
    values = _result_values(subject)
    curriculum = _curriculum(curriculum, _text(subject, "educationLevel"), grade, values)
    if grade not in curriculum.grades:
        raise _fail(f"grade {grade!r} is not a grade of {curriculum.id}")
    transfer = _transfer(subject)
    studied = transfer.terms if transfer else TERMS

    def take(result_id: str, term: str, allowed: tuple[str, ...] | None) -> str:
        return _take(values, f"{_RESULT_PREFIX}{result_id}:{term}", allowed) \
            if term in studied else ""

    rows: list[TranscriptRow] = []
    for item in curriculum.subjects_for_grade(grade):
        allowed = None if item.is_scored else PASS_FAIL
        terms = [take(item.id_segment, term, allowed) for term in TERMS]
        rows.append(TranscriptRow(item.code, item.name, item.assessment, *terms))
    academic = {term: take("academic", term, LEVELS) for term in TERMS}
    conduct = {term: take("conduct", term, LEVELS) for term in TERMS}
    backfill = subject.get("backfill")
    backfill = backfill if isinstance(backfill, dict) else {}
    if values:
        raise _fail(f"unexpected results {sorted(values)}")

    return TranscriptView(
        credential_id=_text(credential, "id"),
        issuer_id=_text(issuer, "id"),
        school_name=_text(issuer, "name"),
        school_code=_text(issuer, "schoolCode"),
        admin_unit_code=_text(issuer, "adminUnitCode"),
        valid_from=_text(credential, "validFrom"),
        title=_text(credential, "name"),
        student_name=identifiers["name"],
        birth_date=_birth_date(identifiers["ext:birthDate"]),
        student_id=identifiers.get("studentId", ""),
        gender=_text(subject, "gender"),
        class_name=_text(subject, "className"),
        grade=grade,
        school_year=_text(subject, "schoolYear"),
        education_level=_text(subject, "educationLevel"),
        rows=tuple(rows),
        academic=academic,
        conduct=conduct,
        award_title=_text(subject, "awardTitle", optional=True) or None,
        remark=_text(subject, "remark", optional=True),
        homeroom_teacher=_text(subject, "homeroomTeacher"),
        principal=_text(subject, "principal"),
        level_name=curriculum.education_level_name,
        learner_term=curriculum.learner_term,
        head_title=curriculum.head_title,
        transfer=transfer,
        backfill_date=_optional_date(backfill, "backfillDate"),
        name_as_of=_optional_date(backfill, "issuerNameAsOf"),
    )


def _optional_date(container: dict[str, Any], key: str) -> date | None:
    if key not in container:
        return None
    text = _text(container, key)
    if not _ISO_DATE.match(text):
        raise _fail(f"{key} is not YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _fail(f"{key} does not exist") from exc


def _transfer(subject: dict[str, Any]) -> TransferView | None:
    if "transfer" not in subject:
        return None
    transfer = _object(subject, "transfer")
    kinds = transfer.get("type")
    if kinds == ["TransferOut"]:
        direction = "out"
    elif kinds == ["TransferIn"]:
        direction = "in"
    else:
        raise _fail(f"transfer type {kinds!r} is not [TransferOut] or [TransferIn]")
    terms = transfer.get("termsStudied")
    if not isinstance(terms, list) or not terms or any(term not in TERMS for term in terms):
        raise _fail(f"termsStudied {terms!r} is not a list of hk1, hk2, cn")
    if "transferDate" not in transfer:
        raise _fail("transfer.transferDate is missing")
    transfer_date = _optional_date(transfer, "transferDate")
    return TransferView(direction, transfer_date or date.min, _text(transfer, "otherSchoolName"),
                        tuple(term for term in TERMS if term in terms))
