"""Primary year transcripts (Circular 27/2020/TT-BGDĐT): records, year result, credential.

A primary record rates each subject Hoàn thành tốt / Hoàn thành / Chưa hoàn
thành, gives the end-of-year periodic test score (a whole number from 1 to 10)
for the subjects that have one, and rates each quality and competence Tốt /
Đạt / Cần cố gắng. The year result rule lives in ``data/rules/tt27-2020.json``
and is marked unconfirmed there.

Result ids: ``urn:hocba:result:<subject>:rating``, ``urn:hocba:result:<subject>:test``,
``urn:hocba:result:quality:<code>``, ``urn:hocba:result:competence:<code>`` and
``urn:hocba:result:year``. The credential uses only terms of the existing contexts.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from hocba.errors import InputError
from issuer.curriculum import DATA_DIR, Curriculum, load_curriculum
from issuer.records import SchoolIdentity
from issuer.transcript import CONTEXT, school_year_period

__all__ = [
    "ACHIEVEMENT_TYPE",
    "PrimaryRecord",
    "PrimaryRules",
    "Trait",
    "build_primary_credential",
    "load_primary_rules",
    "primary_traits",
    "test_subjects",
    "year_result",
]

logger = logging.getLogger(__name__)

ACHIEVEMENT_TYPE = "ext:PrimaryYearTranscript"
_DASH = "\u2013"
_URN_UUID = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Trait:
    """One quality (phẩm chất) or competence (năng lực) rated on the trait scale."""

    code: str
    id_segment: str
    name: str


@dataclass(frozen=True)
class PrimaryRules:
    """The Circular 27/2020 scales and the (unconfirmed) year result conditions."""

    subject_ratings: tuple[str, ...]
    trait_ratings: tuple[str, ...]
    test_min: int
    test_max: int
    year_results: tuple[dict[str, Any], ...]
    fallback: str

    @property
    def all_results(self) -> tuple[str, ...]:
        return (*(item["result"] for item in self.year_results), self.fallback)


@dataclass(frozen=True)
class PrimaryRecord:
    """One pupil's primary school year.

    ``ratings`` maps subject code to its rating, ``tests`` subject code to the
    periodic test score (``"9"``), ``qualities`` and ``competences`` trait code to
    its rating. ``row_number`` is the spreadsheet row (header = 1) or 0.
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
    ratings: dict[str, str]
    tests: dict[str, str]
    qualities: dict[str, str]
    competences: dict[str, str]
    year_result: str
    remark: str


@lru_cache(maxsize=2)
def load_primary_rules(name: str = "tt27-2020") -> PrimaryRules:
    """Load ``data/rules/<name>.json``."""
    path = DATA_DIR / "rules" / f"{name}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return PrimaryRules(
            subject_ratings=tuple(raw["subjectRatings"]),
            trait_ratings=tuple(raw["traitRatings"]),
            test_min=int(raw["testScore"]["min"]),
            test_max=int(raw["testScore"]["max"]),
            year_results=tuple(raw["yearResults"]),
            fallback=raw["fallbackResult"],
        )
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"invalid rules file {path}: {exc}", code="rules_invalid") from exc


@lru_cache(maxsize=2)
def primary_traits(curriculum_id: str = "tieu-hoc-2018") -> dict[str, tuple[Trait, ...]]:
    """Return ``{"quality": (...), "competence": (...)}`` of the primary curriculum file."""
    raw = json.loads((DATA_DIR / "curriculum" / f"{curriculum_id}.json").read_text("utf-8"))
    return {
        kind: tuple(Trait(item["code"], item["idSegment"], item["name"])
                    for item in raw[key])
        for kind, key in (("quality", "qualities"), ("competence", "competences"))
    }


@lru_cache(maxsize=2)
def test_subjects(curriculum_id: str = "tieu-hoc-2018") -> frozenset[str]:
    """Return the codes of subjects with an end-of-year periodic test."""
    raw = json.loads((DATA_DIR / "curriculum" / f"{curriculum_id}.json").read_text("utf-8"))
    return frozenset(item["code"] for item in raw["subjects"] if item.get("periodicTest"))


def year_result(ratings: list[str], traits: list[str], tests: list[int],
                rules: PrimaryRules | None = None) -> str:
    """Return the year result: the first level whose conditions all hold (unconfirmed rule)."""
    rules = rules or load_primary_rules()
    for level in rules.year_results:
        if any(value not in level["subjectRatings"] for value in ratings):
            continue
        if any(value not in level["traitRatings"] for value in traits):
            continue
        if any(score < int(level["minTestScore"]) for score in tests):
            continue
        return str(level["result"])
    return rules.fallback


def _reject(message: str) -> InputError:
    return InputError(message, code="invalid_record", message_vi=f"Hồ sơ không hợp lệ: {message}")


