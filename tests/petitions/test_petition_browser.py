"""A citizen on a phone files a petition in Chromium, then tracks it with the receipt's code."""

from __future__ import annotations

import httpx
import pytest

from council.search.engine import get_engine
from council.search.outbox import IndexWorker
from petitions import indexing
from tests.browser import PHONE, text_of
from tests.petitions.helpers import PETITION, act_ok, file_petition, setup_world


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


@pytest.mark.browser
async def test_a_second_voter_sees_the_same_issue_below_the_title_and_supports_it(
    browser_page, settings
) -> None:
    """While the title is typed, similar petitions appear right below it (the title stays on the
    phone's screen); "add my support" lands on that petition with the thanks, then an e-mail."""
    w = await setup_world()
    page = browser_page
    await page.set_viewport_size(PHONE)
    await page.goto("/petitions/new")  # the app points the index at this instance's data dir
    indexing.use_data_dir(settings.index_dir)
    async with httpx.AsyncClient(base_url=page.url.split("/petitions")[0]) as http:
        code = (await file_petition(http))["code"]
        await act_ok(http, w.commune_sec, code, "accept")  # its title shows once accepted
    worker = IndexWorker(get_engine())
    while await worker.drain_once():
        pass

    await page.select_option("#council_code", "HN-BADINH")
    await page.type("#title", "mặt đường Láng hư hỏng", delay=20)
    support = page.locator(f"#similar button[formaction='/petitions/{code}/support']")
    await support.wait_for()
    title_box = await page.locator("#title").bounding_box()
    similar_box = await page.locator("#similar").bounding_box()
    assert 0 <= title_box["y"] and title_box["y"] + title_box["height"] <= PHONE["height"]
    assert similar_box["y"] > title_box["y"]  # below the title, not above the form
    async with page.expect_navigation():
        await support.click()
    assert page.url.endswith(f"/petitions/{code}/supported")
    text = await text_of(page)
    assert "Có 2 cử tri cùng kiến nghị việc này" in text and PETITION["title"] in text
    await page.fill("#email", "nam@example.vn")
    async with page.expect_navigation():
        await page.click("#main form button.primary")
    assert "gửi thư điện tử cho bạn" in await text_of(page)


@pytest.mark.browser
async def test_the_on_time_table_is_a_list_of_cards_on_a_phone(browser_page, settings) -> None:
    """Seven columns do not fit 390 px: below 40rem each agency is a card of labelled lines."""
    await setup_world()
    page = browser_page
    await page.set_viewport_size(PHONE)
    await page.goto("/petitions/on-time")
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = page.locator("table.cards tbody tr").first
    assert await row.evaluate("tr => getComputedStyle(tr).display") == "block"
    assert await page.locator("table.cards thead").bounding_box() is None or (
        (await page.locator("table.cards thead").bounding_box())["height"] <= 1
    )
    cell = await row.locator("td[data-label]").first.evaluate(
        "td => getComputedStyle(td, '::before').content"
    )
    assert cell == '"Đã trả lời"'
    await page.set_viewport_size({"width": 1280, "height": 800})
    assert await row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
