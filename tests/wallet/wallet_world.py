"""Two schools with anchored classes and stored PDFs, a live app, and a staff login.

Shared by the claim, share and wallet page tests. School A's class has two learners
aged 16 or more (they claim for themselves), one of 14 (a guardian claims) and one of
8 (a guardian claims, and the child must agree to sharing). Every client keeps its
own cookies, as one phone per person.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch

from starlette.exceptions import StarletteDeprecationWarning

from api import create_app
from hocba.accounts import create_user
from hocba.chain import connect_embedded
from hocba.instance import Instance
from issuer.curriculum import load_curriculum
from issuer.issuance import AnchoredBatch, SchoolSigner, anchor_batch, prepare_batch, write_pdfs
from scripts.sample_data import generate_school
from tests.network import Network, build_network

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["SCHOOL_A", "SCHOOL_B", "WalletWorld", "build_world", "new_client"]

SCHOOL_A = "79785401"
SCHOOL_B = "79785402"
PASSWORD = "mật khẩu thử nghiệm 2026"
BIRTH_DATES = (date(2008, 3, 1), date(2009, 6, 15), date(2012, 3, 25), date(2018, 1, 10))


@dataclass
class WalletWorld:
    """The network, the app, both schools' batches and a logged-in staff client of school A."""

    network: Network
    instance: Instance
    app: Any
    batch_a: AnchoredBatch
    batch_b: AnchoredBatch
    staff: TestClient
    staff_csrf: str

    def batch_id(self, batch: AnchoredBatch) -> int:
        return int(batch.batch_id)

    def claim_urls(self, batch: AnchoredBatch | None = None, **body: Any) -> list[dict[str, Any]]:
        """Create claim links through the API as school A's staff; return the links."""
        payload = body or {"batchId": self.batch_id(batch or self.batch_a)}
        response = self.staff.post(f"/v1/schools/{SCHOOL_A}/claims", json=payload,
                                   headers={"X-CSRF-Token": self.staff_csrf})
        assert response.status_code == 201, response.text
        return response.json()["links"]


def new_client(world: WalletWorld) -> TestClient:
    """A fresh client with no cookies: another phone or browser."""
    return TestClient(world.app, base_url="http://127.0.0.1")


def _issue(network: Network, signer: SchoolSigner, home: Path, label: str,
           birth_dates: tuple[date, ...]) -> AnchoredBatch:
    first = generate_school(7, "2025-2026")[2]
    students = [replace(student, birth_date=born)
                for student, born in zip(first.students, birth_dates, strict=False)]
    class_records = replace(first, students=students)
    prepared = prepare_batch(class_records, signer, curriculum=load_curriculum())
    batch = anchor_batch(prepared, signer, registry=network.registry, engine=network.engine)
    write_pdfs(batch, home / label, verify_base_url=network.settings.verify_base_url,
               issued_on=datetime.now(UTC).date(), engine=network.engine)
    return batch


def build_world(home: Path) -> WalletWorld:
    """Issue a class in each school, start the app and log in school A's staff."""
    network = build_network(connect_embedded(), home / "home")
    school_b = network.register(SCHOOL_B, "Trường THCS Thái Mỹ")
    batch_a = _issue(network, network.school, home, "a", BIRTH_DATES)
    batch_b = _issue(network, school_b, home, "b", BIRTH_DATES[:1])
    instance = Instance(network.settings, _chain=network.chain,
                        _registry_address=network.registry.address)
    create_user(network.engine, login="giao-vu-a", display_name="Giáo vụ A",
                role="school_staff", password=PASSWORD, school_code=SCHOOL_A)
    # A revocation must show on the next page load, so the registry state cache is off.
    with patch.dict(os.environ, {"HOCBA_STATE_CACHE_TTL_SECONDS": "0"}):
        app = create_app(instance, requests_per_minute=0)
    staff = TestClient(app, base_url="http://127.0.0.1")
    login = staff.post("/v1/session", json={"login": "giao-vu-a", "password": PASSWORD})
    assert login.status_code in (200, 201), login.text
    return WalletWorld(network, instance, app, batch_a, batch_b, staff,
                       login.json()["csrfToken"])
