"""minutes.sign_prepare / minutes.sign_complete: the secretary, then the chair, sign a version of
the minutes from their own client (a USB token on their computer, a remote signing service), as
the chair signs a resolution (``test_remote_signing.py``); the version ends signed exactly as
after the server's signature (``test_minutes_workflow.py``)."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyhanko.sign import signers
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.models import AuditEntry, User
from council.registry import Operation
from council.settings import Settings
from council.signing import certificates, load_trust_roots, verify_pdf
from council.signing.models import SigningSession
from council.signing.verify import INTACT
from meetings import operations as ops
from meetings.minutes_models import MinutesVersion
from meetings.models import Notice, Session
from tests.factories import bearer, error_code, login, make_council, make_user
from tests.operations import assert_permission_matrix
from tests.signing.pki import TestPki
from tests.signing.test_minutes_workflow import Sitting

ROOT = Path(__file__).resolve().parents[2]
REMOTE_OPS = [ops.MINUTES_SIGN_PREPARE, ops.MINUTES_SIGN_COMPLETE]


@pytest.fixture
def app(settings: Settings, pki: TestPki) -> Any:
    from council.app import create_app

    settings.signing_trust_roots = str(pki.roots_dir)
    return create_app(settings, manage_db=False)


@pytest.fixture
async def sitting(client: httpx.AsyncClient, settings: Settings, pki: TestPki) -> Sitting:
    return await Sitting(client).make(settings, pki)


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


async def _register(user: User, pki: TestPki, *labels: str) -> None:
    """An administrator registers the test PKI's certificates ``labels`` to ``user``."""
    admin = await User.get_or_none(username="certadmin") or await make_user(
        "admin", username="certadmin"
    )
    for label in labels:
        await certificates.certificate_register(admin, user, pki.cert_pem(label).decode())


def _sign_path(sitting: Sitting, n: int) -> str:
    return sitting.url(f"minutes/versions/{n}/sign")


async def _prepare(sitting: Sitting, n: int, who: dict[str, str], **body: Any) -> dict[str, Any]:
    r = await sitting.client.post(f"{_sign_path(sitting, n)}/prepare", json=body, headers=who)
    assert r.status_code == 200, r.text
    return r.json()


async def _complete(
    sitting: Sitting, n: int, who: dict[str, str], session_id: str, cms: str
) -> httpx.Response:
    return await sitting.client.post(
        f"{_sign_path(sitting, n)}/complete",
        json={"session_id": session_id, "cms": cms},
        headers=who,
    )


async def _sign_in_own_process(
    live_server: str, sitting: Sitting, n: int, user: User, key_files: tuple[str, str, str]
) -> dict[str, Any]:
    """What a signer's own client does, as its own process over real HTTP (signer_client)."""
    token = (await bearer(user))["Authorization"].split()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.signing.signer_client", live_server, token,
        _sign_path(sitting, n), *key_files, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=240)
    assert process.returncode == 0, err.decode()[-2000:]
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


