"""The minutes' approval workflow end to end with real signing: draft → reviewed (an edited PDF
becomes a new version) → approved → signed by the secretary, then the chair (PAdES, checked by
pyHanko and pdfsig) → published; ``minutes.pdf``'s header, closed sittings, immutability and
corrections, another council's user, and a token's wrong PIN."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from council.models import AuditEntry, User
from council.registry import Operation
from council.settings import Settings
from council.signing import load_trust_roots, verify_pdf
from council.signing.verify import INTACT
from council.storage import exists, read_bytes
from meetings import operations as ops
from meetings import services
from meetings.minutes_models import MinutesVersion
from meetings.models import Notice, Session
from tests.factories import bearer, error_code, make_council, make_user
from tests.operations import assert_permission_matrix
from tests.signing import tools
from tests.signing.pki import P12_PASSWORD, TestPki
from tests.signing.test_pades import draft_pdf
from tests.signing.token import USER_PIN

MINUTES_OPS = [
    ops.MINUTES_VERSIONS, ops.MINUTES_VERSION, ops.MINUTES_DRAFT, ops.MINUTES_REVIEW,
    ops.MINUTES_APPROVE, ops.MINUTES_SIGN, ops.MINUTES_PUBLISH, ops.MINUTES_PUBLIC,
    ops.SESSION_CLOSED_SITTING,
]  # fmt: skip


@pytest.fixture
def app(settings: Settings, pki: TestPki) -> Any:
    from council.app import create_app

    settings.signing_trust_roots = str(pki.roots_dir)
    return create_app(settings, manage_db=False)


def give_p12(settings: Settings, pki: TestPki, user: User, who: str) -> None:
    """``user``'s own signing file under the data directory (signing/people/)."""
    people = Path(settings.data_dir) / "signing" / "people"
    people.mkdir(parents=True, exist_ok=True)
    shutil.copy(pki.p12(who), people / f"{user.username}.p12")
    (people / f"{user.username}.pass").write_text(P12_PASSWORD)


class Sitting:
    """A closed sitting of a council, its secretary and chair (each with a key), and their
    API headers."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def make(self, settings: Settings, pki: TestPki, *, chair_key: bool = True) -> Sitting:
        self.council = await make_council()
        self.secretary = await make_user(
            "secretariat",
            self.council,
            full_name="Trần Thị Thư Ký",
            username=f"tk{uuid.uuid4().hex[:6]}",
        )
        self.other_secretary = await make_user("secretariat", self.council)
        self.chair = await make_user(
            "chair", self.council, full_name="Nguyễn Văn Chủ", username=f"ct{uuid.uuid4().hex[:6]}"
        )
        give_p12(settings, pki, self.secretary, "secretary")
        if chair_key:
            give_p12(settings, pki, self.chair, "chair")
        session = await services.session_create(
            self.secretary, council_code=self.council.code, title="Kỳ họp thứ hai",
            starts_at=datetime.now(UTC) - timedelta(hours=3), location="Hội trường",
        )  # fmt: skip
        await services.item_create(self.secretary, session.id, title="Khai mạc", kind="opening")
        await services.session_start(self.chair, session.id)
        await services.session_close(self.chair, session.id)
        self.session_id = session.id
        self.sec = await bearer(self.secretary)
        self.ch = await bearer(self.chair)
        return self

    def url(self, tail: str) -> str:
        return f"/api/v1/sessions/{self.session_id}/{tail}"

    async def post(self, who: dict[str, str], tail: str, **kw: Any) -> httpx.Response:
        return await self.client.post(self.url(tail), headers=who, **kw)

    async def to_approved(self, *, edited: bytes | None = None) -> int:
        r = await self.post(self.sec, "minutes/draft", json={})
        assert r.status_code == 201, r.text
        n = r.json()["number"]
        files = {"file": ("sua.pdf", edited, "application/pdf")} if edited else None
        r = await self.post(
            self.sec, f"minutes/versions/{n}/review", files=files, data={"note": "Đã rà soát"}
        )
        assert r.status_code == 200, r.text
        n = r.json()["number"]
        r = await self.post(self.ch, f"minutes/versions/{n}/approve")
        assert r.status_code == 200 and r.json()["status"] == "approved", r.text
        return int(n)

    async def sign_both(self, n: int) -> None:
        r = await self.post(self.sec, f"minutes/versions/{n}/sign", json={})
        assert r.status_code == 200 and r.json()["status"] == "signing", r.text
        r = await self.post(self.ch, f"minutes/versions/{n}/sign", json={})
        assert r.status_code == 200 and r.json()["status"] == "signed", r.text


def _stamps(pdf: bytes) -> dict[str, list[float]]:
    """Each signature field's box on the last page."""
    page = PdfReader(BytesIO(pdf)).pages[-1]
    return {
        str(a.get_object()["/T"]): [float(x) for x in a.get_object()["/Rect"]]
        for a in page["/Annots"]
    }


