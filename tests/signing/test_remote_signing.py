"""Remote (client-side) signing through pyHanko's interrupted signing: the server prepares the
document and its digest, a signer client returns the CMS signature, the server checks and embeds
it. The resolution routes use it; ``council.signing.sessions`` serves any PDF (minutes too)."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyhanko.sign import signers

from council import storage
from council.errors import DomainError
from council.models import User
from council.settings import Settings
from council.signing import Signatory, certificates, load_trust_roots, verify_pdf
from council.signing import sessions as remote_sessions
from council.signing.models import SigningSession
from council.signing.verify import INTACT
from meetings.resolutions import services as resolutions
from meetings.resolutions.models import Resolution
from tests.factories import bearer, error_code, make_user
from tests.signing import resolutions_kit as kit
from tests.signing import tools
from tests.signing.pki import TestPki
from tests.signing.test_pades import draft_pdf

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(settings: Settings, pki: TestPki) -> Any:
    from council.app import create_app

    settings.signing_trust_roots = str(pki.roots_dir)  # no server key: remote signing only
    return create_app(settings, manage_db=False)


def _pem_files(pki: TestPki, folder: Path, who: str) -> tuple[str, str, str]:
    folder.mkdir(exist_ok=True)
    (folder / f"{who}.pem").write_bytes(pki.cert_pem(who))
    (folder / "interm.pem").write_bytes(pki.cert_pem("interm"))
    return str(pki.key_path(who)), str(folder / f"{who}.pem"), str(folder / "interm.pem")


def _signer(pki: TestPki, folder: Path, who: str) -> signers.SimpleSigner:
    key, cert, chain = _pem_files(pki, folder, who)
    signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(chain,))
    assert signer is not None
    return signer


async def _cms(signer: signers.SimpleSigner, digest_b64: str) -> str:
    cms = await signer.async_sign(base64.b64decode(digest_b64), "sha256", use_pades=True)
    return base64.b64encode(cms.dump()).decode()


async def _issued(s: kit.Sitting) -> Resolution:
    return await resolutions.resolution_issue(s.secretariat, s.items[0].id)


async def _register(user: User, pki: TestPki, *labels: str) -> None:
    """An administrator registers the test PKI's certificates ``labels`` to ``user``."""
    admin = await User.get_or_none(username="certadmin") or await make_user(
        "admin", username="certadmin"
    )
    for label in labels:
        await certificates.certificate_register(admin, user, pki.cert_pem(label).decode())


async def test_a_signer_process_signs_through_real_http(
    live_server: str, settings: Settings, pki: TestPki, tmp_path: Path
) -> None:
    s = await kit.passed_sitting()
    resolution = await _issued(s)
    await _register(s.chair, pki, "chair")
    token = (await bearer(s.chair))["Authorization"].split()[1]
    key, cert, chain = _pem_files(pki, tmp_path, "chair")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.signing.signer_client",
        live_server,
        token,
        str(resolution.id),
        key,
        cert,
        chain,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=240)
    assert process.returncode == 0, err.decode()[-2000:]
    answer = json.loads(out.decode().strip().splitlines()[-1])
    assert answer["status"] == 200, answer
    assert answer["body"]["status"] == "signed"
    assert answer["body"]["signer_name"] == s.chair.full_name

    await resolution.refresh_from_db()
    signed = await storage.read_bytes(resolution.signed_path or "")
    report = await asyncio.to_thread(verify_pdf, signed, load_trust_roots(pki.roots_dir))
    assert report.exit_code == INTACT
    assert [(x.field, x.signer) for x in report.signatures] == [("Chair", "Nguyễn Văn Chủ")]
    assert b"LiberationSerif" in signed  # the visible stamp, drawn by the server
    # poppler agrees, independently
    path = tmp_path / "nq.pdf"
    path.write_bytes(signed)
    listing = tools.pdfsig(path, tools.nss_db(tmp_path / "nss", [pki.cert_pem("root")]))
    assert listing.count("Signature is Valid.") == 1, listing


