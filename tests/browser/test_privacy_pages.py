"""Privacy pages in headless Chromium: a guardian exports and deletes, the principal purges.

Screenshots go to the test's temporary folder; with HOCBA_UPDATE_SCREENSHOTS=1 they
are also copied to docs/images/privacy-*.png.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from hocba.db import CredentialRecord
from hocba.db_wallet import Wallet
from tests.browser.serving import serve_app
from tests.wallet.privacy_world import PASSWORD, SCHOOL, World, build_world, make_wallet

pytestmark = [pytest.mark.browser, pytest.mark.slow]

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built, context = build_world(tmp_path_factory.mktemp("privacy-browser"))
    yield built
    context.__exit__(None, None, None)


@pytest.fixture(scope="module")
def privacy_url(world: World) -> Iterator[str]:
    """Serve the world's app with uvicorn on a free 127.0.0.1 port in a thread."""

    from api import create_app

    with serve_app(create_app(world.instance, requests_per_minute=0)) as url:
        yield url


def _shot(page: Any, tmp_path: Path, name: str, *, full_page: bool = False) -> Path:
    path = tmp_path / f"privacy-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("HOCBA_UPDATE_SCREENSHOTS") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, IMAGES / path.name)
    return path


def _guardian_page(browser: Any, url: str, token: str) -> Any:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="vi-VN",
                                  accept_downloads=True)
    context.add_cookies([{"name": "hocba_wallet", "value": token, "url": url}])
    return context.new_page()


def _download(page: Any, selector: str) -> bytes:
    with page.expect_download() as waiting:
        page.click(selector)
    return Path(waiting.value.path()).read_bytes()


def test_guardian_exports_deletes_principal_purges(browser: Any, privacy_url: str,
                                                   world: World, tmp_path: Path) -> None:
    learner = world.learners[0]
    token = make_wallet(world, learner, acting_as="guardian")
    page = _guardian_page(browser, privacy_url, token)

    page.goto(privacy_url + "/wallet/privacy")
    assert page.locator("h1").inner_text() == "Dữ liệu của tôi"
    assert "Trên chuỗi khối" in page.content()
    _shot(page, tmp_path, "page")

    exported = json.loads(_download(page, "#export-json"))
    assert exported["wallet"]["displayName"] == learner.name
    with zipfile.ZipFile(io.BytesIO(_download(page, "#export-zip"))) as archive:
        assert any(name.endswith(".pdf") for name in archive.namelist())

    page.click("#delete-link")
    page.wait_for_selector("#delete-now")
    _shot(page, tmp_path, "delete")
    page.check("#confirm")
    page.click("#delete-now")
    page.wait_for_selector("#deleted")
    _shot(page, tmp_path, "deleted")

    page.goto(privacy_url + "/wallet/privacy")
    assert "Chưa mở ví" in page.content()

    principal = browser.new_context(viewport={"width": 1280, "height": 900},
                                    device_scale_factor=1, locale="vi-VN").new_page()
    principal.goto(f"{privacy_url}/login?next=/school/{SCHOOL}/data-requests")
    principal.fill("#login", "hieu-truong")
    principal.fill("#password", PASSWORD)
    principal.click("button[type=submit]")
    principal.wait_for_selector("section.request.state-open")
    assert learner.name in principal.content()
    _shot(principal, tmp_path, "school-requests")
    request = principal.locator("section.request.state-open").first
    request.locator("input[name=confirm]").check()
    request.locator("button.danger").click()
    principal.wait_for_selector("p.notice")
    assert "Đã xóa dữ liệu của 1 học bạ" in principal.content()
    assert learner.name not in principal.content()

    with Session(world.engine) as db:
        wallets = db.exec(select(Wallet).where(Wallet.display_name == learner.name)).all()
        record = db.get(CredentialRecord, learner.credential_id)
    assert wallets == []
    assert record.purged_at is not None
