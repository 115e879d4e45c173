"""The hall screen on a projector (real Chromium, 1366×768 and 1920×1080), opened from a kiosk link:
every state fits the screen without scrolling and shows nothing personal."""

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from tests.meetings.helpers import Sitting, create_session, setup_council, start_session

pytestmark = pytest.mark.browser

SIZES = {"1366x768": {"width": 1366, "height": 768}, "1920x1080": {"width": 1920, "height": 1080}}
LONG_TITLE = (
    "Báo cáo thẩm tra của Ban Kinh tế - Ngân sách về dự thảo Nghị quyết phê chuẩn quyết toán "
    "ngân sách nhà nước và phân bổ dự toán chi đầu tư công trung hạn giai đoạn 2026–2030"
)


async def open_hall_by_kiosk_link(browser: Browser, base: str, url: str, size: str) -> Page:
    """A projector's browser: opens the kiosk link, confirms, and lands on the hall screen."""
    context = await browser.new_context(base_url=base, viewport=SIZES[size], locale="vi-VN")
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await page.goto(url)
    await page.click("#kiosk-open")
    await page.wait_for_selector("#hall")
    await page.wait_for_selector("#live[data-connected='true']")
    return page


async def fits(page: Page) -> dict[str, Any]:
    """What overflows: the page itself, or a panel that hides what it cannot hold."""
    return await page.evaluate(
        """() => {
          const se = document.scrollingElement;
          const panels = {};
          for (const sel of ['.hall-current', '.hall-speaker', '.hall-vote', '.hall-item']) {
            const el = document.querySelector(sel);
            if (el) { panels[sel] = el.scrollHeight <= el.clientHeight + 1; }
          }
          return {page: se.scrollHeight <= innerHeight && se.scrollWidth <= innerWidth,
                  panels, state: document.querySelector('#hall').dataset.state};
        }"""
    )


async def check_every_size(
    screens: dict[str, Page], state: str, shots: Path, selector: str
) -> None:
    for size, page in screens.items():
        await page.wait_for_selector(f"#hall[data-state='{state}'] {selector}")
        await page.wait_for_timeout(300)  # a timer's first tick
        found = await fits(page)
        name = f"hall-{state}-{size}.png"
        if (shots / name).exists():
            name = f"hall-{state}-2-{size}.png"
        await page.screenshot(path=str(shots / name))
        assert found["page"], (state, size, found)
        assert all(found["panels"].values()), (state, size, found)
        # Nothing personal on the projector: no account, no menu, no link away, no badge.
        for personal in (".topbar", ".whoami", "form[action='/logout']", "#live a"):
            assert await page.locator(personal).count() == 0, (state, size, personal)
        assert not await page.is_visible("#conn-status")


async def drive(http: httpx.AsyncClient, s: Sitting, method: str, path: str, **kw: Any) -> Any:
    r = await http.request(method, path, headers=s.h(s.chair), **kw)
    assert r.status_code < 300, (path, r.text)
    return r.json()


async def test_every_hall_state_fits_1366_and_1920_without_scrolling(
    chromium_browser: Browser, live_server: str, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        s = await setup_council(seats=31, delegates=30)
        await create_session(http, s, title="Kỳ họp thứ năm (chuyên đề), HĐND phường Ba Đình")
        sid = s.session_id
        item = await drive(
            http,
            s,
            "POST",
            f"/api/v1/sessions/{sid}/items",
            json={"title": LONG_TITLE, "kind": "verification_report"},
        )
        await start_session(http, s)
        for user in [s.chair, *s.delegates[:24]]:
            await http.post(f"/api/v1/sessions/{sid}/attendance", headers=s.h(user), json={})
        made = await http.post(
            f"/api/v1/councils/{s.council.code}/displays",
            headers=s.h(s.secretariat),
            json={"label": "Máy chiếu hội trường"},
        )
        url = made.json()["url"]
        screens = {
            size: await open_hall_by_kiosk_link(chromium_browser, live_server, url, size)
            for size in SIZES
        }
        try:
            # The current item.
            await drive(
                http, s, "POST", f"/api/v1/sessions/{sid}/current", json={"item_id": item["id"]}
            )
            await check_every_size(screens, "item", tmp_path, ".hall-item")
            # A speaker with the timer, and who waits.
            for d in s.delegates[:6]:
                await http.post(f"/api/v1/sessions/{sid}/speakers", headers=s.h(d))
            queue = (await http.get(f"/api/v1/sessions/{sid}", headers=s.h(s.chair))).json()
            await drive(http, s, "POST", f"/api/v1/speakers/{queue['speakers'][0]['id']}/floor")
            await check_every_size(screens, "speaker", tmp_path, ".hall-speaker [data-timer]")
            # A vote in progress with its count and countdown.
            poll = await drive(
                http,
                s,
                "POST",
                f"/api/v1/sessions/{sid}/polls",
                json={
                    "title": "Biểu quyết thông qua Nghị quyết về dự toán ngân sách phường năm 2027",
                    "countdown_seconds": 60,
                },
            )
            await drive(http, s, "POST", f"/api/v1/polls/{poll['id']}/open")
            for i, d in enumerate(s.delegates[:15]):
                await http.post(
                    f"/api/v1/polls/{poll['id']}/ballots",
                    headers=s.h(d),
                    json={"choice": "yes" if i < 12 else "no"},
                )
            await check_every_size(screens, "vote", tmp_path, ".hall-countdown [data-countdown]")
            for page in screens.values():
                await page.wait_for_selector("#hall [data-voted]:text-is('15')")
            # The result: the full breakdown and the outcome in words.
            await drive(http, s, "POST", f"/api/v1/polls/{poll['id']}/close")
            await check_every_size(
                screens, "result", tmp_path, f".hall-result[data-poll='{poll['id']}'] .breakdown"
            )
            for page in screens.values():
                text = await page.inner_text("#hall .hall-result")
                assert "12/31 đại biểu tán thành, chiếm 38,71% tổng số đại biểu" in text
                assert "Kết quả: không được thông qua" in text
                assert await page.inner_text("#hall .breakdown .yes dd") == "12"
            # An election's result lists every candidate.
            election = await drive(
                http,
                s,
                "POST",
                f"/api/v1/sessions/{sid}/polls",
                json={
                    "title": "Bầu Ủy viên Ủy ban nhân dân phường",
                    "kind": "election",
                    "secret": True,
                    "options": [{"label": f"Ứng cử viên Nguyễn Văn Số {i}"} for i in range(1, 7)],
                    "max_choices": 2,
                },
            )
            await drive(http, s, "POST", f"/api/v1/polls/{election['id']}/open")
            options = [o["id"] for o in election["options"]]
            for i, d in enumerate(s.delegates[:20]):
                await http.post(
                    f"/api/v1/polls/{election['id']}/ballots",
                    headers=s.h(d),
                    json={"choice": [options[i % 3], options[3 + i % 3]]},
                )
            await drive(http, s, "POST", f"/api/v1/polls/{election['id']}/close")
            shown = f".hall-result[data-poll='{election['id']}'] .result-lines"
            await check_every_size(screens, "result", tmp_path, shown)
            for page in screens.values():
                assert "Ứng cử viên Nguyễn Văn Số 6" in await page.inner_text("#hall .hall-result")
        finally:
            for page in screens.values():
                await page.context.close()