@pytest.fixture
async def sitting(client: httpx.AsyncClient, settings: Settings, pki: TestPki) -> Sitting:
    return await Sitting(client).make(settings, pki)


async def test_the_whole_workflow_signs_twice_and_publishes(
    client: httpx.AsyncClient, sitting: Sitting, pki: TestPki, tmp_path: Path
) -> None:
    # before any version: the draft generated from the record, without a number
    r = await client.get(sitting.url("minutes.pdf"), headers=sitting.sec)
    assert r.status_code == 200 and r.headers["x-minutes-version"] == "draft"
    assert "x-minutes-version-number" not in r.headers
    r = await client.get(sitting.url("minutes"), headers=sitting.sec)
    assert r.json()["next_step"] == "minutes.draft" and r.json()["versions"] == []

    r = await sitting.post(sitting.sec, "minutes/draft", json={})
    assert r.status_code == 201 and r.json()["number"] == 1 and r.json()["status"] == "draft"
    # the other secretary is told to review; the chair is not yet
    assert await Notice.filter(user_id=sitting.other_secretary.id, kind="minutes.review").exists()
    assert not await Notice.filter(user_id=sitting.chair.id).exists()
    # the chair cannot approve an unreviewed draft; nor review it
    r = await sitting.post(sitting.ch, "minutes/versions/1/approve")
    assert r.status_code == 409 and error_code(r) == "minutes_state"
    r = await sitting.post(sitting.ch, "minutes/versions/1/review")
    assert r.status_code == 403

    # the secretary's edit is a new version, already reviewed; version 1 stays as it was
    edited = draft_pdf("Bien ban da sua ")
    r = await sitting.post(
        sitting.sec,
        "minutes/versions/1/review",
        files={"file": ("sua.pdf", edited, "application/pdf")},
    )
    assert r.status_code == 200, r.text
    assert (
        r.json()["number"] == 2
        and r.json()["status"] == "reviewed"
        and r.json()["source"] == "upload"
    )
    assert await Notice.filter(user_id=sitting.chair.id, kind="minutes.approve").exists()
    r = await client.get(sitting.url("minutes/versions/1.pdf"), headers=sitting.sec)
    assert r.status_code == 200 and r.headers["x-minutes-status"] == "draft"
    r = await client.get(sitting.url("minutes/versions/2.pdf"), headers=sitting.sec)
    assert r.content == edited
    # a step on an older version is refused
    r = await sitting.post(sitting.ch, "minutes/versions/1/approve")
    assert r.status_code == 409 and error_code(r) == "minutes_not_latest"

    r = await sitting.post(sitting.ch, "minutes/versions/2/approve")
    assert r.status_code == 200 and r.json()["approved_by"] == "Nguyễn Văn Chủ"
    assert await Notice.filter(user_id=sitting.secretary.id, kind="minutes.sign").exists()
    # the chair signs second, never first
    r = await sitting.post(sitting.ch, "minutes/versions/2/sign", json={})
    assert r.status_code == 403 and error_code(r) == "forbidden"

    approved = await MinutesVersion.get(session_id=sitting.session_id, number=2)
    r = await sitting.post(sitting.sec, "minutes/versions/2/sign", json={})
    assert r.status_code == 200 and r.json()["status"] == "signing", r.text
    # the unsigned file is released: the signed one holds it as its first revision
    assert not await exists(approved.path)
    assert await Notice.filter(user_id=sitting.chair.id, kind="minutes.sign").exists()
    # the steps done are no longer pending for anyone
    pending = await Notice.filter(session_id=sitting.session_id, read_at=None).values_list(
        "kind", flat=True
    )
    assert set(pending) == {"minutes.sign"}
    r = await client.get(sitting.url("minutes.pdf"), headers=sitting.ch)
    assert (
        r.headers["x-minutes-version"] == "draft" and r.headers["x-minutes-version-number"] == "2"
    )

    r = await sitting.post(sitting.ch, "minutes/versions/2/sign", json={})
    assert r.status_code == 200 and r.json()["status"] == "signed", r.text
    r = await client.get(sitting.url("minutes.pdf"), headers=sitting.sec)
    assert (
        r.headers["x-minutes-version"] == "signed" and r.headers["x-minutes-version-number"] == "2"
    )
    signed = r.content
    report = await asyncio.to_thread(verify_pdf, signed, load_trust_roots(pki.roots_dir))
    assert [s.signer for s in report.signatures] == ["Trần Thị Thư Ký", "Nguyễn Văn Chủ"]
    assert report.exit_code == INTACT
    assert report.signatures[0].later_changes == "form_filling"
    # an uploaded edit laid out otherwise (no printed names): the default boxes at the bottom
    assert {k: v[1] for k, v in _stamps(signed).items()} == {"ThuKy": 60, "ChuToa": 60}

    # not on the public portal before publishing; on it after (an open sitting)
    r = await client.get(f"/api/v1/public/sessions/{sitting.session_id}/minutes.pdf")
    assert r.status_code == 404
    r = await sitting.post(sitting.sec, "minutes/versions/2/publish")
    assert r.status_code == 200 and r.json()["status"] == "published"
    r = await client.get(f"/api/v1/public/sessions/{sitting.session_id}/minutes.pdf")
    assert r.status_code == 200 and r.content == signed
    r = await client.get(f"/api/v1/public/sessions/{sitting.session_id}")
    assert r.json()["minutes"]["version"] == 2
    page = await client.get(f"/public/sessions/{sitting.session_id}")
    assert f"/public/sessions/{sitting.session_id}/minutes.pdf" in page.text

    ops_done = await AuditEntry.filter(operation__startswith="minutes.").values_list(
        "operation", flat=True
    )
    assert sorted(ops_done) == sorted(
        ["minutes.draft", "minutes.review", "minutes.approve", "minutes.sign", "minutes.sign",
         "minutes.publish"]
    )  # fmt: skip
    entries = await AuditEntry.filter(operation="minutes.sign").order_by("id")
    assert [e.details["signed_as"] for e in entries] == ["secretary", "chair"]

    # an independent validator agrees, where poppler is installed
    if shutil.which("pdfsig") and shutil.which("certutil"):
        nss = tools.nss_db(tmp_path / "nss", [pki.cert_pem("root")])
        path = tmp_path / "minutes.pdf"
        path.write_bytes(signed)
        out = tools.pdfsig(path, nss)
        assert out.count("Signature is Valid.") == 2, out


