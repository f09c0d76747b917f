"""Share links: encrypted at rest, verified by the recipient, expiry, withdrawal, consent."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from hocba.cli import app
from hocba.db_wallet import ConsentRecord, ShareLink, WalletSession
from tests.wallet.wallet_world import WalletWorld, build_world, new_client
from wallet.shares import purge_closed_shares

NO_SCORES = ["/identifier/0", "/schoolYear", "/className"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletWorld]:
    yield build_world(tmp_path_factory.mktemp("shares"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _wallet_phone(world: WalletWorld, index: int, **form: str) -> tuple[Any, str]:
    """Claim learner ``index``'s link on a new phone; return the client and its CSRF token."""
    token = world.claim_urls()[index]["url"].rsplit("/", 1)[1]
    phone = new_client(world)
    response = phone.post(f"/claim/{token}", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = phone.get("/wallet/share")
    marker = 'data-csrf="'
    start = page.text.index(marker) + len(marker)
    return phone, page.text[start:page.text.index('"', start)]


def _record_id(phone: Any) -> str:
    return phone.get("/v1/wallet/records").json()["records"][0]["id"]


def _share(phone: Any, csrf: str, *, days: int = 7, fields: list[str] | None = None,
           child_agrees: bool = False) -> tuple[str, bytes, bytes]:
    """Do what the share page's script does; return the share id, key and plaintext."""
    record = _record_id(phone)
    built = phone.post("/v1/wallet/disclosures", headers={"X-CSRF-Token": csrf},
                       json={"records": [{"id": record, "fields": fields or NO_SCORES}],
                             "childAgrees": child_agrees})
    assert built.status_code == 200, built.text
    plaintext = json.dumps({"version": 1, "documents": built.json()["documents"]},
                           ensure_ascii=False).encode()
    key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
    sealed = nonce + AESGCM(key).encrypt(nonce, plaintext, None)
    created = phone.post("/v1/wallet/shares", headers={"X-CSRF-Token": csrf},
                         json={"ciphertext": _b64(sealed), "recordCount": 1,
                               "label": "Trường THPT Lê Quý Đôn", "days": days,
                               "scope": {"credential_ids": [record]},
                               "childAgrees": child_agrees})
    assert created.status_code == 201, created.text
    return created.json()["id"], key, plaintext


def _open(world: WalletWorld, share_id: str, key: bytes) -> dict[str, Any]:
    """Do what the recipient's page does: fetch, decrypt, verify."""
    recipient = new_client(world)
    fetched = recipient.get(f"/v1/shares/{share_id}")
    assert fetched.status_code == 200, fetched.text
    sealed = _unb64(fetched.json()["ciphertext"])
    shared = json.loads(AESGCM(key).decrypt(sealed[:12], sealed[12:], None))
    verified = recipient.post("/v1/verify/disclosures", json={"documents": shared["documents"]})
    assert verified.status_code == 200
    return verified.json()["results"][0]


def _expire(world: WalletWorld, share_id: str) -> None:
    with Session(world.network.engine) as db:
        row = db.get(ShareLink, share_id)
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.add(row)
        db.commit()


def test_recipient_sees_valid(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 0)
    share_id, key, _ = _share(phone, csrf)
    result = _open(world, share_id, key)
    assert result["status"] == "valid"
    assert result["hiddenCount"] > 0
    labels = {row["label_vi"]: row["value"] for row in result["shown"]}
    assert labels["Lớp"] == "8A1"
    assert "Ngày sinh" not in labels


def test_ciphertext_has_no_plaintext(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 0)
    share_id, _, plaintext = _share(phone, csrf)
    name = world.batch_a.credentials[0].record.full_name
    with Session(world.network.engine) as db:
        stored = bytes(db.get(ShareLink, share_id).ciphertext)
    assert name.encode() in plaintext
    assert name.encode() not in stored
    assert b"credentialDigest" not in stored
    assert b"8A1" not in stored


def test_share_page_script_only(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 0)
    share_id, _, _ = _share(phone, csrf)
    page = new_client(world).get(f"/s/{share_id}")
    assert page.status_code == 200
    assert "/static/wallet-open.js" in page.text
    assert world.batch_a.credentials[0].record.full_name not in page.text


def test_withdrawn_share_gone(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 0)
    share_id, _, _ = _share(phone, csrf)
    withdrawn = phone.post(f"/wallet/shares/{share_id}/withdraw", data={"csrf_token": csrf},
                           follow_redirects=False)
    assert withdrawn.status_code == 303
    recipient = new_client(world)
    assert recipient.get(f"/v1/shares/{share_id}").status_code == 410
    page = recipient.get(f"/s/{share_id}")
    assert page.status_code == 410
    assert "thu hồi" in page.text
    with Session(world.network.engine) as db:
        assert bytes(db.get(ShareLink, share_id).ciphertext) == b""


def test_expired_share_deleted(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 0)
    share_id, _, _ = _share(phone, csrf, days=1)
    _expire(world, share_id)
    page = new_client(world).get(f"/s/{share_id}")
    assert page.status_code == 410
    assert "hết hạn" in page.text
    with Session(world.network.engine) as db:
        assert bytes(db.get(ShareLink, share_id).ciphertext) == b""


def test_purge_clears_closed(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 0)
    share_id, _, _ = _share(phone, csrf, days=1)
    later = datetime.now(UTC) + timedelta(days=2)
    assert purge_closed_shares(world.network.engine, now=later) >= 1
    with Session(world.network.engine) as db:
        assert bytes(db.get(ShareLink, share_id).ciphertext) == b""


def test_cli_purge_clears_expired(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 0)
    share_id, _, _ = _share(phone, csrf, days=1)
    _expire(world, share_id)
    outcome = CliRunner().invoke(app, ["school", "purge", "--older-than-days", "36500",
                                       "--home", str(world.network.settings.home)])
    assert outcome.exit_code == 0, outcome.output
    with Session(world.network.engine) as db:
        assert bytes(db.get(ShareLink, share_id).ciphertext) == b""


def test_share_days_checked(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 0)
    response = phone.post("/v1/wallet/shares", headers={"X-CSRF-Token": csrf},
                          json={"ciphertext": _b64(os.urandom(64)), "recordCount": 1,
                                "label": "", "days": 3})
    assert response.status_code == 422
    assert response.json()["code"] == "share_days_invalid"


def test_share_needs_csrf(world: WalletWorld) -> None:
    phone, _ = _wallet_phone(world, 0)
    response = phone.post("/v1/wallet/shares",
                          json={"ciphertext": _b64(os.urandom(64)), "recordCount": 1,
                                "label": "", "days": 7})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_invalid"


def test_withdraw_needs_csrf(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 0)
    share_id, _, _ = _share(phone, csrf)
    response = phone.post(f"/wallet/shares/{share_id}/withdraw", data={"csrf_token": "x"},
                          follow_redirects=False)
    assert response.status_code == 403


def test_other_wallet_cannot_withdraw(world: WalletWorld) -> None:
    owner, csrf = _wallet_phone(world, 0)
    share_id, _, _ = _share(owner, csrf)
    stranger, stranger_csrf = _wallet_phone(world, 1)
    response = stranger.post(f"/wallet/shares/{share_id}/withdraw",
                             data={"csrf_token": stranger_csrf}, follow_redirects=False)
    assert response.status_code == 404


def test_tampered_disclosure_detected(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 0)
    record = _record_id(phone)
    built = phone.post("/v1/wallet/disclosures", headers={"X-CSRF-Token": csrf},
                       json={"records": [{"id": record, "fields": NO_SCORES}]}).json()
    document = built["documents"][0]
    for triple in document["revealed"]:
        if triple[0] == "/className":
            triple[1] = "9A1"
    result = new_client(world).post("/v1/verify/disclosures",
                                    json={"documents": [document]}).json()["results"][0]
    assert result["status"] == "tampered"


def test_guardian_share_records_consent(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 2, guardian_name="Trần Văn Bố", guardian_confirms="1")
    share_id, key, _ = _share(phone, csrf, child_agrees=True)
    assert _open(world, share_id, key)["status"] == "valid"
    with Session(world.network.engine) as db:
        consent = db.get(ConsentRecord, db.get(ShareLink, share_id).consent_id)
    assert consent.given_by == "guardian"
    assert consent.giver_name == "Trần Văn Bố"
    assert consent.recipient == "Trường THPT Lê Quý Đôn"


def test_withdraw_ends_consent(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 2, guardian_name="Trần Văn Bố", guardian_confirms="1")
    share_id, _, _ = _share(phone, csrf, child_agrees=True)
    phone.post(f"/wallet/shares/{share_id}/withdraw", data={"csrf_token": csrf},
               follow_redirects=False)
    with Session(world.network.engine) as db:
        consent = db.get(ConsentRecord, db.get(ShareLink, share_id).consent_id)
    assert consent.withdrawn_at is not None


def test_minor_student_session_rejected(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 2, guardian_name="Trần Văn Bố", guardian_confirms="1")
    with Session(world.network.engine) as db:
        session = db.exec(select(WalletSession).order_by(col(WalletSession.id).desc())).first()
        session.acting_as = "student"
        db.add(session)
        db.commit()
    refused = phone.post("/v1/wallet/disclosures", headers={"X-CSRF-Token": csrf},
                         json={"records": [{"id": _record_id(phone), "fields": NO_SCORES}]})
    assert refused.status_code == 403
    assert refused.json()["code"] == "guardian_required"


def test_child_agreement_required(world: WalletWorld) -> None:
    phone, csrf = _wallet_phone(world, 3, guardian_name="Lê Thị Mẹ", guardian_confirms="1")
    record = _record_id(phone)
    refused = phone.post("/v1/wallet/disclosures", headers={"X-CSRF-Token": csrf},
                         json={"records": [{"id": record, "fields": NO_SCORES}]})
    assert refused.status_code == 403
    assert refused.json()["code"] == "child_agreement_required"
    share_id, key, _ = _share(phone, csrf, child_agrees=True)
    assert _open(world, share_id, key)["status"] == "valid"


def test_unknown_share_404(world: WalletWorld) -> None:
    recipient = new_client(world)
    assert recipient.get("/v1/shares/" + "x" * 22).status_code == 404
    assert recipient.get("/s/" + "x" * 22).status_code == 404
