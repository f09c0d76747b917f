"""Back-filling: issuing records of past school years from archived spreadsheets.

Rules (see docs/import-template.md, "Back-filling past years"):

- The school year must have ended before the day of issuing, so a year in
  progress is issued the ordinary way.
- The school must be accredited on chain today (accredited and not withdrawn).
  The registry has no record of accreditation in a year before it existed, so an
  accredited school may back-fill any past year. The accreditor approves this by
  accrediting the school.
- The credential names the school as the registry's name history had it on the
  last day of that school year. A year that ended before the school's first
  registered name uses that first name, the oldest one the registry records.
- ``validFrom`` and ``awardedDate`` are the last day of the school year; the
  ``backfill`` object in the credential subject carries the date of issuing
  (``backfillDate``) and the date whose registered name the issuer name is
  (``issuerNameAsOf``). The proof's ``created`` is the moment of signing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import partial
from typing import Any

from hocba.contexts import HOCBA_SCHOOL_LIFE_V1
from hocba.errors import InputError
from hocba.registry import RegistryClient
from issuer.curriculum import Curriculum
from issuer.issuance import RecordBuilder
from issuer.records import SchoolIdentity, StudentYearRecord
from issuer.transcript import build_transcript_credential, school_year_period

__all__ = [
    "BackfillPlan",
    "RegisteredName",
    "backfill_builder",
    "issuer_name_history",
    "name_at",
    "name_at_block",
    "plan_backfill",
]

logger = logging.getLogger(__name__)

_VIETNAM = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class RegisteredName:
    """One name of a school in the registry, in effect from ``from_block`` on."""

    name: str
    from_block: int
    from_time: datetime


@dataclass(frozen=True)
class BackfillPlan:
    """The school year, school name and dates that a back-filled batch is issued under."""

    school_year: str
    issuer_name: str
    name_as_of: date
    period_end: datetime
    backfill_date: date


def issuer_name_history(registry: RegistryClient, account: str, *,
                        block: int | str = "latest") -> list[RegisteredName]:
    """Read every registered name of ``account`` as of ``block``, oldest first.

    Returns an empty list for an account the registry never accredited.
    """
    history = []
    for entry in registry.issuer_names(account, block=block):
        from_block = int(entry["fromBlock"])
        header = registry.chain.call(lambda number=from_block: registry.chain.w3.eth.get_block(
            number))
        history.append(RegisteredName(str(entry["name"]), from_block,
                                      datetime.fromtimestamp(int(header["timestamp"]), UTC)))
    return history


def name_at(history: list[RegisteredName], moment: datetime) -> RegisteredName:
    """Return the name in effect at ``moment``, or the first name for an earlier moment."""
    if not history:
        raise InputError("the school has no registered name", code="issuer_not_registered",
                         message_vi="Trường chưa có tên đăng ký trong sổ đăng ký.")
    current = history[0]
    for entry in history:
        if entry.from_time <= moment:
            current = entry
    return current


def name_at_block(history: list[RegisteredName], block: int) -> RegisteredName:
    """Return the name in effect at ``block``, or the first name for an earlier block."""
    if not history:
        raise InputError("the school has no registered name", code="issuer_not_registered",
                         message_vi="Trường chưa có tên đăng ký trong sổ đăng ký.")
    current = history[0]
    for entry in history:
        if entry.from_block <= block:
            current = entry
    return current


def plan_backfill(registry: RegistryClient, account: str, school_year: str, *,
                  today: date | None = None) -> BackfillPlan:
    """Check that ``school_year`` may be back-filled by ``account`` and return the plan.

    Raises InputError ``backfill_year_not_ended`` for a year that has not ended,
    and ``backfill_not_accredited`` for a school that is not accredited today.
    """
    today = today or datetime.now(_VIETNAM).date()
    _, end_text = school_year_period(school_year)
    period_end = datetime.fromisoformat(end_text)
    if period_end.date() >= today:
        raise InputError(
            f"school year {school_year} ends on {period_end.date()}; only ended years "
            "can be back-filled",
            code="backfill_year_not_ended",
            message_vi=f"Năm học {school_year} chưa kết thúc (kết thúc ngày "
                       f"{period_end:%d/%m/%Y}); chỉ nhập bổ sung được hồ sơ của năm học đã qua.",
        )
    status = registry.issuer(account)
    if int(status["accreditedFrom"]) == 0 or int(status["withdrawnCutoff"]) != 0:
        raise InputError(
            f"school {account} is not accredited today; it cannot back-fill records",
            code="backfill_not_accredited",
            message_vi="Trường hiện không được công nhận trong sổ đăng ký nên không thể nhập "
                       "bổ sung hồ sơ các năm trước.",
        )
    registered = name_at(issuer_name_history(registry, account), period_end)
    logger.info("back-fill %s for %s under the name registered from block %d", school_year,
                account, registered.from_block)
    return BackfillPlan(school_year, registered.name, period_end.date(), period_end, today)


def backfill_builder(plan: BackfillPlan, *, curriculum: Curriculum | None = None,
                     base: RecordBuilder | None = None) -> RecordBuilder:
    """Return a builder for ``prepare_batch`` that issues records of ``plan``'s year.

    ``base`` builds the ordinary credential (the year transcript by default); the
    returned builder rejects records of another school year.
    """
    if base is None:
        base = partial(build_transcript_credential, curriculum=curriculum)
    return partial(_build_backfilled, plan=plan, base=base)


def _build_backfilled(record: StudentYearRecord, school: SchoolIdentity, *, credential_id: str,
                      valid_from: datetime, plan: BackfillPlan,
                      base: RecordBuilder) -> dict[str, Any]:
    del valid_from  # a back-filled record is valid from the end of its school year
    if record.school_year != plan.school_year:
        raise InputError(
            f"row {record.row_number}: school year {record.school_year} is not the back-filled "
            f"year {plan.school_year}",
            code="backfill_wrong_year",
            message_vi=f"Dòng {record.row_number}: năm học {record.school_year} khác năm học "
                       f"đang nhập bổ sung {plan.school_year}.",
        )
    then = SchoolIdentity(school.issuer_did, plan.issuer_name, school.school_code,
                          school.admin_unit_code, school.principal)
    credential = base(record, then, credential_id=credential_id, valid_from=plan.period_end)
    if HOCBA_SCHOOL_LIFE_V1 not in credential["@context"]:
        credential["@context"] = [*credential["@context"], HOCBA_SCHOOL_LIFE_V1]
    credential["awardedDate"] = credential["validFrom"]
    credential["credentialSubject"]["backfill"] = {
        "type": ["BackfilledRecord"],
        "backfillDate": plan.backfill_date.isoformat(),
        "issuerNameAsOf": plan.name_as_of.isoformat(),
    }
    return credential
