"""The verification page in headless Chromium: upload PDFs, scan a QR picture, screenshots.

Screenshots go to the test's temporary folder; with HOCBA_UPDATE_SCREENSHOTS=1 they
are also copied to docs/images/verify-page-*.png.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.browser.documents import Documents

pytestmark = [pytest.mark.browser, pytest.mark.slow]

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
PHONE = {"width": 390, "height": 844}


def _page(browser: Any) -> Any:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="vi-VN")
    return context.new_page()


def _shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"verify-page-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("HOCBA_UPDATE_SCREENSHOTS") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, IMAGES / path.name)
    return path


def _upload(browser: Any, server_url: str, file: Path) -> Any:
    page = _page(browser)
    page.goto(server_url + "/")
    page.set_input_files("#upload-files", str(file))
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    return page


@pytest.mark.parametrize(("name", "status", "heading"), [
    ("valid", "valid", "Hợp lệ"),
    ("tampered", "tampered", "Văn bản đã bị sửa đổi"),
    ("revoked", "revoked", "Văn bản đã bị thu hồi"),
])
def test_pdf_upload_verdict(browser: Any, server_url: str, docs: Documents, tmp_path: Path,
                            name: str, status: str, heading: str) -> None:
    file = tmp_path / f"hoc-ba-{name}.pdf"
    file.write_bytes(docs.pdfs[name])
    page = _upload(browser, server_url, file)
    verdict = page.locator("section.verdict")
    assert verdict.get_attribute("data-status") == status
    assert page.locator("section.verdict h1").inner_text() == heading
    _shot(page, tmp_path, name)
    page.context.close()


def test_home_page_phone(browser: Any, server_url: str, tmp_path: Path) -> None:
    page = _page(browser)
    page.goto(server_url + "/")
    assert page.locator("h1").inner_text() == "Xác thực học bạ số"
    assert page.locator("#scan-start").is_enabled()
    box = page.locator("#scan-start").bounding_box()
    assert box is not None
    assert box["height"] >= 48
    _shot(page, tmp_path, "home")
    page.context.close()


def test_qr_picture_opens_verdict(browser: Any, server_url: str, docs: Documents,
                                  tmp_path: Path) -> None:
    picture = tmp_path / "qr.png"
    picture.write_bytes(docs.qr_image)
    page = _page(browser)
    page.goto(server_url + "/")
    page.set_input_files("#scan-image", str(picture))
    page.wait_for_url("**/v1/c/**", timeout=15000)
    assert page.locator("section.verdict").get_attribute("data-status") == "valid"
    assert page.url.startswith(server_url + docs.landing_path)
    assert page.locator("form.match").count() == 1
    page.context.close()


def test_foreign_qr_picture_message(browser: Any, server_url: str, tmp_path: Path) -> None:
    from tests.browser.documents import qr_png

    picture = tmp_path / "other.png"
    picture.write_bytes(qr_png("https://example.org/not-a-transcript"))
    page = _page(browser)
    page.goto(server_url + "/")
    page.set_input_files("#scan-image", str(picture))
    status = page.locator("#scan-status")
    status.filter(has_text="không phải").wait_for(timeout=15000)
    assert page.url == server_url + "/"
    page.context.close()


def test_person_match_form(browser: Any, server_url: str, docs: Documents,
                           tmp_path: Path) -> None:
    record = docs.batch.credentials[0].record
    page = _page(browser)
    page.goto(server_url + docs.landing_path)
    page.fill("#match-name", record.full_name.upper())
    page.fill("#match-birth", record.birth_date.strftime("%d/%m/%Y"))
    with page.expect_navigation():
        page.click("form.match button[type=submit]")
    result = page.locator("section.match-result")
    assert result.get_attribute("data-name-matches") == "true"
    assert result.get_attribute("data-birth-date-matches") == "true"
    _shot(page, tmp_path, "match")
    page.context.close()


def test_english_switch(browser: Any, server_url: str) -> None:
    page = _page(browser)
    page.goto(server_url + "/")
    with page.expect_navigation():
        page.click("header a.lang")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#scan-start").inner_text().endswith("Scan QR code")
    page.context.close()
