"""The staff pages in headless Chromium: import, preview, approve, issue, download, revoke, audit.

One story, in order, as two people in two browsers: the school staff member
uploads a class file with one bad row, reads the row error, uploads the fixed
file; the principal logs in, approves, downloads a PDF, checks it on the public
page, revokes one credential with a reason, sees the public page say revoked and
reads the audit log. The chain is the in-process one the other browser tests use.

Screenshots go to the test's temporary folder; with HOCBA_UPDATE_SCREENSHOTS=1 they
are also written, palette-reduced, to docs/images/school-*.png for the user guides.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.api.school_pages_world import PASSWORD, SCHOOL_A, PageWorld, build_world
from tests.browser.serving import serve_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageWorld]:
    yield from build_world(tmp_path_factory.mktemp("school-browser"), students=4)


@pytest.fixture(scope="module")
def school_url(world: PageWorld) -> Iterator[str]:
    """Serve the app with uvicorn on a free 127.0.0.1 port in a thread; stop it afterwards."""

    from api import create_app

    with serve_app(create_app(world.instance, requests_per_minute=0)) as url:
        yield url


class Person:
    """One browser context per person, with a phone and a desktop page size."""

    def __init__(self, browser: Any, base: str, shots: Path) -> None:
        self.context = browser.new_context(viewport=DESKTOP, device_scale_factor=1,
                                           locale="vi-VN", accept_downloads=True)
        self.page = self.context.new_page()
        self.base = base
        self.shots = shots

    def shot(self, name: str, *, phone: bool = False) -> None:
        """Screenshot the whole page; copy a small palette PNG to docs/images if asked."""
        if phone:
            self.page.set_viewport_size(PHONE)
        path = self.shots / f"school-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if phone:
            self.page.set_viewport_size(DESKTOP)
        if os.environ.get("HOCBA_UPDATE_SCREENSHOTS") == "1":
            IMAGES.mkdir(parents=True, exist_ok=True)
            with Image.open(path) as image:
                small = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
                small.save(IMAGES / path.name, optimize=True)

    def submit(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)

    def login(self, target: str, login: str) -> None:
        self.page.goto(self.base + target)
        assert "/login?next=" in self.page.url
        self.page.fill("#login", login)
        self.page.fill("#password", PASSWORD)
        self.submit("form.staff-form button[type=submit]")

    def upload(self, file: Path) -> None:
        self.page.goto(f"{self.base}/school/{SCHOOL_A}/imports/new")
        self.page.set_input_files("#file", str(file))
        self.submit("form.staff-form button[type=submit]")


def download_first(person: Person, links: Any, target: Path) -> Path:
    """Click the first of ``links`` and save the download to ``target``."""
    with person.page.expect_download() as download_info:
        links.first.click()
    download_info.value.save_as(str(target))
    return target


def public_status(browser: Any, base: str, shots: Path, pdf: Path) -> str | None:
    """Return the status the public verification page gives ``pdf``, in a fresh context."""
    public = Person(browser, base, shots)
    public.page.goto(base + "/")
    public.page.set_input_files("#upload-files", str(pdf))
    public.submit("#upload-form button[type=submit]")
    status = public.page.locator("section.verdict").get_attribute("data-status")
    public.context.close()
    return status


def test_school_story(browser: Any, school_url: str, world: PageWorld, tmp_path: Path) -> None:
    bad, good = tmp_path / "lop-8a1-loi.csv", tmp_path / "lop-8a1.csv"
    bad.write_bytes(world.bad_csv)
    good.write_bytes(world.class_csv)
    dashboard = f"/school/{SCHOOL_A}"

    staff = Person(browser, school_url, tmp_path)
    staff.page.goto(school_url + "/login")
    staff.shot("login-phone", phone=True)
    staff.login(dashboard, "giao-vu-a")
    assert staff.page.url == school_url + dashboard

    staff.page.goto(f"{school_url}{dashboard}/imports/new")
    staff.shot("upload-phone", phone=True)
    staff.upload(bad)
    error_row = staff.page.locator('tr.bad[data-row="3"]')
    assert "Toán HKI" in error_row.inner_text()
    assert "Điểm 11" in error_row.inner_text()
    assert staff.page.locator('[data-action="approve"]').count() == 0
    staff.shot("preview-errors-desktop")
    staff.shot("preview-errors-phone", phone=True)

    staff.upload(good)
    assert staff.page.locator('[data-waiting="principal"]').is_visible()
    import_path = staff.page.url.removeprefix(school_url)
    staff.shot("preview-waiting-phone", phone=True)

    principal = Person(browser, school_url, tmp_path)
    principal.login(import_path, "hieu-truong-a")
    assert principal.page.url == school_url + import_path
    principal.shot("preview-approve-desktop")
    principal.submit('[data-action="approve"]')
    assert re.fullmatch(r"0x[0-9a-f]{64}", principal.page.locator('[data-tx="1"]').inner_text())
    pdf_links = principal.page.locator("a[data-pdf]")
    assert pdf_links.count() == 4
    principal.shot("issued-desktop")

    pdf = download_first(principal, pdf_links, tmp_path / "hoc-ba.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert public_status(browser, school_url, tmp_path, pdf) == "valid"

    credential_id = pdf_links.first.get_attribute("data-pdf")
    principal.page.goto(f"{school_url}{dashboard}/credentials/{credential_id}")
    principal.page.select_option("#revoke-code", "2")
    principal.page.fill("#revoke-reason", "Cấp nhầm học sinh")
    principal.shot("credential-phone", phone=True)
    principal.submit('[data-action="revoke"]')
    assert principal.page.locator("dd[data-status]").get_attribute("data-status") == "revoked"
    principal.submit('[data-public="1"]')
    assert principal.page.locator("section.verdict").get_attribute("data-status") == "revoked"
    principal.shot("public-revoked-phone", phone=True)

    principal.page.goto(school_url + dashboard)
    assert principal.page.locator('[data-count="revoked"]').inner_text() == "1"
    principal.shot("dashboard-desktop")

    principal.page.goto(f"{school_url}{dashboard}/audit")
    # The chain write logs its own event under the school's chain account, so the row
    # of the person is picked by the login.
    audit_row = principal.page.locator("table[data-table=audit] tr", has_text="Cấp nhầm học sinh"
                                       ).filter(has_text="hieu-truong-a")
    assert "Thu hồi" in audit_row.inner_text()
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", audit_row.inner_text())
    principal.shot("audit-desktop")

    staff.page.goto(f"{school_url}{dashboard}/audit")
    assert staff.page.locator("h1").inner_text() == "Không thực hiện được"
    for person in (staff, principal):
        person.context.close()
