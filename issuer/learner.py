"""A learner's records across schools and years, as issued by this instance.

The learner key is the 10-digit learner id that credentials carry as the
``studentId`` identifier. The credential table has no learner-id column, so
``learner_records`` pre-selects rows whose JSON contains the quoted id and then
confirms each match by parsing the credential. Purged rows (issuer.retention)
no longer contain the id and are therefore never listed.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from hocba.db import CredentialRecord
from hocba.errors import InputError

__all__ = [
    "LearnerRecord",
    "TransferNote",
    "check_learner_key",
    "learner_records",
]

logger = logging.getLogger(__name__)

_LEARNER_KEY = re.compile(r"^\d{10}$")


@dataclass(frozen=True)
class TransferNote:
    """A transfer written in a record: ``out`` (chuyển đi) or ``in`` (chuyển đến)."""

    direction: str
    date: str
    other_school: str


@dataclass(frozen=True)
class LearnerRecord:
    """One credential issued for a learner, with the fields a history lists.

    ``record_type`` is the achievement type (``ext:YearTranscript``,
    ``ext:CompletionConfirmation`` and so on). ``terms`` lists the terms the
    record carries (``hk1``, ``hk2``, ``cn``), which is fewer than three for a
    transfer. ``period_start`` is the record's ``activityStartDate``.
    """

    credential_id: str
    school_code: str
    school_name: str
    issuer_account: str
    school_year: str
    grade: int | None
    class_name: str
    record_type: str
    title: str
    status: str
    period_start: str
    valid_from: str
    issued_at: datetime
    terms: tuple[str, ...]
    transfer: TransferNote | None
    backfilled: bool


def check_learner_key(learner_key: str) -> str:
    """Return ``learner_key`` stripped, or raise InputError unless it is 10 digits."""
    key = learner_key.strip()
    if not _LEARNER_KEY.fullmatch(key):
        raise InputError(
            f"learner id {learner_key!r} must be 10 digits",
            code="invalid_learner_id",
            message_vi=f"Mã học sinh {learner_key!r} không hợp lệ: phải gồm đúng 10 chữ số.",
        )
    return key


def learner_records(engine: Engine, learner_key: str, *,
                    school_code: str | None = None) -> list[LearnerRecord]:
    """List every credential this instance issued for ``learner_key``, oldest first.

    Order: school-year period start, then ``validFrom``, then the time the row was
    stored. ``school_code`` limits the list to one school's records (what a
    principal may see). Pending credentials (not yet anchored) are listed with
    status ``pending``.
    """
    key = check_learner_key(learner_key)
    with Session(engine) as db:
        rows = db.exec(
            select(CredentialRecord).where(col(CredentialRecord.credential_json)
                                           .contains(f'"{key}"'))
        ).all()

    records = []
    for row in rows:
        credential = _parse(row)
        if credential is None or _student_id(credential) != key:
            continue
        record = _record_of(row, credential)
        if school_code is not None and record.school_code != school_code:
            continue
        records.append(record)
    records.sort(key=lambda item: (item.period_start, item.valid_from, item.issued_at))
    logger.debug("learner history: %d records", len(records))
    return records


def _parse(row: CredentialRecord) -> dict[str, Any] | None:
    try:
        credential = json.loads(row.credential_json)
    except json.JSONDecodeError:
        logger.warning("credential %s: stored JSON does not parse", row.id)
        return None
    return credential if isinstance(credential, dict) else None


def _student_id(credential: dict[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        return None
    for entry in subject.get("identifier") or []:
        if isinstance(entry, dict) and entry.get("identityType") == "studentId":
            value = entry.get("identityHash")
            return value if isinstance(value, str) else None
    return None


def _terms(subject: dict[str, Any]) -> tuple[str, ...]:
    found = []
    for result in subject.get("result") or []:
        reference = result.get("resultDescription", "") if isinstance(result, dict) else ""
        term = str(reference).rsplit(":", 1)[-1]
        if term in ("hk1", "hk2", "cn") and term not in found:
            found.append(term)
    order = ("hk1", "hk2", "cn")
    return tuple(term for term in order if term in found)


def _transfer(subject: dict[str, Any]) -> TransferNote | None:
    transfer = subject.get("transfer")
    if not isinstance(transfer, dict):
        return None
    kinds = transfer.get("type")
    direction = "out" if isinstance(kinds, list) and "TransferOut" in kinds else "in"
    return TransferNote(direction, str(transfer.get("transferDate", "")),
                        str(transfer.get("otherSchoolName", "")))


def _record_of(row: CredentialRecord, credential: dict[str, Any]) -> LearnerRecord:
    issuer = credential.get("issuer") if isinstance(credential.get("issuer"), dict) else {}
    subject = credential["credentialSubject"]
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) \
        else {}
    grade = subject.get("grade")
    return LearnerRecord(
        credential_id=row.id,
        school_code=str(issuer.get("schoolCode", "")),
        school_name=str(issuer.get("name", "")),
        issuer_account=row.issuer_account,
        school_year=row.school_year,
        grade=grade if isinstance(grade, int) else None,
        class_name=row.class_name,
        record_type=str(achievement.get("achievementType", "")),
        title=str(credential.get("name", "")),
        status=row.status,
        period_start=str(subject.get("activityStartDate", "")),
        valid_from=str(credential.get("validFrom", "")),
        issued_at=row.created_at,
        terms=_terms(subject),
        transfer=_transfer(subject),
        backfilled=isinstance(subject.get("backfill"), dict),
    )
