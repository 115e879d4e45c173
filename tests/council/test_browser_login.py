"""Login → dashboard in a real Chromium, in Vietnamese (the default) and in English."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from council.i18n import gettext
from council.settings import Settings
from tests.browser import PHONE, login_in_browser, text_of
from tests.factories import make_council, make_user

pytestmark = pytest.mark.browser


def vi(msgid: str) -> str:
    text = gettext(msgid, "vi")
    assert text != msgid, f"no Vietnamese translation for {msgid!r}"
    return text


async def test_login_to_dashboard_in_vietnamese(browser_page: Page, settings: Settings) -> None:
    council = await make_council("HN", name="Hội đồng nhân dân thành phố Hà Nội")
    user = await make_user("secretariat", council, username="vanphong.hn", full_name="Trần Thị Thu")
    page = browser_page

    await page.goto("/")
    assert await page.get_attribute("html", "lang") == "vi"
    await page.click(f"header >> text={vi('Log in')}")
    await page.wait_for_url("**/login**")
    assert vi("Log in") in await page.inner_text("h1")
    assert await page.inner_text("label[for=username]") == vi("Username")

    await login_in_browser(page, user.username)
    assert page.url.endswith("/")
    assert await page.inner_text("h1") == vi("Dashboard")
    main = await text_of(page)
    assert vi("Welcome, {name}.").format(name="Trần Thị Thu") in main
    assert "Hội đồng nhân dân thành phố Hà Nội" in main
    assert await page.is_visible(f"button:has-text('{vi('Log out')}')")


async def test_login_to_dashboard_in_english(browser_page: Page, settings: Settings) -> None:
    council = await make_council("HN")
    user = await make_user("chair", council, username="chutoa.hn", full_name="Nguyễn Văn An")
    page = browser_page

    await page.goto("/login")
    await page.click("nav.langswitch a[lang=en]")
    await page.wait_for_url("**lang=en**")
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.inner_text("h1") == "Log in"

    await login_in_browser(page, user.username)  # the language choice is kept in a cookie
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.inner_text("h1") == "Dashboard"
    assert "Welcome, Nguyễn Văn An." in await text_of(page)

    await page.click("nav.langswitch a[lang=vi]")
    await page.wait_for_url("**lang=vi**")
    assert await page.inner_text("h1") == vi("Dashboard")


async def test_wrong_password_is_refused_in_the_page(
    browser_page: Page, settings: Settings
) -> None:
    council = await make_council("HN")
    user = await make_user("delegate", council)
    page = browser_page
    await page.set_viewport_size(PHONE)

    await login_in_browser(page, user.username, "not-the-password")
    assert "/login" in page.url
    assert vi("Wrong username or password.") in await text_of(page)
    cookies = {c["name"]: c for c in await page.context.cookies()}
    assert "council_session" not in cookies
