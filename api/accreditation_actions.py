"""The chain actions behind the accreditation page forms.

Each function takes the submitted form fields and runs the same
``issuer.accreditation*`` function that the CLI uses. ``prepare_*`` functions run
before the confirmation page and may add fields (a cut-off block resolved from a
date), so the transaction sent is the one the person confirmed.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlmodel import Session, select

from hocba.accounts import Actor, create_user
from hocba.chain import TxResult
from hocba.db import IssuerRecord, UserAccount
from hocba.errors import InputError
from hocba.instance import Instance
from issuer.accreditation import (
    SchoolRegistration,
    appoint_accreditor_action,
    reassign_school,
    register_school_action,
    remove_accreditor,
    rename_school,
    unit_code_number,
    withdraw_school,
)
from issuer.accreditation_history import block_for_time
from issuer.accreditation_keys import parse_public_key, revoke_school_key, rotate_school_key

__all__ = [
    "Outcome",
    "appoint",
    "nfc_fields",
    "prepare_cutoff",
    "reassign",
    "register",
    "remove",
    "rename",
    "revoke_key",
    "rotate",
    "withdraw",
]

logger = logging.getLogger(__name__)

_VIETNAM_TIME = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class Outcome:
    """The result of a page action: mined transactions, facts, and a password shown once."""

    transactions: tuple[TxResult, ...]
    facts: list[tuple[str, str]] = field(default_factory=list)
    initial_password: str | None = None


def nfc_fields(fields: dict[str, str]) -> dict[str, str]:
    """Return the fields trimmed and in Unicode NFC, as names are stored."""
    return {key: unicodedata.normalize("NFC", value.strip()) for key, value in fields.items()}


def _required(fields: dict[str, str], name: str, label_vi: str) -> str:
    value = fields.get(name, "")
    if not value:
        raise InputError(f"the field {name} is empty", code="field_missing",
                         message_vi=f"Chưa điền «{label_vi}».")
    return value


def _check_login_free(instance: Instance, login: str) -> str:
    login = login.strip().casefold()
    with Session(instance.engine) as db:
        taken = db.exec(select(UserAccount).where(UserAccount.login == login)).first()
    if taken is not None:
        raise InputError(f"login {login!r} already exists", code="login_taken",
                         message_vi=f"Tên đăng nhập «{login}» đã có người dùng.")
    return login


def _new_password() -> str:
    return secrets.token_urlsafe(12)


def _who(actor: Actor) -> str:
    return actor.label


def appoint(instance: Instance, actor: Actor, fields: dict[str, str]) -> Outcome:
    """Appoint an accreditor on chain and create its login account."""
    unit = _required(fields, "unit_code", "Mã đơn vị hành chính")
    name = _required(fields, "unit_name", "Tên đơn vị")
    unit_code_number(unit)
    login = _check_login_free(instance, _required(fields, "login", "Tên đăng nhập"))
    action = appoint_accreditor_action(instance.keys, instance.registry, admin_unit_code=unit,
                                       name=name, engine=instance.engine, actor=_who(actor),
                                       reason=fields.get("reason", "") or name)
    password = _new_password()
    create_user(instance.engine, login=login, display_name=fields.get("display_name") or name,
                role="accreditor", password=password, admin_unit_code=unit,
                created_by=actor.label)
    return Outcome(action.transactions, [("account", action.account), ("login", login)],
                   password)


def remove(instance: Instance, actor: Actor, unit: str, fields: dict[str, str]) -> Outcome:
    reason = _required(fields, "reason", "Lý do")
    result = remove_accreditor(instance.keys, instance.registry, instance.engine,
                               admin_unit_code=unit, actor=_who(actor), reason=reason)
    return Outcome((result,), [("unit_code", unit)])


def reassign(instance: Instance, actor: Actor, code: str, fields: dict[str, str]) -> Outcome:
    unit = _required(fields, "new_unit", "Đơn vị công nhận mới")
    reason = _required(fields, "reason", "Lý do")
    result = reassign_school(instance.keys, instance.registry, instance.engine, school_code=code,
                             new_accreditor_unit_code=unit, actor=_who(actor), reason=reason)
    return Outcome((result,), [("school_code", code), ("new_unit", unit)])


def register(instance: Instance, actor: Actor, fields: dict[str, str]) -> Outcome:
    """Accredit a school with a new or uploaded key and create its principal's login."""
    unit = actor.admin_unit_code or ""
    code = _required(fields, "school_code", "Mã trường")
    name = _required(fields, "school_name", "Tên trường")
    login = _check_login_free(instance, fields.get("principal_login") or f"ht-{code}")
    public_key = parse_public_key(fields["public_key"]) if fields.get("public_key") else None
    registration = SchoolRegistration(code, unit, name, fields.get("principal", ""))
    action = register_school_action(instance.keys, instance.registry, instance.engine,
                                    registration, accreditor_unit_code=unit,
                                    public_key=public_key, actor=_who(actor))
    password = _new_password()
    create_user(instance.engine, login=login,
                display_name=fields.get("principal") or f"Hiệu trưởng {name}", role="principal",
                password=password, school_code=code, created_by=actor.label)
    return Outcome(action.transactions, [("school_code", code), ("account", action.account),
                                         ("login", login)], password)


