"""Minors and consent: who may share a learner's records, and the consent recorded for it.

The age rules are data (``AGE_RULES``) so that a change in the law is a change of
numbers, not of code. Each rule names its legal basis and whether its text was
confirmed; docs/wallet.md ("Minors and consent") lists the sources.

- Under 16 the learner is a child (trẻ em). The guardian, as the legal
  representative, exercises the child's rights as data subject, so a guardian
  claims the records and shares them (Law 91/2025/QH15, Article 24(2)).
- From 7 years old, disclosing a child's information also needs the child's own
  agreement beside the guardian's (same article).
- From 16 the learner acts alone.

Sharing a record with a recipient of the learner's choosing is treated as a
disclosure, so the 7-year rule applies to it.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from hocba.db_wallet import ConsentRecord
from hocba.errors import HocbaError, InputError

if TYPE_CHECKING:
    from sqlmodel import Session

    from hocba.db_wallet import Wallet

__all__ = [
    "ACTING_AS",
    "AGE_RULES",
    "AgeRule",
    "ConsentRequiredError",
    "age_on",
    "is_minor",
    "needs_child_agreement",
    "record_consent",
    "require_share_consent",
    "today_in_vietnam",
    "withdraw_consent",
]

logger = logging.getLogger(__name__)

ACTING_AS = ("student", "guardian")
_VIETNAM_TZ = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class AgeRule:
    """One age threshold of the consent rules, with its legal basis.

    ``confirmed`` is False where the rule could not be checked against a published
    text. Such a rule is still enforced, on the side that protects the child.
    """

    name: str
    age: int
    meaning: str
    basis: str
    confirmed: bool


AGE_RULES: dict[str, AgeRule] = {
    "guardian_below": AgeRule(
        name="guardian_below",
        age=16,
        meaning="below this age the guardian claims, shares and consents",
        basis="Law 102/2016/QH13 on Children, Art. 1 (a child is under 16); "
              "Law 91/2025/QH15 on Personal Data Protection, Art. 24(2)",
        confirmed=True,
    ),
    "child_agrees_from": AgeRule(
        name="child_agrees_from",
        age=7,
        meaning="from this age a child's own agreement is needed beside the guardian's "
                "to disclose the child's information",
        basis="Law 91/2025/QH15, Art. 24(2); earlier Decree 13/2023/NĐ-CP, Art. 20",
        confirmed=True,
    ),
    "adult_from": AgeRule(
        name="adult_from",
        age=18,
        meaning="from this age the learner is an adult (Civil Code); between 16 and 18 "
                "the learner consents alone for data processing",
        basis="Civil Code 91/2015/QH13, Art. 21; that Law 91/2025/QH15 asks nothing more "
              "of learners aged 16 and 17 is unconfirmed",
        confirmed=False,
    ),
}


class ConsentRequiredError(HocbaError):
    """Sharing refused because the consent the law requires is missing."""

    code = "consent_required"


def today_in_vietnam() -> date:
    """Return today's date in Vietnam (UTC+7), the date ages are counted on."""
    return datetime.now(UTC).astimezone(_VIETNAM_TZ).date()


def _parse_birth_date(birth_date: str) -> date:
    try:
        return date.fromisoformat(birth_date.strip())
    except (AttributeError, ValueError):
        raise InputError(
            f"invalid date of birth {birth_date!r}: expected YYYY-MM-DD",
            code="birth_date_invalid",
            message_vi=f"Ngày sinh {birth_date!r} không hợp lệ; cần dạng năm-tháng-ngày.",
        ) from None


def age_on(birth_date: str, on: date) -> int:
    """Return the age in whole years on ``on`` of someone born on ``birth_date`` (ISO).

    A person born on 29 February turns a year older on 1 March in common years.
    Raise InputError for an invalid date or one after ``on``.
    """
    born = _parse_birth_date(birth_date)
    if born > on:
        raise InputError(
            f"date of birth {birth_date} is after {on.isoformat()}",
            code="birth_date_future",
            message_vi=f"Ngày sinh {born:%d/%m/%Y} sau ngày {on:%d/%m/%Y}.",
        )
    had_birthday = (on.month, on.day) >= (born.month, born.day)
    return on.year - born.year - (0 if had_birthday else 1)


def is_minor(birth_date: str, on: date) -> bool:
    """Return True if the learner needs a guardian to claim and share on ``on``.

    That is under ``AGE_RULES["guardian_below"].age`` (16). An empty or invalid
    date of birth raises InputError; callers decide what an unknown age means.
    """
    return age_on(birth_date, on) < AGE_RULES["guardian_below"].age


def needs_child_agreement(birth_date: str, on: date) -> bool:
    """Return True if sharing needs the child's own agreement beside the guardian's."""
    age = age_on(birth_date, on)
    return AGE_RULES["child_agrees_from"].age <= age < AGE_RULES["guardian_below"].age


