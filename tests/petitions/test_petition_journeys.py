"""Journeys in real Chromium, from named helpers: a citizen on a phone over a throttled 3G link
files a petition and tracks it; an administrator reads the audit log. Screenshots go to
``$COUNCIL_SHOTS`` (a folder) when it is set."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from council.models import AuditEntry
from tests.browser import PHONE, login_in_browser, text_of
from tests.petitions.helpers import PETITION, act_ok, setup_world

# Chromium DevTools' "Slow 3G" as Lighthouse uses it: 400 ms round trip, 400 kbit/s each way.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1024 / 8,
    "uploadThroughput": 400 * 1024 / 8,
}


def _shot_path(name: str) -> str | None:
    folder = os.environ.get("COUNCIL_SHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return str(Path(folder) / f"{name}.png")


async def _shot(page: Any, name: str) -> None:
    if path := _shot_path(name):
        await page.screenshot(path=path, full_page=True)


async def _on_slow_3g(page: Any) -> None:
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.emulateNetworkConditions", SLOW_3G)


async def _timed_navigation(page: Any, action: Any) -> float:
    """Seconds from ``action`` to the next page's load."""
    started = time.perf_counter()
    async with page.expect_navigation(wait_until="load"):
        await action()
    return time.perf_counter() - started


async def _file_on_the_phone(page: Any) -> tuple[str, str, float]:
    """The citizen fills the form and sends it: (code, token, seconds to the receipt)."""
    await page.select_option("#council_code", "HN-BADINH")
    await page.fill("#title", PETITION["title"])
    await page.select_option("#category", "transport")
    await page.fill("#body", PETITION["body"])
    await page.fill("#name", PETITION["name"])
    await _shot(page, "citizen-1-form")
    seconds = await _timed_navigation(page, lambda: page.click("#petition-form button.primary"))
    assert page.url.endswith("/petitions/receipt")
    await _shot(page, "citizen-2-receipt")
    code = (await page.inner_text(".slip dd.code >> nth=0")).strip()
    token = (await page.inner_text(".slip dd.code >> nth=1")).strip()
    return code, token, seconds


async def _track_on_the_phone(page: Any, token: str) -> tuple[str, float]:
    """From the receipt to the tracking page: (its text, seconds to the result)."""
    await _timed_navigation(page, lambda: page.click("text=Tra cứu ngay"))
    await page.fill("#token", token)
    seconds = await _timed_navigation(
        page, lambda: page.click("form[action='/petitions/track'] button[type=submit]")
    )
    await _shot(page, "citizen-3-tracking")
    return await text_of(page), seconds


@pytest.mark.browser
async def test_a_citizen_on_a_phone_over_slow_3g_files_and_tracks(
    browser_page, live_server, settings
) -> None:
    w = await setup_world()
    page = browser_page
    await page.set_viewport_size(PHONE)
    await _on_slow_3g(page)
    opened = await _timed_navigation(page, lambda: page.goto("/petitions/new"))
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    code, token, to_receipt = await _file_on_the_phone(page)
    assert code.startswith("KN-") and "chụp màn hình" in await text_of(page)
    view, to_track = await _track_on_the_phone(page, token)
    assert PETITION["title"] in view and "Đã tiếp nhận" in view and "Ngày gửi" not in view
    # No e-mail was given: the page says so instead of claiming a message was sent.
    notices = await page.locator("ul.notices li").all_inner_texts()
    assert len(notices) == 1 and "chưa gửi được vì bạn không để lại" in notices[0]
    assert "Thông báo đã gửi cho bạn" not in view
    # Each page arrives within seconds even at 400 kbit/s with 400 ms round trips.
    assert max(opened, to_receipt, to_track) < 10, (opened, to_receipt, to_track)
    print(f"slow 3G: form {opened:.1f} s, receipt {to_receipt:.1f} s, tracking {to_track:.1f} s")

    # The commune accepts it; the citizen's next look shows the new step, as an event.
    async with httpx.AsyncClient(base_url=live_server) as http:
        await act_ok(http, w.commune_sec, code, "accept")
    await page.goto(f"/petitions/track?code={code}")
    await page.fill("#token", token)
    await _timed_navigation(
        page, lambda: page.click("form[action='/petitions/track'] button[type=submit]")
    )
    history = await page.locator("ol.history li").all_inner_texts()
    assert any("Cấp xã thụ lý" in h for h in history)
    await _shot(page, "citizen-4-accepted")


@pytest.mark.browser
async def test_an_admin_reads_the_audit_log(browser_page, live_server, settings) -> None:
    w = await setup_world()
    page = browser_page
    async with httpx.AsyncClient(base_url=live_server) as http:
        code = (await http.post("/api/v1/petitions", json=PETITION)).json()["code"]
        await act_ok(http, w.commune_sec, code, "accept")
    await login_in_browser(page, w.admin.username)
    await page.goto("/admin/audit")
    verified = page.locator("#audit-verify .audit-verify")
    await verified.wait_for()
    head = (await page.inner_text("#audit-verify code.hash")).strip()
    last = await AuditEntry.all().order_by("-id").first()
    assert "Chuỗi còn nguyên vẹn" in await verified.inner_text() and len(head) == 64
    assert head == last.hash  # the newest entry's: what verify-audit prints
    await _shot(page, "admin-1-audit-log")

    await page.select_option("#f-operation", "petition.accept")
    await page.click("form.filters button[type=submit]")
    await page.wait_for_url("**operation=petition.accept**")
    rows = page.locator("table.audit-log tbody tr")
    await rows.first.wait_for()
    assert await rows.count() == 1
    assert "Văn phòng Ba Đình" in await rows.first.inner_text()
    await _shot(page, "admin-2-filtered")
    async with page.expect_navigation():
        await rows.first.locator("td.target a").click()
    assert page.url.endswith(f"/petitions/staff/{code}")
    assert PETITION["title"] in await text_of(page)