def rename(instance: Instance, actor: Actor, school: IssuerRecord,
           fields: dict[str, str]) -> Outcome:
    new_name = _required(fields, "new_name", "Tên mới")
    result = rename_school(instance.keys, instance.registry, instance.engine,
                           school_code=school.school_code,
                           accreditor_unit_code=actor.admin_unit_code or "", new_name=new_name,
                           actor=_who(actor), reason=fields.get("reason", ""))
    return Outcome((result,), [("school_code", school.school_code), ("new_name", new_name)])


def prepare_cutoff(instance: Instance, fields: dict[str, str]) -> dict[str, str]:
    """Resolve the cut-off block from ``cutoff_block`` or ``effective`` (Vietnam time)."""
    prepared = dict(fields)
    typed = fields.get("cutoff_block", "")
    if typed:
        if not typed.isdigit() or int(typed) < 1:
            raise InputError(f"invalid cut-off block {typed[:20]!r}", code="cutoff_invalid",
                             message_vi=f"Số khối «{typed[:20]}» không hợp lệ: cần số nguyên "
                                        "dương.")
        return prepared
    effective = fields.get("effective", "")
    if effective:
        try:
            moment = datetime.fromisoformat(effective).replace(tzinfo=_VIETNAM_TIME)
        except ValueError as exc:
            raise InputError(f"invalid effective time {effective[:30]!r}",
                             code="effective_time_invalid",
                             message_vi=f"Thời điểm «{effective[:30]}» không hợp lệ; dùng dạng "
                                        "ngày/tháng/năm giờ:phút.") from exc
        prepared["cutoff_block"] = str(block_for_time(instance.chain, moment))
    else:
        prepared["cutoff_block"] = str(instance.chain.pinned_block()[0] + 1)
    return prepared


def withdraw(instance: Instance, actor: Actor, school: IssuerRecord,
             fields: dict[str, str]) -> Outcome:
    reason = _required(fields, "reason", "Lý do")
    cutoff = int(_required(fields, "cutoff_block", "Số khối"))
    result = withdraw_school(instance.keys, instance.registry, instance.engine,
                             school_code=school.school_code,
                             accreditor_unit_code=actor.admin_unit_code or "", cutoff_block=cutoff,
                             reason=reason, actor=_who(actor))
    return Outcome((result,), [("school_code", school.school_code),
                               ("cutoff_block", str(cutoff))])


def rotate(instance: Instance, actor: Actor, school: IssuerRecord,
           fields: dict[str, str]) -> Outcome:
    public_key = parse_public_key(fields["public_key"]) if fields.get("public_key") else None
    action = rotate_school_key(instance.keys, instance.registry, instance.engine,
                               school_code=school.school_code,
                               accreditor_unit_code=actor.admin_unit_code or "",
                               public_key=public_key, actor=_who(actor),
                               reason=fields.get("reason", ""))
    with Session(instance.engine) as db:
        current = db.get(IssuerRecord, school.id)
    new_key = current.signing_key if current is not None else ""
    return Outcome(action.transactions, [("school_code", school.school_code),
                                         ("key", new_key)])


def revoke_key(instance: Instance, actor: Actor, school: IssuerRecord,
               fields: dict[str, str]) -> Outcome:
    public_key = parse_public_key(_required(fields, "public_key", "Khóa"))
    reason = _required(fields, "reason", "Lý do")
    cutoff = int(_required(fields, "cutoff_block", "Số khối"))
    result = revoke_school_key(instance.keys, instance.registry, instance.engine,
                               school_code=school.school_code,
                               accreditor_unit_code=actor.admin_unit_code or "",
                               public_key=public_key, cutoff_block=cutoff, actor=_who(actor),
                               reason=reason)
    return Outcome((result,), [("school_code", school.school_code),
                               ("key", public_key.hex()), ("cutoff_block", str(cutoff))])
