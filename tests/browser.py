"""Real-browser tests: Debian's Chromium driven by Playwright against the ``live_server``.

Loaded as a pytest plugin (``pytest_plugins = ["tests.browser"]`` in tests/conftest.py). Mark a test
``@pytest.mark.browser`` and ask for ``browser_page``: a fresh browser context (own cookies) whose
relative URLs go to the test's live server. Browser tests are skipped when /usr/bin/chromium is
missing; `.ci/run` installs it, so in CI they always run.

    @pytest.mark.browser
    async def test_x(browser_page: Page, settings: Settings) -> None:
        user = await make_user("delegate", council)
        await login_in_browser(browser_page, user.username)
        await browser_page.goto("/sessions")
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.factories import PASSWORD

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

CHROMIUM = os.environ.get("COUNCIL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A 10-inch tablet in landscape: the smallest screen the session room is designed for.
TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chromium_available():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is not installed (`.ci/run` installs Debian's chromium)"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
async def chromium_browser() -> AsyncIterator[Browser]:
    """One Chromium for the whole run; each test gets its own context in ``browser_page``."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def browser_page(chromium_browser: Browser, live_server: str) -> AsyncIterator[Page]:
    """A page in a fresh context (no cookies) whose relative URLs go to ``live_server``."""
    context = await chromium_browser.new_context(
        base_url=live_server, viewport=TABLET, locale="vi-VN"
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: _console_error(errors, msg.type, msg.text))
    try:
        yield page
    finally:
        await context.close()
    # A script error or a CSP violation in the browser console fails the test that caused it.
    assert not errors, f"errors in the browser console: {errors}"


def _console_error(errors: list[str], kind: str, text: str) -> None:
    # An HTTP error status of a page is reported as "Failed to load resource"; the tests check
    # statuses themselves. Everything else (a script error, a CSP violation) is a failure.
    if kind == "error" and not text.startswith("Failed to load resource"):
        errors.append(text)


async def login_in_browser(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form and wait for the page it redirects to."""
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    async with page.expect_navigation():
        await page.click("form[action^='/login'] button[type=submit]")


async def text_of(page: Page, selector: str = "main") -> str:
    """The visible text of ``selector`` (default: the main landmark)."""
    value: Any = await page.inner_text(selector)
    return str(value)
