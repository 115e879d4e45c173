"""The petitions staff in real Chromium, on the demo data (``council demo``):

- an agency officer of the Department of Construction returns the theft report the demo assigned
  to it, answers another petition with its reply letter, and asks for more time on a third;
- the city's secretariat searches, exports what it sees, approves the extension, routes the
  returned petition, merges two communes' petitions and publishes an answer.

Each journey is built from named helpers; screenshots go to $COUNCIL_SHOTS (default: the test's
temporary directory).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog, Page

from council.demo import DEMO_PASSWORD, load_core
from council.models import Agency, AuditEntry, Council
from council.search.engine import get_engine
from council.search.outbox import IndexWorker
from petitions import demo, indexing
from petitions.models import Attachment, Extension, Hop, Petition
from petitions.workflow import LOCAL_TZ
from tests.browser import TABLET, login_in_browser

pytestmark = pytest.mark.browser

LETTER = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
async def demo_petitions(settings) -> None:
    await load_core()
    await demo.load(settings)
    indexing.use_data_dir(settings.index_dir)
    worker = IndexWorker(get_engine())
    while await worker.drain_once():
        pass


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("COUNCIL_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def open_as(browser: Browser, base: str, username: str) -> Page:
    context = await browser.new_context(
        base_url=base, viewport=TABLET, locale="vi-VN", accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await login_in_browser(page, username, DEMO_PASSWORD)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def answer_dialogs(page: Page, said: list[str]) -> None:
    """Accept every confirmation, keeping what it said."""

    async def answer(dialog: Dialog) -> None:
        said.append(dialog.message)
        await dialog.accept()

    page.on("dialog", lambda dialog: asyncio.ensure_future(answer(dialog)))


async def shot(page: Page, shots: Path, name: str) -> None:
    await page.screenshot(path=str(shots / f"petitions-{name}.png"), full_page=True)


async def open_other_actions(page: Page) -> None:
    await page.click("details.more-actions > summary")


async def assigned_to(agency: str, **filters: str) -> Petition:
    a = await Agency.get(code=agency)
    return (
        await Petition.filter(agency_id=a.id, status="assigned", **filters).order_by("id").first()
    )


# --- the agency officer ---------------------------------------------------------------------------


async def officer_returns_the_theft_report(page: Page, shots: Path) -> str:
    """The theft report is not the Department of Construction's: back to the city, with why."""
    theft = await assigned_to("SO-XD", title__contains="trộm cắp")
    said: list[str] = []
    answer_dialogs(page, said)
    await page.goto(f"/petitions/staff/{theft.code}")
    assert await page.locator(".action-panel .primary-action button").inner_text() == "Trả lời"
    await open_other_actions(page)
    form = page.locator("form[data-action=return]")
    await form.locator("textarea[name=reason]").fill(
        "Trộm cắp tài sản thuộc thẩm quyền Công an thành phố, không thuộc Sở Xây dựng."
    )
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector(".alert-ok")
    assert said and "Trả kiến nghị này về Văn phòng" in said[0]
    await shot(page, shots, "officer-returned")
    assert "không còn trong danh sách" in await page.inner_text("main")
    p = await Petition.get(id=theft.id)
    assert p.status == "escalated" and p.agency_id is None
    hop = await Hop.get(petition_id=p.id, ended_at__isnull=True)
    assert hop.stage == "assign" and hop.owner_council_id == p.handler_id
    return theft.code


async def officer_answers_with_a_letter(page: Page, shots: Path) -> str:
    p = await assigned_to("SO-XD", category="transport")
    await page.goto(f"/petitions/staff/{p.code}")
    form = page.locator(".action-panel .primary-action")
    await form.locator("textarea[name=text]").fill(
        "Sở Xây dựng đã đưa tuyến đường vào kế hoạch duy tu quý III năm 2026."
    )
    assert await form.locator("select[name=resolution]").input_value() == ""  # no default
    await form.locator("select[name=resolution]").select_option("roadmap")
    await form.locator("input[name=roadmap_date]").fill("2026-09-30")
    await form.locator("input[name=letter]").set_input_files(
        files=[{"name": "cong-van-tra-loi.pdf", "mimeType": "application/pdf", "buffer": LETTER}]
    )
    await shot(page, shots, "officer-answer-form")
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector(".alert-ok")
    await shot(page, shots, "officer-answered")
    assert "cong-van-tra-loi.pdf" in await page.inner_text("main")
    # Publishing is the council's step: no result form offered again as the agency's next one.
    assert await page.locator(".action-panel .primary-action").count() == 0
    assert "Xem xét, công khai trả lời" in await page.inner_text(".action-panel .waiting-for")
    done = await Petition.get(id=p.id)
    assert done.status == "answered" and done.resolution == "roadmap"
    assert await Attachment.exists(petition_id=p.id, kind="reply")
    return p.code


async def officer_asks_for_more_time(page: Page, shots: Path) -> str:
    """An extension is asked before the due date: the first construction petition not yet due."""
    agency = await Agency.get(code="SO-XD")
    hop = (
        await Hop.filter(
            petition__agency_id=agency.id,
            petition__status="assigned",
            petition__category="construction",
            ended_at__isnull=True,
            due_at__gt=datetime.now(UTC) + timedelta(days=1),
        )
        .order_by("petition_id")
        .first()
    )
    assert hop is not None, "the demo has no construction petition of SO-XD that is not yet due"
    p = await Petition.get(id=hop.petition_id)  # type: ignore[attr-defined]
    until = (hop.due_at.astimezone(LOCAL_TZ) + timedelta(days=14)).date()
    await page.goto(f"/petitions/staff/{p.code}")
    await open_other_actions(page)
    await page.fill("#ext-until", until.isoformat())
    await page.fill("#ext-reason", "Cần phối hợp kiểm tra hiện trường với phường.")
    await page.click("form[action$='/extensions'] button[type=submit]")
    await page.wait_for_selector(".extension-pending")
    await shot(page, shots, "officer-extension-asked")
    assert await Extension.exists(petition_id=p.id, state="pending")
    return p.code


