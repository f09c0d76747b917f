"""Digital-competence certificates (Circular 02/2025/TT-BGDĐT): spreadsheet, credential, reader.

The credential is an Open Badges 3.0 ``Achievement`` of type ``Certificate``
aligned to every component competence of the framework (OB ``Alignment`` with
``targetType`` ``ext:DigitalCompetence``). It carries one ``Result`` per
component whose value is the level reached, ``"Bậc 1"`` to ``"Bậc 8"``, with
result ids ``urn:hocba:result:competence:<component code>``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hocba.errors import InputError
from issuer.competence_framework import CompetenceFramework, Component, load_framework
from issuer.csv_cells import CellError, clean_text
from issuer.record_csv import RowCells, read_record_rows
from issuer.record_parts import (
    STUDENT_COLUMNS,
    CredentialReader,
    StudentInfo,
    check_issue_arguments,
    education_level_of,
    group_class,
    issuer_profile,
    nfc,
    parse_student,
    student_identifiers,
    utc_timestamp,
)
from issuer.records import ClassRecords, SchoolIdentity
from issuer.transcript import CONTEXT, school_year_period

__all__ = [
    "ACHIEVEMENT_TYPE",
    "CompetenceRecord",
    "CompetenceRow",
    "CompetenceView",
    "build_competence_credential",
    "competence_columns",
    "read_competence",
    "read_competence_csv",
]

logger = logging.getLogger(__name__)

ACHIEVEMENT_TYPE = "Certificate"
RESULT_TYPE = "ext:DigitalCompetenceLevel"
_DASH = "\u2013"
_READER = CredentialReader("digital competence", "Chứng nhận năng lực số")


@dataclass(frozen=True)
class CompetenceRecord:
    """One student's assessed levels, component code to level (1 to 8), for one school year."""

    student: StudentInfo
    levels: dict[str, int]

    # The issuance steps read these attributes from every record type.
    @property
    def row_number(self) -> int:
        return self.student.row_number

    @property
    def full_name(self) -> str:
        return self.student.full_name

    @property
    def class_name(self) -> str:
        return self.student.class_name

    @property
    def school_year(self) -> str:
        return self.student.school_year


def competence_columns(framework: CompetenceFramework | None = None) -> list[str]:
    """Return the spreadsheet header: the student columns, then ``NL 1.1`` … ``NL 6.3``."""
    framework = framework or load_framework()
    return [*STUDENT_COLUMNS, *(f"NL {item.code}" for item in framework.components)]


def _level_parser(framework: CompetenceFramework):
    def parse(raw: str) -> int:
        text = clean_text(raw)
        if text.casefold().startswith("bậc"):
            text = text[3:].strip()
        if not text.isascii() or not text.isdigit() or int(text) not in framework.levels:
            raise CellError("invalid_competence_level",
                            f"Bậc năng lực {clean_text(raw)!r} không hợp lệ; hãy ghi một số "
                            f"từ {framework.levels[0]} đến {framework.levels[-1]}.",
                            f"level {clean_text(raw)!r} is not {framework.levels[0]} to "
                            f"{framework.levels[-1]}")
        return int(text)
    return parse


def read_competence_csv(source: str | Path | bytes, framework: CompetenceFramework | None = None,
                        *, source_name: str | None = None) -> ClassRecords:
    """Read a class's digital-competence spreadsheet; every row must be the same class and year.

    Raises ``ImportRowsError`` with one Vietnamese problem per rejected cell.
    """
    framework = framework or load_framework()
    parse_level = _level_parser(framework)

    def parse_row(row: RowCells) -> CompetenceRecord | None:
        student = parse_student(row, tuple(range(1, 13)))
        levels = {item.code: row.parse(f"NL {item.code}", parse_level)
                  for item in framework.components}
        if student is None or None in levels.values():
            return None
        return CompetenceRecord(student, levels)  # type: ignore[arg-type]

    records = read_record_rows(source, competence_columns(framework), parse_row,
                               source_name=source_name)
    return group_class(records)


def _alignment(item: Component, framework: CompetenceFramework) -> dict[str, Any]:
    return {"type": ["Alignment"], "targetName": item.name, "targetCode": item.code,
            "targetDescription": f"Miền {item.domain_code}. {item.domain_name}",
            "targetFramework": framework.name, "targetType": framework.target_type,
            "targetUrl": f"{framework.target_url_prefix}{item.code}"}


