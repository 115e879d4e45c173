"""One journey per role of a sitting, in real Chromium, on the demo data (``council demo``):

- the secretariat prepares a session from an earlier one's agenda, edits it and publishes it;
- a delegate checks in, reads a document, asks for the floor and votes;
- the chair closes a vote after confirming its count, moves through items, gives the floor with
  a timer, runs a vote with a countdown (a delegate's tablet says the time is up and still
  votes) and has it taken again; the hall screen follows at 1920×1080.

Each journey is built from named helpers; screenshots go to the test's temporary directory.
"""

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog, Page

from council.demo import DEMO_PASSWORD, load_core
from council.models import User
from meetings import demo
from meetings.documents.generate import make_pdf
from meetings.models import AgendaItem, Attendance, Notice, Poll, Session
from meetings.services.common import LOCAL_TZ, local_day
from tests.browser import TABLET, login_in_browser

pytestmark = pytest.mark.browser

HALL = {"width": 1920, "height": 1080}


@pytest.fixture
async def demo_sitting(settings) -> Session:
    await load_core()
    await demo.load(settings)
    return await Session.get(title=demo.TITLE)


async def open_as(browser: Browser, base: str, username: str, viewport: dict) -> Page:
    context = await browser.new_context(base_url=base, viewport=viewport, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await login_in_browser(page, username, DEMO_PASSWORD)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def answer_dialogs(page: Page, said: list[str], accept: bool = True) -> None:
    """Accept (or dismiss) every confirmation, keeping what it said."""

    async def answer(dialog: Dialog) -> None:
        said.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    page.on("dialog", lambda dialog: asyncio.ensure_future(answer(dialog)))


async def shot(page: Page, shots: Path, name: str) -> None:
    await page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


# --- the secretariat ------------------------------------------------------------------------------


async def secretariat_prepares_edits_and_publishes(page: Page, source: Session, shots: Path) -> int:
    """A new session with the demo sitting's agenda, edited with htmx, published after confirming."""
    said: list[str] = []
    answer_dialogs(page, said)
    await page.goto("/meetings/sessions/new")
    await page.fill("#title", "Kỳ họp thứ sáu, HĐND phường Ba Đình")
    day = local_day() + timedelta(days=7)
    await page.fill("#starts_at", f"{day.isoformat()}T08:00")
    await page.select_option("#copy_from", str(source.id))
    async with page.expect_navigation():
        await page.click("form[action='/meetings/sessions/new'] button[type=submit]")
    sid = int(page.url.split("/")[-2])
    assert await page.locator("#agenda-edit ol > li").count() == 9  # the agenda, copied
    # A new item: its kind is a required choice, and the documents' form follows it.
    await page.fill("#item-title", "Chất vấn về thoát nước mùa mưa")
    await page.select_option("#item-kind", "questioning")
    await page.click("#item-new button[type=submit]")
    await page.wait_for_selector("#agenda-edit li:has-text('Chất vấn về thoát nước mùa mưa')")
    option = page.locator("#doc-item option", has_text="Chất vấn về thoát nước mùa mưa")
    assert await option.count() == 1
    # A document for it, chosen from the list the agenda just updated (no reload).
    await page.fill("#doc-title", "Tổng hợp kiến nghị về thoát nước")
    await page.set_input_files(
        "#doc-file",
        files=[
            {
                "name": "thoat-nuoc.pdf",
                "mimeType": "application/pdf",
                "buffer": make_pdf("Thoát nước", ["Ngõ 279 Đội Cấn ngập sâu sau mưa lớn."]),
            }
        ],
    )
    await page.select_option("#doc-item", label="10. Chất vấn về thoát nước mùa mưa")
    await page.click("#documents-edit form[action$='/documents'] button[type=submit]")
    await page.wait_for_selector("#documents-list li:has-text('Tổng hợp kiến nghị về thoát nước')")
    # An item renamed, another removed.
    first = page.locator("#agenda-edit ol > li").first
    await first.locator("summary").click()
    await first.locator("input[name=title]").fill("Khai mạc kỳ họp thứ sáu")
    await first.locator("form[action$='/edit'] button[type=submit]").click()
    await page.wait_for_selector("#agenda-edit li:has-text('Khai mạc kỳ họp thứ sáu')")
    last = page.locator("#agenda-edit ol > li").nth(8)
    await last.locator("summary").click()
    await last.locator("form[action$='/delete'] button[type=submit]").click()
    await page.wait_for_selector("#agenda-edit li:has-text('Bế mạc kỳ họp')", state="detached")
    assert await page.locator("#agenda-edit ol > li").count() == 9
    assert any("Rút nội dung" in s for s in said)
    await shot(page, shots, "secretariat-prepared")
    # Publishing asks first, then every delegate is told.
    async with page.expect_navigation():
        await page.click("#publish")
    assert any("Mọi đại biểu" in s for s in said)
    assert "Đã gửi đại biểu" in await page.inner_text(".lead")
    await shot(page, shots, "secretariat-published")
    return sid


async def test_the_secretariat_prepares_edits_and_publishes(
    chromium_browser: Browser, live_server: str, demo_sitting: Session, tmp_path: Path
) -> None:
    page = await open_as(chromium_browser, live_server, "hn.badinh.vanphong", TABLET)
    sid = await secretariat_prepares_edits_and_publishes(page, demo_sitting, tmp_path)
    titles = (
        await AgendaItem.filter(session_id=sid).order_by("position").values_list("title", "kind")
    )
    assert titles[0] == ("Khai mạc kỳ họp thứ sáu", "opening")
    assert titles[-1] == ("Chất vấn về thoát nước mùa mưa", "questioning")
    seats = await User.filter(
        council_id=demo_sitting.council_id, role__in=["delegate", "chair"]
    ).count()
    assert await Notice.filter(session_id=sid, kind="published").count() == seats
    assert not page.errors  # type: ignore[attr-defined]
    await page.context.close()


# --- a delegate -----------------------------------------------------------------------------------


async def delegate_checks_in_reads_asks_and_votes(
    page: Page, sitting: Session, shots: Path
) -> None:
    await page.goto(f"/meetings/sessions/{sitting.id}/tablet")
    await page.wait_for_selector("#conn-status.online")
    # The whole agenda, the current item marked, documents under their items.
    current = page.locator("#agenda-live li.current")
    assert "Dự thảo Nghị quyết về dự toán ngân sách" in await current.inner_text()
    assert await current.locator(".documents a").count() == 1
    await page.click("#check-in")
    await page.wait_for_selector("#checked-in")
    await shot(page, shots, "delegate-checked-in")
    async with page.expect_navigation():
        await current.locator(".documents a").click()
    assert "Luật Tổ chức chính quyền địa phương" in await page.inner_text("main")
    await page.go_back()
    # A PDF in the viewer: its pages drawn on the server, the first one shown.
    report = page.locator("#agenda-live .documents a", has_text="Báo cáo tình hình kinh tế")
    async with page.expect_navigation():
        await report.click()
    await page.wait_for_function(
        "() => { const i = document.querySelector('#sheet-1 img');"
        " return !!i && i.complete && i.naturalWidth > 0; }"
    )
    await shot(page, shots, "delegate-reads")
    await page.go_back()
    await page.wait_for_selector("#conn-status.online")
    await page.click("#request-floor")
    await page.wait_for_selector("#withdraw")
    await page.click("#vote-panel button.vote.yes")
    await page.wait_for_selector("#voted-msg")
    await shot(page, shots, "delegate-voted")


async def test_a_delegate_checks_in_reads_asks_for_the_floor_and_votes(
    chromium_browser: Browser, live_server: str, demo_sitting: Session, tmp_path: Path
) -> None:
    page = await open_as(chromium_browser, live_server, "hn.badinh.db001", TABLET)
    await delegate_checks_in_reads_asks_and_votes(page, demo_sitting, tmp_path)
    delegate = await User.get(username="hn.badinh.db001")
    assert await Attendance.exists(session_id=demo_sitting.id, user_id=delegate.id)
    assert not page.errors  # type: ignore[attr-defined]
    await page.context.close()


# --- the chair, with the hall screen and a delegate's tablet watching -----------------------------


async def chair_closes_the_vote_after_confirming_its_count(chair: Page, said: list[str]) -> None:
    await chair.click("#close-vote")
    await chair.wait_for_selector(".live-vote", state="detached")
    assert re.search(r"Kết thúc biểu quyết\? \d+/\d+ đã biểu quyết\.", said[-1]), said


async def chair_moves_to_item(chair: Page, title: str) -> None:
    row = chair.locator("#chair-live .agenda li", has_text=title)
    await row.locator("button").click()
    await chair.wait_for_selector(f"#chair-live .agenda li.current:has-text('{title}')")


async def chair_gives_the_floor_and_ends_the_speech(chair: Page, hall: Page) -> None:
    await chair.locator("#chair-live .queue li").first.locator("button").click()
    timer = chair.locator("#chair-live .queue [data-timer]")
    await timer.wait_for()
    await hall.wait_for_selector("#hall[data-state='speaker'] .hall-speaker [data-timer]")
    first = await hall.inner_text("#hall [data-timer]")
    for _ in range(50):  # counting down
        await hall.wait_for_timeout(100)
        if await hall.inner_text("#hall [data-timer]") != first:
            break
    assert re.fullmatch(r"[0-4]:[0-5]\d", await hall.inner_text("#hall [data-timer]"))
    await chair.click("#chair-live form[action$='/chair/finish'] button")
    await hall.wait_for_selector("#hall[data-state='item']")


async def chair_runs_a_vote_with_a_countdown(
    chair: Page, hall: Page, tablet: Page, title: str
) -> int:
    await chair.click("#chair-live details:has(#poll-title) > summary")
    await chair.fill("#poll-title", title)
    await chair.fill("#poll-countdown", "10")
    await chair.click("#chair-live form[action$='/chair/poll'] button[type=submit]")
    row = chair.locator("#chair-live .polls li", has_text=title).last
    await row.locator("button.open-vote").click()
    await hall.wait_for_selector("#hall[data-state='vote'] [data-countdown]")
    await tablet.wait_for_selector("#vote-panel [data-countdown]")
    # At zero the screens say the time is up; the tablet still takes the ballot.
    await tablet.wait_for_selector("#vote-panel [data-countdown].up", timeout=20_000)
    assert await tablet.inner_text("#vote-panel [data-countdown]") == "Hết giờ"
    await hall.wait_for_selector("#hall [data-countdown].up")
    await tablet.click("#vote-panel button.vote.no")
    await tablet.wait_for_selector("#voted-msg")
    await hall.wait_for_selector("#hall [data-voted]:text-is('1')")
    poll = await Poll.filter(title=title).order_by("-id").first()
    assert poll is not None
    return poll.id


async def chair_has_the_vote_taken_again(chair: Page, poll_id: int, reason: str) -> None:
    row = chair.locator(f"#chair-live .polls li:has(.result[data-poll='{poll_id}'])")
    await row.locator("details.revote-form > summary").click()
    await row.locator("input[name=reason]").fill(reason)
    await row.locator("details.revote-form button[type=submit]").click()
    await chair.wait_for_selector(f"#chair-live .polls li:has-text('{reason}')")


async def chair_runs_the_revote_and_closes_the_sitting(chair: Page, said: list[str]) -> None:
    row = chair.locator("#chair-live .polls li:has(.revote)").last
    await row.locator("button.open-vote").click()
    await chair.wait_for_selector("#close-vote")
    await chair_closes_the_vote_after_confirming_its_count(chair, said)
    await chair.click("#chair-live form[action$='/chair/close'] button[type=submit]")
    await chair.wait_for_selector("#start-session, #chair-live .status-closed")
    assert any(s == "Bế mạc kỳ họp?" for s in said), said


async def secretariat_downloads_and_reads_the_minutes(
    page: Page, sitting: Session, shots: Path
) -> tuple[str, str]:
    """The minutes numbered, downloaded as PDF and DOCX from the preparation page, read back."""
    import io

    import docx
    from pypdf import PdfReader

    await page.goto(f"/meetings/sessions/{sitting.id}/prepare")
    await page.fill("#minutes-number", "7")
    await page.click("#minutes-card form button[type=submit]")
    await page.wait_for_selector("#minutes-card .saved")
    await shot(page, shots, "secretariat-minutes-card")
    files = {}
    for fmt, label in (("pdf", "Biên bản (PDF)"), ("docx", "Biên bản (DOCX)")):
        async with page.expect_download() as download:
            await page.click(f"#minutes-card a:has-text('{label}')")
        saved = shots / f"minutes.{fmt}"
        await (await download.value).save_as(saved)
        files[fmt] = await asyncio.to_thread(saved.read_bytes)
    reader = PdfReader(io.BytesIO(files["pdf"]))
    pdf = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    document = docx.Document(io.BytesIO(files["docx"]))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    text = "\n".join([*(p.text for p in document.paragraphs), *cells])
    return pdf, text


async def test_the_chair_runs_the_sitting_while_the_hall_screen_follows(
    chromium_browser: Browser, live_server: str, demo_sitting: Session, tmp_path: Path
) -> None:
    sid = demo_sitting.id
    hall = await open_as(chromium_browser, live_server, "hn.badinh.vanphong", HALL)
    await hall.goto(f"/meetings/sessions/{sid}/hall")
    await hall.wait_for_selector("#live[data-connected='true']")
    tablet = await open_as(chromium_browser, live_server, "hn.badinh.db002", TABLET)
    await tablet.goto(f"/meetings/sessions/{sid}/tablet")
    await tablet.click("#check-in")
    await tablet.wait_for_selector("#checked-in")
    chair = await open_as(chromium_browser, live_server, "hn.badinh.chutoa", TABLET)
    said: list[str] = []
    answer_dialogs(chair, said)
    await chair.goto(f"/meetings/sessions/{sid}/chair")
    await chair.wait_for_selector("#conn-status.online")
    await hall.wait_for_selector("#hall[data-state='vote']")
    await hall.screenshot(path=str(tmp_path / "hall-vote.png"))

    await chair_closes_the_vote_after_confirming_its_count(chair, said)
    await hall.wait_for_selector("#hall[data-state='result'] .breakdown")
    await hall.screenshot(path=str(tmp_path / "hall-result.png"))
    await chair_moves_to_item(chair, "Chất vấn và trả lời chất vấn")
    await hall.wait_for_selector("#hall .hall-item:has-text('Chất vấn và trả lời chất vấn')")
    await chair_gives_the_floor_and_ends_the_speech(chair, hall)
    await hall.screenshot(path=str(tmp_path / "hall-item.png"))
    title = "Biểu quyết thông qua kết quả chất vấn"
    poll_id = await chair_runs_a_vote_with_a_countdown(chair, hall, tablet, title)
    await hall.screenshot(path=str(tmp_path / "hall-countdown-over.png"))
    await tablet.screenshot(path=str(tmp_path / "tablet-time-up.png"))
    await chair_closes_the_vote_after_confirming_its_count(chair, said)
    present = await Attendance.filter(session_id=sid).count()
    assert said[-1] == f"Kết thúc biểu quyết? 1/{present} đã biểu quyết."
    await hall.wait_for_selector(f"#hall .hall-result[data-poll='{poll_id}']")
    reason = "Nhiều đại biểu chưa kịp biểu quyết do mất kết nối"
    await chair_has_the_vote_taken_again(chair, poll_id, reason)
    again = await Poll.get(revote_of_id=poll_id)
    assert again.revote_reason == reason and again.status == "draft"
    await shot(chair, tmp_path, "chair-revote")
    await chair_runs_the_revote_and_closes_the_sitting(chair, said)
    # The minutes, downloaded and read back: the official frame, in local time, with the sitting.
    pdf, docx_text = await secretariat_downloads_and_reads_the_minutes(
        await hall.context.new_page(), demo_sitting, tmp_path
    )
    for text in (pdf, docx_text):
        assert "PHƯỜNG BA ĐÌNH" in text and "Số: 07/BB-HĐND" in text.replace("\n", " ")
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "THƯ KÝ" in text
        assert "CHỦ TỌA" in text and f"Lý do: {reason}" in " ".join(text.split())
    closed = await Session.get(id=sid)
    day = closed.closed_at.astimezone(LOCAL_TZ) if closed.closed_at else None
    assert day is not None
    assert f"Ba Đình, ngày {day:%d} tháng {day:%m} năm {day:%Y}" in " ".join(docx_text.split())
    for page in (hall, tablet, chair):
        assert not page.errors, page.errors  # type: ignore[attr-defined]
    fits = await hall.evaluate("document.scrollingElement.scrollHeight <= innerHeight")
    assert fits
    for page in (hall, tablet, chair):
        await page.context.close()