def require_share_consent(wallet: Wallet, acting_as: str, *, child_agrees: bool | None = None,
                          on: date | None = None) -> None:
    """Raise ConsentRequiredError unless this session may share the wallet's records.

    A child's records are shared only by a guardian session, and from 7 years old
    only when ``child_agrees`` is True (the guardian confirms the child agreed). A
    wallet without a valid date of birth is treated as a child's under 7: the
    guardian shares. Learners aged 16 or more share for themselves.
    """
    if acting_as not in ACTING_AS:
        raise InputError(f"invalid acting_as {acting_as!r}: expected student or guardian",
                         code="acting_as_invalid",
                         message_vi="Vai trò không hợp lệ: cần là học sinh hoặc cha mẹ/người "
                                    "giám hộ.")
    on = on or today_in_vietnam()
    try:
        minor = is_minor(wallet.birth_date, on)
        child_must_agree = needs_child_agreement(wallet.birth_date, on)
    except InputError:
        logger.info("wallet %s has no valid date of birth; guardian consent required",
                    wallet.public_id)
        minor, child_must_agree = True, False
    if not minor:
        return
    if acting_as != "guardian":
        raise ConsentRequiredError(
            "the learner is under 16: a guardian must share the records",
            code="guardian_required",
            message_vi="Học sinh dưới 16 tuổi: cha mẹ hoặc người giám hộ phải là người chia sẻ "
                       "hồ sơ. Hãy nhờ cha mẹ/người giám hộ mở ví trên máy của họ.",
        )
    if child_must_agree and child_agrees is not True:
        raise ConsentRequiredError(
            "the child is 7 or older: the guardian must confirm that the child agrees",
            code="child_agreement_required",
            message_vi="Con từ đủ 7 tuổi trở lên: cần cả sự đồng ý của con. Hãy hỏi ý kiến "
                       "con rồi đánh dấu ô \"Con đã đồng ý chia sẻ\".",
        )


_FIELD_VI = {
    "giver_name": "họ tên người đồng ý",
    "purpose": "mục đích",
    "recipient": "người nhận",
}


def _clean_text(value: str, field_name: str, limit: int, *, required: bool) -> str:
    text = unicodedata.normalize("NFC", (value or "").strip())
    if required and not text:
        raise InputError(f"missing {field_name}", code=f"consent_{field_name}_missing",
                         message_vi=f"Thiếu thông tin bắt buộc: {_FIELD_VI[field_name]}.")
    if len(text) > limit:
        raise InputError(f"{field_name} is longer than {limit} characters",
                         code=f"consent_{field_name}_too_long",
                         message_vi=f"{_FIELD_VI[field_name].capitalize()} dài quá {limit} ký tự.")
    return text


def record_consent(session: Session, *, wallet_id: int, given_by: str, giver_name: str,
                   purpose: str, recipient: str, scope: dict[str, Any] | str
                   ) -> ConsentRecord:
    """Add a consent record to ``session`` and flush it, so its id is set.

    The caller commits, in the same transaction as the share it records. ``scope``
    names the credentials and the fields shown (a dict, or JSON text of one);
    for a child of 7 or more, put ``"child_agrees": true`` in it.
    """
    if given_by not in ACTING_AS:
        raise InputError(f"invalid given_by {given_by!r}: expected student or guardian",
                         code="consent_given_by_invalid",
                         message_vi="Người đồng ý phải là học sinh hoặc cha mẹ/người giám hộ.")
    scope_data = json.loads(scope) if isinstance(scope, str) else scope
    if not isinstance(scope_data, dict):
        raise InputError("consent scope must be a JSON object", code="consent_scope_invalid",
                         message_vi="Phạm vi đồng ý không hợp lệ.")
    record = ConsentRecord(
        wallet_id=wallet_id,
        given_by=given_by,
        giver_name=_clean_text(giver_name, "giver_name", 200, required=True),
        purpose=_clean_text(purpose, "purpose", 500, required=True),
        recipient=_clean_text(recipient, "recipient", 200, required=False),
        scope=json.dumps(scope_data, ensure_ascii=False, sort_keys=True),
    )
    session.add(record)
    session.flush()
    logger.info("consent %s recorded for wallet row %s by %s", record.id, wallet_id, given_by)
    return record


def withdraw_consent(session: Session, consent_id: int, *, wallet_id: int,
                     now: datetime | None = None) -> ConsentRecord:
    """Mark a consent of this wallet as withdrawn and flush; the caller commits.

    Withdrawing twice keeps the first time. Raise InputError if the wallet has no
    such consent.
    """
    record = session.get(ConsentRecord, consent_id)
    if record is None or record.wallet_id != wallet_id:
        raise InputError(f"consent {consent_id} not found", code="consent_not_found",
                         message_vi="Không tìm thấy sự đồng ý này.")
    if record.withdrawn_at is None:
        record.withdrawn_at = now or datetime.now(UTC)
        session.add(record)
        session.flush()
    return record
