"""Receive, share and verify in headless Chromium: claim slip → wallet → share link → recipient.

The school prints slips in a staff context; the student claims in phone context A; the
recipient opens the share link in context B, which has no cookies. Every request either
context makes is recorded, to show that the decryption key never left the browser.

Screenshots go to the test's temporary folder; with HOCBA_UPDATE_SCREENSHOTS=1 they are
also copied to docs/images/wallet-*.png for the student guide.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlmodel import Session

from hocba.db_wallet import ShareLink
from tests.browser.serving import serve_app
from tests.wallet.wallet_world import PASSWORD, SCHOOL_A, WalletWorld, build_world, new_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> WalletWorld:
    return build_world(tmp_path_factory.mktemp("wallet-browser"))


@pytest.fixture(scope="module")
def wallet_url(world: WalletWorld) -> Iterator[str]:
    """Serve the wallet world's app on a free 127.0.0.1 port in a thread."""

    with serve_app(world.app) as url:
        yield url


class Recorder:
    """Every request a browser context sends: URL, headers and body."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, request: Any) -> None:
        body = request.post_data or ""
        self.sent.append(" ".join([request.url, *request.headers.values(), body]))


def _context(browser: Any, recorder: Recorder | None = None) -> Any:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="vi-VN",
                                  accept_downloads=True)
    if recorder is not None:
        context.on("request", recorder)
    return context


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"wallet-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("HOCBA_UPDATE_SCREENSHOTS") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        # A 128-colour palette keeps the guide's images small and the text sharp.
        with Image.open(path) as image:
            image.convert("RGB").quantize(colors=128).save(IMAGES / path.name, optimize=True)


def _claim_path(browser: Any, base: str, world: WalletWorld) -> str:
    """Log in as school staff, print the slips of the class, return the first slip's path."""
    page = _context(browser).new_page()
    page.goto(f"{base}/login?next=/school/{SCHOOL_A}/claims")
    page.fill("#login", "giao-vu-a")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    with page.expect_navigation():
        page.click(f"form[data-batch='{world.batch_id(world.batch_a)}'] button")
    assert page.locator("article.slip").count() == len(world.batch_a.credentials)
    url = page.locator("article.slip .slip-url").first.get_attribute("data-url")
    page.context.close()
    return urlsplit(url).path


def _make_share(page: Any, base: str, label: str, shot: Callable[[], None] | None = None) -> str:
    page.goto(f"{base}/wallet")
    with page.expect_navigation():
        page.click("a[data-action=share]")
    assert page.locator("input[value=results-conduct]").first.is_checked()
    page.fill("#share-label", label)
    if shot is not None:
        shot()
    page.click("button[data-action=make-link]")
    page.wait_for_selector("#share-result:not([hidden])")
    page.wait_for_selector("#share-qr img")
    return page.input_value("#share-link")


def test_receive_share_verify(browser: Any, world: WalletWorld, wallet_url: str,
                              tmp_path: Path) -> None:
    claim_path = _claim_path(browser, wallet_url, world)
    student_requests, recipient_requests = Recorder(), Recorder()
    student = _context(browser, student_requests).new_page()

    student.goto(wallet_url + claim_path)
    _shot(student, tmp_path, "claim")
    with student.expect_navigation():
        student.click("button[data-action=claim]")
    assert student.locator("section.year[data-year='2025-2026']").count() == 1
    assert student.locator("[data-notice=claimed]").count() == 1
    _shot(student, tmp_path, "list")

    with student.expect_navigation():
        student.click("a.record-card")
    assert student.locator("section.verdict").get_attribute("data-status") == "valid"
    _shot(student, tmp_path, "record")
    with student.expect_download() as download_info:
        student.click("a[data-action=pdf]")
    pdf = Path(download_info.value.path()).read_bytes()
    verdict = new_client(world).post("/v1/verify",
                                     files={"file": ("h.pdf", pdf, "application/pdf")})
    assert verdict.json()["status"] == "valid"

    link = _make_share(student, wallet_url, "Trường THPT Lê Quý Đôn",
                       lambda: _shot(student, tmp_path, "share-choose"))
    _shot(student, tmp_path, "share")
    key = link.split("#", 1)[1]
    assert len(key) == 43

    recipient = _context(browser, recipient_requests).new_page()
    recipient.goto(link)
    recipient.wait_for_selector("#share-open[data-done=yes]")
    article = recipient.locator("article.result").first
    assert article.get_attribute("data-status") == "valid"
    hidden = int(recipient.locator("p.hidden-count").first.get_attribute("data-hidden"))
    assert hidden > 0
    assert "Điểm" not in recipient.locator("dl.shown-list").inner_text()
    _shot(recipient, tmp_path, "open")

    sent = student_requests.sent + recipient_requests.sent
    assert sent
    assert not [line for line in sent if key in line]

    student.goto(f"{wallet_url}/wallet")
    with student.expect_navigation():
        student.click("button[data-action=withdraw]")
    assert student.locator("[data-state=withdrawn]").count() == 1
    _shot(student, tmp_path, "shares")
    # Going to the same URL again changes only the fragment and loads nothing, so reload.
    response = recipient.reload()
    assert response.status == 410
    assert "thu hồi" in recipient.locator("section.verdict").inner_text()


def test_expired_share_page(browser: Any, world: WalletWorld, wallet_url: str) -> None:
    claim_path = _claim_path(browser, wallet_url, world)
    student = _context(browser).new_page()
    student.goto(wallet_url + claim_path)
    with student.expect_navigation():
        student.click("button[data-action=claim]")
    link = _make_share(student, wallet_url, "Hết hạn")
    share_id = urlsplit(link).path.rsplit("/", 1)[1]
    with Session(world.network.engine) as db:
        row = db.get(ShareLink, share_id)
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.add(row)
        db.commit()
    recipient = _context(browser).new_page()
    response = recipient.goto(link)
    assert response.status == 410
    assert "hết hạn" in recipient.locator("section.verdict").inner_text()
