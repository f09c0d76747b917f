"""Build the year transcript credential (Circular 22/2021) from a student's record.

The output is the unsigned W3C VC 2.0 / Open Badges 3.0 credential described in
``docs/architecture.md``: scores as strings with one decimal, result ids
``urn:hocba:result:<subject>:<term>``, the birth date as a plain date, all text NFC.
``read_transcript`` (re-exported from ``issuer.transcript_view``) turns a
credential back into a display model.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from hocba.contexts import HOCBA_SCHOOL_LIFE_V1
from hocba.errors import InputError
from issuer.curriculum import DATA_DIR, Curriculum, load_curriculum
from issuer.records import SchoolIdentity, StudentYearRecord
from issuer.rules import TERMS
from issuer.transcript_view import (
    LEVELS,
    PASS_FAIL,
    TERM_NAMES,
    TranscriptRow,
    TranscriptView,
    display_value,
    read_transcript,
)
from issuer.transfer import activity_period, transfer_subject

__all__ = [
    "CONTEXT",
    "TranscriptRow",
    "TranscriptView",
    "build_transcript_credential",
    "display_value",
    "read_transcript",
    "school_year_period",
]

logger = logging.getLogger(__name__)

CONTEXT = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://w3id.org/hocba/v1",
)
_URN_UUID = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SCORE = re.compile(r"^(?:10\.0|\d\.\d)$")
_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
_TZ = "+07:00"
_DASH = "\u2013"  # the en dash used between parts of a Vietnamese title


@lru_cache(maxsize=1)
def _school_years() -> dict[str, Any]:
    path = DATA_DIR / "rules" / "school-years.json"
    return json.loads(path.read_text(encoding="utf-8"))


def school_year_period(school_year: str) -> tuple[str, str]:
    """Return (activityStartDate, activityEndDate) of ``school_year`` at midnight, +07:00."""
    match = _SCHOOL_YEAR.match(school_year)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise InputError(f"invalid school year {school_year!r}", code="invalid_school_year")
    table = _school_years()
    known = table["years"].get(school_year)
    if known is not None:
        start, end = known["start"], known["end"]
    else:
        start = f"{match.group(1)}-{table['default']['start']}"
        end = f"{match.group(2)}-{table['default']['end']}"
    return f"{start}T00:00:00{_TZ}", f"{end}T00:00:00{_TZ}"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _reject(message: str) -> InputError:
    return InputError(message, code="invalid_record", message_vi=f"Hồ sơ không hợp lệ: {message}")


def _check_record(record: StudentYearRecord, curriculum: Curriculum) -> None:
    expected = [subject.code for subject in curriculum.subjects_for_grade(record.grade)]
    given = [result.code for result in record.subjects]
    if given != expected:
        raise _reject(f"subjects {given} are not the grade {record.grade} subjects {expected}")
    terms = record.terms
    for result in record.subjects:
        allowed = _SCORE if curriculum.subject(result.code).is_scored else None
        for term in TERMS:
            value = result.value(term)
            if term not in terms:
                valid = value == ""
            else:
                valid = bool(allowed.match(value)) if allowed else value in PASS_FAIL
            if not valid:
                raise _reject(f"{result.code} {term} has invalid value {value!r}")
    for label, levels in (("academic", record.academic), ("conduct", record.conduct)):
        for term in terms:
            if levels.get(term) not in LEVELS:
                raise _reject(f"{label} result for {term} is missing or invalid")
    if record.student_id and not (len(record.student_id) == 10 and record.student_id.isdigit()):
        raise _reject("student id must be 10 digits or empty")


def _identifier(identity_type: str, value: str) -> dict[str, Any]:
    return {"type": "IdentityObject", "identityType": identity_type, "hashed": False,
            "identityHash": value}


def _description(result_id: str, name: str, result_type: str, allowed: tuple[str, ...] | None):
    entry: dict[str, Any] = {"id": result_id, "type": ["ResultDescription"], "name": name,
                             "resultType": result_type}
    if allowed is None:
        entry["valueMin"] = "0.0"
        entry["valueMax"] = "10.0"
    else:
        entry["allowedValue"] = list(allowed)
    return entry


def _results(record: StudentYearRecord, curriculum: Curriculum) -> tuple[list, list]:
    descriptions: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for result in record.subjects:
        subject = curriculum.subject(result.code)
        result_type = "ext:SubjectAverage" if subject.is_scored else "ext:PassFail"
        allowed = None if subject.is_scored else PASS_FAIL
        for term in record.terms:
            result_id = f"urn:hocba:result:{subject.id_segment}:{term}"
            name = f"{subject.name} {_DASH} {TERM_NAMES[term]}"
            descriptions.append(_description(result_id, name, result_type, allowed))
            results.append({"type": ["Result"], "resultDescription": result_id,
                            "value": result.value(term)})
    for key, label, result_type, levels in (
        ("academic", "Kết quả học tập", "ext:AcademicResult", record.academic),
        ("conduct", "Kết quả rèn luyện", "ext:ConductResult", record.conduct),
    ):
        for term in record.terms:
            result_id = f"urn:hocba:result:{key}:{term}"
            descriptions.append(
                _description(result_id, f"{label} {_DASH} {TERM_NAMES[term]}", result_type, LEVELS)
            )
            results.append({"type": ["Result"], "resultDescription": result_id,
                            "value": levels[term]})
    return descriptions, results


def build_transcript_credential(
    record: StudentYearRecord,
    school: SchoolIdentity,
    *,
    credential_id: str,
    valid_from: datetime,
    curriculum: Curriculum | None = None,
) -> dict[str, Any]:
    """Return the unsigned transcript credential of ``record`` issued by ``school``.

    ``valid_from`` must be timezone-aware; it is written in UTC. The award title
    is omitted when there is none, the student id identifier when it is empty and
    the remark when it is empty. A record with a transfer carries only its
    terms, a ``transfer`` object and the school-life context.
    """
    curriculum = (curriculum or load_curriculum()).for_subject_codes(
        result.code for result in record.subjects)
    if not _URN_UUID.match(credential_id):
        raise _reject(f"credential id {credential_id!r} is not urn:uuid:<lowercase uuid>")
    if valid_from.tzinfo is None or valid_from.utcoffset() is None:
        raise _reject("valid_from must be timezone-aware")
    _check_record(record, curriculum)

    start, end = activity_period(record.transfer, *school_year_period(record.school_year))
    descriptions, results = _results(record, curriculum)
    identifiers = [_identifier("name", _nfc(record.full_name)),
                   _identifier("ext:birthDate", record.birth_date.isoformat())]
    if record.student_id:
        identifiers.append(_identifier("studentId", record.student_id))
    level_name = curriculum.education_level_name
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "achievement": {
            "id": f"urn:hocba:achievement:{curriculum.rules_id}:"
                  f"{curriculum.education_level.lower()}"
                  f":grade-{record.grade}",
            "type": ["Achievement"],
            "achievementType": "ext:YearTranscript",
            "name": f"Học bạ {level_name} {_DASH} Lớp {record.grade}",
            "description": f"Kết quả học tập và rèn luyện cả năm học theo {curriculum.circular}",
            "criteria": {"narrative": f"Đánh giá theo {curriculum.circular} "
                                      "của Bộ Giáo dục và Đào tạo"},
            "inLanguage": "vi",
            "resultDescription": descriptions,
        },
        "result": results,
        "activityStartDate": start,
        "activityEndDate": end,
        "schoolYear": record.school_year,
        "educationLevel": curriculum.education_level,
        "grade": record.grade,
        "className": _nfc(record.class_name),
        "gender": _nfc(record.gender),
    }
    if record.award_title:
        subject["awardTitle"] = _nfc(record.award_title)
    if record.remark:
        subject["remark"] = _nfc(record.remark)
    subject["homeroomTeacher"] = _nfc(record.homeroom_teacher)
    subject["principal"] = _nfc(school.principal)
    contexts = list(CONTEXT)
    if record.transfer is not None:
        subject["transfer"] = transfer_subject(record.transfer)
        contexts.append(HOCBA_SCHOOL_LIFE_V1)

    credential = {
        "@context": contexts,
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": school.issuer_did, "type": ["Profile"], "name": _nfc(school.name),
                   "schoolCode": school.school_code, "adminUnitCode": school.admin_unit_code},
        "validFrom": valid_from.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "name": f"Học bạ số {_DASH} Lớp {record.grade} {_DASH} Năm học {record.school_year}",
        "credentialSubject": subject,
    }
    logger.debug("built transcript credential %s", credential_id)
    return credential
