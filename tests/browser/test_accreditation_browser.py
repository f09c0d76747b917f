"""The accreditation pages in headless Chromium, as one story in two browsers.

The Department appoints an accreditor and reads its initial password. The
accreditor logs in with it, registers a school, renames it, rotates its key and
withdraws it. The school's history page, read from the registry, then shows every
step. The chain is the in-process one.

Screenshots go to the test's temporary folder; with HOCBA_UPDATE_SCREENSHOTS=1 they
are also written, palette-reduced, to docs/images/accreditation-*.png for the guides.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from hocba.accounts import create_user
from hocba.chain import connect_embedded
from hocba.instance import Instance
from tests.browser.serving import serve_app
from tests.network import build_network

pytestmark = [pytest.mark.browser, pytest.mark.slow]

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "mật khẩu Sở thử nghiệm 2026"
SCHOOL = "79785420"


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve a fresh instance with uvicorn on a free 127.0.0.1 port in a thread."""

    from api import create_app

    network = build_network(connect_embedded(), tmp_path_factory.mktemp("accreditation") / "h")
    settings = replace(network.settings, key_passphrase="test passphrase")
    instance = Instance(settings, _chain=network.chain,
                        _registry_address=network.registry.address)
    create_user(network.engine, login="so-gd", display_name="Phòng Khảo thí, Sở GD&ĐT",
                role="department", password=PASSWORD)
    with serve_app(create_app(instance, requests_per_minute=0)) as url:
        yield url


class Person:
    """One browser context: a person logged in on their own."""

    def __init__(self, browser: Any, base: str, shots: Path) -> None:
        self.context = browser.new_context(viewport=DESKTOP, device_scale_factor=1,
                                           locale="vi-VN")
        self.page = self.context.new_page()
        self.base = base
        self.shots = shots

    def login(self, login: str, password: str) -> None:
        self.page.goto(self.base + "/login")
        self.page.fill("#login", login)
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.click("form.staff-form button[type=submit]")

    def submit(self, form: str, fields: dict[str, str], shot: str | None = None) -> None:
        """Fill a form, continue, optionally screenshot the confirmation, then confirm."""
        for selector, value in fields.items():
            self.page.fill(f"form[data-form={form}] {selector}", value)
        with self.page.expect_navigation():
            self.page.click(f"form[data-form={form}] button[type=submit]")
        if shot:
            self.shot(shot)
        with self.page.expect_navigation():
            self.page.click("button[data-action=confirm]")

    def shot(self, name: str, *, phone: bool = False) -> None:
        """Screenshot the whole page; copy a palette PNG to docs/images if asked."""
        if phone:
            self.page.set_viewport_size(PHONE)
        path = self.shots / f"accreditation-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if phone:
            self.page.set_viewport_size(DESKTOP)
        if os.environ.get("HOCBA_UPDATE_SCREENSHOTS") == "1":
            IMAGES.mkdir(parents=True, exist_ok=True)
            with Image.open(path) as image:
                image.convert("RGB").quantize(colors=64).save(IMAGES / path.name, optimize=True)

    def close(self) -> None:
        self.context.close()


def test_accreditation_story(browser: Any, server_url: str, tmp_path: Path) -> None:
    department = Person(browser, server_url, tmp_path)
    department.login("so-gd", PASSWORD)
    assert department.page.url.endswith("/department")
    department.shot("department")

    department.submit("appoint", {"#unit_code": "27011", "#unit_name": "UBND xã Nhuận Đức",
                                  "#login": "xa-nhuan-duc", "#display_name": "Trần Văn Bình",
                                  "#appoint-reason": "Chỉ định theo quyết định của Sở"},
                      shot="appoint-confirm")
    password = department.page.locator("[data-initial-password]").inner_text().strip()
    assert department.page.locator("[data-tx-hash]").count() == 1
    department.shot("appoint-done")

    accreditor = Person(browser, server_url, tmp_path)
    accreditor.login("xa-nhuan-duc", password)
    assert accreditor.page.url.endswith("/accreditor")
    accreditor.submit("register", {"#school_code": SCHOOL,
                                   "#school_name": "Trường Tiểu học Nhuận Đức",
                                   "#principal": "Lê Thị Hoa",
                                   "#principal_login": "ht-nhuan-duc"}, shot="register-confirm")
    assert accreditor.page.locator("[data-tx-hash]").count() == 2
    assert accreditor.page.locator("[data-initial-password]").count() == 1
    accreditor.shot("register-done")

    accreditor.page.goto(f"{server_url}/accreditor")
    accreditor.shot("accreditor", phone=True)
    accreditor.page.click(f"tr[data-school='{SCHOOL}'] a")
    accreditor.submit("rename", {"#new_name": "Trường Tiểu học Nhuận Đức 1",
                                 "#rename-reason": "Đổi tên theo quyết định của UBND xã"})
    accreditor.page.click("a[data-action=back]")
    accreditor.submit("rotate", {"#rotate-reason": "Thay khóa định kỳ"})
    accreditor.page.click("a[data-action=back]")
    accreditor.submit("withdraw", {"#withdraw-reason": "Trường sáp nhập"},
                      shot="withdraw-confirm")
    accreditor.page.click("a[data-action=back]")

    page = accreditor.page
    names = page.locator("table[data-table=names] tbody tr")
    assert names.count() == 2
    assert "Trường Tiểu học Nhuận Đức 1" in page.locator("h1[data-current-name]").inner_text()
    assert page.locator("table[data-table=keys] tbody tr").count() == 2
    assert page.locator("table[data-table=withdrawals] tbody tr").count() == 1
    assert page.locator("table[data-table=chain-events] tbody tr").count() == 6
    accreditor.shot("history")
    accreditor.shot("history-phone", phone=True)

    department.page.goto(f"{server_url}/department")
    assert department.page.locator(f"tr[data-school='{SCHOOL}']").count() == 1
    accreditor.close()
    department.close()
