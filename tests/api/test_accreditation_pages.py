"""Department and accreditor pages over the in-process chain, as every role.

The matrix opens every page and sends every form once (without confirmation, so
nothing is written) as each role. The flows below it confirm the forms and check
what reached the registry, the database and the history page.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from sqlmodel import Session, select
from starlette.exceptions import StarletteDeprecationWarning

from api import create_app
from hocba.accounts import create_user
from hocba.chain import connect_embedded
from hocba.db import AuditEvent, UserAccount
from hocba.instance import Instance
from hocba.status import Status
from issuer.accreditation import SchoolRegistration, appoint_accreditor, find_school
from issuer.accreditation_history import read_school_history
from issuer.curriculum import load_curriculum
from issuer.issuance import anchor_batch, prepare_batch
from scripts.sample_data import generate_school
from tests.network import COMMUNE, Network, build_network
from verifier.engine import VerifierContext, verify_credential

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PASSWORD = "mật khẩu thử nghiệm 2026"
SCHOOL_A = "79785401"
SCHOOL_B = "79785402"
COMMUNE_B = "27013"
TX_HASH = re.compile(r"0x[0-9a-f]{64}")
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')

ACCOUNTS = {
    "department": ("so-gd", "department", None, None),
    "accreditor_a": ("xa-phu-hoa-dong", "accreditor", None, COMMUNE),
    "accreditor_b": ("xa-cu-chi", "accreditor", None, COMMUNE_B),
    "staff_a": ("giao-vu-a", "school_staff", SCHOOL_A, None),
    "principal_a": ("hieu-truong-a", "principal", SCHOOL_A, None),
}


@dataclass
class World:
    network: Network
    instance: Instance
    app: object
    clients: dict[str, TestClient]


def _login(app: object, login: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    response = client.post("/login", data={"login": login, "password": password})
    assert response.status_code == 303
    return client


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("accreditation")
    network = build_network(connect_embedded(), home / "home")
    appoint_accreditor(network.keys, network.registry, admin_unit_code=COMMUNE_B,
                       name="UBND xã Củ Chi")
    from issuer.accreditation import register_school

    register_school(network.keys, network.registry, network.engine,
                    SchoolRegistration(SCHOOL_B, COMMUNE_B, "Trường Tiểu học Củ Chi", ""),
                    accreditor_unit_code=COMMUNE_B)
    settings = replace(network.settings, key_passphrase="test passphrase")
    instance = Instance(settings, _chain=network.chain,
                        _registry_address=network.registry.address)
    for login, role, school, unit in ACCOUNTS.values():
        create_user(network.engine, login=login, display_name=login, role=role,
                    password=PASSWORD, school_code=school, admin_unit_code=unit)
    app = create_app(instance, requests_per_minute=0)
    clients = {role: _login(app, login) for role, (login, *_) in ACCOUNTS.items()}
    clients["anonymous"] = TestClient(app, follow_redirects=False)
    yield World(network, instance, app, clients)
    for client in clients.values():
        client.close()


def _csrf(client: TestClient) -> str:
    return client.cookies.get("hocba_csrf") or ""


def _submit(client: TestClient, path: str, data: dict[str, str]) -> tuple[int, str]:
    """Send a form, then confirm it with the fields the confirmation page carries."""
    first = client.post(path, data={"csrf_token": _csrf(client), **data})
    if first.status_code != 200 or 'name="confirmed"' not in first.text:
        return first.status_code, first.text
    fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(first.text)}
    second = client.post(path, data=fields)
    return second.status_code, second.text


def _appoint_form(unit: str, login: str) -> dict[str, str]:
    return {"unit_code": unit, "unit_name": f"UBND xã thử {unit}", "login": login,
            "reason": "kiểm tra"}


# (method, path, form, {role: expected status}); other signed-in roles get 403 and the
# anonymous visitor is sent to the login form (303).
MATRIX = [
    ("GET", "/department", None, {"department": 200}),
    ("GET", "/department/audit", None, {"department": 200}),
    ("GET", f"/department/schools/{SCHOOL_A}", None, {"department": 200}),
    ("POST", "/department/accreditors", _appoint_form("27099", "x"), {"department": 200}),
    ("POST", f"/department/accreditors/{COMMUNE_B}/remove", {"reason": "thử"},
     {"department": 200}),
    ("POST", f"/department/schools/{SCHOOL_A}/reassign", {"new_unit": COMMUNE_B, "reason": "t"},
     {"department": 200}),
    ("GET", "/accreditor", None, {"accreditor_a": 200, "accreditor_b": 200}),
    ("POST", "/accreditor/schools", {"school_code": "1", "school_name": "T"},
     {"accreditor_a": 200, "accreditor_b": 200}),
    ("GET", f"/accreditor/schools/{SCHOOL_A}", None, {"accreditor_a": 200}),
    ("GET", f"/accreditor/schools/{SCHOOL_B}", None, {"accreditor_b": 200}),
    ("POST", f"/accreditor/schools/{SCHOOL_A}/rename", {"new_name": "Tên"},
     {"accreditor_a": 200}),
    ("POST", f"/accreditor/schools/{SCHOOL_A}/withdraw", {"reason": "thử"},
     {"accreditor_a": 200}),
    ("POST", f"/accreditor/schools/{SCHOOL_A}/keys/rotate", {}, {"accreditor_a": 200}),
    ("POST", f"/accreditor/schools/{SCHOOL_A}/keys/revoke", {"public_key": "11" * 32,
                                                            "reason": "thử"},
     {"accreditor_a": 200}),
]
ROLES = ("anonymous", "department", "accreditor_a", "accreditor_b", "staff_a", "principal_a")


@pytest.mark.parametrize(("method", "path", "form", "allowed"), MATRIX,
                         ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_role_matrix(world: World, method: str, path: str, form: dict[str, str] | None,
                     allowed: dict[str, int]) -> None:
    for role in ROLES:
        client = world.clients[role]
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": _csrf(client), **(form or {})})
        expected = 303 if role == "anonymous" else allowed.get(role, 403)
        assert (role, response.status_code) == (role, expected)


def test_confirmation_writes_nothing(world: World) -> None:
    client = world.clients["accreditor_a"]
    response = client.post(f"/accreditor/schools/{SCHOOL_A}/rename",
                           data={"csrf_token": _csrf(client), "new_name": "Chưa xác nhận"})
    assert "Chưa xác nhận" in response.text
    assert find_school(world.network.engine, SCHOOL_A).name != "Chưa xác nhận"


def test_form_without_csrf_rejected(world: World) -> None:
    client = world.clients["accreditor_a"]
    response = client.post(f"/accreditor/schools/{SCHOOL_A}/rename",
                           data={"new_name": "X", "confirmed": "yes"})
    assert response.status_code == 403


def test_department_cannot_open_school_pages(world: World) -> None:
    response = world.clients["department"].get(f"/school/{SCHOOL_A}")
    assert response.status_code == 403


def test_appoint_creates_login(world: World) -> None:
    status, body = _submit(world.clients["department"], "/department/accreditors",
                           _appoint_form("27011", "xa-nhuan-duc"))
    password = re.search(r"data-initial-password>([^<]+)<", body)
    assert status == 200
    assert TX_HASH.search(body) is not None
    assert password is not None
    client = _login(world.app, "xa-nhuan-duc", html.unescape(password.group(1)))
    assert "UBND xã thử 27011" in client.get("/accreditor").text
    client.close()


def test_appoint_twice_shows_vietnamese_error(world: World) -> None:
    status, body = _submit(world.clients["department"], "/department/accreditors",
                           _appoint_form(COMMUNE, "xa-trung"))
    assert status == 409
    assert "đã được chỉ định từ khối" in body


def _register(world: World, code: str, name: str) -> str:
    status, body = _submit(world.clients["accreditor_a"], "/accreditor/schools",
                           {"school_code": code, "school_name": name, "principal": "Lê Thị Hoa",
                            "principal_login": f"ht-{code}"})
    assert status == 200
    return body


def test_register_creates_principal(world: World) -> None:
    body = _register(world, "79785410", "Trường Mầm non Tân An Hội")
    password = html.unescape(re.search(r"data-initial-password>([^<]+)<", body).group(1))
    principal = _login(world.app, "ht-79785410", password)
    assert principal.get("/login").status_code == 200
    assert len(TX_HASH.findall(body)) == 2
    with Session(world.network.engine) as db:
        account = db.exec(select(UserAccount).where(UserAccount.login == "ht-79785410")).one()
    assert account.school_code == "79785410"
    principal.close()


def test_register_shows_no_private_key(world: World) -> None:
    body = _register(world, "79785411", "Trường Tiểu học Bình Mỹ")
    signer_key = world.network.keys.signing_key("school:79785411:signing")
    assert signer_key.private_bytes_raw().hex() not in body


def test_rename_rotate_withdraw_history(world: World) -> None:
    code = "79785412"
    _register(world, code, "Trường THCS Thái Mỹ")
    client = world.clients["accreditor_a"]
    base = f"/accreditor/schools/{code}"
    old_key = find_school(world.network.engine, code).signing_key
    assert _submit(client, f"{base}/rename", {"new_name": "Trường THCS Thái Mỹ 2"})[0] == 200
    assert _submit(client, f"{base}/keys/rotate", {"reason": "định kỳ"})[0] == 200
    status, _ = _submit(client, f"{base}/withdraw", {"reason": "giải thể"})
    assert status == 200
    page = client.get(base).text
    assert "Trường THCS Thái Mỹ</td>" in page
    assert "Trường THCS Thái Mỹ 2" in page
    assert page.count('data-key="') == 2
    assert f'data-key="{old_key}"' in page
    assert "Đã rút công nhận từ khối" in page
    with Session(world.network.engine) as db:
        actions = [row.action for row in db.exec(
            select(AuditEvent).where(AuditEvent.school_code == code).order_by(AuditEvent.id))]
    assert actions == ["accredit", "rename", "rotate_key", "withdraw"]


def test_withdraw_later_cutoff_rejected(world: World) -> None:
    code = "79785413"
    _register(world, code, "Trường Tiểu học Nhuận Đức")
    client = world.clients["accreditor_a"]
    base = f"/accreditor/schools/{code}"
    account = find_school(world.network.engine, code).account
    start = int(world.network.registry.issuer(account)["accreditedFrom"])
    assert _submit(client, f"{base}/withdraw", {"reason": "gian lận",
                                                "cutoff_block": str(start + 1)})[0] == 200
    status, body = _submit(client, f"{base}/withdraw", {"reason": "lần hai",
                                                        "cutoff_block": str(start + 2)})
    assert status == 409
    assert "chỉ được dời sớm hơn" in body


def test_withdraw_future_date_rejected(world: World) -> None:
    client = world.clients["accreditor_a"]
    status, body = _submit(client, f"/accreditor/schools/{SCHOOL_A}/withdraw",
                           {"reason": "thử", "effective": "2099-01-01T08:00"})
    assert status == 422
    assert "tương lai" in body


def test_reassign_moves_area(world: World) -> None:
    code = "79785414"
    _register(world, code, "Trường Mầm non An Nhơn Tây")
    status, _ = _submit(world.clients["department"], f"/department/schools/{code}/reassign",
                        {"new_unit": COMMUNE_B, "reason": "điều chỉnh địa giới"})
    assert status == 200
    assert world.clients["accreditor_a"].get(f"/accreditor/schools/{code}").status_code == 403
    page = world.clients["accreditor_b"].get(f"/accreditor/schools/{code}").text
    assert "UBND xã Củ Chi (27013)" in page
    assert "UBND xã Phú Hòa Đông (27010)" in page


def test_remove_accreditor_disables_login(world: World) -> None:
    _submit(world.clients["department"], "/department/accreditors",
            _appoint_form("27012", "xa-tam-thoi"))
    status, _ = _submit(world.clients["department"], "/department/accreditors/27012/remove",
                        {"reason": "thôi nhiệm vụ"})
    with Session(world.network.engine) as db:
        account = db.exec(select(UserAccount).where(UserAccount.login == "xa-tam-thoi")).one()
    assert status == 200
    assert account.disabled


def test_english_page(world: World) -> None:
    page = world.clients["department"].get("/department?lang=en").text
    assert "Appoint an accreditor" in page


def test_credential_before_rename_valid(world: World) -> None:
    network = world.network
    first = generate_school(7, "2025-2026")[2]
    prepared = prepare_batch(replace(first, students=first.students[:2]), network.school,
                             curriculum=load_curriculum())
    batch = anchor_batch(prepared, network.school, registry=network.registry,
                         engine=network.engine)
    old_name = network.school.identity.name
    status, _ = _submit(world.clients["accreditor_a"], f"/accreditor/schools/{SCHOOL_A}/rename",
                        {"new_name": "Trường THCS Phú Hòa Đông (tên mới)"})
    credential = batch.credentials[0].credential
    context = VerifierContext(network.settings, chains={network.chain.chain_id: network.chain})
    result = verify_credential(json.dumps(credential), context)
    names = read_school_history(network.registry, network.school.account.address).names
    assert status == 200
    assert result.status is Status.VALID
    # The verifier shows the registry's current name; the credential keeps the old one.
    assert result.issuer["name"] == "Trường THCS Phú Hòa Đông (tên mới)"
    assert credential["issuer"]["name"] == old_name
    assert names[0].name == old_name
    assert names[0].from_block <= batch.tx.block_number < names[1].from_block
