"""Resolutions in Chromium on a tablet: the secretariat issues the passed draft and edits its
text, the chair signs (the organisation's file from the test PKI), the secretariat publishes, and
anyone finds it on the public list without typing accents and downloads the signed PDF.
Screenshots go to ``COUNCIL_SHOTS_DIR`` when set (else the test's temp dir)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

from council.settings import Settings
from meetings.resolutions.models import Resolution
from tests.browser import login_in_browser, text_of
from tests.signing import resolutions_kit as kit
from tests.signing.pki import TestPki

pytestmark = pytest.mark.browser


@pytest.fixture
def app(settings: Settings, pki: TestPki) -> Any:
    from council.app import create_app

    kit.sign_with_p12(settings, pki)
    return create_app(settings, manage_db=False)


async def _press(page: Page, selector: str) -> None:
    async with page.expect_navigation():
        await page.click(selector)


async def test_a_resolution_is_issued_signed_published_and_found_in_chromium(
    browser_page: Page, second_page: Page, settings: Settings, shots: Path
) -> None:
    s = await kit.passed_sitting()
    secretary, chair = browser_page, second_page
    browser_page.set_default_timeout(30_000)
    await login_in_browser(secretary, s.secretariat.username)
    await login_in_browser(chair, s.chair.username)

    await secretary.goto(f"/meetings/sessions/{s.session.id}/prepare")
    await _press(secretary, "#resolutions-link")
    await _press(secretary, "#resolution-items form button[type=submit]")
    assert "01/NQ-HĐND" in await text_of(secretary, "#resolution-number")
    text = await secretary.input_value("#resolution-text")
    await secretary.fill("#resolution-text", text + "\nĐiều 3. Nghị quyết có hiệu lực từ ngày ký.")
    await _press(secretary, "#resolution-edit button[type=submit]")
    assert "Điều 3." in await secretary.input_value("#resolution-text")
    await secretary.screenshot(path=str(shots / "01-secretariat-resolution.png"), full_page=True)
    assert "#resolution-sign" not in await secretary.content()

    resolution = await Resolution.get(item_id=s.items[0].id)
    await chair.goto("/")
    await chair.screenshot(path=str(shots / "02-chair-dashboard-notice.png"), full_page=True)
    await chair.goto(f"/meetings/resolutions/{resolution.id}")
    await _press(chair, "#resolution-sign button[type=submit]")
    assert "Nguyễn Văn Chủ" in await text_of(chair)
    await chair.screenshot(path=str(shots / "03-chair-signed.png"), full_page=True)

    await secretary.goto(f"/meetings/resolutions/{resolution.id}")
    await _press(secretary, "#resolution-publish button[type=submit]")
    await secretary.screenshot(path=str(shots / "04-published.png"), full_page=True)

    await secretary.goto("/public/resolutions")
    await secretary.fill("#q", "ngan sach phuong")
    await _press(secretary, "#resolution-search button[type=submit]")
    listed = await text_of(secretary, "#resolution-list")
    assert "01/NQ-HĐND" in listed and "ngân sách phường" in listed
    await secretary.screenshot(path=str(shots / "05-public-list.png"), full_page=True)
    await _press(secretary, "#resolution-list a")
    await secretary.screenshot(path=str(shots / "06-public-resolution.png"), full_page=True)
    async with secretary.expect_download() as download:
        await secretary.click("#pdf-download")
    saved = await (await download.value).path()
    head = await asyncio.to_thread(Path(saved).read_bytes)
    assert head.startswith(b"%PDF-")
