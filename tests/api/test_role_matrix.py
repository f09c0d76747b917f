"""Accounts, roles and the school workflow API over the in-process chain.

The matrix sends every school-workflow endpoint as every role. Targets that would
change state name ids that do not exist, so an allowed role gets 404 (or 201 for
creations) and the matrix checks authorization only; the flows below it check what
the endpoints do. ``DELETE /v1/session`` is tested separately because it ends the
session, and ``POST /v1/session`` is the anonymous login itself.
"""

from __future__ import annotations

import io
import itertools
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api import create_app
from hocba.accounts import create_api_key, create_user
from hocba.chain import connect_embedded
from hocba.instance import Instance
from hocba.status import Status
from issuer.importer import write_class_csv
from scripts.sample_data import generate_school
from tests.network import COMMUNE, Network, build_network
from verifier.engine import verify_credential

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

SCHOOL_A = "79785401"
SCHOOL_B = "79785402"
PASSWORD = "mật khẩu thử nghiệm 2026"
MISSING = "urn:uuid:00000000-0000-4000-8000-000000000000"
ROLES = ("anonymous", "department", "accreditor", "staff_a", "principal_a", "principal_b",
         "key_a")
_logins = itertools.count()


@dataclass
class World:
    network: Network
    instance: Instance
    client: TestClient
    headers: dict[str, dict[str, str]]
    class_csv: bytes
    class_records: Any


def _login(client: TestClient, login: str) -> dict[str, str]:
    response = client.post("/v1/session", json={"login": login, "password": PASSWORD})
    assert response.status_code == 200
    token = response.cookies["hocba_session"]
    client.cookies.clear()
    return {"Cookie": f"hocba_session={token}", "X-CSRF-Token": response.json()["csrfToken"]}


def _csv_bytes(records: Any, tmp_dir: Any, name: str) -> bytes:
    return write_class_csv(records, tmp_dir / name).read_bytes()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("roles")
    network = build_network(connect_embedded(), home / "home")
    network.register(SCHOOL_B, "Trường THCS Thử Nghiệm B")
    settings = replace(network.settings, key_passphrase="test passphrase")
    instance = Instance(settings, _chain=network.chain,
                        _registry_address=network.registry.address)
    engine = network.engine
    accounts = {
        "department": ("so-gd", "department", None, None),
        "accreditor": ("xa-phu-hoa-dong", "accreditor", None, COMMUNE),
        "staff_a": ("giao-vu-a", "school_staff", SCHOOL_A, None),
        "principal_a": ("hieu-truong-a", "principal", SCHOOL_A, None),
        "principal_b": ("hieu-truong-b", "principal", SCHOOL_B, None),
    }
    for login, role, school, unit in accounts.values():
        create_user(engine, login=login, display_name=login, role=role, password=PASSWORD,
                    school_code=school, admin_unit_code=unit)
    key, _ = create_api_key(engine, school_code=SCHOOL_A, created_by="test")
    class_records = generate_school(11, "2025-2026")[0]
    class_records = replace(class_records, students=class_records.students[:3])
    with TestClient(create_app(instance)) as client:
        headers = {role: _login(client, login) for role, (login, *_) in accounts.items()}
        headers["anonymous"] = {}
        headers["key_a"] = {"Authorization": f"Bearer {key}"}
        yield World(network, instance, client, headers,
                    _csv_bytes(class_records, home, "lop.csv"), class_records)


def _bad_csv() -> dict[str, Any]:
    return {"files": {"file": ("lop.csv", b"STT,Ho ten\n1,A\n", "text/csv")}}


def _new_accreditor() -> dict[str, Any]:
    return {"json": {"login": f"xa-moi-{next(_logins)}", "displayName": "UBND xã mới",
                     "role": "accreditor", "password": PASSWORD, "adminUnitCode": "27011"}}


_REASON = {"json": {"reason": "kiểm tra quyền"}}
_BASE = f"/v1/schools/{SCHOOL_A}"
_CRED = f"{_BASE}/credentials/{MISSING}"
_READERS = {"staff_a", "principal_a", "key_a"}

