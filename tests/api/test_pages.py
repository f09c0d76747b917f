"""The web pages, batch, person match and VC-API routes over a real in-process chain."""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

import api.web
from api import create_app
from hocba.instance import Instance
from hocba.status import Status
from tests.browser.documents import Documents, build_documents
from tests.conftest import free_port

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

SCHOOL_NAME = "Trường THCS Phú Hòa Đông"


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Documents:
    return build_documents(tmp_path_factory.mktemp("pages"))


@pytest.fixture(scope="module")
def client(docs: Documents) -> Iterator[TestClient]:
    with TestClient(create_app(docs.instance, requests_per_minute=0)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def offline_client(docs: Documents) -> Iterator[TestClient]:
    instance = Instance(docs.network.settings, chain_choice=f"http://127.0.0.1:{free_port()}")
    with TestClient(create_app(instance, requests_per_minute=0)) as test_client:
        yield test_client


def _page_status(page: str) -> str:
    found = re.search(r'class="verdict [a-z]+" data-status="([a-z_]+)"', page)
    assert found is not None
    return found.group(1)


def _upload_page(client: TestClient, files: list[tuple[str, bytes, str]],
                 lang: str = "vi") -> str:
    upload = [("files", item) for item in files]
    response = client.post("/verify" + ("?lang=en" if lang == "en" else ""), files=upload)
    assert response.status_code == 200
    return response.text


# Home page -------------------------------------------------------------------


def test_home_vietnamese(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="vi"' in response.text
    assert "Quét mã QR" in response.text
    assert "Chọn tệp" in response.text
    assert 'name="viewport"' in response.text


def test_home_english_path(client: TestClient) -> None:
    page = client.get("/en").text
    assert 'lang="en"' in page
    assert "Scan QR code" in page


def test_home_english_query(client: TestClient) -> None:
    assert 'lang="en"' in client.get("/?lang=en").text


def test_home_csp_self_only(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy
    assert "http" not in policy


def test_home_offers_camera(client: TestClient) -> None:
    page = client.get("/").text
    assert "/static/vendor/zxing-wasm/reader.js" in page
    assert 'id="scan-image"' in page


def test_home_without_decoder(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                              tmp_path: Path) -> None:
    monkeypatch.setattr(api.web, "ZXING_DIST", tmp_path)
    page = client.get("/").text
    assert "Không dùng được camera" in page
    assert "zxing-wasm" not in page
    assert 'id="upload-files"' in page


def test_vendor_files_served(client: TestClient) -> None:
    script = client.get("/static/vendor/zxing-wasm/reader.js")
    wasm = client.get("/static/vendor/zxing-wasm/zxing_reader.wasm")
    assert script.status_code == 200
    assert "ZXingWASM" in script.text
    assert wasm.headers["content-type"] == "application/wasm"


def test_vendor_other_file_404(client: TestClient) -> None:
    assert client.get("/static/vendor/zxing-wasm/..%2Fpackage.json").status_code == 404
    assert client.get("/static/vendor/zxing-wasm/full.wasm").status_code == 404


def test_static_script_served(client: TestClient) -> None:
    response = client.get("/static/app.js")
    assert response.status_code == 200
    assert "readBarcodes" in response.text


# One verdict per status --------------------------------------------------------


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.UNAVAILABLE])
def test_page_every_status(client: TestClient, docs: Documents, status: Status) -> None:
    page = _upload_page(client, [("c.json", docs.credentials[status], "application/json")])
    assert _page_status(page) == status.value
    assert status.label_vi in page


def test_page_unavailable(offline_client: TestClient, docs: Documents) -> None:
    page = _upload_page(offline_client,
                        [("c.json", docs.credentials[Status.VALID], "application/json")])
    assert _page_status(page) == "unavailable"
    assert 'class="verdict pending"' in page


def test_page_valid_details(client: TestClient, docs: Documents) -> None:
    page = _upload_page(client, [("c.json", docs.credentials[Status.VALID], "application/json")])
    assert 'class="verdict valid"' in page
    assert SCHOOL_NAME in page
    assert "79785401" in page
    assert "UTC+7" in page
    assert "Theo trạng thái chuỗi khối tại khối" in page
    assert 'data-action="print"' in page
    assert "khớp với mã băm" in page


def test_page_anchoring_time_vietnam(client: TestClient, docs: Documents) -> None:
    from api.pages import format_vietnam_time

    assert format_vietnam_time(0) == "01/01/1970 07:00"
    page = _upload_page(client, [("c.json", docs.credentials[Status.VALID], "application/json")])
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d \(giờ Việt Nam, UTC\+7\)", page)


def test_page_tampered_not_confirmed(client: TestClient, docs: Documents) -> None:
    page = _upload_page(client, [("c.json", docs.credentials[Status.TAMPERED],
                                  "application/json")])
    assert 'class="verdict invalid"' in page
    assert "chưa được xác thực" in page
    assert "khớp với mã băm" not in page


def test_page_english_verdict(client: TestClient, docs: Documents) -> None:
    page = _upload_page(client, [("c.json", docs.credentials[Status.REVOKED],
                                  "application/json")], lang="en")
    assert 'lang="en"' in page
    assert ">Revoked<" in page


def test_page_pdfs(client: TestClient, docs: Documents) -> None:
    files = [(f"{name}.pdf", data, "application/pdf") for name, data in docs.pdfs.items()]
    page = _upload_page(client, files)
    statuses = re.findall(r'<tr data-status="([a-z_]+)">', page)
    assert statuses == ["valid", "revoked", "tampered"]
    assert "Kết quả kiểm tra 3 tệp" in page


def test_page_no_file_message(client: TestClient) -> None:
    response = client.post("/verify", files=[("other", ("a.txt", b"x", "text/plain"))])
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]


