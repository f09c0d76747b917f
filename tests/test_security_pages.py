"""Security checks of the staff, claim and wallet pages over one user journey.

A school's staff logs in, uploads a class, the principal approves it, a guardian claims
a learner's records on a phone and shares one. Every logger runs at DEBUG during the
journey, and no password, session token, CSRF token, claim token, share key, private
key, passphrase or person's name may appear in any log record. The journey opens no
socket. Further tests check uvicorn's access log and the size limits of the new forms
and uploads.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel import Session, select
from starlette.exceptions import StarletteDeprecationWarning

from api import create_app
from hocba.accounts import create_api_key, create_user
from hocba.chain import connect_embedded
from hocba.db import ImportJob
from hocba.db_wallet import ClaimLink, ShareLink
from hocba.instance import Instance
from issuer.importer import write_class_csv
from scripts.sample_data import generate_school
from tests.network import COMMUNE, Network, build_network
from wallet.claims import create_claim_links
from wallet.shares import MAX_CIPHERTEXT_BYTES

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

SCHOOL = "79785401"
PASSWORD = "mật khẩu thử nghiệm 2026"
GUARDIAN = "Trần Thị Phụ Huynh"
# A recipient label that looks like a link: the service must store it as text, never open it.
SHARE_LABEL = "Trường THPT Lê Quý Đôn http://127.0.0.1:9/tuyen-sinh"
SHOWN_FIELDS = ["/identifier/0", "/schoolYear", "/className"]


@dataclass
class Journey:
    """What the journey produced, and the log records captured while it ran."""

    network: Network
    instance: Instance
    app: Any
    credential_ids: list[str]
    learner_id: str
    records: list[logging.LogRecord]
    secrets: dict[str, str]
    person_names: list[str]
    connections: list[Any]


# SQLAlchemy sets its "sqlalchemy" logger to WARNING when imported, and lowering that
# logger or its children is SQLAlchemy's switch for echoing every SQL statement with its
# parameters: a debugging aid that prints whole rows by design. The service never lowers
# it, and a DEBUG root level alone leaves the echo off, so those loggers keep their levels.
SQL_ECHO_LOGGERS = ("sqlalchemy",)
# The test's own HTTP client logs each request URL; those records are not the service's.
CLIENT_LOGGERS = ("httpx", "httpcore")


def _all_loggers_at_debug() -> dict[str, int]:
    """Set the root and every known logger but SQL echo to DEBUG; return the old levels."""
    names = ["", *logging.root.manager.loggerDict]
    old: dict[str, int] = {}
    for name in names:
        if name.startswith(SQL_ECHO_LOGGERS):
            continue
        found = logging.getLogger(name)
        old[name] = found.level
        found.setLevel(logging.DEBUG)
    return old


def _form_csrf(page: str, marker: str) -> str:
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _run_journey(network: Network, home: Path, secrets: dict[str, str]
                 ) -> tuple[Any, list[str], str, list[str]]:
    """Drive login, import, approval, claim and share; fill ``secrets``.

    Returns the app, the issued credential ids, the first learner's id and the names of
    the people involved.
    """
    settings = replace(network.settings, key_passphrase=network.keys.passphrase)
    instance = Instance(settings, _chain=network.chain,
                        _registry_address=network.registry.address)
    create_user(network.engine, login="giao-vu", display_name="Giáo vụ",
                role="school_staff", password=PASSWORD, school_code=SCHOOL)
    create_user(network.engine, login="hieu-truong", display_name="Hiệu trưởng",
                role="principal", password=PASSWORD, school_code=SCHOOL)
    class_records = generate_school(11, "2025-2026")[0]
    class_records = replace(class_records, students=class_records.students[:4])
    csv_bytes = write_class_csv(class_records, home / "lop.csv").read_bytes()
    app = create_app(instance, requests_per_minute=0)

    # Staff logs in through the page form, then uploads the class with the cookie session.
    staff = TestClient(app, base_url="http://127.0.0.1")
    wrong = staff.post("/login", data={"login": "giao-vu", "password": PASSWORD + "x"})
    assert wrong.status_code == 200
    page_login = staff.post("/login", data={"login": "giao-vu", "password": PASSWORD},
                            follow_redirects=False)
    assert page_login.status_code == 303
    secrets["staff session"] = staff.cookies["hocba_session"]
    api_login = staff.post("/v1/session", json={"login": "giao-vu", "password": PASSWORD})
    assert api_login.status_code == 200
    secrets["staff API session"] = staff.cookies["hocba_session"]
    secrets["staff CSRF token"] = api_login.json()["csrfToken"]
    staff_headers = {"X-CSRF-Token": secrets["staff CSRF token"]}
    upload = staff.post(f"/v1/schools/{SCHOOL}/imports", headers=staff_headers,
                        files={"file": ("lop.csv", io.BytesIO(csv_bytes), "text/csv")})
    assert upload.status_code == 201, upload.text

    # The principal approves through the JSON API.
    principal = TestClient(app, base_url="http://127.0.0.1")
    login = principal.post("/v1/session", json={"login": "hieu-truong", "password": PASSWORD})
    assert login.status_code == 200
    secrets["principal session"] = principal.cookies["hocba_session"]
    secrets["principal CSRF token"] = login.json()["csrfToken"]
    approved = principal.post(f"/v1/schools/{SCHOOL}/imports/{upload.json()['id']}/approve",
                              headers={"X-CSRF-Token": secrets["principal CSRF token"]})
    assert approved.status_code == 201, approved.text

    # Staff makes claim links. Every learner of this lower secondary class is under 16, so
    # a guardian claims on a phone. A used link and a form without the guardian's
    # confirmation are opened too, as people do by mistake.
    links = staff.post(f"/v1/schools/{SCHOOL}/claims", headers=staff_headers,
                       json={"credentialIds": approved.json()["credentials"]})
    assert links.status_code == 201, links.text
    token = links.json()["links"][0]["url"].rsplit("/claim/", 1)[1]
    secrets["claim token"] = token
    phone = TestClient(app, base_url="http://127.0.0.1")
    assert phone.get(f"/claim/{token}").status_code == 200
    claimed = phone.post(f"/claim/{token}", follow_redirects=False,
                         data={"guardian_name": GUARDIAN, "guardian_confirms": "1"})
    assert claimed.status_code == 303, claimed.text
    secrets["wallet session"] = phone.cookies["hocba_wallet"]
    assert phone.post(f"/claim/{token}", follow_redirects=False).status_code != 303
    assert phone.get(f"/claim/{token}").status_code != 500
    second_token = links.json()["links"][1]["url"].rsplit("/claim/", 1)[1]
    secrets["second claim token"] = second_token
    unconfirmed = TestClient(app, base_url="http://127.0.0.1").post(
        f"/claim/{second_token}", data={"guardian_name": GUARDIAN}, follow_redirects=False)
    assert unconfirmed.status_code == 422

    # The guardian shares one record, as the share page's script does, and a recipient opens it.
    share_page = phone.get("/wallet/share")
    wallet_csrf = _form_csrf(share_page.text, 'data-csrf="')
    secrets["wallet CSRF token"] = wallet_csrf
    record_id = phone.get("/v1/wallet/records").json()["records"][0]["id"]
    built = phone.post("/v1/wallet/disclosures", headers={"X-CSRF-Token": wallet_csrf},
                       json={"records": [{"id": record_id, "fields": SHOWN_FIELDS}],
                             "childAgrees": True})
    assert built.status_code == 200, built.text
    plaintext = json.dumps({"version": 1, "documents": built.json()["documents"]}).encode()
    key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
    secrets["share key"] = _b64(key)
    sealed = nonce + AESGCM(key).encrypt(nonce, plaintext, None)
    created = phone.post("/v1/wallet/shares", headers={"X-CSRF-Token": wallet_csrf},
                         json={"ciphertext": _b64(sealed), "recordCount": 1,
                               "label": SHARE_LABEL, "days": 7,
                               "scope": {"credential_ids": [record_id]},
                               "childAgrees": True})
    assert created.status_code == 201, created.text
    recipient = TestClient(app, base_url="http://127.0.0.1")
    share_id = created.json()["id"]
    assert recipient.get(f"/s/{share_id}").status_code == 200
    assert recipient.get(f"/v1/shares/{share_id}").status_code == 200
    verified = recipient.post("/v1/verify/disclosures",
                              json={"documents": built.json()["documents"]})
    assert verified.status_code == 200
    names = [*(student.full_name for student in class_records.students), GUARDIAN]
    return app, approved.json()["credentials"], class_records.students[0].student_id, names


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    home = tmp_path_factory.mktemp("log-journey")
    network = build_network(connect_embedded(), home / "home")
    secrets: dict[str, str] = {"password": PASSWORD,
                               "key passphrase": network.keys.passphrase}
    school = network.school
    secrets["Ed25519 private key"] = school.signing_key.private_bytes_raw().hex()
    secrets["Ethereum private key"] = bytes(school.account.key).hex()

    captured: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.addFilter(lambda record: not record.name.startswith(CLIENT_LOGGERS))
    handler.emit = captured.append  # type: ignore[method-assign]
    connections: list[Any] = []

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        connections.append(args)
        raise OSError("network access is forbidden during the journey")

    old_levels = _all_loggers_at_debug()
    logging.root.addHandler(handler)
    try:
        with pytest.MonkeyPatch.context() as patcher:
            patcher.setattr(socket.socket, "connect", forbidden)
            patcher.setattr(socket.socket, "connect_ex", forbidden)
            patcher.setattr(socket, "create_connection", forbidden)
            patcher.setattr(socket, "getaddrinfo", forbidden)
            app, credential_ids, learner_id, names = _run_journey(network, home, secrets)
    finally:
        logging.root.removeHandler(handler)
        for name, level in old_levels.items():
            logging.getLogger(name).setLevel(level)
    yield Journey(network, app.state.service.instance, app, credential_ids, learner_id,
                  captured, secrets, names, connections)


def _record_text(record: logging.LogRecord) -> str:
    """The message, its raw arguments and any exception text of one record."""
    parts = [record.getMessage(), repr(record.args)]
    if record.exc_info is not None:
        parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def _loggers_containing(records: list[logging.LogRecord], text: str) -> list[str]:
    """Return the names of the loggers whose records contain ``text``, without repeats."""
    return sorted({record.name for record in records if text in _record_text(record)})


def test_journey_was_logged(journey: Journey) -> None:
    names = {record.name for record in journey.records}
    assert any(name.startswith("api.") for name in names)
    assert any(name.startswith("wallet.") for name in names)


def test_journey_opens_no_socket(journey: Journey) -> None:
    assert journey.connections == []


SECRET_NAMES = ("password", "key passphrase", "Ed25519 private key", "Ethereum private key",
                "staff session", "staff API session", "staff CSRF token", "principal session",
                "principal CSRF token", "claim token", "second claim token", "wallet session",
                "wallet CSRF token", "share key")


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_log_has_no_secret(journey: Journey, name: str) -> None:
    secret = journey.secrets[name]
    assert len(secret) >= 12
    assert _loggers_containing(journey.records, secret) == []


def test_log_has_no_person_names(journey: Journey) -> None:
    assert len(journey.person_names) == 5
    for full_name in journey.person_names:
        assert _loggers_containing(journey.records, full_name) == [], full_name


# The access log of ``hocba serve`` --------------------------------------------


def _serve_and_get(app: Any, path: str) -> int:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port, GET ``path``; return the status.

    ``hocba serve`` calls ``uvicorn.run`` with uvicorn's default logging, which keeps the
    "uvicorn.access" logger at INFO; the caller sets that level.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
            time.sleep(0.02)
        return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10).status_code
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()


def test_access_log_has_no_claim_token(journey: Journey) -> None:
    links = create_claim_links(journey.network.engine, school_code=SCHOOL,
                               created_by="test", credential_ids=journey.credential_ids[2:3])
    token = links[0].token
    access = logging.getLogger("uvicorn.access")
    captured: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = captured.append  # type: ignore[method-assign]
    old_level = access.level
    access.setLevel(logging.INFO)
    access.addHandler(handler)
    try:
        status = _serve_and_get(journey.app, f"/claim/{token}")
    finally:
        access.removeHandler(handler)
        access.setLevel(old_level)
    assert status == 200
    assert len(captured) == 1
    assert _loggers_containing(captured, token) == []


# Upload and form size limits on the new endpoints -----------------------------


def _guardian_phone(journey: Journey) -> tuple[TestClient, str]:
    """Claim the fourth learner's records as a guardian on a new phone; return it and its CSRF."""
    links = create_claim_links(journey.network.engine, school_code=SCHOOL, created_by="test",
                               credential_ids=journey.credential_ids[3:4])
    phone = TestClient(journey.app, base_url="http://127.0.0.1")
    claimed = phone.post(f"/claim/{links[0].token}", follow_redirects=False,
                         data={"guardian_name": GUARDIAN, "guardian_confirms": "1"})
    assert claimed.status_code == 303, claimed.text
    return phone, _form_csrf(phone.get("/wallet/share").text, 'data-csrf="')


