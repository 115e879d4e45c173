"""The document viewer in a real Chromium, at tablet and phone sizes: every page at full width,
loaded lazily without moving the layout, opened at ``#page=N`` (the assistant's citations), and a
confidential document's pages watermarked and never stored."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, Request

from tests.browser import PHONE, login_in_browser
from tests.meetings.helpers import setup_running_session, upload_document

pytestmark = pytest.mark.browser

PAGES = [f"Trang {n}: nội dung của báo cáo, phần thứ {n}." for n in range(1, 9)]
SHEET_TOP = "(n) => Math.round(document.getElementById('sheet-' + n).getBoundingClientRect().top)"
LOADED = """(n) => { const i = document.querySelector('#sheet-' + n + ' img');
  return i.complete && i.naturalWidth > 0; }"""
NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


async def _upload(http: httpx.AsyncClient, s, title: str, confidentiality: str) -> int:  # type: ignore[no-untyped-def]
    from meetings.documents.generate import make_pdf

    r = await http.post(
        f"/api/v1/sessions/{s.session_id}/documents",
        headers=s.h(s.secretariat),
        data={"title": title, "confidentiality": confidentiality},
        files={"file": ("bao-cao.pdf", make_pdf(title, PAGES), "application/pdf")},
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def _wait_loaded(page: Page, number: int) -> None:
    await page.wait_for_function(LOADED, arg=number)


async def test_delegate_reads_every_page_and_opens_a_cited_page(
    browser_page: Page, chromium_browser: Browser, live_server: str, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        s = await setup_running_session(http, seats=5, present=4)
        report = await _upload(http, s, "Báo cáo tình hình kinh tế - xã hội", "internal")
        secret = await _upload(http, s, "Hồ sơ nhân sự (mật)", "confidential")
        docx = await upload_document(http, s, docx=True, title="Tờ trình")

    page = browser_page
    requested: list[str] = []

    def track(request: Request) -> None:
        if "/pages/" in request.url:
            requested.append(request.url.split("/pages/")[1].split(".")[0])

    page.on("request", track)
    await login_in_browser(page, s.delegates[0].username)

    # Portrait tablet: every page as wide as the reading column, the first ones loaded, the
    # last ones not yet asked for; each page holds its place before its image arrives.
    await page.set_viewport_size({"width": 800, "height": 1280})
    await page.goto(f"/meetings/documents/{report}")
    await _wait_loaded(page, 1)
    widths = await page.eval_on_selector_all(
        ".sheet img", "(images) => images.map((i) => Math.round(i.getBoundingClientRect().width))"
    )
    column = await page.eval_on_selector(
        "#pages", "(e) => Math.round(e.getBoundingClientRect().width)"
    )
    assert len(widths) == 8 and set(widths) == {column} and column > 700
    assert "8" not in requested  # lazy: far below the fold
    before = await page.evaluate(SHEET_TOP, 6)
    await page.screenshot(path=str(tmp_path / "viewer-tablet-portrait.png"))

    # The assistant's citation: the viewer opens at page 6, and that page is drawn there.
    await page.goto(f"/meetings/documents/{report}#page=6")
    await _wait_loaded(page, 6)
    assert 0 <= await page.evaluate(SHEET_TOP, 6) <= 10  # its top at the top (scroll margin)
    assert "6" in requested
    await page.evaluate("window.scrollTo(0, 0)")
    for n in range(1, 9):  # all loaded now: the places computed before did not move
        await page.evaluate(f"document.querySelector('#sheet-{n} img').loading = 'eager'")
        await _wait_loaded(page, n)
    assert await page.evaluate(SHEET_TOP, 6) == before
    # "Go to page" does the same from the toolbar.
    await page.fill("#goto-page", "3")
    await page.click(".goto-page button")
    await page.wait_for_function("location.hash === '#page=3'")
    assert 0 <= await page.evaluate(SHEET_TOP, 3) <= 10

    # Landscape tablet and phone: full width, nothing wider than the screen.
    for size, name in (({"width": 1280, "height": 800}, "tablet-landscape"), (PHONE, "phone")):
        await page.set_viewport_size(size)
        await page.goto(f"/meetings/documents/{report}#page=2")
        await _wait_loaded(page, 2)
        assert await page.evaluate(NO_SIDEWAYS_SCROLL)
        await page.screenshot(path=str(tmp_path / f"viewer-{name}.png"))

    # A DOCX is shown page by page too.
    await page.goto(f"/meetings/documents/{docx['id']}")
    await _wait_loaded(page, 2)

    # Confidential: drawn for this reader, sent no-store, never saved by the browser.
    responses = []
    page.on("response", lambda r: responses.append(r) if "/pages/" in r.url else None)
    await page.set_viewport_size({"width": 800, "height": 1280})
    await page.goto(f"/meetings/documents/{secret}")
    await _wait_loaded(page, 1)
    first = next(r for r in responses if f"/documents/{secret}/pages/1.webp" in r.url)
    headers = await first.all_headers()
    assert headers["cache-control"] == "no-store"
    assert headers["x-confidentiality"] == "confidential"
    assert await page.eval_on_selector("#sheet-1 img", "(i) => i.draggable") is False
    await page.screenshot(path=str(tmp_path / "viewer-confidential.png"))
