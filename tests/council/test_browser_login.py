"""Login → dashboard in a real Chromium, in Vietnamese (the default) and in English."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from council.i18n import gettext
from council.settings import Settings
from tests.browser import PHONE, TABLET, login_in_browser, text_of
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


async def test_a_paused_device_shows_its_code_and_is_unlocked(
    browser_page: Page, chromium_browser: Browser, settings: Settings, live_server: str
) -> None:
    """Under a guessing attack a new tablet is paused and shows a code; an administrator types
    it on the person's page (the chair signs records: not the secretariat's to unlock); the
    tablet then logs in."""
    import os
    import re

    import httpx

    from tests.factories import PASSWORD

    council = await make_council("HN")
    chair = await make_user("chair", council, username="chutoa.hn", full_name="Nguyễn Văn An")
    admin = await make_user("admin", username="quantri.hn")
    async with httpx.AsyncClient(base_url=live_server) as http:
        for i in range(20):  # from addresses of its own (uvicorn trusts the loopback proxy)
            await http.post(
                "/api/v1/auth/token",
                json={"username": chair.username, "password": "guess-1"},
                headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
            )
    page = browser_page
    await page.goto("/login")
    await page.fill("#username", chair.username)
    await page.fill("#password", PASSWORD)
    await page.click("form[action^='/login'] button[type=submit]")
    box = page.locator("#device-locked")
    await box.wait_for()
    assert vi(
        "To use this device now, ask the secretariat (for a chair's or secretariat's account: "
        "the administrator) to unlock it with this code:"
    ) in (await box.inner_text())
    code = (await page.inner_text(".device-code")).strip()
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}", code)
    shots = os.environ.get("COUNCIL_SHOTS")
    if shots:
        await page.screenshot(path=f"{shots}/login-device-paused.png", full_page=True)

    # The administrator, on their own computer, types the code on the chair's page.
    office = await chromium_browser.new_context(
        base_url=live_server, viewport=TABLET, locale="vi-VN"
    )
    try:
        desk = await office.new_page()
        await login_in_browser(desk, admin.username)
        await desk.goto(f"/admin/users/{chair.id}/edit")
        await desk.fill("#unlock-code", code.lower())
        async with desk.expect_navigation():
            await desk.click(f"button:has-text('{vi('Unlock this device')}')")
        assert vi("The device is unlocked: it can log in to this account now.") in (
            await desk.inner_text("body")
        )
        if shots:
            await desk.screenshot(path=f"{shots}/admin-device-unlocked.png", full_page=True)
    finally:
        await office.close()
    await login_in_browser(page, chair.username)
    assert await page.inner_text("h1") == vi("Dashboard")


async def test_the_phone_header_is_one_row_with_a_menu(
    browser_page: Page, settings: Settings
) -> None:
    """At 360x740 a logged-in citizen's header is the site's name and a menu button, one row; the
    menu holds the main and public links, the language switch and the account. Wider, the bar is
    as it was, with no menu button."""
    council = await make_council("HN")
    user = await make_user("citizen", council, username="dan.hn", full_name="Nguyễn Văn Dân")
    page = browser_page
    await page.set_viewport_size({"width": 360, "height": 740})
    await login_in_browser(page, user.username)
    header = page.locator("header.topbar")
    assert (await header.bounding_box())["height"] <= 72
    toggle = page.locator("header .menu-toggle")
    assert await toggle.is_visible() and await toggle.get_attribute("aria-expanded") == "false"
    assert not await page.is_visible("header nav.langswitch")
    await toggle.click()
    assert await toggle.get_attribute("aria-expanded") == "true"
    menu = await page.inner_text("#topbar-menu")
    for label in ("Dashboard", "Questioning", "Elections", "Log out"):
        assert vi(label) in menu
    assert "Nguyễn Văn Dân" in menu and await page.is_visible("header nav.langswitch a[lang=en]")
    await page.keyboard.press("Escape")
    assert not await page.is_visible("header nav.langswitch")
    await toggle.click()
    async with page.expect_navigation():
        await page.click(f"#topbar-menu a:has-text('{vi('Questioning')}')")
    assert page.url.endswith("/questioning")

    await page.set_viewport_size(TABLET)
    await page.goto("/")
    assert not await page.is_visible("header .menu-toggle")
    assert await page.is_visible("header nav.langswitch a[lang=en]")
    assert await page.is_visible(f"header button:has-text('{vi('Log out')}')")
    assert not await page.is_visible("header nav.menu-public")  # the footer has them
    assert (await header.bounding_box())["height"] <= 80


async def test_the_citizens_petition_header_stays_short_on_a_phone(
    browser_page: Page, settings: Settings
) -> None:
    """The petition pages' own layout loads no script (its weight budget): on a 360-px phone its
    header is the name and the language switch, the account, and the three links on one row
    that scrolls sideways — not the six wrapped rows (256 px) it was."""
    council = await make_council("HN")
    user = await make_user("citizen", council, username="dan.hn2", full_name="Nguyễn Văn Dân")
    page = browser_page
    await page.set_viewport_size({"width": 360, "height": 740})
    await login_in_browser(page, user.username)
    await page.goto("/petitions/new")
    header = page.locator("header.topbar")
    assert (await header.bounding_box())["height"] <= 150
    links = page.locator("header .mainnav li")
    tops = {round((await links.nth(i).bounding_box())["y"]) for i in range(await links.count())}
    assert len(tops) == 1  # one row
    assert await page.is_visible("header nav.langswitch a[lang=en]")
    assert await page.is_visible(f"header button:has-text('{vi('Log out')}')")
    await page.set_viewport_size(TABLET)
    assert (await header.bounding_box())["height"] <= 80