def _share_rows(journey: Journey) -> int:
    with Session(journey.network.engine) as db:
        return len(db.exec(select(ShareLink)).all())


def _share_body(ciphertext_bytes: int, record_id: str) -> dict[str, Any]:
    return {"ciphertext": _b64(os.urandom(ciphertext_bytes)), "recordCount": 1,
            "label": "Trường THPT Lê Quý Đôn", "days": 1,
            "scope": {"credential_ids": [record_id]}, "childAgrees": True}


def test_share_at_size_limit_stored(journey: Journey) -> None:
    phone, csrf = _guardian_phone(journey)
    record_id = phone.get("/v1/wallet/records").json()["records"][0]["id"]
    response = phone.post("/v1/wallet/shares", headers={"X-CSRF-Token": csrf},
                          json=_share_body(MAX_CIPHERTEXT_BYTES, record_id))
    assert response.status_code == 201, response.text[:300]


def test_share_over_size_rejected(journey: Journey) -> None:
    phone, csrf = _guardian_phone(journey)
    record_id = phone.get("/v1/wallet/records").json()["records"][0]["id"]
    before = _share_rows(journey)
    response = phone.post("/v1/wallet/shares", headers={"X-CSRF-Token": csrf},
                          json=_share_body(MAX_CIPHERTEXT_BYTES + 1, record_id))
    assert response.status_code == 422
    assert response.json()["code"] == "share_size_invalid"
    assert _share_rows(journey) == before


