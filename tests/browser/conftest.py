"""Browser tests: headless Debian Chromium driven by Playwright against a live server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.documents import Documents, build_documents
from tests.conftest import free_port

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
    import uvicorn

    from api import create_app

    port = free_port()
    config = uvicorn.Config(create_app(docs.instance, requests_per_minute=0), host="127.0.0.1",
                            port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail(f"uvicorn did not start on 127.0.0.1:{port} within 15 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a fresh temporary profile (it rejects --user-data-dir).
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