# (method, path, request kwargs factory, {role: expected status}); roles not listed get 403,
# and anonymous always gets 401.
MATRIX: list[tuple[str, str, Any, dict[str, int]]] = [
    ("POST", "/v1/accounts", _new_accreditor, {"department": 201}),
    ("POST", f"{_BASE}/api-keys", lambda: {"json": {"label": "sis"}}, {"principal_a": 201}),
    ("POST", f"{_BASE}/imports", _bad_csv, dict.fromkeys(_READERS, 201)),
    ("GET", f"{_BASE}/imports/999999", dict, dict.fromkeys(_READERS, 404)),
    ("POST", f"{_BASE}/imports/999999/approve", dict, {"principal_a": 404}),
    ("GET", f"{_BASE}/batches", dict, dict.fromkeys(_READERS, 200)),
    ("GET", f"{_BASE}/credentials", dict, dict.fromkeys(_READERS, 200)),
    ("POST", f"{_CRED}/revoke", lambda: _REASON, {"principal_a": 404}),
    ("POST", f"{_CRED}/suspend", lambda: _REASON, {"principal_a": 404}),
    ("POST", f"{_CRED}/reinstate", lambda: _REASON, {"principal_a": 404}),
    ("POST", f"{_CRED}/reissue", _bad_csv, {"principal_a": 404}),
    ("GET", f"{_BASE}/audit", dict, {"principal_a": 200, "department": 200}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "kwargs", "allowed"), MATRIX,
                         ids=[f"{m} {p.removeprefix(_BASE)}" for m, p, _, _ in MATRIX])
def test_role_matrix(world: World, role: str, method: str, path: str, kwargs: Any,
                     allowed: dict[str, int]) -> None:
    expected = 401 if role == "anonymous" else allowed.get(role, 403)
    response = world.client.request(method, path, headers=world.headers[role], **kwargs())
    assert response.status_code == expected, response.text


def test_logout_ends_session(world: World) -> None:
    headers = _login(world.client, "giao-vu-a")
    assert world.client.delete("/v1/session", headers=headers).status_code == 204
    assert world.client.get(f"{_BASE}/batches", headers=headers).status_code == 401


def test_login_wrong_password(world: World) -> None:
    response = world.client.post("/v1/session", json={"login": "so-gd", "password": "sai" * 5})
    assert response.status_code == 401


def test_session_cookie_flags(world: World) -> None:
    response = world.client.post("/v1/session", json={"login": "so-gd", "password": PASSWORD})
    world.client.cookies.clear()
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


def test_cookie_post_needs_csrf(world: World) -> None:
    headers = {"Cookie": world.headers["principal_a"]["Cookie"]}
    response = world.client.post(f"{_CRED}/suspend", headers=headers, json={"reason": "x"})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_invalid"


def test_no_cors_headers(world: World) -> None:
    headers = {**world.headers["principal_a"], "Origin": "https://evil.example"}
    response = world.client.get(f"{_BASE}/batches", headers=headers)
    assert "access-control-allow-origin" not in response.headers


def test_accreditor_creates_principal(world: World) -> None:
    body = {"login": "hieu-truong-a2", "displayName": "Hiệu trưởng A2", "role": "principal",
            "password": PASSWORD, "schoolCode": SCHOOL_A}
    response = world.client.post("/v1/accounts", headers=world.headers["accreditor"], json=body)
    assert response.status_code == 201


def test_accreditor_other_unit_forbidden(world: World) -> None:
    create_user(world.network.engine, login="xa-khac", display_name="xã khác",
                role="accreditor", password=PASSWORD, admin_unit_code="27011")
    headers = _login(world.client, "xa-khac")
    body = {"login": "hieu-truong-x", "displayName": "X", "role": "principal",
            "password": PASSWORD, "schoolCode": SCHOOL_A}
    assert world.client.post("/v1/accounts", headers=headers, json=body).status_code == 403


def test_stored_password_is_argon2(world: World) -> None:
    from sqlmodel import Session, select

    from hocba.db import UserAccount
    with Session(world.network.engine) as db:
        account = db.exec(select(UserAccount).where(UserAccount.login == "so-gd")).one()
    assert account.password_hash.startswith("$argon2id$")


# Flows -----------------------------------------------------------------------


def _verify(world: World, credential: dict[str, Any]) -> Status:
    data = json.dumps(credential, ensure_ascii=False).encode()
    return verify_credential(data, world.instance.verifier_context(), source="test").status


def _stored(world: World, credential_id: str) -> dict[str, Any]:
    stored = world.instance.lookup_credential(credential_id)
    assert stored is not None
    return json.loads(stored)