async def test_a_closed_sittings_minutes_stay_internal(
    client: httpx.AsyncClient, sitting: Sitting
) -> None:
    r = await client.put(
        sitting.url("closed-sitting"), headers=sitting.sec, json={"closed_sitting": True}
    )
    assert r.status_code == 200 and r.json()["closed_sitting"] is True
    n = await sitting.to_approved()
    await sitting.sign_both(n)
    r = await sitting.post(sitting.sec, f"minutes/versions/{n}/publish")
    assert r.status_code == 200
    r = await client.get(f"/api/v1/public/sessions/{sitting.session_id}/minutes.pdf")
    assert r.status_code == 404
    assert (
        await client.get(f"/public/sessions/{sitting.session_id}/minutes.pdf")
    ).status_code == 404
    r = await client.get(f"/api/v1/public/sessions/{sitting.session_id}")
    assert r.json()["minutes"] is None and r.json()["session"]["closed_sitting"] is True
    page = await client.get(f"/public/sessions/{sitting.session_id}")
    assert "minutes.pdf" not in page.text
    # the council's members still read the signed minutes
    r = await client.get(sitting.url("minutes.pdf"), headers=sitting.ch)
    assert r.status_code == 200 and r.headers["x-minutes-version"] == "signed"
    assert await AuditEntry.filter(operation="session.closed_sitting").count() == 1


