"""Browser tests: headless Debian Chromium driven by Playwright against a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.documents import Documents, build_documents
from tests.browser.serving import serve_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = "no /usr/bin/chromium: install the Debian package chromium"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "the PyPI package playwright is not installed"
    for item in items:
        if "browser" in item.keywords and reason:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Documents:
    return build_documents(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def server_url(docs: Documents) -> Iterator[str]:
    """Serve the app with uvicorn on a free 127.0.0.1 port in a thread; stop it afterwards."""

    from api import create_app

    with serve_app(create_app(docs.instance, requests_per_minute=0)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a fresh temporary profile (it rejects --user-data-dir).
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