async def test_the_secretary_and_the_chair_sign_from_their_own_clients_and_it_verifies(
    live_server: str, client: httpx.AsyncClient, sitting: Sitting, pki: TestPki, tmp_path: Path
) -> None:
    n = await sitting.to_approved()
    await _register(sitting.secretary, pki, "secretary")
    await _register(sitting.chair, pki, "chair")

    answer = await _sign_in_own_process(
        live_server, sitting, n, sitting.secretary, _pem_files(pki, tmp_path, "secretary")
    )
    assert answer["status"] == 200, answer
    assert answer["body"]["status"] == "signing"
    assert answer["body"]["secretary_signed_by"] == "Trần Thị Thư Ký"
    # as after the server's signature: the chair is told to sign, nothing else is pending
    assert await Notice.filter(user_id=sitting.chair.id, kind="minutes.sign").exists()
    pending = await Notice.filter(session_id=sitting.session_id, read_at=None).values_list(
        "kind", flat=True
    )
    assert set(pending) == {"minutes.sign"}

    answer = await _sign_in_own_process(
        live_server, sitting, n, sitting.chair, _pem_files(pki, tmp_path, "chair")
    )
    assert answer["status"] == 200, answer
    assert answer["body"]["status"] == "signed"
    assert answer["body"]["chair_signed_by"] == "Nguyễn Văn Chủ"
    assert await Notice.filter(
        user_id=sitting.other_secretary.id, kind="minutes.publish", read_at=None
    ).exists()
    entries = await AuditEntry.filter(operation="minutes.sign").order_by("id")
    assert [(e.details["signed_as"], e.details["how"]) for e in entries] == [
        ("secretary", "remote"),
        ("chair", "remote"),
    ]
    version = await MinutesVersion.get(session_id=sitting.session_id, number=n)
    assert entries[-1].details["sha256"] == version.sha256
    assert await SigningSession.filter(completed_at=None).count() == 0

    r = await sitting.post(sitting.sec, f"minutes/versions/{n}/publish")
    assert r.status_code == 200 and r.json()["status"] == "published", r.text
    r = await client.get(f"/api/v1/public/sessions/{sitting.session_id}/minutes.pdf")
    assert r.status_code == 200
    published = r.content
    report = await asyncio.to_thread(verify_pdf, published, load_trust_roots(pki.roots_dir))
    assert [(s.field, s.signer) for s in report.signatures] == [
        ("ThuKy", "Trần Thị Thư Ký"),
        ("ChuToa", "Nguyễn Văn Chủ"),
    ]
    assert report.exit_code == INTACT
    # what anyone sees on /verify
    r = await client.post(
        "/api/v1/verify-pdf", files={"file": ("bien-ban.pdf", published, "application/pdf")}
    )
    assert r.status_code == 200 and r.json()["exit_code"] == 0, r.text
    assert all(s["intact"] and s["trusted"] for s in r.json()["signatures"])


async def test_a_signature_from_a_certificate_not_registered_to_the_signer_is_refused(
    client: httpx.AsyncClient, sitting: Sitting, pki: TestPki, tmp_path: Path
) -> None:
    n = await sitting.to_approved()
    prepared = await _prepare(sitting, n, sitting.sec)
    genuine = await _cms(_signer(pki, tmp_path, "secretary"), prepared["digest"])
    # nothing registered yet: even the secretary's genuine certificate is refused
    r = await _complete(sitting, n, {**sitting.sec, "Accept-Language": "vi"},
                        prepared["session_id"], genuine)  # fmt: skip
    assert (r.status_code, error_code(r)) == (403, "certificate_not_registered"), r.text
    assert "quản trị" in r.json()["error"]["message"]
    await _register(sitting.secretary, pki, "secretary")
    await _register(sitting.chair, pki, "chair")
    # the chair's certificate is the chair's, not the secretary's
    chairs = await _cms(_signer(pki, tmp_path, "chair"), prepared["digest"])
    r = await _complete(sitting, n, sitting.sec, prepared["session_id"], chairs)
    assert (r.status_code, error_code(r)) == (403, "certificate_not_registered")
    # announcing another's certificate at preparing is refused at once
    r = await client.post(
        f"{_sign_path(sitting, n)}/prepare",
        json={"certificate": base64.b64encode(pki.cert_der("chair")).decode()},
        headers=sitting.sec,
    )
    assert (r.status_code, error_code(r)) == (403, "certificate_not_registered")
    version = await MinutesVersion.get(session_id=sitting.session_id, number=n)
    assert version.status == "approved" and version.secretary_signed_by_id is None
    assert not await AuditEntry.filter(operation="minutes.sign").exists()
    r = await _complete(sitting, n, sitting.sec, prepared["session_id"], genuine)
    assert r.status_code == 200 and r.json()["status"] == "signing", r.text


