"""Transcript credential builder and reader against the reference fixture."""

from __future__ import annotations

import copy
import json
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from hocba.errors import CredentialError, InputError
from issuer.curriculum import load_curriculum
from issuer.records import SchoolIdentity, StudentYearRecord, SubjectResult
from issuer.transcript import (
    build_transcript_credential,
    read_transcript,
    school_year_period,
)
from scripts.sample_data import generate_school, sample_school_identity

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "transcript_credential.json"
TERMS = ("hk1", "hk2", "cn")
VN = timezone(timedelta(hours=7))
ISSUER_DID = "did:pkh:eip155:31337:0x1f5E3b2A9c0d4e6F7a8B9C0d1E2f3A4b5C6d7E8F"


@pytest.fixture(scope="module")
def fixture() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def record_from(credential: dict[str, Any]) -> StudentYearRecord:
    """Rebuild the record that the fixture credential was made from."""
    subject = credential["credentialSubject"]
    values = {item["resultDescription"]: item["value"] for item in subject["result"]}
    ids = {item["identityType"]: item["identityHash"] for item in subject["identifier"]}
    curriculum = load_curriculum()
    results = [
        SubjectResult(s.code, *(values[f"urn:hocba:result:{s.id_segment}:{t}"] for t in TERMS))
        for s in curriculum.subjects_for_grade(subject["grade"])
    ]
    return StudentYearRecord(
        row_number=0, full_name=ids["name"], birth_date=date.fromisoformat(ids["ext:birthDate"]),
        gender=subject["gender"], student_id=ids.get("studentId", ""),
        class_name=subject["className"], grade=subject["grade"],
        school_year=subject["schoolYear"], homeroom_teacher=subject["homeroomTeacher"],
        subjects=results,
        academic={t: values[f"urn:hocba:result:academic:{t}"] for t in TERMS},
        conduct={t: values[f"urn:hocba:result:conduct:{t}"] for t in TERMS},
        award_title=subject.get("awardTitle"), remark=subject.get("remark", ""),
    )


def school_from(credential: dict[str, Any]) -> SchoolIdentity:
    issuer = credential["issuer"]
    return SchoolIdentity(issuer["id"], issuer["name"], issuer["schoolCode"],
                          issuer["adminUnitCode"], credential["credentialSubject"]["principal"])


def build(record: StudentYearRecord, credential: dict[str, Any]) -> dict[str, Any]:
    return build_transcript_credential(
        record, school_from(credential), credential_id=credential["id"],
        valid_from=datetime(2026, 5, 30, 10, 0, tzinfo=VN),
    )


def floats_in(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for item in value.values() for f in floats_in(item)]
    if isinstance(value, list):
        return [f for item in value for f in floats_in(item)]
    return []


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value.keys(), *(s for item in value.values() for s in strings_in(item))]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def test_rebuild_equals_fixture(fixture: dict[str, Any]) -> None:
    assert build(record_from(fixture), fixture) == fixture


def test_key_sets_match_fixture(fixture: dict[str, Any]) -> None:
    built = build(record_from(fixture), fixture)
    assert set(built) == set(fixture)
    assert set(built["credentialSubject"]) == set(fixture["credentialSubject"])


def test_result_ids_match_fixture(fixture: dict[str, Any]) -> None:
    built = build(record_from(fixture), fixture)
    ids = [item["resultDescription"] for item in built["credentialSubject"]["result"]]
    assert ids == [item["resultDescription"] for item in fixture["credentialSubject"]["result"]]


def test_valid_from_in_utc(fixture: dict[str, Any]) -> None:
    assert build(record_from(fixture), fixture)["validFrom"] == "2026-05-30T03:00:00Z"