# QR scan path ------------------------------------------------------------------


def test_scan_redirects_to_verdict(client: TestClient, docs: Documents) -> None:
    url = docs.instance.settings.verify_base_url + docs.landing_path
    response = client.get("/scan", params={"url": url}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == docs.landing_path


def test_scan_foreign_origin_rejected(client: TestClient, docs: Documents) -> None:
    url = "https://verify.example.org" + docs.landing_path
    response = client.get("/scan", params={"url": url}, follow_redirects=False)
    assert response.status_code == 422
    assert "Mã QR không hợp lệ" in response.text


def test_landing_has_match_form(client: TestClient, docs: Documents) -> None:
    page = client.get(docs.landing_path, headers={"Accept": "text/html"}).text
    assert _page_status(page) == "valid"
    assert "/match?h=" in page


# Batch API ---------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_batch_many_files(client: TestClient, docs: Documents) -> None:
    files = [("files", (f"{name}.pdf", data, "application/pdf"))
             for name, data in docs.pdfs.items()]
    body = client.post("/v1/verify/batch", files=files).json()
    assert body["count"] == 3
    assert [item["status"] for item in body["results"]] == ["valid", "revoked", "tampered"]
    assert body["results"][0]["file"] == "valid.pdf"


def test_batch_zip(client: TestClient, docs: Documents) -> None:
    archive = _zip({"a/valid.pdf": docs.pdfs["valid"],
                    "b.json": docs.credentials[Status.EXPIRED],
                    "inner.zip": _zip({"x.json": b"{}"})})
    body = client.post("/v1/verify/batch",
                       files=[("files", ("all.zip", archive, "application/zip"))]).json()
    assert [item["file"] for item in body["results"]] == ["valid.pdf", "b.json", "inner.zip"]
    assert [item["status"] for item in body["results"]] == ["valid", "expired", "malformed"]
    assert body["results"][2]["checks"][0]["code"] == "batch.zip_nested"


def test_batch_zip_member_too_large(docs: Documents) -> None:
    archive = _zip({"big.json": b" " * 5000})
    with TestClient(create_app(docs.instance, max_upload_bytes=4096)) as small:
        body = small.post("/v1/verify/batch",
                          files=[("files", ("z.zip", archive, "application/zip"))]).json()
    assert body["results"][0]["checks"][0]["code"] == "batch.zip_member_too_large"


def test_batch_zip_too_many_members(client: TestClient) -> None:
    archive = _zip({f"{index}.json": b"{}" for index in range(51)})
    response = client.post("/v1/verify/batch",
                           files=[("files", ("z.zip", archive, "application/zip"))])
    assert response.status_code == 422
    assert response.json()["code"] == "batch_too_many_files"


def test_batch_names_sanitized(client: TestClient, docs: Documents) -> None:
    archive = _zip({"../../etc/<script>x.json": docs.credentials[Status.VALID]})
    body = client.post("/v1/verify/batch",
                       files=[("files", ("z.zip", archive, "application/zip"))]).json()
    assert body["results"][0]["file"] == "scriptx.json"


# Person match ------------------------------------------------------------------


def _subject(docs: Documents) -> tuple[str, str]:
    record = docs.batch.credentials[0].record
    return record.full_name, record.birth_date.strftime("%d/%m/%Y")


def test_match_link_both(client: TestClient, docs: Documents) -> None:
    name, born = _subject(docs)
    link = docs.instance.settings.verify_base_url + docs.landing_path
    body = client.post("/v1/match", json={"link": link, "name": f"  {name.upper()} ",
                                          "birthDate": born}).json()
    assert body == {"nameMatches": True, "birthDateMatches": True, "status": "valid"}


def test_match_credential_wrong_name(client: TestClient, docs: Documents) -> None:
    _, born = _subject(docs)
    body = client.post("/v1/match", json={"credential": docs.valid_credential(),
                                          "name": "Trần Thị Khác", "birthDate": born}).json()
    assert body["nameMatches"] is False
    assert body["birthDateMatches"] is True


def test_match_reveals_nothing(client: TestClient, docs: Documents) -> None:
    name, _ = _subject(docs)
    response = client.post("/v1/match", json={"credential": docs.valid_credential(),
                                              "name": "x", "birthDate": "01/01/2000"})
    assert name not in response.text
    assert set(response.json()) == {"nameMatches", "birthDateMatches", "status"}


def test_match_tampered_never_matches(client: TestClient, docs: Documents) -> None:
    name, born = _subject(docs)
    forged = json.loads(docs.credentials[Status.TAMPERED])
    body = client.post("/v1/match", json={"credential": forged, "name": name,
                                          "birthDate": born}).json()
    assert body == {"nameMatches": False, "birthDateMatches": False, "status": "tampered"}


def test_match_bad_date_422(client: TestClient, docs: Documents) -> None:
    response = client.post("/v1/match", json={"credential": docs.valid_credential(),
                                              "name": "x", "birthDate": "31/02/2012"})
    assert response.status_code == 422
    assert response.json()["code"] == "birth_date_invalid"


def test_match_foreign_link_422(client: TestClient, docs: Documents) -> None:
    response = client.post("/v1/match", json={"link": "https://evil.example" + docs.landing_path,
                                              "name": "x", "birthDate": "01/01/2012"})
    assert response.status_code == 422
    assert response.json()["code"] == "link_invalid"


def test_match_rate_limited(docs: Documents) -> None:
    body = {"credential": docs.valid_credential(), "name": "x", "birthDate": "01/01/2012"}
    with TestClient(create_app(docs.instance, requests_per_minute=1)) as limited:
        codes = [limited.post("/v1/match", json=body).status_code for _ in range(2)]
    assert codes == [200, 429]


def test_match_form_page(client: TestClient, docs: Documents) -> None:
    name, born = _subject(docs)
    uuid_part, query = docs.landing_path.removeprefix("/v1/c/").split("?")
    response = client.post(f"/v1/c/{uuid_part}/match?{query}",
                           data={"name": name.lower(), "birthDate": "01/01/1999"})
    assert response.status_code == 200
    assert 'data-name-matches="true"' in response.text
    assert 'data-birth-date-matches="false"' in response.text
    assert born not in response.text.split('class="match-result"')[1]


# VC-API ------------------------------------------------------------------------


def test_vc_api_valid(client: TestClient, docs: Documents) -> None:
    body = client.post("/credentials/verify",
                       json={"verifiableCredential": docs.valid_credential(),
                             "options": {}}).json()
    assert body["status"] == "valid"
    assert body["errors"] == []
    assert "signature.eddsa" in body["checks"]


def test_vc_api_revoked(client: TestClient, docs: Documents) -> None:
    credential = json.loads(docs.credentials[Status.REVOKED])
    body = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    assert body["status"] == "revoked"
    assert [error["check"] for error in body["errors"]] == ["status.revoked"]


def test_vc_api_missing_credential_422(client: TestClient) -> None:
    response = client.post("/credentials/verify", json={"options": {}})
    assert response.status_code == 422
    assert response.json()["code"] == "verifiable_credential_missing"