async def test_a_signed_version_is_immutable_and_a_correction_needs_new_signatures(
    client: httpx.AsyncClient, sitting: Sitting
) -> None:
    n = await sitting.to_approved()
    await sitting.sign_both(n)
    signed = await MinutesVersion.get(session_id=sitting.session_id, number=n)
    for step in ("review", "approve", "publish"):
        who = sitting.ch if step == "approve" else sitting.sec
        r = await sitting.post(who, f"minutes/versions/{n}/{step}")
        if step != "publish":
            assert r.status_code == 409 and error_code(r) == "minutes_state", (step, r.text)
    r = await sitting.post(sitting.sec, f"minutes/versions/{n}/sign", json={})
    assert r.status_code == 409
    # a correction says why, and starts again as a draft
    r = await sitting.post(sitting.sec, "minutes/draft", json={})
    assert r.status_code == 422 and "note" in r.json()["error"]["details"]["fields"]
    r = await sitting.post(sitting.sec, "minutes/draft", json={"note": "Sửa tên đại biểu"})
    assert r.status_code == 201 and r.json()["number"] == n + 1 and r.json()["status"] == "draft"
    # generated minutes carry each stamp in its signer's block, just above the printed name
    stamps = _stamps(await read_bytes(signed.path))
    assert set(stamps) == {"ThuKy", "ChuToa"}
    assert stamps["ThuKy"][0] < stamps["ChuToa"][0] and stamps["ThuKy"][1] > 150
    # the signed version is unchanged and still what minutes.pdf serves
    again = await MinutesVersion.get(session_id=sitting.session_id, number=n)
    assert (again.path, again.sha256, again.status) == (signed.path, signed.sha256, "published")
    r = await client.get(sitting.url("minutes.pdf"), headers=sitting.sec)
    assert r.headers["x-minutes-version"] == "signed" and r.headers[
        "x-minutes-version-number"
    ] == str(n)
    r = await client.get(sitting.url("minutes"), headers=sitting.sec)
    body = r.json()
    assert [v["number"] for v in body["versions"]] == [1, n + 1] if n == 1 else True
    assert body["next_step"] == "minutes.review"
    for v in body["versions"]:
        assert (await client.get(v["url"], headers=sitting.sec)).status_code == 200


async def test_a_user_of_another_council_cannot_sign(
    client: httpx.AsyncClient, sitting: Sitting, settings: Settings, pki: TestPki
) -> None:
    n = await sitting.to_approved()
    other = await make_council()
    for role, who in (("secretariat", "secretary"), ("chair", "chair")):
        stranger = await make_user(role, other)
        give_p12(settings, pki, stranger, who)
        r = await sitting.post(await bearer(stranger), f"minutes/versions/{n}/sign", json={})
        assert r.status_code == 403 and error_code(r) == "forbidden", r.text
    admin = await make_user("admin")
    r = await sitting.post(await bearer(admin), f"minutes/versions/{n}/sign", json={})
    assert r.status_code == 403 and error_code(r) == "forbidden"
    version = await MinutesVersion.get(session_id=sitting.session_id, number=n)
    assert version.status == "approved" and version.secretary_signed_by_id is None
    assert await AuditEntry.filter(operation="permission.denied").count() >= 3


@pytest.fixture
def chair_token(settings: Settings, chair_token_made: tuple[str, str]) -> str:
    settings.signing_pkcs11_module, settings.signing_pkcs11_label = chair_token_made
    return chair_token_made[1]


