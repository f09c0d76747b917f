"""The lower-secondary completion confirmation: spreadsheet, credential, reader.

Since Circular 10/2026/TT-BGDĐT the lower-secondary (THCS) diploma is replaced by
a confirmation, written in the học bạ, that the student completed the programme.
It is therefore not a diploma (văn bằng), and the achievement type is
``ext:CompletionConfirmation`` instead of Open Badges ``Diploma``. The credential
carries the serial number, the register entry number, the date of issue (ISO in
JSON, dd/mm/yyyy when printed), the number of the graduation decision and the
grade 9 year results. Texts and rules come from ``data/record-types/completion-thcs.json``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from hocba.contexts import HOCBA_COMPLETION_V1
from hocba.errors import InputError
from issuer.csv_cells import CellError, clean_text, parse_award, parse_level
from issuer.curriculum import DATA_DIR
from issuer.record_csv import RowCells, read_record_rows
from issuer.record_parts import (
    STUDENT_COLUMNS,
    CredentialReader,
    StudentInfo,
    check_issue_arguments,
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
    "COMPLETION_COLUMNS",
    "CompletionRecord",
    "CompletionView",
    "build_completion_credential",
    "load_record_type",
    "read_completion",
    "read_completion_csv",
]

logger = logging.getLogger(__name__)

ACHIEVEMENT_TYPE = "ext:CompletionConfirmation"
RECORD_TYPE_FILE = DATA_DIR / "record-types" / "completion-thcs.json"
COMPLETION_COLUMNS = [*STUDENT_COLUMNS, "Kết quả học tập CN", "Kết quả rèn luyện CN", "Danh hiệu",
                      "Số hiệu", "Số vào sổ gốc", "Ngày cấp",
                      "Số quyết định công nhận tốt nghiệp"]
_NUMBER = re.compile(r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ/.\- ]{0,39}$")
_DMY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_DASH = "\u2013"
_READER = CredentialReader("completion confirmation", "Xác nhận hoàn thành chương trình THCS")


@lru_cache(maxsize=1)
def load_record_type() -> dict[str, Any]:
    """Return the completion confirmation's texts and rules from its data file."""
    return json.loads(RECORD_TYPE_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class CompletionRecord:
    """One student's completion confirmation."""

    student: StudentInfo
    academic: str
    conduct: str
    award_title: str | None
    serial_number: str
    register_entry_number: str
    issued_on: date
    decision_number: str

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


def _number_parser(what_vi: str, what_en: str):
    def parse(raw: str) -> str:
        text = clean_text(raw)
        if not _NUMBER.match(text):
            raise CellError("invalid_number",
                            f"{what_vi} {text!r} không hợp lệ: cần từ 1 đến 40 ký tự gồm chữ, số, "
                            "dấu / . - và khoảng trắng, bắt đầu bằng chữ hoặc số.",
                            f"{what_en} {text!r} must be 1 to 40 letters, digits, / . - or "
                            "spaces, starting with a letter or digit")
        return text
    return parse


def _parse_issue_date(raw: str) -> date:
    text = clean_text(raw)
    match = _DMY.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        pass
    raise CellError("invalid_date", f"Ngày cấp {text!r} không hợp lệ; hãy ghi dd/mm/yyyy, ví dụ "
                    "05/06/2026.", f"date of issue {text!r} is not a valid dd/mm/yyyy date")


def read_completion_csv(source: str | Path | bytes, *,
                        source_name: str | None = None) -> ClassRecords:
    """Read a grade 9 class's completion spreadsheet; raises ``ImportRowsError`` on bad rows."""
    record_type = load_record_type()
    grade = int(record_type["grade"])
    passing = tuple(record_type["passingLevels"])

    def parse_row(row: RowCells) -> CompletionRecord | None:
        student = parse_student(row, (grade,))
        academic = row.parse("Kết quả học tập CN", parse_level)
        conduct = row.parse("Kết quả rèn luyện CN", parse_level)
        award = row.parse("Danh hiệu", parse_award)
        serial = row.parse("Số hiệu", _number_parser("Số hiệu", "serial number"))
        entry = row.parse("Số vào sổ gốc", _number_parser("Số vào sổ gốc", "register entry"))
        issued_on = row.parse("Ngày cấp", _parse_issue_date)
        decision = row.parse("Số quyết định công nhận tốt nghiệp",
                             _number_parser("Số quyết định", "decision number"))
        if None in (student, academic, conduct, serial, entry, issued_on, decision):
            return None
        for column, level in (("Kết quả học tập CN", academic), ("Kết quả rèn luyện CN", conduct)):
            if level not in passing:
                row.reject(column, f"Mức {level} không đủ điều kiện xác nhận hoàn thành chương "
                           "trình THCS.", f"{level} does not qualify for the confirmation",
                           "not_completed")
        if row.problems:
            return None
        return CompletionRecord(student, academic, conduct, award, serial,  # type: ignore[arg-type]
                                entry, issued_on, decision)  # type: ignore[arg-type]

    records = read_record_rows(source, COMPLETION_COLUMNS, parse_row, source_name=source_name)
    return group_class(records)


def build_completion_credential(record: CompletionRecord, school: SchoolIdentity, *,
                                credential_id: str, valid_from: datetime) -> dict[str, Any]:
    """Return the unsigned completion confirmation of ``record`` issued by ``school``."""
    check_issue_arguments(credential_id, valid_from)
    record_type = load_record_type()
    levels = list(record_type["levels"])
    values = {"academic": record.academic, "conduct": record.conduct}
    descriptions, results = [], []
    for summary in record_type["summaryResults"]:
        if values[summary["key"]] not in levels:
            raise InputError(f"{summary['key']} result is invalid", code="invalid_record",
                             message_vi="Kết quả cả năm không hợp lệ.")
        result_id = f"urn:hocba:result:{summary['key']}:cn"
        descriptions.append({"id": result_id, "type": ["ResultDescription"],
                             "name": summary["name"], "resultType": summary["resultType"],
                             "allowedValue": levels})
        results.append({"type": ["Result"], "resultDescription": result_id,
                        "value": values[summary["key"]]})

    student = record.student
    start, end = school_year_period(student.school_year)
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": student_identifiers(student),
        "achievement": {
            "id": f"urn:hocba:achievement:{record_type['id']}",
            "type": ["Achievement"],
            "achievementType": ACHIEVEMENT_TYPE,
            "name": record_type["name"],
            "description": record_type["description"],
            "criteria": {"narrative": record_type["criteria"]},
            "inLanguage": "vi",
            "resultDescription": descriptions,
        },
        "result": results,
        "activityStartDate": start,
        "activityEndDate": end,
        "schoolYear": student.school_year,
        "educationLevel": record_type["educationLevel"],
        "grade": student.grade,
        "className": nfc(student.class_name),
        "gender": nfc(student.gender),
        "serialNumber": nfc(record.serial_number),
        "registerEntryNumber": nfc(record.register_entry_number),
        "graduationDecisionNumber": nfc(record.decision_number),
        "issuedOn": record.issued_on.isoformat(),
    }
    if record.award_title:
        subject["awardTitle"] = nfc(record.award_title)
    subject["homeroomTeacher"] = nfc(student.homeroom_teacher)
    subject["principal"] = nfc(school.principal)
    credential = {
        "@context": [*CONTEXT, HOCBA_COMPLETION_V1],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(school),
        "validFrom": utc_timestamp(valid_from),
        "name": f"{record_type['name']} {_DASH} Năm học {student.school_year}",
        "credentialSubject": subject,
    }
    logger.debug("built completion confirmation %s", credential_id)
    return credential


