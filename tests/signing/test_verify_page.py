"""pdf.verify: the public page and API that check an uploaded PDF in a worker process."""

from __future__ import annotations

import os
import re
from typing import Any

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.models import AuditEntry
from council.settings import Settings
from tests.signing.pki import TestPki
from tests.signing.test_pades import draft_pdf, signed_by_both


@pytest.fixture
def app(settings: Settings, pki: TestPki) -> Any:
    from council.app import create_app

    settings.signing_trust_roots = str(pki.roots_dir)
    settings.verify_rate = "6/3600"
    return create_app(settings, manage_db=False)


@pytest.fixture(scope="module")
def signed(pki: TestPki) -> bytes:
    return signed_by_both(pki)


def _pdf(data: bytes) -> dict[str, Any]:
    return {"file": ("minutes.pdf", data, "application/pdf")}


async def test_the_api_reports_each_signature(
    client: httpx.AsyncClient, signed: bytes, settings: Settings
) -> None:
    r = await client.post("/api/v1/verify-pdf", files=_pdf(signed))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["exit_code"] == 0
    assert [s["signer"] for s in body["signatures"]] == ["Trần Thị Thư Ký", "Nguyễn Văn Chủ"]
    assert all(s["intact"] and s["trusted"] and not s["modified_after"] for s in body["signatures"])
    tampered = bytearray(signed)
    tampered[tampered.index(b"stream", 100) + 20] ^= 1
    r = await client.post("/api/v1/verify-pdf", files=_pdf(bytes(tampered)))
    assert r.json()["exit_code"] == 1
    r = await client.post("/api/v1/verify-pdf", files=_pdf(draft_pdf()))
    assert r.json()["exit_code"] == 2 and r.json()["signatures"] == []
    # never stored; each check audited by the file's hash
    uploads = settings.uploads_dir
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))
    assert await AuditEntry.filter(operation="pdf.verify").count() == 3


async def test_hostile_input_is_a_clear_4xx(client: httpx.AsyncClient, settings: Settings) -> None:
    r = await client.post("/api/v1/verify-pdf", files=_pdf(b"GIF89a not a pdf"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_a_pdf"
    r = await client.post("/api/v1/verify-pdf", data={"x": "1"})
    assert r.status_code == 422
    settings.max_upload_mb = 1
    r = await client.post("/api/v1/verify-pdf", files=_pdf(b"%PDF-1.7\n" + b"0" * (1 << 20)))
    assert r.status_code == 413
    # a PDF that is not one past its header: read in the worker, answered, never a 500
    r = await client.post(
        "/api/v1/verify-pdf", files=_pdf(b"%PDF-1.7\n1 0 obj <<>> endobj trailer")
    )
    assert r.status_code == 200 and r.json()["exit_code"] == 1


async def test_the_check_is_rate_limited(client: httpx.AsyncClient) -> None:
    codes = [
        (await client.post("/api/v1/verify-pdf", files=_pdf(b"nope"))).status_code for _ in range(8)
    ]
    assert codes[:6] == [422] * 6 and codes[6:] == [429, 429]


async def test_the_page_shows_signers_and_verdict(client: httpx.AsyncClient, signed: bytes) -> None:
    page = await client.get("/verify")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    r = await client.post("/verify", data={"csrf_token": csrf.group(1)}, files=_pdf(signed))
    assert r.status_code == 200, r.text
    html = HTMLParser(r.text)
    verdict = html.css_first("#verdict")
    assert verdict is not None and verdict.attributes["data-code"] == "0"
    titles = [h.text() for h in html.css("article.signature h2")]
    assert "Trần Thị Thư Ký" in titles[0] and "Nguyễn Văn Chủ" in titles[1]
    assert [d.text() for d in html.css("dd.trusted")] == ["có", "có"]
    # the htmx fragment alone
    r = await client.post(
        "/verify",
        data={"csrf_token": csrf.group(1)},
        files=_pdf(b"hello"),
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 422 and "<html" not in r.text and "alert-error" in r.text


@pytest.mark.browser
async def test_a_citizen_checks_a_signed_file_in_the_browser(
    browser_page: Any, signed: bytes, tmp_path: Any
) -> None:
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(signed)
    await browser_page.goto("/verify")
    await browser_page.set_input_files("#file", str(path))
    await browser_page.click("#verify-form button[type=submit]")
    await browser_page.wait_for_selector("#verdict")
    assert await browser_page.get_attribute("#verdict", "data-code") == "0"
    text = await browser_page.inner_text("#verify-result")
    assert "Trần Thị Thư Ký" in text and "Nguyễn Văn Chủ" in text
    shots = os.environ.get("COUNCIL_SHOTS")
    if shots:
        await browser_page.screenshot(path=f"{shots}/verify-page.png", full_page=True)