def test_claim_token_has_256_bits(journey: Journey) -> None:
    token = journey.secrets["claim token"]
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) >= 32


def test_share_id_has_128_bits(journey: Journey) -> None:
    phone, csrf = _guardian_phone(journey)
    record_id = phone.get("/v1/wallet/records").json()["records"][0]["id"]
    response = phone.post("/v1/wallet/shares", headers={"X-CSRF-Token": csrf},
                          json=_share_body(64, record_id))
    assert response.status_code == 201, response.text[:300]
    share_id = response.json()["id"]
    assert len(base64.urlsafe_b64decode(share_id + "=" * (-len(share_id) % 4))) >= 16


def test_claim_form_oversize_413(journey: Journey) -> None:
    links = create_claim_links(journey.network.engine, school_code=SCHOOL, created_by="test",
                               credential_ids=journey.credential_ids[3:4])
    phone = TestClient(journey.app, base_url="http://127.0.0.1")
    response = phone.post(f"/claim/{links[0].token}", follow_redirects=False,
                          data={"guardian_name": "Trần " * 4000, "guardian_confirms": "1"})
    assert response.status_code == 413
    assert "hocba_wallet" not in response.headers.get("set-cookie", "")


def test_page_import_oversize_413(journey: Journey) -> None:
    app = create_app(journey.instance, max_upload_bytes=64 * 1024, requests_per_minute=0)
    staff = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    logged_in = staff.post("/login", data={"login": "giao-vu", "password": PASSWORD})
    assert logged_in.status_code == 303
    with Session(journey.network.engine) as db:
        before = len(db.exec(select(ImportJob)).all())
    response = staff.post(f"/school/{SCHOOL}/imports",
                          files={"file": ("lop.csv", b"STT,Ho ten\n" * 8000, "text/csv")},
                          data={"csrf_token": staff.cookies.get("hocba_csrf") or "",
                                "record_type": "transcript-thcs-tt22"})
    assert response.status_code == 413
    with Session(journey.network.engine) as db:
        assert len(db.exec(select(ImportJob)).all()) == before


