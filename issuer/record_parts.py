"""Parts shared by the non-transcript record types: the student, the issuer, strict reading.

A digital-competence certificate and a completion confirmation name the student
and the school exactly as a transcript does (``issuer.transcript``): unhashed
``IdentityObject`` entries for the name, the birth date and the optional 10-digit
learner id, and the school's ``Profile`` with its codes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from hocba.errors import CredentialError, InputError
from issuer.csv_cells import (
    parse_birth_date,
    parse_class_name,
    parse_gender,
    parse_grade,
    parse_name,
    parse_school_year,
    parse_student_id,
)
from issuer.record_csv import RowCells
from issuer.records import ClassRecords, SchoolIdentity

__all__ = [
    "STUDENT_COLUMNS",
    "CredentialReader",
    "StudentInfo",
    "check_issue_arguments",
    "education_level_of",
    "group_class",
    "issuer_profile",
    "nfc",
    "parse_student",
    "student_identifiers",
    "utc_timestamp",
]

STUDENT_COLUMNS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã học sinh", "Lớp", "Khối",
                   "Năm học", "Giáo viên chủ nhiệm"]
_URN_UUID = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LEVEL_BY_GRADE = {**dict.fromkeys(range(1, 6), "TH"), **dict.fromkeys(range(6, 10), "THCS"),
                   **dict.fromkeys(range(10, 13), "THPT")}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class StudentInfo:
    """The student columns of a record spreadsheet row, parsed."""

    row_number: int
    full_name: str
    birth_date: date
    gender: str
    student_id: str
    class_name: str
    grade: int
    school_year: str
    homeroom_teacher: str


def parse_student(row: RowCells, grades: tuple[int, ...]) -> StudentInfo | None:
    """Parse the student columns of ``row``; None when a cell was rejected."""
    name = row.parse("Họ và tên", parse_name)
    birth = row.parse("Ngày sinh", parse_birth_date)
    gender = row.parse("Giới tính", parse_gender)
    student_id = row.parse("Mã học sinh", parse_student_id)
    class_name = row.parse("Lớp", parse_class_name)
    grade = row.parse("Khối", lambda raw: parse_grade(raw, grades))
    school_year = row.parse("Năm học", parse_school_year)
    teacher = row.parse("Giáo viên chủ nhiệm", parse_name)
    if (name is None or birth is None or gender is None or student_id is None
            or class_name is None or grade is None or school_year is None or teacher is None):
        return None
    if not class_name.startswith(str(grade)) or class_name[len(str(grade)):][:1].isdigit():
        row.reject("Lớp", f"Lớp {class_name} không thuộc khối {grade}.",
                   f"class {class_name} is not in grade {grade}", "class_grade_mismatch")
        return None
    return StudentInfo(row.row_number, name, birth, gender, student_id, class_name,
                       grade, school_year, teacher)


def education_level_of(grade: int) -> str:
    """Return TH, THCS or THPT for a grade of the general education programme."""
    if grade not in _LEVEL_BY_GRADE:
        raise InputError(f"grade {grade} is not 1 to 12", code="invalid_record",
                         message_vi=f"Khối {grade} không hợp lệ (phải từ 1 đến 12).")
    return _LEVEL_BY_GRADE[grade]


def check_issue_arguments(credential_id: str, valid_from: datetime) -> None:
    if not _URN_UUID.match(credential_id):
        raise InputError(f"credential id {credential_id!r} is not urn:uuid:<lowercase uuid>",
                         code="invalid_record", message_vi="Mã văn bản không hợp lệ.")
    if valid_from.tzinfo is None or valid_from.utcoffset() is None:
        raise InputError("valid_from must be timezone-aware", code="invalid_record",
                         message_vi="Thời điểm cấp phải có múi giờ.")


def utc_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def student_identifiers(student: StudentInfo) -> list[dict[str, Any]]:
    items = [("name", nfc(student.full_name)), ("ext:birthDate", student.birth_date.isoformat())]
    if student.student_id:
        items.append(("studentId", student.student_id))
    return [{"type": "IdentityObject", "identityType": kind, "hashed": False,
             "identityHash": value} for kind, value in items]


def issuer_profile(school: SchoolIdentity) -> dict[str, Any]:
    return {"id": school.issuer_did, "type": ["Profile"], "name": nfc(school.name),
            "schoolCode": school.school_code, "adminUnitCode": school.admin_unit_code}


class CredentialReader:
    """Strict accessors over an untrusted credential; every failure is a CredentialError."""

    def __init__(self, kind_en: str, kind_vi: str) -> None:
        self._kind_en = kind_en
        self._kind_vi = kind_vi

    def fail(self, detail: str) -> CredentialError:
        return CredentialError(f"{self._kind_en} credential: {detail}", code="malformed",
                               message_vi=f"{self._kind_vi} không hợp lệ: {detail}")

    def object(self, container: Any, key: str) -> dict[str, Any]:
        value = container.get(key) if isinstance(container, dict) else None
        if not isinstance(value, dict):
            raise self.fail(f"{key} is missing or not an object")
        return value

    def list(self, container: dict[str, Any], key: str) -> list[Any]:
        value = container.get(key)
        if not isinstance(value, list):
            raise self.fail(f"{key} is missing or not a list")
        return value

    def text(self, container: Any, key: str, *, optional: bool = False) -> str:
        value = container.get(key) if isinstance(container, dict) else None
        if value is None and optional:
            return ""
        if not isinstance(value, str) or (not value and not optional):
            raise self.fail(f"{key} is missing or not a non-empty string")
        return value

    def integer(self, container: dict[str, Any], key: str) -> int:
        value = container.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"{key} is missing or not an integer")
        return value

    def date(self, text: str, what: str) -> date:
        if not _ISO_DATE.match(text):
            raise self.fail(f"{what} is not YYYY-MM-DD")
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise self.fail(f"{what} does not exist") from exc

    def identifiers(self, subject: dict[str, Any]) -> dict[str, str]:
        found: dict[str, str] = {}
        for item in self.list(subject, "identifier"):
            kind = self.text(item, "identityType")
            if kind in found:
                raise self.fail(f"identifier {kind} appears twice")
            if item.get("hashed") is not False:
                raise self.fail(f"identifier {kind} must be unhashed")
            found[kind] = self.text(item, "identityHash")
        if "name" not in found or "ext:birthDate" not in found:
            raise self.fail("the name or birth date identifier is missing")
        return found

    def achievement_type(self, credential: Any) -> str:
        subject = self.object(credential, "credentialSubject")
        return self.text(self.object(subject, "achievement"), "achievementType")


def group_class(records: list[Any]) -> ClassRecords:
    """Return the rows as one class; raise InputError ``mixed_classes`` on another class or year."""
    first = records[0].student
    for record in records[1:]:
        student = record.student
        if (student.class_name, student.school_year) != (first.class_name, first.school_year):
            raise InputError(
                f"row {student.row_number} is class {student.class_name} {student.school_year}, "
                f"not {first.class_name} {first.school_year}", code="mixed_classes",
                message_vi=f"Dòng {student.row_number}: mỗi tệp chỉ chứa một lớp của một năm học "
                           f"({first.class_name}, {first.school_year}).")
    # NOTE: ClassRecords.students is typed for transcripts; issuance only reads the
    # attributes that CompetenceRecord and CompletionRecord also provide.
    return ClassRecords(first.class_name, first.grade, first.school_year, first.homeroom_teacher,
                        list(records))
