"""Wallet pages: the list by school year, a record, downloads, status, scope, slips."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from hocba.db import CredentialRecord
from hocba.registry import RevocationReason
from issuer.corrections import suspend_credential
from issuer.revocation import revoke_credential
from tests.wallet.wallet_world import SCHOOL_A, WalletWorld, build_world, new_client


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletWorld]:
    yield build_world(tmp_path_factory.mktemp("pages"))


def _phone(world: WalletWorld, index: int, **form: str) -> Any:
    chosen = world.batch_a.credentials[index].credential_id
    token = world.claim_urls(credentialIds=[chosen])[0]["url"].rsplit("/", 1)[1]
    phone = new_client(world)
    response = phone.post(f"/claim/{token}", data=form, follow_redirects=False)
    assert response.status_code == 303
    return phone


def _record_id(world: WalletWorld, index: int) -> str:
    return world.batch_a.credentials[index].credential_id.removeprefix("urn:uuid:")


def test_list_groups_by_year(world: WalletWorld) -> None:
    page = _phone(world, 0).get("/wallet?claimed=1")
    assert page.status_code == 200
    assert 'data-year="2025-2026"' in page.text
    assert "Năm học 2025-2026" in page.text
    assert "Đã nhận 1 văn bản vào ví." in page.text
    assert 'data-status="valid"' in page.text
    assert "Trường THCS Phú Hòa Đông" in page.text
    assert 'href="/wallet/privacy"' in page.text


def test_list_english(world: WalletWorld) -> None:
    page = _phone(world, 0).get("/wallet?lang=en")
    assert "My records wallet" in page.text


def test_record_page_content(world: WalletWorld) -> None:
    phone = _phone(world, 0)
    page = phone.get(f"/wallet/records/{_record_id(world, 0)}")
    assert page.status_code == 200
    assert world.batch_a.credentials[0].record.full_name in page.text
    assert "Toán \u2013 Học kỳ I" in page.text
    assert "Tải bản PDF" in page.text


def test_pdf_download_verifies(world: WalletWorld) -> None:
    phone = _phone(world, 0)
    pdf = phone.get(f"/wallet/records/{_record_id(world, 0)}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    verdict = new_client(world).post("/v1/verify", files={"file": ("h.pdf", pdf.content,
                                                                   "application/pdf")})
    assert verdict.json()["status"] == "valid"


def test_json_download(world: WalletWorld) -> None:
    phone = _phone(world, 0)
    download = phone.get(f"/wallet/records/{_record_id(world, 0)}/json")
    assert "attachment" in download.headers["content-disposition"]
    assert json.loads(download.content)["id"] == world.batch_a.credentials[0].credential_id


def test_other_wallet_record_404(world: WalletWorld) -> None:
    phone = _phone(world, 0)
    other = _record_id(world, 1)
    assert phone.get(f"/wallet/records/{other}").status_code == 404
    assert phone.get(f"/wallet/records/{other}/pdf").status_code == 404
    assert phone.get(f"/v1/wallet/records/{other}").status_code == 404
    assert phone.get("/wallet/records/not-a-uuid").status_code == 404


def test_no_session_page(world: WalletWorld) -> None:
    page = new_client(world).get("/wallet")
    assert page.status_code == 401
    assert "đường dẫn nhận học bạ" in page.text
    assert new_client(world).get("/v1/wallet/records").status_code == 401


def test_revoked_shows_reason(world: WalletWorld) -> None:
    phone = _phone(world, 1)
    revoke_credential(world.network.keys, world.network.registry, world.network.engine,
                      credential_id=world.batch_a.credentials[1].credential_id,
                      reason_code=RevocationReason.ISSUED_IN_ERROR, reason="nhập sai điểm")
    page = phone.get("/wallet")
    assert 'data-status="revoked"' in page.text
    assert "nhập sai điểm" in page.text
    record = phone.get("/v1/wallet/records").json()["records"][0]
    assert record["status"] == "revoked"
    assert record["statusDate"] != ""


def test_suspended_shows_reason(world: WalletWorld) -> None:
    phone = _phone(world, 2, guardian_name="Trần Văn Bố", guardian_confirms="1")
    suspend_credential(world.network.keys, world.network.registry, world.network.engine,
                       credential_id=world.batch_a.credentials[2].credential_id,
                       school_code=SCHOOL_A, actor="hieu-truong-a", reason="đang xác minh")
    page = phone.get(f"/wallet/records/{_record_id(world, 2)}")
    assert 'data-status="suspended"' in page.text
    assert "đang xác minh" in page.text


def test_share_page_presets(world: WalletWorld) -> None:
    page = _phone(world, 0).get(f"/wallet/share?record={_record_id(world, 0)}")
    assert page.status_code == 200
    assert 'value="results-conduct" checked' in page.text
    assert "Ẩn ngày sinh" in page.text
    assert 'src="/wallet-vendor/zxing-writer/writer.js"' in page.text


def test_writer_served(world: WalletWorld) -> None:
    client = new_client(world)
    assert client.get("/wallet-vendor/zxing-writer/writer.js").status_code == 200
    assert client.get("/wallet-vendor/zxing-writer/other.js").status_code == 404


def test_slips_page(world: WalletWorld) -> None:
    page = world.staff.get(f"/school/{SCHOOL_A}/claims")
    assert page.status_code == 200
    batch = world.batch_id(world.batch_a)
    slips = world.staff.post(f"/school/{SCHOOL_A}/claims",
                             data={"csrf_token": world.staff_csrf, "batch_id": str(batch)})
    assert slips.status_code == 200
    with Session(world.network.engine) as db:
        revoked = db.exec(select(CredentialRecord).where(
            CredentialRecord.batch_id == batch, CredentialRecord.status == "revoked")).all()
    assert slips.text.count('class="slip"') == len(world.batch_a.credentials) - len(revoked)
    assert "data:image/png;base64," in slips.text


def test_slips_need_csrf(world: WalletWorld) -> None:
    batch = world.batch_id(world.batch_a)
    response = world.staff.post(f"/school/{SCHOOL_A}/claims", data={"batch_id": str(batch)})
    assert response.status_code == 403


def test_slips_need_login(world: WalletWorld) -> None:
    response = new_client(world).get(f"/school/{SCHOOL_A}/claims", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