# Who may list a learner's records or make claim links --------------------------


OTHER_SCHOOL = "79785402"


def _headers_of(journey: Journey, kind: str) -> dict[str, str]:
    """Log in a new account of ``kind`` (or make an API key); return its request headers.

    ``kind`` is a role, ``principal_other`` (a principal of another school) or ``api_key``.
    """
    if kind == "api_key":
        key, _ = create_api_key(journey.network.engine, school_code=SCHOOL, created_by="test")
        return {"Authorization": f"Bearer {key}"}
    login = f"{kind}-{os.urandom(4).hex()}".replace("_", "-")
    scopes: dict[str, dict[str, Any]] = {
        "accreditor": {"admin_unit_code": COMMUNE},
        "principal_other": {"school_code": OTHER_SCHOOL},
    }
    role = "principal" if kind == "principal_other" else kind
    create_user(journey.network.engine, login=login, display_name=login, role=role,
                password=PASSWORD, **scopes.get(kind, {}))
    client = TestClient(journey.app, base_url="http://127.0.0.1")
    response = client.post("/v1/session", json={"login": login, "password": PASSWORD})
    assert response.status_code == 200
    return {"Cookie": f"hocba_session={response.cookies['hocba_session']}",
            "X-CSRF-Token": response.json()["csrfToken"]}


