"""Claim links: one-time use, expiry, wrong tokens, recovery, guardians, school scope."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select
from typer.testing import CliRunner

from hocba.cli import app
from hocba.db import AuditEvent, CredentialRecord
from hocba.db_wallet import ClaimLink, Wallet, WalletCredential, WalletSession
from hocba.errors import InputError
from tests.wallet.wallet_world import WalletWorld, build_world, new_client
from wallet.claims import ClaimError, claim, claim_lifetime, create_claim_links


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletWorld]:
    yield build_world(tmp_path_factory.mktemp("claims"))


def _token(url: str) -> str:
    return url.rsplit("/claim/", 1)[1]


def _link_for(links: list[dict], index: int) -> dict:
    return links[index]


def test_links_one_per_learner(world: WalletWorld) -> None:
    links = world.claim_urls()
    assert len(links) == len(world.batch_a.credentials)
    assert all(link["url"].startswith("http://127.0.0.1:8000/claim/") for link in links)


def test_token_stored_as_digest(world: WalletWorld) -> None:
    token = _token(world.claim_urls()[0]["url"])
    digest = hashlib.sha256(token.encode()).hexdigest()
    with Session(world.network.engine) as db:
        rows = db.exec(select(ClaimLink)).all()
    assert any(row.token_hash == digest for row in rows)
    assert all(row.token_hash != token for row in rows)


def test_claim_opens_wallet(world: WalletWorld) -> None:
    phone = new_client(world)
    token = _token(world.claim_urls()[0]["url"])
    page = phone.get(f"/claim/{token}")
    assert page.status_code == 200
    assert "Nhận học bạ" in page.text
    response = phone.post(f"/claim/{token}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/wallet?claimed=")
    cookie = response.headers["set-cookie"]
    assert "hocba_wallet=" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert phone.get("/wallet").status_code == 200


def test_claim_is_one_time(world: WalletWorld) -> None:
    token = _token(world.claim_urls()[0]["url"])
    first = new_client(world)
    assert first.post(f"/claim/{token}", follow_redirects=False).status_code == 303
    second = new_client(world)
    again = second.post(f"/claim/{token}", follow_redirects=False)
    assert again.status_code == 410
    assert "đã được dùng" in again.text
    assert "hocba_wallet" not in again.headers.get("set-cookie", "")
    assert second.get(f"/claim/{token}").status_code == 410


def test_wrong_token_is_404(world: WalletWorld) -> None:
    phone = new_client(world)
    assert phone.get("/claim/" + "A" * 43).status_code == 404
    assert phone.post("/claim/short", follow_redirects=False).status_code == 404


def test_forged_token_gives_no_session(world: WalletWorld) -> None:
    token = _token(world.claim_urls()[0]["url"])
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    phone = new_client(world)
    response = phone.post(f"/claim/{forged}", follow_redirects=False)
    assert response.status_code == 404
    assert phone.get("/wallet").status_code == 401


def test_expired_link_rejected(world: WalletWorld) -> None:
    past = datetime.now(UTC) - timedelta(days=31)
    links = create_claim_links(world.network.engine, school_code="79785401", created_by="test",
                               credential_ids=[world.batch_a.credentials[0].credential_id],
                               now=past)
    phone = new_client(world)
    response = phone.post(f"/claim/{links[0].token}", follow_redirects=False)
    assert response.status_code == 410
    assert "hết hạn" in response.text


def test_lifetime_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert claim_lifetime() == timedelta(days=30)
    monkeypatch.setenv("HOCBA_CLAIM_LINK_DAYS", "7")
    assert claim_lifetime() == timedelta(days=7)
    monkeypatch.setenv("HOCBA_CLAIM_LINK_DAYS", "0")
    with pytest.raises(InputError):
        claim_lifetime()


def test_recovery_ends_old_device(world: WalletWorld) -> None:
    old_phone, new_phone = new_client(world), new_client(world)
    first = _token(world.claim_urls()[1]["url"])
    assert old_phone.post(f"/claim/{first}", follow_redirects=False).status_code == 303
    assert old_phone.get("/wallet").status_code == 200

    unused_older = _token(world.claim_urls()[1]["url"])
    newest = _token(world.claim_urls()[1]["url"])
    assert new_phone.post(f"/claim/{newest}", follow_redirects=False).status_code == 303
    assert new_phone.get("/wallet").status_code == 200
    assert old_phone.get("/wallet").status_code == 401
    replaced = new_client(world).post(f"/claim/{unused_older}", follow_redirects=False)
    assert replaced.status_code == 410
    assert "thay" in replaced.text


def test_recovery_keeps_one_wallet(world: WalletWorld) -> None:
    learner = world.batch_a.credentials[1].credential_id
    for _ in range(2):
        token = _token(world.claim_urls()[1]["url"])
        new_client(world).post(f"/claim/{token}", follow_redirects=False)
    with Session(world.network.engine) as db:
        holders = db.exec(select(WalletCredential).where(
            WalletCredential.credential_id == learner)).all()
    assert len({row.wallet_id for row in holders}) == 1


def test_minor_needs_guardian(world: WalletWorld) -> None:
    token = _token(world.claim_urls()[2]["url"])
    phone = new_client(world)
    page = phone.get(f"/claim/{token}")
    assert "người giám hộ" in page.text
    refused = phone.post(f"/claim/{token}", data={"guardian_name": "Trần Văn Bố"},
                         follow_redirects=False)
    assert refused.status_code == 422
    assert 'data-error="guardian_required"' in refused.text
    accepted = phone.post(f"/claim/{token}", data={"guardian_name": "Trần Văn Bố",
                                                   "guardian_confirms": "1"},
                          follow_redirects=False)
    assert accepted.status_code == 303
    with Session(world.network.engine) as db:
        session = db.exec(select(WalletSession).order_by(WalletSession.id.desc())).first()
        wallet = db.get(Wallet, session.wallet_id)
    assert session.acting_as == "guardian"
    assert wallet.guardian_name == "Trần Văn Bố"


def test_other_school_rejected(world: WalletWorld) -> None:
    foreign = world.batch_b.credentials[0].credential_id
    response = world.staff.post("/v1/schools/79785401/claims",
                                json={"credentialIds": [foreign]},
                                headers={"X-CSRF-Token": world.staff_csrf})
    assert response.status_code == 403
    assert response.json()["code"] == "claim_credential_foreign"


def test_other_school_path_rejected(world: WalletWorld) -> None:
    response = world.staff.post("/v1/schools/79785402/claims",
                                json={"batchId": world.batch_id(world.batch_b)},
                                headers={"X-CSRF-Token": world.staff_csrf})
    assert response.status_code == 403


def test_claim_api_needs_csrf(world: WalletWorld) -> None:
    response = world.staff.post("/v1/schools/79785401/claims",
                                json={"batchId": world.batch_id(world.batch_a)})
    assert response.status_code == 403


def test_claim_function_rejects_reuse(world: WalletWorld, tmp_path: Path) -> None:
    links = create_claim_links(world.network.engine, school_code="79785401", created_by="test",
                               credential_ids=[world.batch_a.credentials[0].credential_id])
    claim(world.network.engine, links[0].token)
    with pytest.raises(ClaimError) as caught:
        claim(world.network.engine, links[0].token)
    assert caught.value.code == "claim_used"


def test_cli_writes_slips(world: WalletWorld, tmp_path: Path) -> None:
    out = tmp_path / "phieu.pdf"
    outcome = CliRunner().invoke(app, ["school", "claim-links", "--batch",
                                       str(world.batch_id(world.batch_a)), "--out", str(out),
                                       "--home", str(world.network.settings.home)])
    assert outcome.exit_code == 0, outcome.output
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert world.batch_a.credentials[0].record.full_name in text
    assert "/claim/" in text
    assert len(PdfReader(out).pages) == 2


def test_cli_unknown_batch(world: WalletWorld, tmp_path: Path) -> None:
    outcome = CliRunner().invoke(app, ["school", "claim-links", "--batch", "999", "--out",
                                       str(tmp_path / "x.pdf"), "--home",
                                       str(world.network.settings.home)])
    assert outcome.exit_code == 2
    assert "Không tìm thấy lô" in outcome.output


def test_revoked_not_delivered(world: WalletWorld) -> None:
    kept, revoked = (item.credential_id for item in world.batch_a.credentials[1:3])
    with Session(world.network.engine) as db:
        row = db.get(CredentialRecord, revoked)
        row.status = "revoked"
        db.add(row)
        db.commit()
    try:
        links = create_claim_links(world.network.engine, school_code="79785401",
                                   created_by="test", credential_ids=[kept, revoked])
    finally:
        with Session(world.network.engine) as db:
            row = db.get(CredentialRecord, revoked)
            row.status = "active"
            db.add(row)
            db.commit()
    delivered = [link.credential_count for link in links]
    assert delivered == [1]


def test_slips_audited(world: WalletWorld) -> None:
    create_claim_links(world.network.engine, school_code="79785401", created_by="giao-vu-a",
                       batch_id=world.batch_id(world.batch_a))
    with Session(world.network.engine) as db:
        events = db.exec(select(AuditEvent).where(
            AuditEvent.action == "create_claim_links",
            AuditEvent.actor == "giao-vu-a")).all()
    assert len(events) >= 1
    assert events[-1].school_code == "79785401"
