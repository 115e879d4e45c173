"""A server restart during a sitting, in a real Chromium against a real `council serve` process: the
tablet reconnects by itself and shows what changed while the server was down, without a reload.
(How long that takes is measured by bench/reconnect.py, not asserted here.)"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from council.settings import Settings
from tests.browser import TABLET, login_in_browser
from tests.conftest import free_port
from tests.meetings.helpers import setup_running_session
from tests.processes import cli_env, council_serve

pytestmark = pytest.mark.browser

WATCH = """(text) => {
  window.stillTheSamePage = true;
  window.seen = {};
  window.councilSocket.on("connect", () => { window.seen.connect = performance.now(); });
  new MutationObserver(() => {
    const item = document.querySelector("#current-item");
    if (!window.seen.shown && item && item.textContent.includes(text)) {
      window.seen.shown = performance.now();
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


async def test_the_tablet_shows_the_true_state_after_a_server_restart(
    client: httpx.AsyncClient, settings: Settings, chromium_browser: Browser
) -> None:
    s = await setup_running_session(client, seats=30, present=22)
    chair = s.h(s.chair)
    items = s.items
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/current", headers=chair, json={"item_id": items[0]}
    )
    assert r.status_code == 200, r.text

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    context = await chromium_browser.new_context(base_url=base, viewport=TABLET, locale="vi-VN")
    context.set_default_timeout(20_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        with council_serve(cli_env(settings.data_dir, settings.database_url), port):
            await login_in_browser(page, s.delegates[0].username)
            await page.goto(f"/meetings/sessions/{s.session_id}/tablet")
            await page.wait_for_selector("#conn-status.online")
            assert "Báo cáo tình hình kinh tế" in await page.inner_text("#current-item")
            await page.evaluate(WATCH, "Dự thảo Nghị quyết về dự toán ngân sách")
        # The server is down (terminated above). Meanwhile the chair moves on, through another
        # worker: here the test's own app on the same database.
        await page.wait_for_selector("#conn-status:not(.online)")
        r = await client.post(
            f"/api/v1/sessions/{s.session_id}/current", headers=chair, json={"item_id": items[2]}
        )
        assert r.status_code == 200, r.text
        assert "Báo cáo tình hình kinh tế" in await page.inner_text("#current-item")

        with council_serve(
            cli_env(settings.data_dir, settings.database_url), port
        ):  # the restart, on the same address
            await page.wait_for_selector("#conn-status.online")
            await page.wait_for_function("() => window.seen && window.seen.shown")
            assert "Dự thảo Nghị quyết" in await page.inner_text("#current-item")
            seen: dict[str, Any] = await page.evaluate("window.seen")
            assert await page.evaluate("window.stillTheSamePage") is True  # no reload
            print(f"true state shown {seen['shown'] - seen['connect']:.0f} ms after reconnecting")
        assert not errors, errors
    finally:
        await context.close()
