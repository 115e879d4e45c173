"""Offline reading in a real Chromium: a delegate saves the session's documents, the server goes
away, and the public and internal documents still open (text view, styles, the file itself) while
a confidential one was never saved, nor the delegate's private notes, and a document raised to
confidential after it was saved is dropped when the session is saved again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Page

from council.i18n import gettext
from meetings.documents.generate import make_pdf
from tests.browser import TABLET, login_in_browser
from tests.conftest import free_port
from tests.meetings.helpers import PDF_PAGES, setup_running_session, upload_document

pytestmark = pytest.mark.browser

CACHE_KEYS = """async () => {
  const cache = await caches.open("meetings-offline-v1");
  return (await cache.keys()).map((request) => new URL(request.url).pathname);
}"""
CACHED_TEXT = """async (path) => {
  const hit = await (await caches.open("meetings-offline-v1")).match(path);
  return hit ? await hit.text() : null;
}"""
NOTE = "Ghi chú riêng: hỏi lại Sở Tài chính"


@asynccontextmanager
async def _server(app: Any) -> AsyncIterator[tuple[str, uvicorn.Server]]:
    """The app on a loopback port of its own, which the test can take away (network off)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


async def test_saved_documents_read_with_the_server_gone(
    app: Any, chromium_browser: Browser
) -> None:
    async with _server(app) as (base, server):
        async with httpx.AsyncClient(base_url=base) as http:
            s = await setup_running_session(http, seats=30, present=22)
            public = await upload_document(
                http, s, title="Báo cáo công khai", confidentiality="public"
            )
            internal = await upload_document(http, s, title="Tờ trình nội bộ")
            secret = await upload_document(
                http, s, title="Tài liệu mật", confidentiality="confidential"
            )
            raised = await upload_document(http, s, title="Báo cáo sẽ thành mật")
            r = await http.put(
                f"/api/v1/documents/{internal['id']}/notes/1",
                headers=s.h(s.delegates[0]),
                json={"text": NOTE},
            )
            assert r.status_code == 200
        context = await chromium_browser.new_context(base_url=base, viewport=TABLET, locale="vi-VN")
        context.set_default_timeout(15_000)
        page: Page = await context.new_page()
        try:
            await login_in_browser(page, s.delegates[0].username)
            await page.goto(f"/meetings/sessions/{s.session_id}/tablet")
            await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            await page.click("#offline-btn")
            done = gettext("Saved for offline reading (confidential documents excluded).", "vi")
            await page.wait_for_selector(f"#offline-status:has-text('{done} (13)')")
            # Three documents, each as its page, its file and its two page images, and the
            # tablet page.
            saved = set(await page.evaluate(CACHE_KEYS))
            for doc in (public, internal, raised):
                assert {
                    f"/meetings/documents/{doc['id']}",
                    f"/meetings/documents/{doc['id']}/file",
                    f"/meetings/documents/{doc['id']}/pages/1.webp",
                    f"/meetings/documents/{doc['id']}/pages/2.webp",
                } <= saved
            assert "/static/css/app.css" in saved and "/static/css/meetings.css" in saved
            assert not any(f"/documents/{secret['id']}" in path for path in saved)
            # Neither the private note nor a confidential title is stored on the device.
            copy = await page.evaluate(CACHED_TEXT, f"/meetings/documents/{internal['id']}")
            assert "Tổng thu ngân sách" in copy and NOTE not in copy
            tablet = await page.evaluate(CACHED_TEXT, f"/meetings/sessions/{s.session_id}/tablet")
            assert "Tờ trình nội bộ" in tablet and "Tài liệu mật" not in tablet
            # Read online, the page shows the note and the saved copy stays as it was.
            await page.goto(f"/meetings/documents/{internal['id']}")
            assert NOTE in await page.content()
            assert await page.evaluate(CACHED_TEXT, f"/meetings/documents/{internal['id']}") == copy
            # Once the document has a new version, reading it online saves the copy again.
            async with httpx.AsyncClient(base_url=base) as http:
                r = await http.post(
                    f"/api/v1/documents/{internal['id']}/versions",
                    headers=s.h(s.secretariat),
                    files={"file": ("v2.pdf", make_pdf("Tờ trình", [*PDF_PAGES, "Phụ lục"]))},
                )
                assert r.status_code == 201
            await page.goto(f"/meetings/documents/{internal['id']}")
            for _ in range(100):
                copy = await page.evaluate(CACHED_TEXT, f"/meetings/documents/{internal['id']}")
                if "Phụ lục" in copy:
                    break
                await asyncio.sleep(0.1)
            assert "Phụ lục" in copy and NOTE not in copy

            # A document raised to confidential leaves the device when the session is saved again.
            async with httpx.AsyncClient(base_url=base) as http:
                r = await http.patch(
                    f"/api/v1/documents/{raised['id']}",
                    headers=s.h(s.secretariat),
                    json={"confidentiality": "confidential"},
                )
                assert r.status_code == 200
            await page.goto(f"/meetings/sessions/{s.session_id}/tablet")
            await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            await page.click("#offline-btn")
            # The public document (4) and the internal one, now of three pages (5), the tablet.
            await page.wait_for_selector(f"#offline-status:has-text('{done} (10)')")
            saved = set(await page.evaluate(CACHE_KEYS))
            assert not any(f"/documents/{raised['id']}" in path for path in saved)

            # The confidential document is read on screen while online...
            await page.goto(f"/meetings/documents/{secret['id']}")
            assert "Tài liệu mật" in await page.inner_text("main")

            # ...and the network goes away: the server stops, the browser is offline.
            server.should_exit = True
            for _ in range(250):
                if not server.started or server.should_exit and not server.servers:
                    break
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.3)
            await context.set_offline(True)
            with pytest.raises(httpx.TransportError):
                async with httpx.AsyncClient(base_url=base) as http:
                    await http.get("/health", timeout=2)

            await page.goto(f"/meetings/documents/{internal['id']}")
            text = await page.inner_text("main")
            assert "Tờ trình nội bộ" in text and "Tổng thu ngân sách" in text
            assert NOTE not in text
            # Styled as online: the saved stylesheet applies.
            font = await page.evaluate("getComputedStyle(document.body).fontFamily")
            assert "system-ui" in font
            status = await page.evaluate(
                f"fetch('/meetings/documents/{public['id']}/file')"
                ".then(async (r) => [r.status, (await r.arrayBuffer()).byteLength])"
            )
            assert status[0] == 200 and status[1] > 500
            # The viewer's pages too: the saved images show with the network off.
            await page.goto(f"/meetings/documents/{internal['id']}")
            await page.eval_on_selector_all(
                ".sheet img", "(images) => images.forEach((i) => { i.loading = 'eager'; })"
            )
            await page.wait_for_function(
                "() => [...document.querySelectorAll('.sheet img')]"
                ".every((i) => i.complete && i.naturalWidth > 0)"
            )
            assert await page.locator(".sheet img").count() == 3
            await page.goto(f"/meetings/sessions/{s.session_id}/tablet")
            assert "Tờ trình nội bộ" in await page.inner_text("main")
            # The confidential document was never saved: offline it does not open at all.
            refused = await page.evaluate(
                f"fetch('/meetings/documents/{secret['id']}').then(() => 'opened', () => 'failed')"
            )
            assert refused == "failed"
        finally:
            await context.close()