# --- the city's secretariat -----------------------------------------------------------------------


async def secretariat_searches_and_exports(page: Page, shots: Path) -> None:
    await page.goto("/petitions/staff")
    await page.fill("#q", "duong")
    await page.press("#q", "Enter")
    await page.wait_for_url(re.compile(r"q=duong"))
    await page.wait_for_selector(
        "#results .export-form input[name=q][value=duong]", state="attached"
    )
    listed = await page.locator("#results tbody a.nowrap").all_inner_texts()
    total = int(re.search(r"Xuất (\d+) kiến nghị", await page.inner_text("#results")).group(1))
    assert 0 < len(listed) == total
    await shot(page, shots, "secretariat-search")
    async with page.expect_download() as info:
        await page.click("#results .export-form button:has-text('CSV')")
    download = await info.value
    saved = Path(await download.path())
    body = await asyncio.to_thread(saved.read_text, encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert sorted(r[0] for r in rows[1:]) == sorted(listed)
    assert "Họ và tên" not in rows[0]  # personal columns only when ticked
    entry = await AuditEntry.filter(operation="petition.export").order_by("-id").first()
    assert entry.details["rows"] == total and entry.details["filters"] == {"q": "duong"}


async def secretariat_approves_the_extension(page: Page, code: str, shots: Path) -> None:
    await page.goto(f"/petitions/staff/{code}")
    await page.fill("#ext-note", "Đồng ý, đề nghị trả lời đúng hạn mới.")
    await page.click(".extension-pending button[value=approve]")
    await page.wait_for_selector(".alert-ok")
    await shot(page, shots, "secretariat-extension-approved")
    assert "hạn ban đầu" in await page.inner_text("main")


async def secretariat_routes_the_returned_petition(page: Page, code: str, shots: Path) -> None:
    await page.goto(f"/petitions/staff/{code}")
    history = await page.inner_text("main")
    assert "Cơ quan trả lại để giao lại" in history and "Công an thành phố" in history
    await shot(page, shots, "secretariat-returned-petition")
    primary = page.locator(".action-panel .primary-action")
    assert await primary.locator("button").inner_text() == "Giao cơ quan giải quyết"
    await primary.locator("select[name=agency_code]").select_option("SO-YT")
    await primary.locator("button").click()
    await page.wait_for_selector(".alert-ok")
    await shot(page, shots, "secretariat-routed")
    assert (await Petition.get(code=code)).status == "assigned"


async def secretariat_merges_two_communes(page: Page, shots: Path) -> None:
    """Two escalated petitions of different communes on one issue: merged by the city."""
    city = await Council.get(code="HN")
    rows = await Petition.filter(handler_id=city.id, status="escalated").order_by("id")
    first = rows[0]
    second = next(p for p in rows if p.council_id != first.council_id)
    said: list[str] = []
    answer_dialogs(page, said)
    await page.goto(f"/petitions/staff/{second.code}")
    await open_other_actions(page)
    form = page.locator("form[data-action=merge]")
    await form.locator("input[name=merge_q]").fill(first.code.split("-")[-1].lower())
    choice = form.locator(f"input[name=into_code][value='{first.code}']")
    await choice.wait_for()
    await choice.check()
    await form.locator("textarea[name=reason]").fill("Cùng một vấn đề, hai phường cùng phản ánh.")
    await shot(page, shots, "secretariat-merge-picker")
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector(".alert-ok")
    assert said and "Gộp kiến nghị này" in said[-1]
    await shot(page, shots, "secretariat-merged")
    merged = await Petition.get(id=second.id)
    assert merged.status == "merged" and merged.merged_into_id == first.id


async def secretariat_publishes_an_answer(page: Page, code: str, shots: Path) -> None:
    await page.goto(f"/petitions/staff/{code}")
    primary = page.locator(".action-panel .primary-action button")
    assert await primary.inner_text() == "Công bố câu trả lời"
    await primary.click()
    await page.wait_for_selector(".alert-ok")
    await shot(page, shots, "secretariat-published")
    assert (await Petition.get(code=code)).status == "published"


async def test_agency_officer_pushes_back_then_the_city_secretariat_works_the_list(
    chromium_browser: Browser, live_server: str, demo_petitions: None, shots: Path
) -> None:
    officer = await open_as(chromium_browser, live_server, "cb.so-xd")
    returned = await officer_returns_the_theft_report(officer, shots)
    answered = await officer_answers_with_a_letter(officer, shots)
    extended = await officer_asks_for_more_time(officer, shots)
    assert not officer.errors  # type: ignore[attr-defined]
    await officer.context.close()

    page = await open_as(chromium_browser, live_server, "hn.vanphong")
    await secretariat_searches_and_exports(page, shots)
    await secretariat_approves_the_extension(page, extended, shots)
    await secretariat_routes_the_returned_petition(page, returned, shots)
    await secretariat_merges_two_communes(page, shots)
    await secretariat_publishes_an_answer(page, answered, shots)
    assert not page.errors  # type: ignore[attr-defined]
    await page.context.close()
