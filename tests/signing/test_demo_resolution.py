"""The demo's published resolution: the closed sitting's passed draft, issued with its number,
signed by the demo chair with the development CA's key and on the public list."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from council.demo import load_core
from council.localtime import local_date
from council.settings import Settings
from council.signing import load_trust_roots, verify_pdf
from council.signing.config import trust_roots_dir
from council.signing.verify import INTACT
from meetings import demo_minutes, demo_resolutions
from meetings.models import Session


@pytest.mark.slow
async def test_the_demo_publishes_a_signed_numbered_resolution(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    await load_core()
    await demo_minutes.load(settings)
    resolution = await demo_resolutions.load(settings)
    assert resolution is not None and resolution.status == "published"
    # passed on the sitting's day, as its agenda and minutes say (not the day the demo loaded)
    sitting = await Session.get(id=resolution.session_id)
    assert local_date(resolution.passed_at) == local_date(sitting.starts_at)
    assert local_date(resolution.passed_at) < local_date(datetime.now(UTC))
    again = await demo_resolutions.load(settings)  # safe to run twice
    assert again is not None and (again.id, again.number) == (resolution.id, resolution.number)

    listed = (await client.get("/api/v1/public/resolutions", params={"council_code": "HN"})).json()
    assert [i["number_label"] for i in listed["items"]] == ["01/NQ-HĐND"]
    r = await client.get(listed["items"][0]["pdf_url"])
    assert r.status_code == 200
    roots = load_trust_roots(trust_roots_dir(settings))
    report = await asyncio.to_thread(verify_pdf, r.content, roots)
    chair, _ = await demo_minutes.demo_signer(settings, "chair")
    assert [s.signer for s in report.signatures] == [chair.full_name]
    assert report.exit_code == INTACT
