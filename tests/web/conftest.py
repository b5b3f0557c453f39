"""Browser tests: Playwright (Python package, its bundled driver) driving Debian's chromium.

One browser and one server (the seeded SQLite server of the API tests) per session. `playwright
install` is never run: the tests launch ``/usr/bin/chromium`` (``TSUNAGU_CHROMIUM`` overrides) and
are skipped with a reason when it is missing, except under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.live import PASSWORD, LiveServer
from api.servers import sqlite_server

__all__ = ["sqlite_server"]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def _chromium() -> str | None:
    path = os.environ.get("TSUNAGU_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if Path(path).exists() else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    problem = None
    if executable is None:
        problem = "Debian's chromium is not installed (apt-get install chromium; make test does it)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "playwright is not installed (pip install 'tsunagu[web]')"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Session:
    """A logged-in browser page, recording console errors (CSP violations show up there)."""

    def __init__(self, server: LiveServer, page: Any) -> None:
        self.server = server
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str) -> Any:
        return self.page.goto(self.server.url + path)

    def login(self, username: str) -> None:
        self.go("/")
        assert "/login" in self.page.url
        self.page.get_by_label("ユーザー名").fill(username)
        self.page.get_by_label("パスワード").fill(PASSWORD)
        self.page.get_by_role("button", name="ログイン").click()
        self.page.wait_for_url(self.server.url + "/")

    def shot(self, name: str, *, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # the Japanese web font (fetched only where no installed font has the characters)
        self.page.evaluate(
            "document.fonts.load('16px tsunagu-ja', '日本語').then(() => document.fonts.ready)"
        )
        self.page.wait_for_timeout(150)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def session(browser: Any, sqlite_server: LiveServer) -> Iterator[Session]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="ja-JP", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    s = Session(sqlite_server, page)
    yield s
    context.close()
    # error statuses the tests provoke (a wrong password is a 401 page) are not script errors
    assert not [e for e in s.errors if not e.startswith("Failed to load resource")], s.errors
