"""pdf.verify (the public /verify) fetches revocation data as the check of a returned signature
does: each request bounded, in its own lane of workers, and a clear 504 past its time limit when
a certificate's authority never answers."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council import pageimages, workers
from council.settings import Settings
from council.signing import services as signing_services
from council.signing.verify import FETCH_LIMITS
from tests.factories import error_code
from tests.signing.pki import TestPki
from tests.signing.test_pades import draft_pdf
from tests.signing.test_remote_duties import _issue, _signer, silent_url

__all__ = ["silent_url"]  # the fixture, used here


@pytest.fixture
def app(settings: Settings, pki: TestPki) -> Any:
    from council.app import create_app

    settings.signing_trust_roots = str(pki.roots_dir)
    return create_app(settings, manage_db=False)


async def _hanging_pdf(pki: TestPki, folder: Path, url: str) -> bytes:
    """A PDF signed with a certificate whose OCSP and CRL addresses are ``url``."""
    files, _pem = _issue(pki, folder, "Người ký có chứng thư treo", url)
    out = await signers.async_sign_pdf(
        IncrementalPdfFileWriter(BytesIO(draft_pdf())),
        signers.PdfSignatureMetadata(field_name="Signature1"),
        signer=_signer(*files),
    )
    return out.getvalue()


def _pdf(data: bytes) -> dict[str, Any]:
    return {"file": ("signed.pdf", data, "application/pdf")}


async def test_an_authority_that_never_answers_is_a_clear_504_in_its_own_lane(
    client: httpx.AsyncClient,
    pki: TestPki,
    tmp_path: Path,
    silent_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With one shared worker slot, a page still renders while the check waits on a silent
    revocation service; past its time limit the uploader is told why."""
    limits = signing_services.VERIFY_LIMITS
    assert limits.lane is not None
    assert FETCH_LIMITS["max_requests"] * signing_services.FETCH_TIMEOUT < limits.seconds
    monkeypatch.setattr(signing_services, "VERIFY_LIMITS", replace(limits, seconds=4.0))
    data = await _hanging_pdf(pki, tmp_path / "hang", silent_url)
    old = workers.set_limits(workers.Limits(jobs=1))  # one shared slot: the check must not take it
    try:
        checking = asyncio.create_task(client.post("/api/v1/verify-pdf?lang=en", files=_pdf(data)))
        await asyncio.sleep(0.5)  # let the check start (an ordering aid; nothing is timed)
        image = await pageimages.run(pageimages.render_page, draft_pdf(), 1)
        assert image[:4] == b"RIFF"
        assert not checking.done()  # rendered while the check still waited
        r = await asyncio.wait_for(checking, timeout=120)  # a guard against a hang
    finally:
        workers.set_limits(old)
    assert (r.status_code, error_code(r)) == (504, "verify_timeout"), r.text
    assert "took too long" in r.json()["error"]["message"]
    # the page says it too, in Vietnamese
    page = await client.get("/verify?lang=vi")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    r = await asyncio.wait_for(
        client.post(
            "/verify",
            data={"csrf_token": csrf.group(1)},
            files=_pdf(data),
        ),
        timeout=120,
    )
    assert r.status_code == 504
    assert "quá lâu" in HTMLParser(r.text).css_first(".alert-error").text()


async def test_each_fetch_is_bounded_and_the_check_soft_fails(
    client: httpx.AsyncClient,
    pki: TestPki,
    tmp_path: Path,
    silent_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a short timeout per request the silent addresses are given up within the time
    limit: the signature is reported (intact; revocation soft-fails), not a timeout."""
    monkeypatch.setattr(signing_services, "FETCH_TIMEOUT", 1.0)
    monkeypatch.setattr(
        signing_services,
        "VERIFY_LIMITS",
        replace(signing_services.VERIFY_LIMITS, seconds=20.0),
    )
    data = await _hanging_pdf(pki, tmp_path / "hang", silent_url)
    r = await asyncio.wait_for(client.post("/api/v1/verify-pdf", files=_pdf(data)), timeout=120)
    assert r.status_code == 200, r.text
    (signature,) = r.json()["signatures"]
    assert signature["signer"] == "Người ký có chứng thư treo" and signature["intact"]
