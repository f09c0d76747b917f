"""The verification API over a real in-process chain, database, PDF and QR image."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest
import qrcode
from fastapi import FastAPI
from qrcode.constants import ERROR_CORRECT_M
from starlette.exceptions import StarletteDeprecationWarning

from api import create_app
from api.ratelimit import RateLimiter
from hocba.chain import connect_embedded
from hocba.instance import Instance
from hocba.qrlink import build_qr_url
from issuer.curriculum import load_curriculum
from issuer.issuance import (
    AnchoredBatch,
    anchor_batch,
    credential_json_bytes,
    prepare_batch,
    write_pdfs,
)
from scripts.demo_documents import raise_one_score
from scripts.sample_data import generate_school
from tests.conftest import free_port
from tests.network import Network, build_network

# NOTE: Starlette 1.10 warns when its TestClient runs on httpx instead of httpx2.
# The project pins httpx for tests, so that one warning is ignored here.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

SCRIPT_NAME = "<script>alert(1)</script> Nguyễn"
SCHOOL_NAME = "Trường THCS Phú Hòa Đông"
PROBLEM = "application/problem+json"
SCHOOL_PATHS = {
    "/v1/session", "/v1/accounts", "/v1/schools/{school_code}/api-keys",
    "/v1/schools/{school_code}/imports", "/v1/schools/{school_code}/imports/{job_id}",
    "/v1/schools/{school_code}/imports/{job_id}/approve", "/v1/schools/{school_code}/batches",
    "/v1/schools/{school_code}/credentials", "/v1/schools/{school_code}/audit",
    *(f"/v1/schools/{{school_code}}/credentials/{{credential_id}}/{action}"
      for action in ("revoke", "suspend", "reinstate", "reissue")),
}
LEARNER_PATHS = {"/v1/learners/{student_id}/records",
                 "/v1/schools/{school_code}/learners/{student_id}/records"}
WALLET_PATHS = {
    "/v1/wallet/records", "/v1/wallet/records/{record_id}", "/v1/wallet/disclosures",
    "/v1/wallet/shares", "/v1/wallet/shares/{share_id}/withdraw", "/v1/shares/{share_id}",
    "/v1/verify/disclosures", "/v1/schools/{school_code}/claims",
}


@dataclass
class Issued:
    """One anchored class of three, its store, and the documents a verifier receives."""

    network: Network
    instance: Instance
    batch: AnchoredBatch
    pdf: bytes
    qr_png: bytes

    def credential(self, index: int = 1) -> dict[str, Any]:
        return self.batch.credentials[index].credential

    def landing_path(self, index: int = 1) -> str:
        item = self.batch.credentials[index]
        url = build_qr_url(self.instance.settings.verify_base_url, item.credential_id,
                           item.digest)
        return url.removeprefix(self.instance.settings.verify_base_url)


def _qr_png(text: str) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().get_image().convert("L").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    home = tmp_path_factory.mktemp("api")
    network = build_network(connect_embedded(), home / "home")
    first = generate_school(7, "2025-2026")[2]
    students = [replace(first.students[0], full_name=SCRIPT_NAME), *first.students[1:3]]
    class_records = replace(first, students=students)
    prepared = prepare_batch(class_records, network.school, curriculum=load_curriculum())
    batch = anchor_batch(prepared, network.school, registry=network.registry,
                         engine=network.engine)

    instance = Instance(network.settings, _chain=network.chain,
                        _registry_address=network.registry.address)
    base_url = instance.settings.verify_base_url
    second_only = replace(batch, credentials=batch.credentials[1:2])
    pdf_path = write_pdfs(second_only, home / "pdf", verify_base_url=base_url,
                          issued_on=date(2026, 5, 30))[0]
    item = batch.credentials[1]
    qr_png = _qr_png(build_qr_url(base_url, item.credential_id, item.digest))
    return Issued(network, instance, batch, pdf_path.read_bytes(), qr_png)


@pytest.fixture(scope="module")
def client(issued: Issued) -> Iterator[TestClient]:
    with TestClient(create_app(issued.instance)) as test_client:
        yield test_client


def _upload(client: TestClient, name: str, data: bytes, media_type: str) -> dict[str, Any]:
    response = client.post("/v1/verify", files={"file": (name, data, media_type)})
    assert response.status_code == 200
    return response.json()


def _failed_codes(body: dict[str, Any]) -> list[str]:
    return [check["code"] for check in body["checks"] if not check["passed"]]


# POST /v1/verify ------------------------------------------------------------


def test_json_body_valid(client: TestClient, issued: Issued) -> None:
    response = client.post("/v1/verify", json=issued.credential())
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "valid"
    assert body["issuer"]["name"] == SCHOOL_NAME
    assert body["issuer"]["verifiedBy"] == "registry"


def test_json_body_tampered(client: TestClient, issued: Issued) -> None:
    forged = raise_one_score(issued.credential())
    response = client.post("/v1/verify", json=forged)
    assert response.status_code == 200
    assert response.json()["status"] == "tampered"
    assert _failed_codes(response.json()) == ["signature.eddsa"]


def test_vc_json_media_type_accepted(client: TestClient, issued: Issued) -> None:
    response = client.post("/v1/verify", content=json.dumps(issued.credential()).encode(),
                           headers={"Content-Type": "application/vc+json"})
    assert response.json()["status"] == "valid"


def test_json_array_malformed(client: TestClient) -> None:
    response = client.post("/v1/verify", content=b"[1, 2]",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json()["status"] == "malformed"


def test_json_file_upload_valid(client: TestClient, issued: Issued) -> None:
    data = credential_json_bytes(issued.credential())
    assert _upload(client, "credential.json", data, "application/json")["status"] == "valid"


def test_pdf_upload_valid(client: TestClient, issued: Issued) -> None:
    body = _upload(client, "hoc-ba.pdf", issued.pdf, "application/pdf")
    assert body["status"] == "valid"
    assert body["credentialId"] == issued.batch.credentials[1].credential_id
    assert "pdf.qr" in [check["code"] for check in body["checks"] if check["passed"]]


def test_upload_file_name_not_echoed(client: TestClient, issued: Issued) -> None:
    body = _upload(client, "nguyen-van-an.pdf", issued.pdf, "application/pdf")
    assert "nguyen" not in json.dumps(body["source"])


def test_qr_image_upload_valid(client: TestClient, issued: Issued) -> None:
    body = _upload(client, "qr.png", issued.qr_png, "image/png")
    assert body["status"] == "valid"
    assert body["checks"][0]["code"] == "qr.binding"


def test_qr_image_of_other_origin_malformed(client: TestClient, issued: Issued) -> None:
    item = issued.batch.credentials[1]
    foreign = _qr_png(build_qr_url("https://verify.example.org", item.credential_id, item.digest))
    body = _upload(client, "qr.png", foreign, "image/png")
    assert body["status"] == "malformed"
    assert _failed_codes(body) == ["qr.qr_invalid"]


def test_unknown_file_kind_malformed(client: TestClient) -> None:
    body = _upload(client, "notes.txt", b"hello", "text/plain")
    assert body["status"] == "malformed"


def test_wrong_content_type_415(client: TestClient) -> None:
    response = client.post("/v1/verify", content=b"hello",
                           headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "media_type_unsupported"
    assert "multipart/form-data" in response.headers["accept-post"]


def test_missing_content_type_415(client: TestClient) -> None:
    response = client.post("/v1/verify", content=b"{}")
    assert response.status_code == 415


def test_multipart_without_file_422(client: TestClient) -> None:
    response = client.post("/v1/verify", data={"note": "x"},
                           files={"other": ("a.json", b"{}", "application/json")})
    assert response.status_code == 422
    assert response.json()["code"] == "file_missing"


def test_two_files_422(client: TestClient, issued: Issued) -> None:
    files = [("file", ("a.pdf", issued.pdf, "application/pdf")),
             ("file", ("b.png", issued.qr_png, "image/png"))]
    response = client.post("/v1/verify", files=files)
    assert response.status_code == 422


def test_broken_multipart_400(client: TestClient) -> None:
    response = client.post("/v1/verify", content=b"--x\r\nbroken",
                           headers={"Content-Type": "multipart/form-data"})
    assert response.status_code == 400
    assert response.json()["code"] == "multipart_invalid"


# GET /v1/c/{uuid} -----------------------------------------------------------


def test_landing_valid(client: TestClient, issued: Issued) -> None:
    response = client.get(issued.landing_path())
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "valid"
    assert body["checks"][0] == {**body["checks"][0], "code": "qr.binding", "passed": True}
    assert body["issuer"]["name"] == SCHOOL_NAME
    assert response.headers["cache-control"] == "no-store"


def test_landing_wrong_binding_tampered(client: TestClient, issued: Issued) -> None:
    path = issued.landing_path().split("?h=")[0] + "?h=" + "A" * 22
    response = client.get(path)
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "tampered"
    assert _failed_codes(body) == ["qr.binding"]
    assert body["subject"] is None


def test_landing_other_credential_binding_tampered(client: TestClient, issued: Issued) -> None:
    own_path = issued.landing_path(1).split("?")[0]
    other_query = issued.landing_path(2).split("?")[1]
    body = client.get(f"{own_path}?{other_query}").json()
    assert body["status"] == "tampered"


def test_unknown_id_404(client: TestClient, issued: Issued) -> None:
    query = issued.landing_path().split("?")[1]
    response = client.get(f"/v1/c/{uuid.uuid4()}?{query}")
    body = response.json()
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert body["type"] == "urn:hocba:problem:credential_not_found"
    assert body["status"] == 404
    assert body["title"] == "Không tìm thấy"
    assert body["detail"].startswith("Hệ thống này không lưu")
    assert body["detail_en"].startswith("This service stores no credential")


@pytest.mark.parametrize("query", ["", "?h=short", "?h=" + "A" * 21 + "*",
                                   "?h=" + "A" * 21 + "B"])
def test_bad_binding_422(client: TestClient, issued: Issued, query: str) -> None:
    path = issued.landing_path().split("?")[0]
    response = client.get(path + query)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_bad_uuid_422(client: TestClient) -> None:
    response = client.get("/v1/c/not-a-uuid?h=" + "A" * 22)
    assert response.status_code == 422
    assert response.json()["code"] == "credential_id_invalid"


def test_bad_lang_422(client: TestClient, issued: Issued) -> None:
    response = client.get(issued.landing_path() + "&lang=fr")
    assert response.status_code == 422


def test_unknown_path_404_problem(client: TestClient) -> None:
    response = client.get("/v1/credentials")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_wrong_method_405_problem(client: TestClient) -> None:
    response = client.get("/v1/verify")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM


# HTML page ------------------------------------------------------------------

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_html_vietnamese_verdict(client: TestClient, issued: Issued) -> None:
    response = client.get(issued.landing_path(), headers=HTML)
    page = response.text
    student = issued.batch.credentials[1].record
    assert response.headers["content-type"].startswith("text/html")
    assert 'lang="vi"' in page
    assert "Hợp lệ" in page
    assert SCHOOL_NAME in page
    assert student.full_name in page
    assert student.birth_date.strftime("%d/%m/%Y") in page
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_html_english(client: TestClient, issued: Issued) -> None:
    page = client.get(issued.landing_path() + "&lang=en", headers=HTML).text
    assert 'lang="en"' in page
    assert ">Valid<" in page


def test_html_escapes_script(client: TestClient, issued: Issued) -> None:
    page = client.get(issued.landing_path(0), headers=HTML).text
    assert "Hợp lệ" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Nguyễn" in page


def test_html_wrong_binding_red(client: TestClient, issued: Issued) -> None:
    path = issued.landing_path().split("?h=")[0] + "?h=" + "A" * 22
    page = client.get(path, headers=HTML).text
    assert 'class="verdict invalid"' in page
    assert "Văn bản đã bị sửa đổi" in page
    assert issued.batch.credentials[1].record.full_name not in page


def test_html_unknown_id_404(client: TestClient) -> None:
    response = client.get(f"/v1/c/{uuid.uuid4()}?h={'A' * 22}", headers=HTML)
    assert response.status_code == 404
    assert "Không tìm thấy văn bản" in response.text


def test_json_preferred_when_ranked_higher(client: TestClient, issued: Issued) -> None:
    accept = {"Accept": "application/json, text/html;q=0.5"}
    response = client.get(issued.landing_path(), headers=accept)
    assert response.headers["content-type"] == "application/json"


# Size limit -----------------------------------------------------------------


def _call_asgi(app: FastAPI, headers: list[tuple[bytes, bytes]],
               chunks: list[bytes]) -> tuple[int, bytes, int]:
    """POST ``chunks`` to /v1/verify at the ASGI level; return status, body, bytes received."""
    pending = list(chunks)
    received = 0
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        received += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/verify", "raw_path": b"/v1/verify", "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, body, received


def test_declared_oversize_413_unread(issued: Issued) -> None:
    app = create_app(issued.instance, max_upload_bytes=1024)
    headers = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
    status, body, received = _call_asgi(app, headers, [b"x" * 4096])
    assert status == 413
    assert received == 0
    assert json.loads(body)["code"] == "upload_too_large"


def test_declared_oversize_multipart_413_unread(issued: Issued) -> None:
    app = create_app(issued.instance, max_upload_bytes=1024)
    headers = [(b"content-type", b"multipart/form-data; boundary=x"),
               (b"content-length", str(30 * 1024 * 1024).encode())]
    status, _, received = _call_asgi(app, headers, [b"x" * 1024] * 8)
    assert status == 413
    assert received == 0


def test_streamed_oversize_413_stops_reading(issued: Issued) -> None:
    app = create_app(issued.instance, max_upload_bytes=1024)
    headers = [(b"content-type", b"multipart/form-data; boundary=x")]
    part_head = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
                 b"Content-Type: application/pdf\r\n\r\n")
    status, _, received = _call_asgi(app, headers, [part_head] + [b"x" * 512] * 100)
    assert status == 413
    assert received <= 1024 + 512


def test_streamed_oversize_json_413(issued: Issued) -> None:
    app = create_app(issued.instance, max_upload_bytes=1024)
    headers = [(b"content-type", b"application/json")]
    status, _, received = _call_asgi(app, headers, [b" " * 512] * 100)
    assert status == 413
    assert received <= 1024 + 512


def test_oversized_pdf_upload_413(issued: Issued) -> None:
    limit = len(issued.pdf) - 1
    with TestClient(create_app(issued.instance, max_upload_bytes=limit)) as small:
        upload = {"file": ("a.pdf", issued.pdf, "application/pdf")}
        response = small.post("/v1/verify", files=upload)
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["limit"] == limit


def test_default_limit_20_mib(issued: Issued, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOCBA_MAX_UPLOAD_BYTES", raising=False)
    assert create_app(issued.instance).state.max_upload_bytes == 20 * 1024 * 1024


def test_limit_from_environment(issued: Issued, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOCBA_MAX_UPLOAD_BYTES", "5000")
    assert create_app(issued.instance).state.max_upload_bytes == 5000


def test_invalid_content_length_400(client: TestClient) -> None:
    response = client.post("/v1/verify", content=b"{}",
                           headers={"Content-Type": "application/json", "Content-Length": "-1"})
    assert response.status_code == 400


# Chain, health, headers -----------------------------------------------------


@pytest.fixture(scope="module")
def offline_client(issued: Issued) -> Iterator[TestClient]:
    """The same store and trusted registry, but the chain URL points at a closed port."""
    dead_url = f"http://127.0.0.1:{free_port()}"
    instance = Instance(issued.network.settings, chain_choice=dead_url)
    with TestClient(create_app(instance)) as test_client:
        yield test_client


def test_chain_down_json_unavailable(offline_client: TestClient, issued: Issued) -> None:
    body = offline_client.post("/v1/verify", json=issued.credential()).json()
    assert body["status"] == "unavailable"
    assert _failed_codes(body) == ["chain.read"]


def test_chain_down_landing_unavailable(offline_client: TestClient, issued: Issued) -> None:
    assert offline_client.get(issued.landing_path()).json()["status"] == "unavailable"


def test_chain_down_tampered_still_found(offline_client: TestClient, issued: Issued) -> None:
    forged = raise_one_score(issued.credential())
    assert offline_client.post("/v1/verify", json=forged).json()["status"] == "tampered"


def test_chain_down_health_degraded(offline_client: TestClient) -> None:
    body = offline_client.get("/v1/health").json()
    assert body["status"] == "degraded"
    assert body["chain"]["reachable"] is False


def test_health_ok(client: TestClient, issued: Issued) -> None:
    response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["chain"]["chainId"] == issued.network.chain.chain_id


def test_no_cors_headers(client: TestClient) -> None:
    response = client.get("/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_nosniff_header(client: TestClient) -> None:
    assert client.get("/v1/health").headers["x-content-type-options"] == "nosniff"


def test_openapi_lists_routes(client: TestClient) -> None:
    paths = client.get("/v1/openapi.json").json()["paths"]
    assert set(paths) == {"/v1/verify", "/v1/c/{credential_uuid}", "/v1/health",
                          "/v1/verify/batch", "/v1/match", "/credentials/verify"} | SCHOOL_PATHS \
        | WALLET_PATHS | LEARNER_PATHS


# Rate limit -----------------------------------------------------------------


def test_rate_limit_429(issued: Issued) -> None:
    with TestClient(create_app(issued.instance, requests_per_minute=3)) as limited:
        statuses = [limited.get(issued.landing_path()).status_code for _ in range(4)]
        response = limited.get(issued.landing_path())
    assert statuses == [200, 200, 200, 429]
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 60


def test_rate_limit_spares_health(issued: Issued) -> None:
    with TestClient(create_app(issued.instance, requests_per_minute=1)) as limited:
        statuses = [limited.get("/v1/health").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


def test_rate_limit_zero_disables(issued: Issued) -> None:
    with TestClient(create_app(issued.instance, requests_per_minute=0)) as unlimited:
        statuses = {unlimited.get(issued.landing_path()).status_code for _ in range(5)}
    assert statuses == {200}


def test_rate_window_slides() -> None:
    now = [1000.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.retry_after("a") is None
    assert limiter.retry_after("a") is None
    assert limiter.retry_after("a") == pytest.approx(60.0)
    assert limiter.retry_after("b") is None
    now[0] += 60.0
    assert limiter.retry_after("a") is None
