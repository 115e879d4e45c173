"""Hashed static names in a real Chromium: the tablet's offline copy keeps one copy of each style
and script under its plain name, serves that very version for its hashed name without the network,
and another release's name still gets it offline; htmx is not loaded where no page needs it."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page

from council import assets
from council.i18n import gettext
from tests.browser import login_in_browser
from tests.meetings.helpers import setup_running_session

pytestmark = pytest.mark.browser

CACHED = """async (path) => {
  const hit = await (await caches.open("meetings-offline-v1")).match(path);
  return hit ? new URL(hit.url).pathname : null;
}"""
FETCH = """(url) => fetch(url).then(async (r) => [r.status, (await r.text()).length], () => null)"""


async def test_the_service_worker_follows_hashed_names(
    browser_page: Page, live_server: str
) -> None:
    page = browser_page
    async with httpx.AsyncClient(base_url=live_server) as http:
        s = await setup_running_session(http, seats=5, present=4)
    await login_in_browser(page, s.delegates[0].username)
    tablet = f"/meetings/sessions/{s.session_id}/tablet"
    await page.goto(tablet)
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.click("#offline-btn")
    done = gettext("Saved for offline reading (confidential documents excluded).", "vi")
    await page.wait_for_selector(f"#offline-status:has-text('{done}')")

    css = assets.url("css/app.css")
    assert css != "/static/css/app.css"
    # Kept under the plain name; the copy is of the hashed address the page links.
    assert await page.evaluate(CACHED, "/static/css/app.css") == css
    assert await page.evaluate(CACHED, css) is None
    size = len(await (await page.request.get(css)).text())

    await page.goto(tablet)  # now controlled by the worker
    await page.context.set_offline(True)
    try:
        assert await page.evaluate(FETCH, css) == [200, size]
        # A page saved under another release's names still gets this device's copy.
        assert await page.evaluate(FETCH, "/static/css/app.0123456789.css") == [200, size]
        # Nothing else comes from the cache: a file never saved fails offline.
        assert await page.evaluate(FETCH, assets.url("js/assistant.js")) is None
    finally:
        await page.context.set_offline(False)


async def test_a_page_without_htmx_attributes_runs_without_htmx(
    browser_page: Page, live_server: str
) -> None:
    page = browser_page
    await page.goto("/login")
    assert await page.evaluate("typeof window.htmx") == "undefined"
    loaded = await page.evaluate(
        "performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname)"
    )
    assert assets.url("js/app.js") in loaded
    assert not [p for p in loaded if "htmx" in p]
