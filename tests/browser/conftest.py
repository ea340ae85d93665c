"""Headless Chromium (Debian's package) driving the real app served from a thread, on the PostgreSQL test DB.

The served app has CSRF switched on, as in production. Data is really committed; `committed_db` empties the
tables afterwards.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.config import TestConfig
from tests.conftest import database_url_for_tests

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        message = f"Debian's chromium is not installed at {path} (apt-get install chromium)"
        if os.environ.get("WIJKBUDGET_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser_app(app: Flask) -> Flask:
    """A second app on the same database as `app` (whose migrations built the schema), with CSRF on."""
    config = TestConfig(database_url_for_tests())
    config.WTF_CSRF_ENABLED = True
    return create_app(config)


@pytest.fixture(autouse=True)
def empty_browser_page_cache(browser_app: Flask) -> None:
    """The served app has a page cache of its own, which `empty_page_cache` (for `app`) does not reach; the
    tables are emptied between tests without a commit that would drop it, and ids start again at 1."""
    from app.extensions import cache

    with browser_app.app_context():
        cache.clear()


@pytest.fixture(scope="session")
def live_server(browser_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, browser_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server: str, committed_db: None):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
