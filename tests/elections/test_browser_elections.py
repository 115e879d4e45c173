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
    # Still counting: the figures are labelled provisional, nobody is "elected" yet.
    assert await page.is_visible("#provisional")
    assert (await page.inner_text("#seats-filled")).startswith("Tạm tính")
    assert not await page.is_visible("#constituency-1 .badge-ok")
    await _shot(page, "2-result")
    async with page.expect_navigation():
        await page.click("form[action$='/confirm'] button")
    assert await page.is_visible("#constituency-1 .badge-ok")  # elected
    assert not await page.is_visible("#provisional")
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


async def test_counts_imported_from_the_workbook_in_chromium(
    browser_page: Page, settings: Settings, live_server: str, tmp_path: Path
) -> None:
    """The secretariat downloads the template, fills it in, and imports it on the election page:
    a row that does not add up is named and nothing is saved; the sound workbook is saved."""
    import io

    from openpyxl import load_workbook

    ward = await make_council(code="HN-XW", seats=1)
    staff = await make_user("secretariat", council=ward, username="xw.vanphong")
    async with httpx.AsyncClient(base_url=live_server) as api:
        slug, (a, b) = await _setup_election(api, ward, await bearer(staff), seats=1, n=2)
        template = (await api.get(f"/api/v1/elections/{slug}/counts.xlsx")).content

    def filled(invalid: int) -> Path:
        wb = load_workbook(io.BytesIO(template))
        ws = wb.active
        ws.delete_rows(3, ws.max_row)
        ws.append([1, 1, "Khu vực bỏ phiếu số 1", 900, 700, 705, 700, 690, invalid, 500, 190])
        path = tmp_path / f"counts-{invalid}.xlsx"
        wb.save(path)
        return path

    page = browser_page
    await login_in_browser(page, staff.username)
    await page.goto(f"/elections/{slug}")
    await page.set_input_files("#counts-file", str(filled(3)))
    async with page.expect_navigation():
        await page.click("#import button[type=submit]")
    assert "690" in await page.inner_text("#import-errors li")
    await _shot(page, "5-import-refused")
    await page.set_input_files("#counts-file", str(filled(10)))
    async with page.expect_navigation():
        await page.click("#import button[type=submit]")
    assert await page.is_visible("#import .alert-ok")
    votes = [v.strip() for v in await page.locator("#constituency-1 td.num").all_inner_texts()]
    assert votes == ["500", "190"]
    await _shot(page, "6-imported")