async def test_a_signature_over_another_digest_and_hostile_input_are_refused_with_a_code(
    client: httpx.AsyncClient, sitting: Sitting, pki: TestPki, tmp_path: Path
) -> None:
    n = await sitting.to_approved()
    await _register(sitting.secretary, pki, "secretary", "revoked")
    prepared = await _prepare(sitting, n, sitting.sec)
    sid = prepared["session_id"]
    signer = _signer(pki, tmp_path, "secretary")

    async def refused(cms: str, session_id: str = sid) -> tuple[int, str]:
        r = await _complete(sitting, n, sitting.sec, session_id, cms)
        return r.status_code, error_code(r)

    other = await _cms(signer, base64.b64encode(b"\x01" * 32).decode())
    assert await refused(other) == (422, "cms_wrong_digest")
    assert await refused("not base64 !!") == (422, "invalid")
    assert await refused(base64.b64encode(b"\x30\x03garbage").decode()) == (422, "cms_unreadable")
    good = await _cms(signer, prepared["digest"])
    assert await refused(good, "nope") == (422, "invalid")
    assert await refused(good, str(uuid.uuid4())) == (404, "signing_session_unknown")
    assert await refused("x" * 70_000) == (422, "invalid")
    revoked = await _cms(_signer(pki, tmp_path, "revoked"), prepared["digest"])
    assert await refused(revoked) == (409, "certificate_refused")
    r = await client.post(
        f"{_sign_path(sitting, n)}/prepare", json={"certificate": "%%%"}, headers=sitting.sec
    )
    assert (r.status_code, error_code(r)) == (422, "invalid")
    r = await client.post(
        f"{_sign_path(sitting, n)}/prepare",
        json={"certificate": base64.b64encode(b"\x30\x03abc").decode()},
        headers=sitting.sec,
    )
    assert (r.status_code, error_code(r)) == (422, "certificate_unreadable")
    assert (await MinutesVersion.get(session_id=sitting.session_id, number=n)).status == "approved"
    # the right one still completes, once
    r = await _complete(sitting, n, sitting.sec, sid, good)
    assert r.status_code == 200 and r.json()["status"] == "signing", r.text
    assert await refused(good) == (403, "forbidden")  # the chair's turn now, as on the server


async def test_only_the_signer_of_the_step_prepares_and_completes(
    client: httpx.AsyncClient, sitting: Sitting, pki: TestPki, tmp_path: Path
) -> None:
    """As ``minutes.sign``: the secretary first, then the chair; never a delegate or an admin,
    never before approval, and a session is its own signer's only."""
    r = await sitting.post(sitting.sec, "minutes/draft", json={})
    n = r.json()["number"]
    r = await client.post(f"{_sign_path(sitting, n)}/prepare", json={}, headers=sitting.sec)
    assert (r.status_code, error_code(r)) == (409, "minutes_state")  # not approved yet
    n = await sitting.to_approved()
    delegate = await make_user("delegate", sitting.council)
    admin = await make_user("admin")
    for who in (sitting.ch, await bearer(delegate), await bearer(admin)):
        r = await client.post(f"{_sign_path(sitting, n)}/prepare", json={}, headers=who)
        assert (r.status_code, error_code(r)) == (403, "forbidden"), r.text
    await _register(sitting.secretary, pki, "secretary")
    await _register(sitting.chair, pki, "chair")
    prepared = await _prepare(sitting, n, sitting.sec)
    cms = await _cms(_signer(pki, tmp_path, "secretary"), prepared["digest"])
    # the chair (not yet their turn) and another secretary (not their session) cannot complete it
    r = await _complete(sitting, n, sitting.ch, prepared["session_id"], cms)
    assert (r.status_code, error_code(r)) == (403, "forbidden")
    r = await _complete(
        sitting, n, await bearer(sitting.other_secretary), prepared["session_id"], cms
    )
    assert (r.status_code, error_code(r)) == (404, "signing_session_unknown")
    r = await _complete(sitting, n, sitting.sec, prepared["session_id"], cms)
    assert r.status_code == 200 and r.json()["status"] == "signing", r.text
    # now the chair's turn, and the secretary's no more
    r = await client.post(f"{_sign_path(sitting, n)}/prepare", json={}, headers=sitting.sec)
    assert (r.status_code, error_code(r)) == (403, "forbidden")
    chair = await _prepare(sitting, n, sitting.ch)
    # a correction made meanwhile: the prepared version is no longer the latest
    r = await sitting.post(sitting.sec, "minutes/draft", json={"note": "Sửa tên đại biểu"})
    assert r.status_code == 201
    cms = await _cms(_signer(pki, tmp_path, "chair"), chair["digest"])
    r = await _complete(sitting, n, sitting.ch, chair["session_id"], cms)
    assert (r.status_code, error_code(r)) == (409, "minutes_not_latest")
    assert (await MinutesVersion.get(session_id=sitting.session_id, number=n)).status == "signing"


