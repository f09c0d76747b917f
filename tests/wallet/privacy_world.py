"""A school with an issued class, staff accounts and wallets, for the privacy tests.

The class is issued through the school API (upload, then the principal approves),
so the database contains what a real school's does: the import job with its file,
credential rows with salts, signed PDFs on disk and audit events. Wallet rows are
written directly, as a claim would leave them, with a device session whose cookie
the tests send.
"""

from __future__ import annotations

import io
import json
import secrets
import warnings
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session
from starlette.exceptions import StarletteDeprecationWarning

from api import create_app
from hocba.accounts import create_user, token_digest
from hocba.chain import connect_embedded
from hocba.db_wallet import ClaimLink, ShareLink, Wallet, WalletCredential, WalletSession
from hocba.instance import Instance
from issuer.importer import write_class_csv
from scripts.sample_data import generate_school
from tests.network import Network, build_network
from wallet.consent import is_minor, record_consent, today_in_vietnam

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

SCHOOL = "79785401"
OTHER_SCHOOL = "79785402"
PASSWORD = "mật khẩu thử nghiệm 2026"
STUDENTS = 4


@dataclass
class Learner:
    """One issued student: the values that must vanish after a deletion."""

    credential_id: str
    name: str
    birth_date: str
    learner_id: str

    def marks(self) -> list[str]:
        day = datetime.strptime(self.birth_date, "%Y-%m-%d")
        return [self.name, self.birth_date, f"{day:%d/%m/%Y}", self.learner_id]


@dataclass
class World:
    network: Network
    instance: Instance
    client: TestClient
    learners: list[Learner]
    staff_cookies: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def engine(self) -> Any:
        return self.network.engine


def _login(client: TestClient, login: str) -> dict[str, str]:
    response = client.post("/v1/session", json={"login": login, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token = response.cookies["hocba_session"]
    client.cookies.clear()
    return {"hocba_session": token, "csrf": response.json()["csrfToken"]}


def staff_headers(login: dict[str, str]) -> dict[str, str]:
    """Return the headers of an API request in a staff login session."""
    return {"Cookie": f"hocba_session={login['hocba_session']}", "X-CSRF-Token": login["csrf"]}


def build_world(home: Path) -> tuple[World, Any]:
    """Issue a class of ``STUDENTS`` through the API; return the world and the open client."""
    network = build_network(connect_embedded(), home / "home")
    network.register(OTHER_SCHOOL, "Trường THCS Thử Nghiệm B")
    settings = replace(network.settings, key_passphrase="test passphrase")
    instance = Instance(settings, _chain=network.chain,
                        _registry_address=network.registry.address)

    accounts = {"staff": ("giao-vu", "school_staff", SCHOOL),
                "principal": ("hieu-truong", "principal", SCHOOL),
                "other_principal": ("hieu-truong-b", "principal", OTHER_SCHOOL)}
    for login, role, school in accounts.values():
        create_user(network.engine, login=login, display_name=login, role=role,
                    password=PASSWORD, school_code=school)
    records = generate_school(7, "2025-2026")[1]
    records = replace(records, students=records.students[:STUDENTS])
    class_csv = write_class_csv(records, home / "lop.csv").read_bytes()

    context = TestClient(create_app(instance))
    client = context.__enter__()
    cookies = {role: _login(client, login) for role, (login, *_rest) in accounts.items()}
    staff = cookies["staff"]
    upload = client.post(f"/v1/schools/{SCHOOL}/imports", headers=staff_headers(staff),
                         files={"file": ("lop.csv", io.BytesIO(class_csv), "text/csv")})
    assert upload.status_code == 201, upload.text
    principal = cookies["principal"]
    approved = client.post(f"/v1/schools/{SCHOOL}/imports/{upload.json()['id']}/approve",
                           headers=staff_headers(principal))
    assert approved.status_code == 201, approved.text
    client.cookies.clear()

    learners = []
    for credential_id in approved.json()["credentials"]:
        stored = json.loads(instance.lookup_credential(credential_id) or b"{}")
        ids = {item["identityType"]: item["identityHash"]
               for item in stored["credentialSubject"]["identifier"]}
        learners.append(Learner(credential_id, ids["name"], ids["ext:birthDate"],
                                ids.get("studentId", "")))
    world = World(network, instance, client, learners, cookies)
    return world, context


def issue_at_other_school(world: World, home: Path) -> list[str]:
    """Issue a small class at ``OTHER_SCHOOL`` through the API; return the credential ids."""
    records = generate_school(8, "2025-2026")[1]
    records = replace(records, students=records.students[:2])
    class_csv = write_class_csv(records, home / "lop-b.csv").read_bytes()
    principal = staff_headers(world.staff_cookies["other_principal"])
    upload = world.client.post(f"/v1/schools/{OTHER_SCHOOL}/imports", headers=principal,
                               files={"file": ("lop-b.csv", io.BytesIO(class_csv), "text/csv")})
    assert upload.status_code == 201, upload.text
    approved = world.client.post(
        f"/v1/schools/{OTHER_SCHOOL}/imports/{upload.json()['id']}/approve", headers=principal)
    assert approved.status_code == 201, approved.text
    world.client.cookies.clear()
    return list(approved.json()["credentials"])


def make_wallet(world: World, learner: Learner, *, acting_as: str | None = None,
                birth_date: str | None = None) -> str:
    """Write the rows a claim by ``learner`` leaves, plus a share and a consent; return the cookie.

    The session acts as guardian for a learner under 16 unless ``acting_as`` names another role.
    """
    if acting_as is None:
        minor = is_minor(birth_date or learner.birth_date, today_in_vietnam())
        acting_as = "guardian" if minor else "student"
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with Session(world.engine) as db:
        wallet = Wallet(public_id=secrets.token_hex(8), learner_key=learner.learner_id or None,
                        display_name=learner.name,
                        birth_date=learner.birth_date if birth_date is None else birth_date,
                        guardian_name="Trần Thị Giám Hộ" if acting_as == "guardian" else None)
        db.add(wallet)
        db.flush()
        wallet_id = int(wallet.id or 0)
        claim = ClaimLink(token_hash=token_digest(secrets.token_urlsafe(32)), school_code=SCHOOL,
                          learner_key=learner.learner_id or None, learner_name=learner.name,
                          birth_date=learner.birth_date,
                          credential_ids=json.dumps([learner.credential_id]),
                          claimant=acting_as, created_by="giao-vu",
                          expires_at=now + timedelta(days=30), claimed_at=now,
                          wallet_id=wallet_id)
        db.add(claim)
        db.add(WalletCredential(wallet_id=wallet_id, credential_id=learner.credential_id))
        db.flush()
        db.add(WalletSession(token_hash=token_digest(token), wallet_id=wallet_id,
                             claim_id=claim.id, acting_as=acting_as,
                             expires_at=now + timedelta(days=180)))
        consent = record_consent(db, wallet_id=wallet_id, given_by=acting_as,
                                 giver_name=learner.name if acting_as == "student"
                                 else "Trần Thị Giám Hộ",
                                 purpose="Nộp hồ sơ tuyển sinh", recipient="THPT Thử Nghiệm",
                                 scope={"credential_ids": [learner.credential_id]})
        db.add(ShareLink(id=secrets.token_urlsafe(16), wallet_id=wallet_id,
                         ciphertext=secrets.token_bytes(64), label="Tuyển sinh lớp 10",
                         consent_id=consent.id, expires_at=now + timedelta(days=7)))
        db.commit()
    return token
