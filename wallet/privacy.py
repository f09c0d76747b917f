"""What the server keeps about a wallet's learner, and its export as JSON or ZIP.

``collect_wallet_data`` gathers every row that concerns the learner: the wallet,
the credentials delivered to it, claim links, device sessions, share links,
consent records and data requests. For each credential it includes the school's
stored JSON and whether the signed PDF and the salts are kept. Token digests,
share ciphertexts and salts are reported as present, not copied, because they are
secrets or unreadable without a key the server never had. The chain contains none of
this data, only salted hashes.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select

from hocba.anchoring import flatten_fields
from hocba.db import CredentialRecord, IssuerRecord
from hocba.db_wallet import (
    ClaimLink,
    ConsentRecord,
    DataRequest,
    ShareLink,
    Wallet,
    WalletCredential,
    WalletSession,
)
from hocba.errors import InputError
from issuer.retention import PURGED_PATH, is_tombstone

__all__ = [
    "EXPORT_FORMAT",
    "collect_wallet_data",
    "export_json",
    "export_zip",
    "record_export",
]

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "hocba-wallet-export/1"


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _wallet(db: Session, wallet_id: int) -> Wallet:
    wallet = db.get(Wallet, wallet_id)
    if wallet is None:
        raise InputError(f"wallet {wallet_id} not found", code="wallet_not_found",
                         message_vi="Không tìm thấy ví này trên máy chủ.")
    return wallet


def _school_names(db: Session) -> dict[str, tuple[str, str]]:
    return {row.account.lower(): (row.school_code, row.name)
            for row in db.exec(select(IssuerRecord))}


def _pdf_file(row: CredentialRecord) -> Path | None:
    if not row.pdf_path or row.pdf_path == PURGED_PATH:
        return None
    path = Path(row.pdf_path)
    return path if path.is_file() else None


def _credential_entry(row: CredentialRecord, schools: dict[str, tuple[str, str]]
                      ) -> dict[str, Any]:
    school_code, school_name = schools.get(row.issuer_account.lower(), ("", ""))
    purged = row.purged_at is not None or is_tombstone(row.credential_json)
    stored = json.loads(row.credential_json)
    subject = stored.get("credentialSubject") if isinstance(stored, dict) else None
    return {
        "id": row.id,
        "schoolCode": school_code,
        "schoolName": school_name,
        "className": row.class_name,
        "schoolYear": row.school_year,
        "status": row.status,
        "issuedAt": _iso(row.created_at),
        "purged": purged,
        "purgedAt": _iso(row.purged_at),
        "fieldCount": len(flatten_fields(subject)) if isinstance(subject, dict) else 0,
        "pdfKept": _pdf_file(row) is not None,
        "saltsKept": row.leaf_salt is not None,
        "replaces": row.replaces,
        "credential": stored,
    }


def _claim_entry(link: ClaimLink) -> dict[str, Any]:
    return {
        "schoolCode": link.school_code,
        "learnerName": link.learner_name,
        "birthDate": link.birth_date,
        "learnerId": link.learner_key,
        "claimant": link.claimant,
        "credentialIds": json.loads(link.credential_ids or "[]"),
        "createdAt": _iso(link.created_at),
        "expiresAt": _iso(link.expires_at),
        "claimedAt": _iso(link.claimed_at),
        "invalidatedAt": _iso(link.invalidated_at),
    }


def collect_wallet_data(engine: Engine, wallet_id: int, *,
                        current_session_id: int | None = None) -> dict[str, Any]:
    """Return everything the server keeps about the learner of ``wallet_id``, as JSON data.

    Raise InputError when the wallet does not exist.
    """
    with Session(engine) as db:
        wallet = _wallet(db, wallet_id)
        schools = _school_names(db)
        links = db.exec(select(WalletCredential).where(WalletCredential.wallet_id == wallet_id)
                        .order_by(col(WalletCredential.added_at))).all()
        records = []
        for link in links:
            row = db.get(CredentialRecord, link.credential_id)
            if row is not None:
                records.append(_credential_entry(row, schools) | {"addedAt": _iso(link.added_at)})
        claim_filter = ClaimLink.wallet_id == wallet_id
        if wallet.learner_key:
            claim_filter = or_(claim_filter, ClaimLink.learner_key == wallet.learner_key)
        claims = db.exec(select(ClaimLink).where(claim_filter)
                         .order_by(col(ClaimLink.created_at))).all()
        sessions = db.exec(select(WalletSession).where(WalletSession.wallet_id == wallet_id)
                           .order_by(col(WalletSession.created_at))).all()
        shares = db.exec(select(ShareLink).where(ShareLink.wallet_id == wallet_id)
                         .order_by(col(ShareLink.created_at))).all()
        consents = db.exec(select(ConsentRecord).where(ConsentRecord.wallet_id == wallet_id)
                           .order_by(col(ConsentRecord.given_at))).all()
        requests = db.exec(select(DataRequest).where(DataRequest.wallet_id == wallet_id)
                           .order_by(col(DataRequest.created_at))).all()
        return {
            "format": EXPORT_FORMAT,
            "exportedAt": _iso(datetime.now(UTC)),
            "wallet": {
                "id": wallet.public_id,
                "displayName": wallet.display_name,
                "birthDate": wallet.birth_date,
                "learnerId": wallet.learner_key,
                "guardianName": wallet.guardian_name,
                "createdAt": _iso(wallet.created_at),
            },
            "records": records,
            "claimLinks": [_claim_entry(link) for link in claims],
            "deviceSessions": [{
                "actingAs": item.acting_as,
                "createdAt": _iso(item.created_at),
                "expiresAt": _iso(item.expires_at),
                "endedAt": _iso(item.revoked_at),
                "thisDevice": item.id == current_session_id,
            } for item in sessions],
            "shareLinks": [{
                "id": item.id,
                "label": item.label,
                "recordCount": item.record_count,
                "ciphertextBytes": len(item.ciphertext),
                "createdAt": _iso(item.created_at),
                "expiresAt": _iso(item.expires_at),
                "withdrawnAt": _iso(item.withdrawn_at),
                "openedCount": item.opened_count,
            } for item in shares],
            "consents": [{
                "givenBy": item.given_by,
                "giverName": item.giver_name,
                "purpose": item.purpose,
                "recipient": item.recipient,
                "scope": json.loads(item.scope or "{}"),
                "givenAt": _iso(item.given_at),
                "withdrawnAt": _iso(item.withdrawn_at),
            } for item in consents],
            "requests": [{
                "kind": item.kind,
                "state": item.state,
                "requestedBy": item.requested_by,
                "createdAt": _iso(item.created_at),
                "doneAt": _iso(item.done_at),
            } for item in requests],
            "onChain": "Only salted hashes: a batch's Merkle root, and status changes keyed by "
                       "salted hashes. No name, date of birth, learner id or score.",
        }


def export_json(engine: Engine, wallet_id: int, *, current_session_id: int | None = None
                ) -> bytes:
    """Return the export as UTF-8 JSON, indented for people who open it."""
    data = collect_wallet_data(engine, wallet_id, current_session_id=current_session_id)
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def export_zip(engine: Engine, wallet_id: int, *, current_session_id: int | None = None
               ) -> bytes:
    """Return a ZIP with ``du-lieu.json`` (the JSON export) and each record's signed PDF.

    PDFs are named ``pdf/<school year>-<credential uuid>.pdf``. A purged record or a
    record whose PDF file is missing has no PDF in the ZIP.
    """
    data = collect_wallet_data(engine, wallet_id, current_session_id=current_session_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("du-lieu.json", json.dumps(data, ensure_ascii=False, indent=2))
        with Session(engine) as db:
            for record in data["records"]:
                row = db.get(CredentialRecord, record["id"])
                path = _pdf_file(row) if row is not None else None
                if path is None:
                    continue
                uuid = str(record["id"]).removeprefix("urn:uuid:")
                archive.write(path, f"pdf/{record['schoolYear']}-{uuid}.pdf")
    return buffer.getvalue()


def record_export(engine: Engine, wallet_id: int, *, requested_by: str) -> None:
    """Record a finished export request, so the wallet's list of requests shows it."""
    now = datetime.now(UTC)
    with Session(engine) as db:
        _wallet(db, wallet_id)
        db.add(DataRequest(wallet_id=wallet_id, kind="export", state="done",
                           requested_by=requested_by, created_at=now, done_at=now,
                           done_by="automatic"))
        db.commit()
    logger.info("export of wallet row %s by %s", wallet_id, requested_by)