async def _prepare(
    client: httpx.AsyncClient, rid: int, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    r = await client.post(f"/api/v1/resolutions/{rid}/sign/prepare", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_hostile_signatures_are_refused_with_a_code(
    client: httpx.AsyncClient, settings: Settings, pki: TestPki, tmp_path: Path
) -> None:
    s = await kit.passed_sitting()
    rid = (await _issued(s)).id
    # the chair's certificate, and one revoked since it was registered
    await _register(s.chair, pki, "chair", "revoked")
    chair = await bearer(s.chair)
    complete = f"/api/v1/resolutions/{rid}/sign/complete"
    prepared = await _prepare(client, rid, chair)
    sid = prepared["session_id"]

    async def refused(cms: str, session_id: str = sid) -> tuple[int, str]:
        r = await client.post(complete, json={"session_id": session_id, "cms": cms}, headers=chair)
        return r.status_code, error_code(r)

    assert await refused("not base64 !!") == (422, "invalid")
    assert await refused(base64.b64encode(b"\x30\x03garbage").decode()) == (422, "cms_unreadable")
    chair_signer = _signer(pki, tmp_path, "chair")
    other = await _cms(chair_signer, base64.b64encode(b"\x01" * 32).decode())
    assert await refused(other) == (422, "cms_wrong_digest")
    good = await _cms(chair_signer, prepared["digest"])
    assert await refused(good, "nope") == (422, "invalid")
    assert await refused(good, str(uuid.uuid4())) == (404, "signing_session_unknown")
    # a revoked certificate: the signature is intact but refused
    revoked = await _cms(_signer(pki, tmp_path, "revoked"), prepared["digest"])
    assert await refused(revoked) == (409, "certificate_refused")
    # announced one certificate, signed with another
    announced = base64.b64encode(pki.cert_der("revoked")).decode()
    second = await _prepare(client, rid, chair, certificate=announced)
    assert await refused(await _cms(chair_signer, second["digest"]), second["session_id"]) == (
        422,
        "cms_wrong_signer",
    )
    assert (await Resolution.get(id=rid)).status == "draft"
    # the right one still completes; the session signs once
    r = await client.post(complete, json={"session_id": sid, "cms": good}, headers=chair)
    assert r.status_code == 200 and r.json()["status"] == "signed", r.text
    assert await refused(good) == (409, "resolution_signed")
    r = await client.post(
        f"/api/v1/resolutions/{rid}/sign/prepare", json={"certificate": "%%%"}, headers=chair
    )
    assert r.status_code == 409  # signed already: nothing more to prepare


async def test_any_pdf_takes_two_remote_signatures(
    app: Any, settings: Settings, pki: TestPki, tmp_path: Path
) -> None:
    """What minutes do: the secretary, then the chair, each from their own client."""
    data = draft_pdf("Bien ban ky hop ")
    signers_ = {}
    for who in ("secretary", "chair"):
        signers_[who] = await make_user("admin", username=f"signer-{who}")
        await _register(signers_[who], pki, who)
    for who, field, position, user_id in (
        ("secretary", "Secretary", "left", signers_["secretary"].id),
        ("chair", "Chair", "right", signers_["chair"].id),
    ):
        signatory = Signatory(field, who, "Ký", position)  # type: ignore[arg-type]
        session = await remote_sessions.open_session(user_id, "minutes", 3, data, signatory)
        loaded = await remote_sessions.load_session(user_id, str(session.id), "minutes", 3)
        with pytest.raises(DomainError) as denied:
            await remote_sessions.load_session(user_id + 1, str(session.id), "minutes", 3)
        assert denied.value.code == "signing_session_unknown"
        cms = await _cms(
            _signer(pki, tmp_path, who), base64.b64encode(bytes.fromhex(loaded.digest)).decode()
        )
        done = await remote_sessions.complete_session(loaded, base64.b64decode(cms), settings)
        await remote_sessions.consume(loaded)
        with pytest.raises(DomainError):
            await remote_sessions.consume(loaded)
        data = done.pdf
    report = await asyncio.to_thread(verify_pdf, data, load_trust_roots(pki.roots_dir))
    assert [x.signer for x in report.signatures] == ["Trần Thị Thư Ký", "Nguyễn Văn Chủ"]
    assert report.exit_code == INTACT


async def test_the_words_cannot_change_while_the_chair_signs(
    client: httpx.AsyncClient, settings: Settings, pki: TestPki, tmp_path: Path
) -> None:
    """Between prepare and complete the secretariat may not re-word the resolution: the signed
    PDF and the published page must say the same thing. Once the signature is in, nothing
    changes either; an expired session frees the text again."""
    s = await kit.passed_sitting()
    rid = (await _issued(s)).id
    await _register(s.chair, pki, "chair")
    chair, staff = await bearer(s.chair), await bearer(s.secretariat)
    prepared = await _prepare(client, rid, chair)
    edit = {"title": "Tiêu đề khác", "text": "Nội dung chưa ai ký"}
    r = await client.patch(f"/api/v1/resolutions/{rid}", json=edit, headers=staff)
    assert (r.status_code, error_code(r)) == (409, "resolution_being_signed")
    good = await _cms(_signer(pki, tmp_path, "chair"), prepared["digest"])
    r = await client.post(
        f"/api/v1/resolutions/{rid}/sign/complete",
        json={"session_id": prepared["session_id"], "cms": good},
        headers=chair,
    )
    assert r.status_code == 200 and r.json()["status"] == "signed", r.text
    assert "chưa ai ký" not in (await Resolution.get(id=rid)).text
    r = await client.patch(f"/api/v1/resolutions/{rid}", json=edit, headers=staff)
    assert (r.status_code, error_code(r)) == (409, "resolution_signed")


async def test_an_expired_signing_session_frees_the_text(
    client: httpx.AsyncClient, settings: Settings, pki: TestPki
) -> None:
    s = await kit.passed_sitting()
    rid = (await _issued(s)).id
    await _prepare(client, rid, await bearer(s.chair))
    await SigningSession.filter(target_id=rid).update(expires_at=resolutions.now())
    r = await client.patch(
        f"/api/v1/resolutions/{rid}",
        json={"text": "Sửa sau khi phiên ký hết hạn"},
        headers=await bearer(s.secretariat),
    )
    assert r.status_code == 200, r.text


async def test_a_signer_holds_a_few_sessions_and_old_ones_go(
    client: httpx.AsyncClient, settings: Settings, pki: TestPki
) -> None:
    """Each session keeps a whole PDF: preparing again and again keeps five open at most, and
    sessions a day past their expiry are deleted."""
    s = await kit.passed_sitting()
    rid = (await _issued(s)).id
    chair = await bearer(s.chair)
    first = await _prepare(client, rid, chair)
    for _ in range(6):
        await _prepare(client, rid, chair)
    assert await SigningSession.filter(completed_at=None).count() == 5
    assert not await SigningSession.exists(id=first["session_id"])  # the oldest went first
    await SigningSession.all().update(expires_at=datetime(2026, 1, 1, tzinfo=UTC))
    await _prepare(client, rid, chair)
    assert await SigningSession.all().count() == 1
