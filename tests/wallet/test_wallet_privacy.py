"""What the server keeps about a wallet, its export, and the /wallet/privacy page."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator

import pytest
from pypdf import PdfReader

from hocba.accounts import token_digest
from hocba.status import Status
from tests.wallet.privacy_world import World, build_world, make_wallet
from verifier.engine import verify_credential
from wallet.privacy import EXPORT_FORMAT, collect_wallet_data, export_zip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built, context = build_world(tmp_path_factory.mktemp("privacy"))
    yield built
    context.__exit__(None, None, None)


def _cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"hocba_wallet={token}"}


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _wallet_id(world: World, token: str) -> int:
    from sqlmodel import Session, select

    from hocba.db_wallet import WalletSession
    with Session(world.engine) as db:
        row = db.exec(select(WalletSession).where(
            WalletSession.token_hash == token_digest(token))).one()
        return row.wallet_id


def test_collect_lists_every_kind(world: World):
    token = make_wallet(world, world.learners[2])
    data = collect_wallet_data(world.engine, _wallet_id(world, token))
    counts = {kind: len(data[kind]) for kind in
              ("records", "claimLinks", "deviceSessions", "shareLinks", "consents")}
    assert counts == dict.fromkeys(counts, 1)


def test_collect_record_fields(world: World):
    learner = world.learners[2]
    data = collect_wallet_data(world.engine, _wallet_id(world, make_wallet(world, learner)))
    record = data["records"][0]
    assert record["credential"]["id"] == learner.credential_id
    assert record["pdfKept"] is True
    assert record["saltsKept"] is True
    assert record["fieldCount"] > 20


def test_collect_keeps_no_secrets(world: World):
    token = make_wallet(world, world.learners[2])
    text = json.dumps(collect_wallet_data(world.engine, _wallet_id(world, token)))
    assert token_digest(token) not in text
    assert token not in text


def test_export_zip_has_signed_pdf(world: World):
    token = make_wallet(world, world.learners[2])
    body = export_zip(world.engine, _wallet_id(world, token))
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        pdfs = [name for name in names if name.endswith(".pdf")]
        reader = PdfReader(io.BytesIO(archive.read(pdfs[0])))
        data = json.loads(archive.read("du-lieu.json"))
    assert "du-lieu.json" in names
    assert len(pdfs) == 1
    assert len(reader.pages) >= 1
    assert data["format"] == EXPORT_FORMAT


def test_exported_credential_verifies(world: World):
    token = make_wallet(world, world.learners[2])
    data = collect_wallet_data(world.engine, _wallet_id(world, token))
    credential = json.dumps(data["records"][0]["credential"], ensure_ascii=False).encode()
    result = verify_credential(credential, world.instance.verifier_context(), source="test")
    assert result.status == Status.VALID


def test_page_lists_kinds_in_vietnamese(world: World):
    token = make_wallet(world, world.learners[2])
    response = world.client.get("/wallet/privacy", headers=_cookie(token))
    assert response.status_code == 200
    for heading in ("Học bạ và văn bằng", "Đường dẫn nhận học bạ", "Đường dẫn chia sẻ",
                    "Sự đồng ý đã ghi", "Trên chuỗi khối", "Điện thoại và máy tính đã mở ví"):
        assert heading in response.text


def test_page_in_english(world: World):
    token = make_wallet(world, world.learners[2])
    response = world.client.get("/wallet/privacy?lang=en", headers=_cookie(token))
    assert response.status_code == 200
    assert "Share links" in response.text


def test_page_marks_this_device(world: World):
    token = make_wallet(world, world.learners[2])
    response = world.client.get("/wallet/privacy", headers=_cookie(token))
    assert "máy này" in response.text


def test_page_without_session(world: World):
    world.client.cookies.clear()
    response = world.client.get("/wallet/privacy")
    assert response.status_code == 401


def test_export_json_download(world: World):
    token = make_wallet(world, world.learners[2])
    page = world.client.get("/wallet/privacy", headers=_cookie(token)).text
    response = world.client.post("/wallet/privacy/export.json", headers=_cookie(token),
                                 data={"csrf_token": _csrf(page)})
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert response.json()["wallet"]["displayName"] == world.learners[2].name


def test_export_recorded_as_request(world: World):
    token = make_wallet(world, world.learners[2])
    page = world.client.get("/wallet/privacy", headers=_cookie(token)).text
    world.client.post("/wallet/privacy/export.zip", headers=_cookie(token),
                      data={"csrf_token": _csrf(page)})
    data = collect_wallet_data(world.engine, _wallet_id(world, token))
    assert [(item["kind"], item["state"]) for item in data["requests"]] == [("export", "done")]


def test_export_needs_csrf(world: World):
    token = make_wallet(world, world.learners[2])
    response = world.client.post("/wallet/privacy/export.json", headers=_cookie(token),
                                 data={"csrf_token": "wrong"})
    assert response.status_code == 403


def test_export_unknown_kind(world: World):
    token = make_wallet(world, world.learners[2])
    page = world.client.get("/wallet/privacy", headers=_cookie(token)).text
    response = world.client.post("/wallet/privacy/export.xml", headers=_cookie(token),
                                 data={"csrf_token": _csrf(page)})
    assert response.status_code == 404