@pytest.fixture(scope="module")
def issued_ids(world: World) -> list[str]:
    principal = world.headers["principal_a"]
    files = {"file": ("lop.csv", io.BytesIO(world.class_csv), "text/csv")}
    # The school_code form field names school B; it is ignored.
    upload = world.client.post(f"{_BASE}/imports", headers=world.headers["staff_a"],
                               files=files, data={"school_code": SCHOOL_B, "issuer": "x"})
    assert upload.status_code == 201
    job = upload.json()
    assert job["preview"]["problems"] == []
    approved = world.client.post(f"{_BASE}/imports/{job['id']}/approve", headers=principal)
    assert approved.status_code == 201, approved.text
    return approved.json()["credentials"]


def test_preview_lists_rows(world: World) -> None:
    files = {"file": ("lop.csv", world.class_csv, "text/csv")}
    response = world.client.post(f"{_BASE}/imports", headers=world.headers["key_a"], files=files)
    assert len(response.json()["preview"]["rows"]) == 3


def test_issued_valid(world: World, issued_ids: list[str]) -> None:
    assert _verify(world, _stored(world, issued_ids[0])) == Status.VALID


def test_issuer_from_path_school(world: World, issued_ids: list[str]) -> None:
    issuer = _stored(world, issued_ids[0])["issuer"]
    assert issuer["schoolCode"] == SCHOOL_A


def test_other_school_sees_nothing(world: World, issued_ids: list[str]) -> None:
    path = f"/v1/schools/{SCHOOL_B}/credentials"
    body = world.client.get(path, headers=world.headers["principal_b"]).json()
    assert body["credentials"] == []


def test_other_school_cannot_revoke(world: World, issued_ids: list[str]) -> None:
    path = f"/v1/schools/{SCHOOL_B}/credentials/{issued_ids[0]}/revoke"
    response = world.client.post(path, headers=world.headers["principal_b"],
                                 json={"reason": "thử"})
    assert response.status_code == 404


def test_mass_assignment_rejected(world: World, issued_ids: list[str]) -> None:
    body = {"reason": "thử", "issuer": "did:pkh:eip155:1:0x0", "schoolCode": SCHOOL_B}
    response = world.client.post(f"{_BASE}/credentials/{issued_ids[0]}/suspend",
                                 headers=world.headers["principal_a"], json=body)
    assert response.status_code == 422


def test_revoke_flow(world: World, issued_ids: list[str]) -> None:
    response = world.client.post(f"{_BASE}/credentials/{issued_ids[0]}/revoke",
                                 headers=world.headers["principal_a"],
                                 json={"reason": "cấp nhầm", "reasonCode": 2})
    assert response.status_code == 200, response.text
    assert _verify(world, _stored(world, issued_ids[0])) == Status.REVOKED


def test_suspend_reinstate_flow(world: World, issued_ids: list[str]) -> None:
    principal = world.headers["principal_a"]
    path = f"{_BASE}/credentials/{issued_ids[1]}"
    suspended = world.client.post(f"{path}/suspend", headers=principal,
                                  json={"reason": "đang xác minh"})
    assert suspended.status_code == 200, suspended.text
    assert _verify(world, _stored(world, issued_ids[1])) == Status.SUSPENDED
    reinstated = world.client.post(f"{path}/reinstate", headers=principal,
                                   json={"reason": "đã xác minh"})
    assert reinstated.status_code == 200, reinstated.text
    assert _verify(world, _stored(world, issued_ids[1])) == Status.VALID


def test_reissue_flow(world: World, issued_ids: list[str], tmp_path: Any) -> None:
    student = replace(world.class_records.students[2], remark="Nhận xét đã đính chính.")
    corrected = replace(world.class_records, students=[student])
    files = {"file": ("dinh-chinh.csv", _csv_bytes(corrected, tmp_path, "d.csv"), "text/csv")}
    response = world.client.post(f"{_BASE}/credentials/{issued_ids[2]}/reissue",
                                 headers=world.headers["principal_a"], files=files,
                                 data={"reason": "sai nhận xét"})
    assert response.status_code == 201, response.text
    new = response.json()["credential"]
    assert new["replaces"] == issued_ids[2]
    assert _verify(world, new) == Status.VALID
    assert _verify(world, _stored(world, issued_ids[2])) == Status.REVOKED


def test_audit_has_who_when_why(world: World, issued_ids: list[str]) -> None:
    world.client.post(f"{_BASE}/credentials/{issued_ids[1]}/suspend",
                      headers=world.headers["principal_a"], json={"reason": "lý do kiểm toán"})
    events = world.client.get(f"{_BASE}/audit", headers=world.headers["department"]).json()
    event = next(e for e in events["events"] if e["reason"] == "lý do kiểm toán")
    assert event["actor"] == "hieu-truong-a"
    assert event["action"] == "suspend"
    assert event["at"]


