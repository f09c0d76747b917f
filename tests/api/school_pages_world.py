"""A live app with two schools and one account per role, logged in through the login form.

Shared by the page tests; every client keeps its own cookies, as one browser per person.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

from api import create_app
from hocba.accounts import create_user
from hocba.chain import connect_embedded
from hocba.instance import Instance
from issuer.importer import write_class_csv
from scripts.sample_data import generate_school
from tests.network import COMMUNE, Network, build_network

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

SCHOOL_A = "79785401"
SCHOOL_B = "79785402"
PASSWORD = "mật khẩu thử nghiệm 2026"
MISSING = "00000000-0000-4000-8000-000000000000"
ACCOUNTS = {
    "department": ("so-gd", "department", None, None),
    "accreditor": ("xa-phu-hoa-dong", "accreditor", None, COMMUNE),
    "staff_a": ("giao-vu-a", "school_staff", SCHOOL_A, None),
    "principal_a": ("hieu-truong-a", "principal", SCHOOL_A, None),
    "principal_b": ("hieu-truong-b", "principal", SCHOOL_B, None),
}


@dataclass
class PageWorld:
    """The network, the instance, one logged-in client per role and two class files."""

    network: Network
    instance: Instance
    clients: dict[str, TestClient]
    class_csv: bytes
    bad_csv: bytes
    class_records: Any

    def csrf(self, role: str) -> str:
        return self.clients[role].cookies.get("hocba_csrf") or ""


def bad_copy(class_csv: bytes, row_index: int, column: str, value: str) -> bytes:
    """Return ``class_csv`` with one cell of student row ``row_index`` (0-based) replaced."""
    text = class_csv.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    rows[row_index + 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def login(client: TestClient, login_name: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"login": login_name, "password": password})


def build_world(home: Path, students: int = 3) -> Iterator[PageWorld]:
    network = build_network(connect_embedded(), home / "home")
    network.register(SCHOOL_B, "Trường THCS Thử Nghiệm B")
    settings = replace(network.settings, key_passphrase="test passphrase")
    instance = Instance(settings, _chain=network.chain,
                        _registry_address=network.registry.address)
    for login_name, role, school, unit in ACCOUNTS.values():
        create_user(network.engine, login=login_name, display_name=login_name, role=role,
                    password=PASSWORD, school_code=school, admin_unit_code=unit)
    records = generate_school(11, "2025-2026")[0]
    records = replace(records, students=records.students[:students])
    class_csv = write_class_csv(records, home / "lop.csv").read_bytes()
    bad = bad_copy(class_csv, 1, "Toán HKI", "11")
    app = create_app(instance, requests_per_minute=0)
    clients = {"anonymous": TestClient(app, follow_redirects=False)}
    for role, (login_name, *_) in ACCOUNTS.items():
        client = TestClient(app, follow_redirects=False)
        response = login(client, login_name)
        assert response.status_code == 303, response.text
        clients[role] = client
    try:
        yield PageWorld(network, instance, clients, class_csv, bad, records)
    finally:
        for client in clients.values():
            client.close()
