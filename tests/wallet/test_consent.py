"""Age rules and consent records for minors (wallet/consent.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import Session, SQLModel, create_engine

from hocba.db_wallet import ConsentRecord, Wallet
from hocba.errors import HocbaError, InputError
from wallet.consent import (
    AGE_RULES,
    ConsentRequiredError,
    age_on,
    is_minor,
    needs_child_agreement,
    record_consent,
    require_share_consent,
    withdraw_consent,
)

ON = date(2026, 9, 5)


def _wallet(birth_date: str) -> Wallet:
    return Wallet(public_id="w-test", display_name="Nguyễn Văn An", birth_date=birth_date)


@pytest.fixture
def db():
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        wallet = _wallet("2012-03-04")
        session.add(wallet)
        session.commit()
        yield session, int(wallet.id or 0)
    engine.dispose()


@pytest.mark.parametrize(("born", "age"), [
    ("2010-09-05", 16),
    ("2010-09-06", 15),
    ("2008-02-29", 18),
    ("2026-09-05", 0),
])
def test_age_on_birthdays(born, age):
    assert age_on(born, ON) == age


def test_age_leap_day_common_year():
    assert age_on("2008-02-29", date(2027, 2, 28)) == 18


def test_age_leap_day_turns_in_march():
    assert age_on("2008-02-29", date(2027, 3, 1)) == 19


@pytest.mark.parametrize(("born", "minor"), [
    ("2010-09-06", True),   # 15 until tomorrow
    ("2010-09-05", False),  # 16 today
    ("2009-01-01", False),
    ("2020-01-01", True),
])
def test_is_minor_threshold(born, minor):
    assert is_minor(born, ON) is minor


def test_minor_threshold_is_rule_data():
    assert AGE_RULES["guardian_below"].age == 16


@pytest.mark.parametrize("born", ["", "05/09/2010", "2010-13-01", "2027-01-01"])
def test_is_minor_bad_date(born):
    with pytest.raises(InputError):
        is_minor(born, ON)


@pytest.mark.parametrize(("born", "needed"), [
    ("2019-09-05", True),   # 7 today
    ("2019-09-06", False),  # 6
    ("2012-01-01", True),
    ("2010-09-05", False),  # 16: acts alone
])
def test_child_agreement_ages(born, needed):
    assert needs_child_agreement(born, ON) is needed


def test_share_adult_student_allowed():
    assert require_share_consent(_wallet("2009-01-01"), "student", on=ON) is None


def test_share_minor_student_refused():
    with pytest.raises(ConsentRequiredError) as caught:
        require_share_consent(_wallet("2012-03-04"), "student", on=ON)
    assert caught.value.code == "guardian_required"


def test_share_refusal_in_vietnamese():
    with pytest.raises(ConsentRequiredError) as caught:
        require_share_consent(_wallet("2012-03-04"), "student", on=ON)
    assert "cha mẹ hoặc người giám hộ" in caught.value.message_vi


def test_consent_error_is_hocba_error():
    assert issubclass(ConsentRequiredError, HocbaError)


def test_share_guardian_needs_child_agreement():
    with pytest.raises(ConsentRequiredError) as caught:
        require_share_consent(_wallet("2012-03-04"), "guardian", on=ON)
    assert caught.value.code == "child_agreement_required"


def test_share_guardian_with_child_agreement():
    assert require_share_consent(_wallet("2012-03-04"), "guardian", child_agrees=True,
                                 on=ON) is None


def test_share_guardian_under_seven():
    assert require_share_consent(_wallet("2020-01-01"), "guardian", on=ON) is None


def test_share_unknown_birth_date_needs_guardian():
    with pytest.raises(ConsentRequiredError):
        require_share_consent(_wallet(""), "student", on=ON)


def test_share_bad_acting_as():
    with pytest.raises(InputError):
        require_share_consent(_wallet("2009-01-01"), "teacher", on=ON)


def test_record_consent_stores_row(db):
    session, wallet_id = db
    record = record_consent(session, wallet_id=wallet_id, given_by="guardian",
                            giver_name="Nguyen Thi Hoa".replace("Nguyen", "Nguye\u0302\u0303n"),
                            purpose="Nộp hồ sơ tuyển sinh lớp 10", recipient="THPT Chu Văn An",
                            scope={"credential_ids": ["c1"], "child_agrees": True})
    session.commit()
    stored = session.get(ConsentRecord, record.id)
    assert stored is not None
    assert stored.giver_name == "Nguyễn Thi Hoa"
    assert json.loads(stored.scope) == {"child_agrees": True, "credential_ids": ["c1"]}


def test_record_consent_accepts_json_scope(db):
    session, wallet_id = db
    record = record_consent(session, wallet_id=wallet_id, given_by="student",
                            giver_name="An", purpose="Xin học bổng", recipient="",
                            scope='{"credential_ids": ["c2"]}')
    assert json.loads(record.scope)["credential_ids"] == ["c2"]


@pytest.mark.parametrize(("field", "value"), [
    ("giver_name", "  "),
    ("purpose", ""),
    ("given_by", "teacher"),
    ("scope", "[1, 2]"),
    ("recipient", "x" * 201),
])
def test_record_consent_rejects(db, field, value):
    session, wallet_id = db
    arguments = {"wallet_id": wallet_id, "given_by": "guardian", "giver_name": "Hoa",
                 "purpose": "Tuyển sinh", "recipient": "", "scope": {}}
    arguments[field] = value
    with pytest.raises(InputError):
        record_consent(session, **arguments)


def test_withdraw_consent_sets_time(db):
    session, wallet_id = db
    record = record_consent(session, wallet_id=wallet_id, given_by="guardian", giver_name="Hoa",
                            purpose="Tuyển sinh", recipient="", scope={})
    withdrawn = withdraw_consent(session, int(record.id or 0), wallet_id=wallet_id)
    assert withdrawn.withdrawn_at is not None


def test_withdraw_other_wallet_consent(db):
    session, wallet_id = db
    record = record_consent(session, wallet_id=wallet_id, given_by="guardian", giver_name="Hoa",
                            purpose="Tuyển sinh", recipient="", scope={})
    with pytest.raises(InputError):
        withdraw_consent(session, int(record.id or 0), wallet_id=wallet_id + 1)