async def test_another_council_cannot_sign_remotely(
    client: httpx.AsyncClient, sitting: Sitting, pki: TestPki, tmp_path: Path
) -> None:
    n = await sitting.to_approved()
    await _register(sitting.secretary, pki, "secretary")
    prepared = await _prepare(sitting, n, sitting.sec)
    other = await make_council()
    for role in ("secretariat", "chair"):
        stranger = await make_user(role, other)
        who = await bearer(stranger)
        r = await client.post(f"{_sign_path(sitting, n)}/prepare", json={}, headers=who)
        assert (r.status_code, error_code(r)) == (403, "forbidden"), r.text
        r = await _complete(sitting, n, who, prepared["session_id"], "AAAA")
        assert (r.status_code, error_code(r)) == (403, "forbidden"), r.text
    version = await MinutesVersion.get(session_id=sitting.session_id, number=n)
    assert version.status == "approved" and version.secretary_signed_by_id is None
    assert await AuditEntry.filter(operation="permission.denied").count() >= 4


@pytest.mark.parametrize("op", REMOTE_OPS, ids=lambda o: o.name)
async def test_permission_matrix(settings: Settings, op: Operation) -> None:
    from datetime import UTC, datetime

    own, other = await make_council(), await make_council()
    session = await Session.create(council=own, title="Kỳ họp", starts_at=datetime.now(UTC))
    await assert_permission_matrix(op, {"session_id": session.id, "number": 1}, own, other)


async def test_the_minutes_page_offers_remote_signing_at_the_signing_step(
    client: httpx.AsyncClient, sitting: Sitting
) -> None:
    page = f"/meetings/sessions/{sitting.session_id}/minutes"
    await login(client, sitting.secretary)
    r = await client.get(page, headers={"Accept-Language": "vi"})
    assert HTMLParser(r.text).css_first("#minutes-sign-remote") is None  # no version yet
    n = await sitting.to_approved()
    r = await client.get(page, headers={"Accept-Language": "vi"})
    hint = HTMLParser(r.text).css_first("#minutes-next #minutes-sign-remote")
    assert hint is not None and "docs/signing.md" in hint.text()
    assert HTMLParser(r.text).css_first("#minutes-sign") is not None  # the server's key too
    await sitting.sign_both(n)
    r = await client.get(page)
    assert HTMLParser(r.text).css_first("#minutes-sign-remote") is None  # signed: nothing to sign


def _encrypted_pdf() -> bytes:
    """An edited minutes PDF saved with a password (empty to open, an owner's to change): the
    pages' renderer opens it, but a signature cannot be added to it."""
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    from tests.signing.test_pades import draft_pdf

    writer = PdfWriter(clone_from=PdfReader(BytesIO(draft_pdf("Bien ban co mat khau "))))
    writer.encrypt(user_password="", owner_password="chu-so-huu")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


async def test_an_encrypted_edit_is_refused_at_its_upload_with_a_clear_422(
    client: httpx.AsyncClient, sitting: Sitting, pki: TestPki
) -> None:
    """Refused when the secretary uploads it, not after review and approval at the signing
    (where it could only be replaced by the whole chain again); and were such a file ever
    to reach the signing, that is a 422 too, never a 500."""
    from council.signing.pades import Signatory, UnsignablePdf, with_field

    r = await sitting.post(sitting.sec, "minutes/draft", json={})
    assert r.status_code == 201, r.text
    n = r.json()["number"]
    r = await client.post(
        f"/api/v1/sessions/{sitting.session_id}/minutes/versions/{n}/review",
        files={"file": ("sua.pdf", _encrypted_pdf(), "application/pdf")},
        data={"note": "Đã rà soát"},
        headers={**sitting.sec, "Accept-Language": "vi"},
    )
    assert r.status_code == 422, r.text
    assert "mật khẩu" in r.json()["error"]["details"]["fields"]["file"]
    latest = await MinutesVersion.filter(session_id=sitting.session_id).order_by("-number").first()
    assert latest is not None and (latest.number, latest.status) == (n, "draft")
    with pytest.raises(UnsignablePdf):
        with_field(_encrypted_pdf(), Signatory("secretary", "Thư ký", "Thư ký kỳ họp"))