@pytest.mark.parametrize("kind", ["accreditor", "api_key"])
@pytest.mark.parametrize("scope", ["all", "school"])
def test_learner_history_forbidden(journey: Journey, kind: str, scope: str) -> None:
    path = f"/v1/learners/{journey.learner_id}/records" if scope == "all" \
        else f"/v1/schools/{SCHOOL}/learners/{journey.learner_id}/records"
    client = TestClient(journey.app, base_url="http://127.0.0.1")
    response = client.get(path, headers=_headers_of(journey, kind))
    assert response.status_code == 403
    assert journey.learner_id not in response.text


def test_learner_history_department_allowed(journey: Journey) -> None:
    client = TestClient(journey.app, base_url="http://127.0.0.1")
    response = client.get(f"/v1/learners/{journey.learner_id}/records",
                          headers=_headers_of(journey, "department"))
    assert response.status_code == 200
    assert len(response.json()["records"]) == 1


@pytest.mark.parametrize("kind", ["department", "accreditor", "principal_other"])
def test_claim_page_other_roles_forbidden(journey: Journey, kind: str) -> None:
    client = TestClient(journey.app, base_url="http://127.0.0.1", follow_redirects=False)
    response = client.get(f"/school/{SCHOOL}/claims", headers=_headers_of(journey, kind))
    assert response.status_code == 403


@pytest.mark.parametrize("kind", ["department", "accreditor", "principal_other"])
def test_claim_api_other_roles_forbidden(journey: Journey, kind: str) -> None:
    client = TestClient(journey.app, base_url="http://127.0.0.1")
    with Session(journey.network.engine) as db:
        before = len(db.exec(select(ClaimLink)).all())
    response = client.post(f"/v1/schools/{SCHOOL}/claims", headers=_headers_of(journey, kind),
                           json={"credentialIds": journey.credential_ids[:1]})
    assert response.status_code == 403
    with Session(journey.network.engine) as db:
        assert len(db.exec(select(ClaimLink)).all()) == before