def _check(record: PrimaryRecord, curriculum: Curriculum, rules: PrimaryRules) -> None:
    codes = [subject.code for subject in curriculum.subjects_for_grade(record.grade)]
    if list(record.ratings) != codes:
        raise _reject(f"subjects {list(record.ratings)} are not the grade {record.grade} list")
    if any(value not in rules.subject_ratings for value in record.ratings.values()):
        raise _reject("a subject rating is not Hoàn thành tốt, Hoàn thành or Chưa hoàn thành")
    expected_tests = [code for code in codes if code in test_subjects(curriculum.id)]
    if list(record.tests) != expected_tests:
        raise _reject(f"periodic tests must be given for {expected_tests}")
    for value in record.tests.values():
        if not value.isdigit() or not rules.test_min <= int(value) <= rules.test_max:
            raise _reject(f"periodic test score {value!r} is not a whole number 1 to 10")
    traits = primary_traits(curriculum.id)
    for kind, given in (("quality", record.qualities), ("competence", record.competences)):
        if list(given) != [trait.code for trait in traits[kind]]:
            raise _reject(f"{kind} ratings are incomplete")
        if any(value not in rules.trait_ratings for value in given.values()):
            raise _reject(f"a {kind} rating is not Tốt, Đạt or Cần cố gắng")
    if record.year_result not in rules.all_results:
        raise _reject(f"year result {record.year_result!r} is unknown")


def _entry(result_id: str, name: str, result_type: str, allowed: tuple[str, ...] | None,
           value: str) -> tuple[dict[str, Any], dict[str, Any]]:
    description: dict[str, Any] = {"id": result_id, "type": ["ResultDescription"], "name": name,
                                   "resultType": result_type}
    if allowed is None:
        description["valueMin"] = "1"
        description["valueMax"] = "10"
    else:
        description["allowedValue"] = list(allowed)
    return description, {"type": ["Result"], "resultDescription": result_id, "value": value}


def _entries(record: PrimaryRecord, curriculum: Curriculum, rules: PrimaryRules) -> list[tuple]:
    entries = []
    for code, rating in record.ratings.items():
        subject = curriculum.subject(code)
        entries.append(_entry(f"urn:hocba:result:{subject.id_segment}:rating",
                              f"{subject.name} {_DASH} Mức đạt được", "ext:SubjectRating",
                              rules.subject_ratings, rating))
        if code in record.tests:
            entries.append(_entry(f"urn:hocba:result:{subject.id_segment}:test",
                                  f"{subject.name} {_DASH} Điểm kiểm tra định kì cuối năm",
                                  "ext:PeriodicTestScore", None, record.tests[code]))
    traits = primary_traits(curriculum.id)
    for kind, label, given in (("quality", "Phẩm chất", record.qualities),
                               ("competence", "Năng lực", record.competences)):
        for trait in traits[kind]:
            entries.append(_entry(f"urn:hocba:result:{kind}:{trait.id_segment}",
                                  f"{label} {_DASH} {trait.name}", f"ext:{kind.title()}Rating",
                                  rules.trait_ratings, given[trait.code]))
    entries.append(_entry("urn:hocba:result:year", "Kết quả giáo dục cuối năm",
                          "ext:YearResult", rules.all_results, record.year_result))
    return entries


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def build_primary_credential(record: PrimaryRecord, school: SchoolIdentity, *,
                             credential_id: str, valid_from: datetime,
                             curriculum: Curriculum | None = None) -> dict[str, Any]:
    """Return the unsigned primary year transcript credential of ``record``."""
    curriculum = curriculum or load_curriculum("tieu-hoc-2018")
    rules = load_primary_rules(curriculum.rules_id)
    if not _URN_UUID.match(credential_id):
        raise _reject(f"credential id {credential_id!r} is not urn:uuid:<lowercase uuid>")
    if valid_from.tzinfo is None or valid_from.utcoffset() is None:
        raise _reject("valid_from must be timezone-aware")
    _check(record, curriculum, rules)
    start, end = school_year_period(record.school_year)
    entries = _entries(record, curriculum, rules)
    identifiers = [
        {"type": "IdentityObject", "identityType": "name", "hashed": False,
         "identityHash": _nfc(record.full_name)},
        {"type": "IdentityObject", "identityType": "ext:birthDate", "hashed": False,
         "identityHash": record.birth_date.isoformat()},
    ]
    if record.student_id:
        identifiers.append({"type": "IdentityObject", "identityType": "studentId",
                            "hashed": False, "identityHash": record.student_id})
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "achievement": {
            "id": f"urn:hocba:achievement:{curriculum.rules_id}:th:grade-{record.grade}",
            "type": ["Achievement"],
            "achievementType": ACHIEVEMENT_TYPE,
            "name": f"Học bạ Tiểu học {_DASH} Lớp {record.grade}",
            "description": f"Kết quả giáo dục cả năm học theo {curriculum.circular}",
            "criteria": {"narrative": f"Đánh giá theo {curriculum.circular} "
                                      "của Bộ Giáo dục và Đào tạo"},
            "inLanguage": "vi",
            "resultDescription": [description for description, _ in entries],
        },
        "result": [result for _, result in entries],
        "activityStartDate": start,
        "activityEndDate": end,
        "schoolYear": record.school_year,
        "educationLevel": curriculum.education_level,
        "grade": record.grade,
        "className": _nfc(record.class_name),
        "gender": _nfc(record.gender),
    }
    if record.remark:
        subject["remark"] = _nfc(record.remark)
    subject["homeroomTeacher"] = _nfc(record.homeroom_teacher)
    subject["principal"] = _nfc(school.principal)
    logger.debug("built primary credential %s", credential_id)
    return {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": school.issuer_did, "type": ["Profile"], "name": _nfc(school.name),
                   "schoolCode": school.school_code, "adminUnitCode": school.admin_unit_code},
        "validFrom": valid_from.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "name": f"Học bạ số {_DASH} Lớp {record.grade} {_DASH} Năm học {record.school_year}",
        "credentialSubject": subject,
    }