@dataclass(frozen=True)
class CompletionView:
    """Everything the printed confirmation shows, read from one credential."""

    credential_id: str
    school_name: str
    school_code: str
    title: str
    student_name: str
    birth_date: date
    student_id: str
    gender: str
    class_name: str
    school_year: str
    academic: str
    conduct: str
    award_title: str | None
    serial_number: str
    register_entry_number: str
    issued_on: date
    decision_number: str
    homeroom_teacher: str
    principal: str


def read_completion(credential: Any) -> CompletionView:
    """Return the display model of a completion confirmation, or raise CredentialError."""
    if _READER.achievement_type(credential) != ACHIEVEMENT_TYPE:
        raise _READER.fail(f"achievementType is not {ACHIEVEMENT_TYPE}")
    issuer = _READER.object(credential, "issuer")
    subject = _READER.object(credential, "credentialSubject")
    identifiers = _READER.identifiers(subject)
    levels = load_record_type()["levels"]
    values: dict[str, str] = {}
    for item in _READER.list(subject, "result"):
        result_id = _READER.text(item, "resultDescription")
        if result_id in values:
            raise _READER.fail(f"result {result_id} appears twice")
        values[result_id] = _READER.text(item, "value")
    summary = {key: values.pop(f"urn:hocba:result:{key}:cn", "") for key in ("academic", "conduct")}
    if values or any(value not in levels for value in summary.values()):
        raise _READER.fail("the results must be the year's academic and conduct results")
    return CompletionView(
        credential_id=_READER.text(credential, "id"),
        school_name=_READER.text(issuer, "name"),
        school_code=_READER.text(issuer, "schoolCode"),
        title=_READER.text(credential, "name"),
        student_name=identifiers["name"],
        birth_date=_READER.date(identifiers["ext:birthDate"], "birth date"),
        student_id=identifiers.get("studentId", ""),
        gender=_READER.text(subject, "gender"),
        class_name=_READER.text(subject, "className"),
        school_year=_READER.text(subject, "schoolYear"),
        academic=summary["academic"],
        conduct=summary["conduct"],
        award_title=_READER.text(subject, "awardTitle", optional=True) or None,
        serial_number=_READER.text(subject, "serialNumber"),
        register_entry_number=_READER.text(subject, "registerEntryNumber"),
        issued_on=_READER.date(_READER.text(subject, "issuedOn"), "issuedOn"),
        decision_number=_READER.text(subject, "graduationDecisionNumber"),
        homeroom_teacher=_READER.text(subject, "homeroomTeacher"),
        principal=_READER.text(subject, "principal"),
    )
