"""The demo's development CA and its closed sitting whose minutes the secretary and the chair
signed through the workflow: keys under the data directory only, and the signatures trusted by
the demo's own verification (its trust roots are the development CA)."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import httpx
import pytest

from council.demo import load_core
from council.models import User
from council.settings import Settings
from council.signing import load_trust_roots, verify_pdf
from council.signing.config import trust_roots_dir
from council.signing.models import SigningCertificate
from council.signing.verify import INTACT
from council.storage import read_bytes
from meetings import demo_minutes
from meetings.minutes_models import MinutesVersion

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
async def test_the_demo_signs_a_closed_sittings_minutes_with_its_own_ca(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    await load_core()
    session = await demo_minutes.load(settings)
    assert session is not None and session.closed_sitting and session.status == "closed"
    again = await demo_minutes.load(settings)  # safe to run twice
    assert again is not None and again.id == session.id
    versions = await MinutesVersion.filter(session_id=session.id)
    assert [v.status for v in versions] == ["signed"]
    # their certificates are registered to them, once, as an administrator would (remote signing)
    for username in demo_minutes.SIGNERS.values():
        user = await User.get(username=username)
        assert await SigningCertificate.filter(user_id=user.id).count() == 1, username

    folder = Path(settings.data_dir) / "signing"
    assert trust_roots_dir(settings) == str(folder / "roots")
    for key in (folder / "dev-ca" / "ca.key.pem", folder / "people" / "hn.chutoa.p12"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert REPO not in folder.parents  # written under the data directory, never the repository

    secretary, _ = await demo_minutes.demo_signer(settings, "secretariat")
    chair, config = await demo_minutes.demo_signer(settings, "chair")
    assert config.p12_path == str(folder / "people" / "hn.chutoa.p12")
    data = await read_bytes(versions[0].path)
    report = await asyncio.to_thread(verify_pdf, data, load_trust_roots(trust_roots_dir(settings)))
    assert [s.signer for s in report.signatures] == [secretary.full_name, chair.full_name]
    assert report.exit_code == INTACT

    # the demo's /verify page trusts it; the public portal never offers a closed sitting's minutes
    r = await client.post(
        "/api/v1/verify-pdf", files={"file": ("bien-ban.pdf", data, "application/pdf")}
    )
    assert r.json()["exit_code"] == 0, r.text
    r = await client.get(f"/api/v1/public/sessions/{session.id}/minutes.pdf")
    assert r.status_code == 404
