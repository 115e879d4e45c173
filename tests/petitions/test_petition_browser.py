"""A citizen on a phone files a petition in Chromium, then tracks it with the receipt's code."""

from __future__ import annotations

import pytest

from tests.browser import PHONE, text_of
from tests.petitions.helpers import PETITION, setup_world


@pytest.mark.browser
async def test_citizen_files_then_tracks_on_a_phone(browser_page, settings) -> None:
    await setup_world()
    page = browser_page
    await page.set_viewport_size(PHONE)
    await page.goto("/petitions/new")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # no sideways scrolling on a phone
    await page.select_option("#council_code", "HN-BADINH")
    await page.select_option("#category", "transport")
    await page.fill("#title", PETITION["title"])
    await page.fill("#body", PETITION["body"])
    await page.fill("#email", PETITION["email"])
    async with page.expect_navigation():
        await page.click("#petition-form button.primary")
    assert page.url.endswith("/petitions/receipt")  # Post/Redirect/Get: no token in the URL
    receipt = await text_of(page)
    assert "Kiến nghị của bạn đã được tiếp nhận" in receipt
    code = (await page.inner_text(".slip dd.code >> nth=0")).strip()
    token = (await page.inner_text(".slip dd.code >> nth=1")).strip()
    assert code.startswith("KN-")
    await page.reload()  # a refresh keeps the receipt
    assert (await page.inner_text(".slip dd.code >> nth=1")).strip() == token
    async with page.expect_navigation():
        await page.click("a[lang=en]")  # and so does the language switch
    assert "Your petition was received" in await text_of(page)
    assert (await page.inner_text(".slip dd.code >> nth=1")).strip() == token
    box = await page.locator(".slip dd.code >> nth=0").bounding_box()
    assert box["height"] < 2.5 * 16  # the code stays on one line
    async with page.expect_navigation():
        await page.click("a[lang=vi]")

    await page.click("text=Tra cứu ngay")
    await page.wait_for_selector("#token")
    assert await page.input_value("#code") == code
    await page.fill("#token", token)
    async with page.expect_navigation():
        await page.click("form[action='/petitions/track'] button[type=submit]")
    view = await text_of(page)
    assert PETITION["title"] in view and "Đã tiếp nhận" in view
    assert PETITION["email"] not in view