@pytest.mark.parametrize(("action", "body"), [
    ("revoke", {"reason": "thử", "reasonCode": 2, "issuer": "did:pkh:eip155:1:0x0"}),
    ("reinstate", {"reason": "thử", "schoolCode": SCHOOL_B}),
    ("suspend", {"reason": "thử", "issuerAccount": "0x" + "00" * 20}),
])
def test_extra_issuer_field_rejected(world: World, issued_ids: list[str], action: str,
                                     body: dict[str, object]) -> None:
    before = _verify(world, _stored(world, issued_ids[-1]))
    response = world.client.post(f"{_BASE}/credentials/{issued_ids[-1]}/{action}",
                                 headers=world.headers["principal_a"], json=body)
    assert response.status_code == 422
    assert _verify(world, _stored(world, issued_ids[-1])) == before


# Mass assignment on account creation ------------------------------------------


def _account(world: World, login: str) -> Any:
    from sqlmodel import Session, select

    from hocba.db import UserAccount
    with Session(world.network.engine) as db:
        return db.exec(select(UserAccount).where(UserAccount.login == login)).first()


@pytest.mark.parametrize("extra", [
    {"createdBy": "so-gd"},
    {"disabled": False},
    {"id": 1},
    {"passwordHash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"},
    {"issuer": "did:pkh:eip155:1:0x0"},
    {"school_code": SCHOOL_B},
], ids=lambda extra: next(iter(extra)))
def test_account_extra_field_rejected(world: World, extra: dict[str, object]) -> None:
    login = f"xa-thua-{next(_logins)}"
    body = {"login": login, "displayName": "UBND xã", "role": "accreditor",
            "password": PASSWORD, "adminUnitCode": "27011", **extra}
    response = world.client.post("/v1/accounts", headers=world.headers["department"], json=body)
    assert response.status_code == 422
    assert _account(world, login) is None


def test_department_school_code_dropped(world: World) -> None:
    body = {"login": "xa-co-truong", "displayName": "UBND xã", "role": "accreditor",
            "password": PASSWORD, "adminUnitCode": "27011", "schoolCode": SCHOOL_B}
    response = world.client.post("/v1/accounts", headers=world.headers["department"], json=body)
    assert response.status_code == 201
    assert response.json()["schoolCode"] is None
    assert _account(world, "xa-co-truong").school_code is None
    headers = _login(world.client, "xa-co-truong")
    batches = world.client.get(f"/v1/schools/{SCHOOL_B}/batches", headers=headers)
    assert batches.status_code == 403


def test_principal_unit_code_dropped(world: World) -> None:
    body = {"login": "hieu-truong-don-vi", "displayName": "Hiệu trưởng", "role": "principal",
            "password": PASSWORD, "schoolCode": SCHOOL_A, "adminUnitCode": "27011"}
    response = world.client.post("/v1/accounts", headers=world.headers["accreditor"], json=body)
    assert response.status_code == 201
    stored = _account(world, "hieu-truong-don-vi")
    assert stored.admin_unit_code is None
    assert stored.school_code == SCHOOL_A


@pytest.mark.parametrize(("creator", "role", "scope"), [
    ("accreditor", "department", {"schoolCode": SCHOOL_A}),
    ("accreditor", "accreditor", {"adminUnitCode": "27011"}),
    ("accreditor", "principal", {}),
    ("accreditor", "school_staff", {"schoolCode": "79999999"}),
    ("principal_a", "principal", {"schoolCode": SCHOOL_A}),
    ("principal_a", "school_staff", {"schoolCode": SCHOOL_A}),
    ("staff_a", "principal", {"schoolCode": SCHOOL_A}),
    ("key_a", "school_staff", {"schoolCode": SCHOOL_A}),
    ("principal_b", "principal", {"schoolCode": SCHOOL_A}),
])
def test_account_outside_scope_forbidden(world: World, creator: str, role: str,
                                         scope: dict[str, str]) -> None:
    login = f"ngoai-pham-vi-{next(_logins)}"
    body = {"login": login, "displayName": "Ngoài phạm vi", "role": role,
            "password": PASSWORD, **scope}
    response = world.client.post("/v1/accounts", headers=world.headers[creator], json=body)
    assert response.status_code == 403
    assert _account(world, login) is None