def test_naive_valid_from_rejected(fixture: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        build_transcript_credential(
            record_from(fixture), school_from(fixture), credential_id=fixture["id"],
            valid_from=datetime(2026, 5, 30, 10, 0),
        )


def test_bad_credential_id_rejected(fixture: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        build_transcript_credential(
            record_from(fixture), school_from(fixture), credential_id="urn:uuid:not-a-uuid",
            valid_from=datetime(2026, 5, 30, tzinfo=VN),
        )


def test_missing_subject_rejected(fixture: dict[str, Any]) -> None:
    record = record_from(fixture)
    short = StudentYearRecord(**{**record.__dict__, "subjects": record.subjects[:-1]})
    with pytest.raises(InputError):
        build(short, fixture)


@pytest.fixture(scope="module")
def generated() -> list[dict[str, Any]]:
    school = sample_school_identity(ISSUER_DID)
    classes = generate_school(5)
    return [
        build_transcript_credential(
            student, school, credential_id=f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
            valid_from=datetime(2026, 5, 30, tzinfo=VN),
        )
        for index, student in enumerate(s for item in classes for s in item.students)
    ]


def test_no_floats(generated: list[dict[str, Any]]) -> None:
    assert floats_in(generated) == []


def test_scores_are_strings(generated: list[dict[str, Any]]) -> None:
    values = [r["value"] for c in generated for r in c["credentialSubject"]["result"]]
    assert all(isinstance(value, str) for value in values)


def test_all_text_nfc(generated: list[dict[str, Any]]) -> None:
    assert all(unicodedata.is_normalized("NFC", text) for text in strings_in(generated))


def test_birth_date_plain(generated: list[dict[str, Any]]) -> None:
    for credential in generated:
        identifiers = credential["credentialSubject"]["identifier"]
        ids = {i["identityType"]: i["identityHash"] for i in identifiers}
        assert date.fromisoformat(ids["ext:birthDate"]).isoformat() == ids["ext:birthDate"]


def test_award_omitted_when_none(generated: list[dict[str, Any]]) -> None:
    without = [c for c in generated if "awardTitle" not in c["credentialSubject"]]
    assert 0 < len(without) < len(generated)


def test_student_id_omitted_when_empty(generated: list[dict[str, Any]]) -> None:
    counts = {len(c["credentialSubject"]["identifier"]) for c in generated}
    assert counts == {2, 3}


def test_same_shape_as_fixture(generated: list[dict[str, Any]], fixture: dict[str, Any]) -> None:
    grade8 = next(c for c in generated if c["credentialSubject"]["grade"] == 8)
    ids = [d["id"] for d in grade8["credentialSubject"]["achievement"]["resultDescription"]]
    expected = [d["id"] for d in fixture["credentialSubject"]["achievement"]["resultDescription"]]
    assert ids == expected


def test_school_year_period() -> None:
    assert school_year_period("2026-2027") == (
        "2026-09-05T00:00:00+07:00", "2027-05-31T00:00:00+07:00"
    )


def test_read_fixture(fixture: dict[str, Any]) -> None:
    view = read_transcript(fixture)
    assert [row.name for row in view.rows][:3] == ["Toán", "Ngữ văn", "Tiếng Anh"]
    assert view.rows[0].display() == ("7,5", "8,0", "7,8")
    assert view.birth_date == date(2012, 9, 14)
    assert view.academic == {"hk1": "Khá", "hk2": "Khá", "cn": "Khá"}
    assert view.award_title is None


def test_read_round_trip(generated: list[dict[str, Any]]) -> None:
    view = read_transcript(generated[0])
    assert view.student_name == generated[0]["credentialSubject"]["identifier"][0]["identityHash"]


def _drop_result(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["result"].pop(4)


def _bad_score(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["result"][0]["value"] = 7.5


def _bad_birth_date(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["identifier"][1]["identityHash"] = "14/09/2012"


def _no_subject(credential: dict[str, Any]) -> None:
    del credential["credentialSubject"]


def _bool_grade(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["grade"] = True


def _extra_result(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["result"].append(
        {"type": ["Result"], "resultDescription": "urn:hocba:result:x:hk1", "value": "1.0"}
    )


def _no_principal(credential: dict[str, Any]) -> None:
    del credential["credentialSubject"]["principal"]


@pytest.mark.parametrize(
    "damage",
    [_drop_result, _bad_score, _bad_birth_date, _no_subject, _bool_grade, _extra_result,
     _no_principal],
)
def test_read_rejects_malformed(fixture: dict[str, Any], damage) -> None:
    credential = copy.deepcopy(fixture)
    damage(credential)
    with pytest.raises(CredentialError):
        read_transcript(credential)


def test_read_rejects_non_object() -> None:
    with pytest.raises(CredentialError):
        read_transcript([])  # type: ignore[arg-type]