def build_competence_credential(record: CompetenceRecord, school: SchoolIdentity, *,
                                credential_id: str, valid_from: datetime,
                                framework: CompetenceFramework | None = None) -> dict[str, Any]:
    """Return the unsigned digital-competence credential of ``record`` issued by ``school``."""
    framework = framework or load_framework()
    check_issue_arguments(credential_id, valid_from)
    if set(record.levels) != {item.code for item in framework.components}:
        raise InputError("the record does not give a level for every component",
                         code="invalid_record",
                         message_vi="Hồ sơ phải có bậc cho đủ mọi năng lực thành phần.")
    student = record.student
    allowed = [framework.level_label(level) for level in framework.levels]
    descriptions, results = [], []
    for item in framework.components:
        level = record.levels[item.code]
        if level not in framework.levels:
            raise InputError(f"level {level} of {item.code} is invalid", code="invalid_record",
                             message_vi=f"Bậc của năng lực {item.code} không hợp lệ.")
        descriptions.append({"id": item.result_id, "type": ["ResultDescription"],
                             "name": f"{item.code} {item.name}", "resultType": RESULT_TYPE,
                             "allowedValue": allowed,
                             "alignment": [_alignment(item, framework)]})
        results.append({"type": ["Result"], "resultDescription": item.result_id,
                        "value": framework.level_label(level)})

    start, end = school_year_period(student.school_year)
    subject = {
        "type": ["AchievementSubject"],
        "identifier": student_identifiers(student),
        "achievement": {
            "id": f"urn:hocba:achievement:{framework.id}:digital-competence:grade-{student.grade}",
            "type": ["Achievement"],
            "achievementType": ACHIEVEMENT_TYPE,
            "name": f"Chứng nhận năng lực số {_DASH} Lớp {student.grade}",
            "description": f"Mức độ đạt được của {len(framework.components)} năng lực thành phần "
                           f"theo {framework.name}",
            "criteria": {"narrative": f"Đánh giá theo {framework.circular} của Bộ Giáo dục và "
                                      "Đào tạo; bậc 1 đến 8 thuộc 4 trình độ Cơ bản, Trung cấp, "
                                      "Nâng cao, Chuyên sâu"},
            "inLanguage": "vi",
            "alignment": [_alignment(item, framework) for item in framework.components],
            "resultDescription": descriptions,
        },
        "result": results,
        "activityStartDate": start,
        "activityEndDate": end,
        "schoolYear": student.school_year,
        "educationLevel": education_level_of(student.grade),
        "grade": student.grade,
        "className": nfc(student.class_name),
        "gender": nfc(student.gender),
        "homeroomTeacher": nfc(student.homeroom_teacher),
        "principal": nfc(school.principal),
    }
    credential = {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(school),
        "validFrom": utc_timestamp(valid_from),
        "name": f"Chứng nhận năng lực số {_DASH} Lớp {student.grade} {_DASH} "
                f"Năm học {student.school_year}",
        "credentialSubject": subject,
    }
    logger.debug("built digital competence credential %s", credential_id)
    return credential


@dataclass(frozen=True)
class CompetenceRow:
    """One printed line: a component and the level reached, with its band."""

    code: str
    name: str
    domain_code: str
    domain_name: str
    level: int
    band: str


@dataclass(frozen=True)
class CompetenceView:
    """Everything the printed certificate shows, read from one credential."""

    credential_id: str
    school_name: str
    school_code: str
    title: str
    student_name: str
    birth_date: date
    student_id: str
    gender: str
    class_name: str
    grade: int
    school_year: str
    framework_name: str
    rows: tuple[CompetenceRow, ...]
    homeroom_teacher: str
    principal: str


def read_competence(credential: Any,
                    framework: CompetenceFramework | None = None) -> CompetenceView:
    """Return the display model of a digital-competence credential, or raise CredentialError."""
    framework = framework or load_framework()
    issuer = _READER.object(credential, "issuer")
    subject = _READER.object(credential, "credentialSubject")
    if _READER.achievement_type(credential) != ACHIEVEMENT_TYPE:
        raise _READER.fail("achievementType is not Certificate")
    identifiers = _READER.identifiers(subject)
    values: dict[str, str] = {}
    for item in _READER.list(subject, "result"):
        result_id = _READER.text(item, "resultDescription")
        if result_id in values:
            raise _READER.fail(f"result {result_id} appears twice")
        values[result_id] = _READER.text(item, "value")
    labels = {framework.level_label(level): level for level in framework.levels}
    rows = []
    for component in framework.components:
        value = values.pop(component.result_id, None)
        if value not in labels:
            raise _READER.fail(f"result {component.result_id} is missing or invalid")
        level = labels[value]
        rows.append(CompetenceRow(component.code, component.name, component.domain_code,
                                  component.domain_name, level, framework.band_of(level).name))
    if values:
        raise _READER.fail(f"unexpected results {sorted(values)}")
    return CompetenceView(
        credential_id=_READER.text(credential, "id"),
        school_name=_READER.text(issuer, "name"),
        school_code=_READER.text(issuer, "schoolCode"),
        title=_READER.text(credential, "name"),
        student_name=identifiers["name"],
        birth_date=_READER.date(identifiers["ext:birthDate"], "birth date"),
        student_id=identifiers.get("studentId", ""),
        gender=_READER.text(subject, "gender"),
        class_name=_READER.text(subject, "className"),
        grade=_READER.integer(subject, "grade"),
        school_year=_READER.text(subject, "schoolYear"),
        framework_name=framework.name,
        rows=tuple(rows),
        homeroom_teacher=_READER.text(subject, "homeroomTeacher"),
        principal=_READER.text(subject, "principal"),
    )
