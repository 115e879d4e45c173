"""A delegate checks in and votes from the tablet page while the hall screen updates (real Chromium)."""

import asyncio

import httpx
import pytest
from playwright.async_api import Browser, Page, Route

from council.i18n import gettext
from tests.browser import TABLET, login_in_browser
from tests.meetings.helpers import (
    add_agenda,
    check_in,
    create_session,
    setup_council,
    start_session,
)

pytestmark = pytest.mark.browser


async def _hall_context(browser: Browser, base: str) -> Page:
    context = await browser.new_context(base_url=base, viewport=TABLET, locale="vi-VN")
    context.set_default_timeout(15_000)
    return await context.new_page()


async def test_delegate_votes_on_tablet_while_hall_screen_updates(
    browser_page: Page, chromium_browser: Browser, live_server: str
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        s = await setup_council(seats=5, delegates=3)
        await create_session(http, s, title="Kỳ họp thứ hai")
        items = await add_agenda(http, s)
        await start_session(http, s)
        await check_in(http, s, [s.chair, s.delegates[1], s.delegates[2]])
        await http.post(
            f"/api/v1/sessions/{s.session_id}/current",
            headers=s.h(s.chair),
            json={"item_id": items[2]},
        )
        sid = s.session_id

        hall = await _hall_context(chromium_browser, live_server)
        errors: list[str] = []
        hall.on("pageerror", lambda exc: errors.append(str(exc)))
        await login_in_browser(hall, s.secretariat.username)
        await hall.goto(f"/meetings/sessions/{sid}/hall")
        # The projector shows no online badge: the page says it is connected.
        await hall.wait_for_selector("#live[data-connected='true']")
        assert "Dự thảo Nghị quyết về dự toán ngân sách" in await hall.inner_text("#hall")
        assert await hall.inner_text("#hall .hall-attendance [data-present]") == "3"

        tablet = browser_page

        async def slow_link(route: Route) -> None:
            # The fragment as the server reads it now, delivered late (a slow link): it must
            # not undo the check-in the delegate makes meanwhile.
            response = await route.fetch()
            await asyncio.sleep(1.5)
            await route.fulfill(response=response)

        await tablet.route("**/fragments/attendance", slow_link)
        await login_in_browser(tablet, s.delegates[0].username)
        await tablet.goto(f"/meetings/sessions/{sid}/tablet")
        await tablet.wait_for_selector("#conn-status.online")
        assert "Dự thảo Nghị quyết" in await tablet.inner_text("#current-item")
        await tablet.click("#check-in")
        await tablet.wait_for_selector("#checked-in")
        await hall.wait_for_selector("#hall .hall-attendance [data-present]:text-is('4')")
        await asyncio.sleep(2)  # the refresh asked for at the join has arrived by now
        assert await tablet.is_visible("#checked-in")
        await tablet.unroute("**/fragments/attendance")

        # A network drop: events sent meanwhile are missed, the re-join shows the true state.
        await tablet.evaluate("window.councilSocket.io.engine.close()")
        await tablet.wait_for_selector("#conn-status:not(.online)")
        await http.post(
            f"/api/v1/sessions/{sid}/current", headers=s.h(s.chair), json={"item_id": items[3]}
        )
        await tablet.wait_for_selector("#conn-status.online")
        await tablet.wait_for_selector("#current-item:has-text('kiến nghị cử tri')")

        # The chair opens a vote: both screens follow without a reload.
        r = await http.post(
            f"/api/v1/sessions/{sid}/polls",
            headers=s.h(s.chair),
            json={
                "title": "Thông qua Nghị quyết dự toán",
                "kind": "motion",
                "secret": True,
                "rule": "majority_of_seats",
                "item_id": items[2],
            },
        )
        poll_id = r.json()["id"]
        assert (
            await http.post(f"/api/v1/polls/{poll_id}/open", headers=s.h(s.chair))
        ).status_code == 200
        await tablet.wait_for_selector("#vote-panel button.vote.yes")
        await hall.wait_for_selector("#hall [data-voted]")
        assert await hall.inner_text("#hall [data-voted]") == "0"

        await tablet.click("#vote-panel button.vote.yes")
        await tablet.wait_for_selector("#voted-msg")
        assert gettext("Your ballot is recorded.", "vi") in await tablet.inner_text("#vote-panel")
        await hall.wait_for_selector("#hall [data-voted]:text-is('1')")

        await http.post(
            f"/api/v1/polls/{poll_id}/ballots", headers=s.h(s.delegates[1]), json={"choice": "yes"}
        )
        await hall.wait_for_selector("#hall [data-voted]:text-is('2')")
        assert (
            await http.post(f"/api/v1/polls/{poll_id}/close", headers=s.h(s.chair))
        ).status_code == 200
        await hall.wait_for_selector("#hall .result")
        result = await hall.inner_text("#hall .result")
        assert "2/5 đại biểu tán thành, chiếm 40,00% tổng số đại biểu" in result
        await tablet.wait_for_selector("#vote-panel .result")
        assert "không được thông qua" in await tablet.inner_text("#vote-panel .result")
        assert not errors
        await hall.context.close()


async def test_checking_in_during_a_vote_shows_the_ballot_and_the_request_to_speak(
    browser_page: Page, live_server: str
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        s = await setup_council(seats=4, delegates=3)  # quorum: 3 of 4
        await create_session(http, s)
        await start_session(http, s)
        await check_in(http, s, [s.chair, s.delegates[1], s.delegates[2]])
        r = await http.post(
            f"/api/v1/sessions/{s.session_id}/polls",
            headers=s.h(s.chair),
            json={"title": "Thông qua chương trình kỳ họp", "kind": "motion"},
        )
        poll_id = r.json()["id"]
        assert (
            await http.post(f"/api/v1/polls/{poll_id}/open", headers=s.h(s.chair))
        ).status_code == 200
        tablet = browser_page
        await login_in_browser(tablet, s.delegates[0].username)
        await tablet.goto(f"/meetings/sessions/{s.session_id}/tablet")
        await tablet.wait_for_selector("#conn-status.online")
        assert await tablet.locator("#vote-panel button.vote.yes").count() == 0
        await tablet.click("#check-in")
        # No reload: the ballot and the request to speak appear once the check-in is recorded.
        await tablet.wait_for_selector("#vote-panel button.vote.yes", timeout=5_000)
        await tablet.wait_for_selector("#speakers button[type=submit]", timeout=5_000)


async def test_the_chair_can_take_back_closing_the_session(
    browser_page: Page, live_server: str
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        s = await setup_council(seats=5, delegates=3)
        await create_session(http, s)
        await start_session(http, s)
        chair = browser_page
        await login_in_browser(chair, s.chair.username)
        await chair.goto(f"/meetings/sessions/{s.session_id}/chair")
        close = chair.locator("form[action$='/chair/close'] button[type=submit]")

        chair.once("dialog", lambda dialog: asyncio.ensure_future(dialog.dismiss()))
        await close.click()
        await asyncio.sleep(1.5)  # long enough for a request that should not have been sent
        state = (await http.get(f"/api/v1/sessions/{s.session_id}", headers=s.h(s.chair))).json()
        assert state["session"]["status"] == "in_progress"

        chair.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await close.click()
        for _ in range(50):
            state = (
                await http.get(f"/api/v1/sessions/{s.session_id}", headers=s.h(s.chair))
            ).json()
            if state["session"]["status"] == "closed":
                break
            await asyncio.sleep(0.1)
        assert state["session"]["status"] == "closed"


async def test_a_blank_election_ballot_is_cast_only_once_confirmed(
    browser_page: Page, live_server: str
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        s = await setup_council(seats=4, delegates=3)  # quorum: 3 of 4
        await create_session(http, s)
        await start_session(http, s)
        await check_in(http, s, [s.chair, s.delegates[0], s.delegates[1]])
        r = await http.post(
            f"/api/v1/sessions/{s.session_id}/polls",
            headers=s.h(s.chair),
            json={
                "title": "Bầu bổ sung Ủy viên Ủy ban nhân dân phường",
                "kind": "election",
                "secret": True,
                "max_choices": 1,
                "options": [{"label": "Nguyễn Văn An"}, {"label": "Trần Thị Bình"}],
            },
        )
        poll_id = r.json()["id"]
        assert (
            await http.post(f"/api/v1/polls/{poll_id}/open", headers=s.h(s.chair))
        ).status_code == 200

        async def voted() -> int:
            r = await http.get(f"/api/v1/polls/{poll_id}", headers=s.h(s.chair))
            return int(r.json()["voted"])

        tablet = browser_page
        await login_in_browser(tablet, s.delegates[0].username)
        await tablet.goto(f"/meetings/sessions/{s.session_id}/tablet")
        await tablet.wait_for_selector("#conn-status.online")
        cast_button = tablet.locator("#vote-panel form.ballot button[type=submit]")
        said: list[str] = []

        def answer(accept: bool):  # type: ignore[no-untyped-def]
            async def reply(dialog) -> None:  # type: ignore[no-untyped-def]
                said.append(dialog.message)
                await (dialog.accept() if accept else dialog.dismiss())

            return lambda dialog: asyncio.ensure_future(reply(dialog))

        # Nobody ticked: the tablet asks first; "Cancel" keeps the ballot open to choose.
        tablet.once("dialog", answer(False))
        await cast_button.click()
        await asyncio.sleep(1.5)  # long enough for a request that should not have been sent
        assert said == ["Bạn chưa chọn ai. Vẫn gửi phiếu trắng?"]
        assert await voted() == 0
        assert await tablet.locator("#vote-panel form.ballot").count() == 1
        # Confirmed: the blank ballot is recorded.
        tablet.once("dialog", answer(True))
        await cast_button.click()
        await tablet.wait_for_selector("#voted-msg", timeout=5_000)
        assert len(said) == 2 and await voted() == 1

        # A ballot with a candidate ticked goes at once, without a question.
        other = await tablet.context.browser.new_context(  # type: ignore[union-attr]
            base_url=live_server, viewport=TABLET, locale="vi-VN"
        )
        page = await other.new_page()
        page.on("dialog", answer(False))
        await login_in_browser(page, s.delegates[1].username)
        await page.goto(f"/meetings/sessions/{s.session_id}/tablet")
        await page.wait_for_selector("#conn-status.online")
        tick = page.locator("#vote-panel label.option input").first
        await tick.check()
        # A refresh of the panel while choosing (here a reconnect, which refreshes every
        # fragment) keeps the ticks: it once dropped them, and the ballot went blank.
        joined = await page.get_attribute("[data-joined]", "data-joined")
        async with page.expect_response(lambda r: "/fragments/vote" in r.url):
            await page.evaluate("window.councilSocket.disconnect(); window.councilSocket.connect()")
        assert await page.get_attribute("[data-joined]", "data-joined") != joined
        await page.wait_for_timeout(200)  # the fetched fragment swapped in
        assert await tick.is_checked()
        await page.locator("#vote-panel form.ballot button[type=submit]").click()
        await page.wait_for_selector("#voted-msg", timeout=15_000)
        assert len(said) == 2 and await voted() == 2
        await other.close()