async def test_the_chair_signs_with_a_token_and_a_wrong_pin_is_a_clear_422(
    client: httpx.AsyncClient, settings: Settings, pki: TestPki, chair_token: str
) -> None:
    sitting = await Sitting(client).make(settings, pki, chair_key=False)
    n = await sitting.to_approved()
    r = await sitting.post(sitting.sec, f"minutes/versions/{n}/sign", json={})
    assert r.status_code == 200, r.text  # the secretary's own file
    r = await sitting.post(sitting.ch, f"minutes/versions/{n}/sign", json={})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"]["pin"]
    r = await sitting.post(sitting.ch, f"minutes/versions/{n}/sign", json={"pin": "000000"})
    assert r.status_code == 422 and error_code(r) == "wrong_pin", r.text
    assert "tries_left" in r.json()["error"]["details"]
    version = await MinutesVersion.get(session_id=sitting.session_id, number=n)
    assert version.status == "signing"
    r = await sitting.post(sitting.ch, f"minutes/versions/{n}/sign", json={"pin": USER_PIN})
    assert r.status_code == 200 and r.json()["status"] == "signed", r.text
    # the PIN is kept nowhere: not in the audit log, not in the version
    for entry in await AuditEntry.all():
        assert USER_PIN not in str(entry.details) and "000000" not in str(entry.details)
    r = await client.get(sitting.url("minutes.pdf"), headers=sitting.sec)
    report = await asyncio.to_thread(verify_pdf, r.content, load_trust_roots(pki.roots_dir))
    assert [s.signer for s in report.signatures] == ["Trần Thị Thư Ký", "Nguyễn Văn Chủ"]
    assert report.exit_code == INTACT


@pytest.mark.parametrize("op", MINUTES_OPS, ids=lambda o: o.name)
async def test_permission_matrix(settings: Settings, op: Operation) -> None:
    own, other = await make_council(), await make_council()
    session = await Session.create(council=own, title="Kỳ họp", starts_at=datetime.now(UTC))
    await assert_permission_matrix(op, {"session_id": session.id, "number": 1}, own, other)


async def test_the_minutes_page_shows_the_step_and_its_button(
    client: httpx.AsyncClient, sitting: Sitting
) -> None:
    from tests.factories import login

    await login(client, sitting.secretary)
    page = await client.get(f"/meetings/sessions/{sitting.session_id}/minutes")
    assert page.status_code == 200 and 'id="minutes-draft"' in page.text
    r = await client.post(f"/meetings/sessions/{sitting.session_id}/minutes/draft", data={})
    assert r.status_code == 303
    page = await client.get(f"/meetings/sessions/{sitting.session_id}/minutes")
    assert 'id="minutes-review"' in page.text and "Dự thảo" in page.text


async def test_hostile_input_is_a_clear_4xx(client: httpx.AsyncClient, sitting: Sitting) -> None:
    r = await sitting.post(sitting.sec, "minutes/draft", json={"note": "x" * 1001})
    assert r.status_code == 422
    r = await sitting.post(sitting.sec, "minutes/draft", json={"nope": 1})
    assert r.status_code == 422
    r = await sitting.post(sitting.sec, "minutes/draft", json={})
    n = r.json()["number"]
    not_pdf = {"file": ("sua.pdf", b"GIF89a not a pdf at all", "application/pdf")}
    r = await sitting.post(sitting.sec, f"minutes/versions/{n}/review", files=not_pdf)
    assert r.status_code in (415, 422) and error_code(r), r.text
    # the magic bytes of a PDF and nothing behind them: refused before it becomes a version
    broken = {"file": ("sua.pdf", b"%PDF-1.7\n not really a pdf\n%%EOF\n", "application/pdf")}
    r = await sitting.post(sitting.sec, f"minutes/versions/{n}/review", files=broken)
    assert (r.status_code, error_code(r)) == (422, "invalid"), r.text
    r = await sitting.post(sitting.sec, f"minutes/versions/{n}/sign", json={"pin": "1" * 65})
    assert r.status_code == 422
    r = await sitting.post(sitting.ch, "minutes/versions/99/approve")
    assert r.status_code == 409 and error_code(r) == "minutes_not_latest"
    r = await client.get(sitting.url("minutes/versions/99.pdf"), headers=sitting.sec)
    assert r.status_code == 404 and error_code(r) == "not_found"
    r = await client.put(
        sitting.url("closed-sitting"), headers=sitting.sec, json={"closed_sitting": "x"}
    )
    assert r.status_code == 422
    assert await MinutesVersion.filter(session_id=sitting.session_id).count() == 1
