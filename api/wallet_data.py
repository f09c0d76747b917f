"""A wallet's records and their current status, for the wallet pages and the wallet API.

A record's status is the verifier's verdict now (registry states are cached for a few
seconds by the verification service), not the status stored at issue time. For a revoked
or suspended record the reason and date come from the school's audit log.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlmodel import Session, col, or_, select

from api.pages import VIETNAM_TIME
from api.problems import ProblemError
from api.service import VerificationService
from hocba.db import AuditEvent, CredentialRecord, IssuerRecord
from hocba.db_wallet import Wallet, WalletCredential
from hocba.status import Status, VerificationResult
from issuer.retention import is_tombstone
from wallet.held_records import record_kind

__all__ = ["HeldRecord", "group_by_year", "held_record", "held_records", "load_wallet",
           "record_uuid"]

logger = logging.getLogger(__name__)

_STATUS_TONES = {Status.VALID: "valid", Status.NOT_ANCHORED: "pending",
                 Status.UNAVAILABLE: "pending"}


@dataclass
class HeldRecord:
    """One record of a wallet, as the pages show it."""

    id: str
    credential: dict[str, Any]
    kind_vi: str
    kind_en: str
    school_as_issued: str
    school_today: str | None
    class_name: str
    school_year: str
    status: str
    status_vi: str
    status_en: str
    tone: str
    reason: str
    status_date: str
    has_pdf: bool
    pdf_path: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": {"vi": self.kind_vi, "en": self.kind_en},
                "schoolAsIssued": self.school_as_issued, "schoolToday": self.school_today,
                "className": self.class_name, "schoolYear": self.school_year,
                "status": self.status, "label": {"vi": self.status_vi, "en": self.status_en},
                "reason": self.reason, "statusDate": self.status_date, "hasPdf": self.has_pdf}


def record_uuid(credential_id: str) -> str:
    """Return the bare UUID of ``urn:uuid:...``, the id used in wallet URLs."""
    return credential_id.removeprefix("urn:uuid:")


def load_wallet(engine: Any, wallet_id: int) -> Wallet:
    """Return the wallet row; 404 when it was deleted meanwhile."""
    with Session(engine, expire_on_commit=False) as db:
        wallet = db.get(Wallet, wallet_id)
    if wallet is None:
        raise ProblemError(404, "wallet_not_found", "Không tìm thấy ví.", "No such wallet.")
    return wallet


def _rows(engine: Any, wallet_id: int, record_id: str | None = None) -> list[CredentialRecord]:
    with Session(engine) as db:
        query = select(CredentialRecord).join(
            WalletCredential, col(WalletCredential.credential_id) == col(CredentialRecord.id)
        ).where(WalletCredential.wallet_id == wallet_id)
        if record_id is not None:
            query = query.where(CredentialRecord.id == f"urn:uuid:{record_id}")
        return [row for row in db.exec(query).all() if not is_tombstone(row.credential_json)]


def _status_reason(engine: Any, row: CredentialRecord, status: Status) -> tuple[str, str]:
    if status not in (Status.REVOKED, Status.SUSPENDED):
        return "", ""
    actions = ["revoke", "revoke_batch"] if status == Status.REVOKED else ["suspend"]
    with Session(engine) as db:
        event = db.exec(select(AuditEvent).where(
            col(AuditEvent.action).in_(actions),
            or_(AuditEvent.target == f"credential:{row.id}",
                AuditEvent.target == f"batch:{row.batch_id}"),
        ).order_by(col(AuditEvent.at).desc())).first()
    if event is None:
        return "", ""
    moment = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    reason = event.reason.split(": ", 1)[1] if event.reason.startswith("code ") else event.reason
    return reason, moment.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y")


def _school_today(engine: Any, row: CredentialRecord, result: VerificationResult) -> str | None:
    issuer = result.issuer or {}
    if isinstance(issuer.get("name"), str):
        return issuer["name"]
    with Session(engine) as db:
        school = db.exec(select(IssuerRecord).where(
            IssuerRecord.account == row.issuer_account)).first()
    return school.name if school is not None else None


def _view(service: VerificationService, row: CredentialRecord) -> HeldRecord:
    engine = service.instance.engine
    credential = json.loads(row.credential_json)
    result = service.verify_json(row.credential_json.encode("utf-8"), "wallet")
    kind_vi, kind_en = record_kind(credential)
    issuer = credential.get("issuer") if isinstance(credential.get("issuer"), dict) else {}
    reason, status_date = _status_reason(engine, row, result.status)
    has_pdf = bool(row.pdf_path) and row.pdf_path != "(purged)"
    return HeldRecord(
        id=record_uuid(row.id), credential=credential, kind_vi=kind_vi, kind_en=kind_en,
        school_as_issued=str(issuer.get("name") or ""),
        school_today=_school_today(engine, row, result), class_name=row.class_name,
        school_year=row.school_year, status=result.status.value,
        status_vi=result.status.label_vi, status_en=result.status.label_en,
        tone=_STATUS_TONES.get(result.status, "invalid"), reason=reason,
        status_date=status_date, has_pdf=has_pdf, pdf_path=row.pdf_path)


def held_records(service: VerificationService, wallet_id: int) -> list[HeldRecord]:
    """Verify and describe every record of the wallet, newest school year first."""
    rows = _rows(service.instance.engine, wallet_id)
    views = [_view(service, row) for row in rows]
    views.sort(key=lambda view: (view.school_year, view.class_name), reverse=True)
    return views


def held_record(service: VerificationService, wallet_id: int, record_id: str) -> HeldRecord:
    """Return one record of the wallet; 404 when the id is invalid or another wallet's."""
    try:
        normalized = str(uuid.UUID(record_id))
    except ValueError:
        normalized = ""
    rows = _rows(service.instance.engine, wallet_id, normalized) if normalized else []
    if not rows:
        raise ProblemError(404, "record_not_found", "Không tìm thấy văn bản này trong ví.",
                           "No such record in this wallet.")
    return _view(service, rows[0])


def group_by_year(records: list[HeldRecord]) -> list[tuple[str, list[HeldRecord]]]:
    """Group records by school year, keeping the newest-first order."""
    groups: dict[str, list[HeldRecord]] = {}
    for record in records:
        groups.setdefault(record.school_year, []).append(record)
    return list(groups.items())
