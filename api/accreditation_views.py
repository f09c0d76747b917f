"""Data for the accreditation pages: accreditors, schools and a school's history.

Accreditors, schools and histories come from the registry (events and views);
only login accounts and audit records come from the database.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from api.accreditation_text import AUDIT_ACTIONS, EVENT_NAMES
from api.pages import format_vietnam_time
from hocba.db import AuditEvent, IssuerRecord, UserAccount
from hocba.instance import Instance
from issuer.accreditation import DEPARTMENT_KEY
from issuer.accreditation_history import list_accreditors, list_schools, read_school_history

__all__ = ["accreditor_rows", "audit_rows", "history_context", "school_rows"]

logger = logging.getLogger(__name__)

_AUDIT_LIMIT = 200


def accreditor_rows(instance: Instance) -> list[dict[str, Any]]:
    """Return every accreditor on the registry with the login accounts of its unit."""
    with Session(instance.engine) as db:
        accounts = db.exec(select(UserAccount).where(UserAccount.role == "accreditor")).all()
    logins: dict[str, list[str]] = {}
    for account in accounts:
        label = account.login + (" (đã khóa / disabled)" if account.disabled else "")
        logins.setdefault(account.admin_unit_code or "", []).append(label)
    return [{"entry": entry, "logins": logins.get(entry.unit_code, [])}
            for entry in list_accreditors(instance.registry)]


def school_rows(instance: Instance, accreditor: str | None) -> list[dict[str, Any]]:
    """Return the schools on the registry, or those ``accreditor`` supervises now."""
    names = {entry.account.lower(): f"{entry.name} ({entry.unit_code})"
             for entry in list_accreditors(instance.registry)}
    return [{"entry": school, "supervisor": names.get(school.accreditor.lower(),
                                                      school.accreditor)}
            for school in list_schools(instance.registry, accreditor=accreditor)]


def audit_rows(instance: Instance, school_code: str | None,
               lang: str = "vi") -> list[dict[str, str]]:
    """Return the newest audit records first: all, or those of one school."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
    if school_code is not None:
        query = query.where(AuditEvent.school_code == school_code)
    with Session(instance.engine) as db:
        rows = db.exec(query.limit(_AUDIT_LIMIT)).all()
    return [{"at": format_vietnam_time(int(_aware(row.at).timestamp())), "actor": row.actor,
             "action": row.action, "target": row.target,
             "action_label": AUDIT_ACTIONS.get(row.action, (row.action, row.action))[
                 0 if lang == "vi" else 1],
             "reason": row.reason} for row in rows]


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for UTC values.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def history_context(instance: Instance, record: IssuerRecord, lang: str) -> dict[str, Any]:
    """Collect what a school's history page shows, read from the registry at the latest block."""
    history = read_school_history(instance.registry, record.account)
    supervisors = {entry.account.lower(): f"{entry.name} ({entry.unit_code})"
                   for entry in list_accreditors(instance.registry)}
    if instance.keys.has(DEPARTMENT_KEY):
        supervisors[instance.keys.account(DEPARTMENT_KEY).address.lower()] = \
            "Sở GD&ĐT" if lang == "vi" else "Department"

    def when(timestamp: int | None) -> str:
        return format_vietnam_time(timestamp) if timestamp else ""

    names = [{"name": entry.name, "from_block": entry.from_block, "to_block": entry.to_block,
              "from_time": when(entry.from_time)} for entry in history.names]
    bodies = [{"name": entry.accreditor_name, "unit_code": entry.unit_code,
               "from_block": entry.from_block, "to_block": entry.to_block,
               "from_time": when(entry.from_time)} for entry in history.supervisors]
    keys = [{"public_key": entry.public_key, "added_block": entry.added_block,
             "added_time": when(entry.added_time), "cutoff_block": entry.cutoff_block,
             "cutoff_time": when(entry.cutoff_time),
             "in_use": entry.public_key == record.signing_key and not entry.cutoff_block,
             "revoked_by": supervisors.get(entry.revoked_by.lower(), entry.revoked_by)}
            for entry in history.keys]
    withdrawals = [{"cutoff_block": entry.cutoff_block, "block": entry.block,
                    "time": when(entry.time), "transaction_hash": entry.transaction_hash,
                    "by": supervisors.get(entry.by.lower(), entry.by)}
                   for entry in history.withdrawals]
    index = 0 if lang == "vi" else 1
    transactions = [{"block": block, "event": EVENT_NAMES[event][index], "hash": tx_hash}
                    for block, event, tx_hash in history.transactions]
    return {"school": history.school, "names": names, "bodies": bodies, "keys": keys,
            "withdrawals": withdrawals, "transactions": transactions,
            "audit": audit_rows(instance, record.school_code, lang)}
