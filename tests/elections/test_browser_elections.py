"""In Chromium: results entered for a polling area → the constituency's result → the new term's
roster → a new delegate logs in."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page

from council.settings import Settings
from tests.browser import login_in_browser, text_of
from tests.elections.test_elections import _setup_election
from tests.factories import bearer, make_council, make_user

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("COUNCIL_SHOTS", "/tmp/shots/elections"))
SHOTS.mkdir(parents=True, exist_ok=True)


async def _shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_from_counts_to_a_new_delegate_logging_in(
    browser_page: Page, settings: Settings, live_server: str
) -> None:
    ward = await make_council(code="HN-HK", seats=1, name="Hội đồng nhân dân phường Hoàn Kiếm")
    staff = await make_user("secretariat", council=ward, username="hk.vanphong")
    async with httpx.AsyncClient(base_url=live_server) as api:
        slug, (a, b) = await _setup_election(api, ward, await bearer(staff), seats=1, n=2)
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    await login_in_browser(page, staff.username)
    await page.goto(f"/elections/{slug}")
    await page.click("#constituency-1 a.button")
    await page.fill("#f-name", "Khu vực bỏ phiếu số 1, tổ dân phố 1")
    for field, value in (
        ("registered", "900"),
        ("voted", "700"),
        ("issued", "705"),
        ("received", "700"),
        ("valid", "690"),
        ("invalid", "10"),
    ):
        await page.fill(f"#f-{field}", value)
    await page.fill(f"#f-votes_{a}", "500")
    await page.fill(f"#f-votes_{b}", "190")
    await _shot(page, "1-counts")
    async with page.expect_navigation():
        await page.click("form button.primary")
    text = await text_of(page)
    assert "500" in text and "190" in text
    await _shot(page, "2-result")
    async with page.expect_navigation():
        await page.click("form[action$='/confirm'] button")
    assert await page.is_visible("#constituency-1 .badge-ok")  # elected
    async with page.expect_navigation():
        await page.click("form[action$='/roster'] button")
    await _shot(page, "3-roster")
    username = (await page.inner_text("#roster tbody tr td:nth-child(2)")).strip()
    password = (await page.inner_text("#roster tbody tr td:nth-child(3)")).strip()
    assert username and password

    await page.context.clear_cookies()
    await login_in_browser(page, username, password)
    assert "Nguyễn Văn Ứng0" in await text_of(page)
    await _shot(page, "4-new-delegate")
