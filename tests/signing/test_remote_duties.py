"""Remote signing follow-ups of issue 21: the returned signature is checked in a worker process
with a time limit and bounded fetching (a hostile certificate's URLs cannot hang the server), and
only from a certificate an administrator registered to the signing user."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509 as cx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from pyhanko.sign import signers

from council import pageimages, workers
from council.models import AuditEntry, User
from council.settings import Settings
from council.signing import certificates
from council.signing import sessions as remote_sessions
from council.signing.models import SigningCertificate, SigningSession
from council.signing.verify import FETCH_LIMITS
from meetings.resolutions import services as resolutions
from meetings.resolutions.models import Resolution
from tests.factories import bearer, error_code, login, make_user
from tests.signing import resolutions_kit as kit
from tests.signing.pki import TestPki


@pytest.fixture
def app(settings: Settings, pki: TestPki) -> Any:
    from council.app import create_app

    settings.signing_trust_roots = str(pki.roots_dir)  # no server key: remote signing only
    return create_app(settings, manage_db=False)


@pytest.fixture
def silent_url() -> Iterator[str]:
    """An HTTP address that accepts connections and never answers (a hostile authority's OCSP
    responder, or one that is down in the worst way)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        server.close()


def _issue(pki: TestPki, folder: Path, name: str, url: str) -> tuple[tuple[str, str, str], str]:
    """A signer's key and certificate from the test PKI's intermediate CA, whose OCSP and CRL
    addresses are ``url``: key, certificate and chain as PEM files, and the certificate's PEM."""
    interm_key = serialization.load_pem_private_key(pki.key_path("interm").read_bytes(), None)
    interm = cx.load_der_x509_certificate(pki.cert_der("interm"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    cert = (
        cx.CertificateBuilder()
        .subject_name(cx.Name([cx.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(interm.subject)
        .public_key(key.public_key())
        .serial_number(cx.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(
            cx.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(
            cx.AuthorityKeyIdentifier.from_issuer_public_key(interm_key.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .add_extension(
            cx.AuthorityInformationAccess(
                [
                    cx.AccessDescription(
                        AuthorityInformationAccessOID.OCSP, cx.UniformResourceIdentifier(url)
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(
            cx.CRLDistributionPoints(
                [
                    cx.DistributionPoint(
                        [cx.UniformResourceIdentifier(f"{url}/crl")], None, None, None
                    )
                ]
            ),
            critical=False,
        )
        .sign(interm_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    folder.mkdir(exist_ok=True)
    paths = (folder / "hang.key.pem", folder / "hang.pem", folder / "interm.pem")
    paths[0].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    paths[1].write_bytes(cert_pem)
    paths[2].write_bytes(pki.cert_pem("interm"))
    return (str(paths[0]), str(paths[1]), str(paths[2])), cert_pem.decode()


def _signer(key: str, cert: str, chain: str) -> signers.SimpleSigner:
    signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(chain,))
    assert signer is not None
    return signer


async def _cms(signer: signers.SimpleSigner, digest_b64: str) -> str:
    cms = await signer.async_sign(base64.b64decode(digest_b64), "sha256", use_pades=True)
    return base64.b64encode(cms.dump()).decode()


async def _admin() -> User:
    return await User.get_or_none(username="certadmin") or await make_user(
        "admin", username="certadmin"
    )


async def _prepared(client: httpx.AsyncClient, s: kit.Sitting) -> tuple[int, dict[str, Any]]:
    rid = (await resolutions.resolution_issue(s.secretariat, s.items[0].id)).id
    r = await client.post(
        f"/api/v1/resolutions/{rid}/sign/prepare", json={}, headers=await bearer(s.chair)
    )
    assert r.status_code == 200, r.text
    return rid, r.json()


# --- item 1: a hostile certificate's URLs ----------------------------------------------------------


async def test_a_certificate_whose_authority_never_answers_fails_cleanly_at_the_limit(
    client: httpx.AsyncClient,
    settings: Settings,
    pki: TestPki,
    tmp_path: Path,
    silent_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check runs in a worker process: past its time it is killed and the signer gets a 504
    with a translated reason; the event loop answered other requests meanwhile; nothing is
    signed and the session can be completed again."""
    monkeypatch.setattr(
        remote_sessions, "CHECK_LIMITS", replace(remote_sessions.CHECK_LIMITS, seconds=4.0)
    )
    s = await kit.passed_sitting()
    signer_files, cert_pem = _issue(pki, tmp_path / "hang", "Chủ tọa có chứng thư treo", silent_url)
    await certificates.certificate_register(await _admin(), s.chair, cert_pem)
    rid, prepared = await _prepared(client, s)
    cms = await _cms(_signer(*signer_files), prepared["digest"])
    chair = await bearer(s.chair)
    completing = asyncio.create_task(
        client.post(
            f"/api/v1/resolutions/{rid}/sign/complete",
            json={"session_id": prepared["session_id"], "cms": cms},
            headers={**chair, "Accept-Language": "vi"},
        )
    )
    await asyncio.sleep(0.5)  # let the check start (an ordering aid; nothing is timed)
    other = await client.get(f"/api/v1/resolutions/{rid}", headers=chair)
    assert other.status_code == 200
    assert not completing.done()  # the check was still waiting on the silent address
    r = await asyncio.wait_for(completing, timeout=120)  # a guard against a hang, not a figure
    assert (r.status_code, error_code(r)) == (504, "signature_check_timeout"), r.text
    assert "thời gian" in r.json()["error"]["message"] or "lâu" in r.json()["error"]["message"]
    assert (await Resolution.get(id=rid)).status == "draft"
    assert await workers.run(len, "the pool still works") == 20


async def test_each_fetch_is_bounded_and_an_unreachable_authority_soft_fails(
    client: httpx.AsyncClient,
    settings: Settings,
    pki: TestPki,
    tmp_path: Path,
    silent_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a short timeout per request, the silent OCSP and CRL addresses are given up within
    the worker's time and the signature completes (revocation soft-fails when no data can be
    had, as verification does: docs/signing.md)."""
    monkeypatch.setattr(remote_sessions, "FETCH_TIMEOUT", 1.0)
    s = await kit.passed_sitting()
    signer_files, cert_pem = _issue(pki, tmp_path / "hang", "Chủ tọa có chứng thư treo", silent_url)
    await certificates.certificate_register(await _admin(), s.chair, cert_pem)
    rid, prepared = await _prepared(client, s)
    cms = await _cms(_signer(*signer_files), prepared["digest"])
    r = await asyncio.wait_for(
        client.post(
            f"/api/v1/resolutions/{rid}/sign/complete",
            json={"session_id": prepared["session_id"], "cms": cms},
            headers=await bearer(s.chair),
        ),
        timeout=120,
    )
    assert r.status_code == 200 and r.json()["status"] == "signed", r.text


async def test_a_hanging_check_keeps_its_own_slot_and_page_renders_still_run(
    client: httpx.AsyncClient,
    settings: Settings,
    pki: TestPki,
    tmp_path: Path,
    silent_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check waiting on a silent revocation service holds its own lane (one check at a time),
    never the shared worker slots: with a single shared slot, a document page still renders
    while the check hangs. Its fetches, all timing out, fit inside its time limit."""
    limits = remote_sessions.CHECK_LIMITS
    assert limits.lane is not None and limits.jobs == 1
    assert FETCH_LIMITS["max_requests"] * remote_sessions.FETCH_TIMEOUT < limits.seconds
    monkeypatch.setattr(remote_sessions, "CHECK_LIMITS", replace(limits, seconds=8.0))
    old = workers.set_limits(workers.Limits(jobs=1))  # one shared slot: the check must not take it
    try:
        s = await kit.passed_sitting()
        signer_files, cert_pem = _issue(pki, tmp_path / "hang", "Chủ tọa treo", silent_url)
        await certificates.certificate_register(await _admin(), s.chair, cert_pem)
        rid, prepared = await _prepared(client, s)
        pdf = bytes((await SigningSession.get(id=prepared["session_id"])).prepared)
        cms = await _cms(_signer(*signer_files), prepared["digest"])
        completing = asyncio.create_task(
            client.post(
                f"/api/v1/resolutions/{rid}/sign/complete",
                json={"session_id": prepared["session_id"], "cms": cms},
                headers=await bearer(s.chair),
            )
        )
        await asyncio.sleep(0.5)  # let the check start (an ordering aid; nothing is timed)
        image = await pageimages.run(pageimages.render_page, pdf, 1)
        assert image[:4] == b"RIFF"  # a WebP picture of the page
        assert not completing.done()  # rendered while the check still hung
        r = await asyncio.wait_for(completing, timeout=120)  # a guard against a hang
        assert (r.status_code, error_code(r)) == (504, "signature_check_timeout"), r.text
    finally:
        workers.set_limits(old)


# --- item 2: the certificate must be the signer's -------------------------------------------------


def _names_the_certificate_only(r: httpx.Response, der: bytes) -> None:
    """A refused certificate is named by what the signer needs to tell it apart (fingerprint,
    serial number, issuer's name), never by its holder's name or the rest of its subject."""
    cert = cx.load_der_x509_certificate(der)
    details = r.json()["error"]["details"]
    assert details == {
        "fingerprint": hashlib.sha256(der).hexdigest(),
        "serial": format(cert.serial_number, "x"),
        "issuer": "Test Intermediate CA",
    }
    for part in ("Nguyễn Văn Chủ", "Trần Thị Thư Ký", "HĐND thử nghiệm", "subject"):
        assert part not in r.text


async def test_only_a_certificate_registered_to_the_signer_completes(
    client: httpx.AsyncClient, settings: Settings, pki: TestPki, tmp_path: Path
) -> None:
    """The secretary's certificate chains to the same trusted root as the chair's: without the
    registration it would pass as the chair's signature."""
    s = await kit.passed_sitting()
    rid, prepared = await _prepared(client, s)
    chair = await bearer(s.chair)
    complete = f"/api/v1/resolutions/{rid}/sign/complete"

    def files(who: str) -> signers.SimpleSigner:
        folder = tmp_path / who
        folder.mkdir()
        (folder / "c.pem").write_bytes(pki.cert_pem(who))
        (folder / "i.pem").write_bytes(pki.cert_pem("interm"))
        return _signer(str(pki.key_path(who)), str(folder / "c.pem"), str(folder / "i.pem"))

    secretary_cms = await _cms(files("secretary"), prepared["digest"])
    chair_cms = await _cms(files("chair"), prepared["digest"])
    body = {"session_id": prepared["session_id"], "cms": chair_cms}
    # nothing registered yet: even the chair's genuine certificate is refused
    r = await client.post(complete, json=body, headers={**chair, "Accept-Language": "vi"})
    assert (r.status_code, error_code(r)) == (403, "certificate_not_registered"), r.text
    assert "quản trị" in r.json()["error"]["message"]
    _names_the_certificate_only(r, pki.cert_der("chair"))
    admin = await _admin()
    await certificates.certificate_register(admin, s.chair, pki.cert_pem("chair").decode())
    # the secretary's certificate is registered to the secretary, not to the chair
    await certificates.certificate_register(
        admin, s.secretariat, base64.b64encode(pki.cert_der("secretary")).decode()
    )
    r = await client.post(complete, json={**body, "cms": secretary_cms}, headers=chair)
    assert (r.status_code, error_code(r)) == (403, "certificate_not_registered")
    # announcing another's certificate at preparing is refused at once
    r = await client.post(
        f"/api/v1/resolutions/{rid}/sign/prepare",
        json={"certificate": base64.b64encode(pki.cert_der("secretary")).decode()},
        headers=chair,
    )
    assert (r.status_code, error_code(r)) == (403, "certificate_not_registered")
    _names_the_certificate_only(r, pki.cert_der("secretary"))
    assert (await Resolution.get(id=rid)).status == "draft"
    r = await client.post(complete, json=body, headers=chair)
    assert r.status_code == 200 and r.json()["status"] == "signed", r.text


async def test_registering_certificates_is_an_admins_audited_act(
    client: httpx.AsyncClient, settings: Settings, pki: TestPki
) -> None:
    council = await kit.sitting()
    chair, secretariat = council.chair, council.secretariat
    url = f"/api/v1/users/{chair.id}/signing-certificates"
    pem = pki.cert_pem("chair").decode()
    for who in (secretariat, chair):  # the chair may not register a key for themself either
        r = await client.post(url, json={"certificate": pem}, headers=await bearer(who))
        assert r.status_code == 403, who.role
        assert (await client.get(url, headers=await bearer(who))).status_code == 403
    admin = await bearer(await _admin())
    for bad in ("not a certificate", base64.b64encode(b"\x30\x03abc").decode()):
        r = await client.post(url, json={"certificate": bad}, headers=admin)
        assert (r.status_code, error_code(r)) == (422, "invalid"), bad
    r = await client.post(url, json={"certificate": pem}, headers=admin)
    assert r.status_code == 201, r.text
    row = r.json()
    assert (
        row["subject"].startswith("Common Name: Nguyễn Văn Chủ")
        or "Nguyễn Văn Chủ" in row["subject"]
    )
    r = await client.post(url, json={"certificate": pem}, headers=admin)
    assert (r.status_code, error_code(r)) == (409, "certificate_already_registered")
    r = await client.post(
        f"/api/v1/users/{secretariat.id}/signing-certificates",
        json={"certificate": pem},
        headers=admin,
    )
    assert (r.status_code, error_code(r)) == (409, "certificate_already_registered")
    listed = (await client.get(url, headers=admin)).json()["items"]
    assert [c["sha256"] for c in listed] == [row["sha256"]]
    r = await client.delete(f"{url}/{row['id']}", headers=admin)
    assert r.status_code == 200 and r.json() == {"items": []}
    assert not await SigningCertificate.exists(user_id=chair.id)
    ops = await AuditEntry.filter(target_id=str(chair.id)).values_list("operation", flat=True)
    assert "signing.certificate_register" in ops and "signing.certificate_remove" in ops


async def test_the_admin_registers_a_certificate_on_the_persons_page(
    client: httpx.AsyncClient, settings: Settings, pki: TestPki
) -> None:
    council = await kit.sitting()
    admin = await _admin()
    await login(client, admin)
    edit = await client.get(f"/admin/users/{council.chair.id}/edit")
    assert edit.status_code == 200
    assert f"/admin/users/{council.chair.id}/signing-certificates" in edit.text
    page = f"/admin/users/{council.chair.id}/signing-certificates"
    r = await client.post(
        f"{page}/register",
        files={"file": ("chair.cer", pki.cert_der("chair"), "application/pkix-cert")},
        headers={"HX-Request": "true"},
    )
    assert r.status_code in (200, 303), r.text
    listing = await client.get(page)
    assert "Nguyễn Văn Chủ" in listing.text and "Test Intermediate CA" in listing.text
    r = await client.post(f"{page}/register", data={"certificate": "rác"})
    assert r.status_code == 422 and "chứng thư" in r.text.lower()
    # a delegate's page has no such section: only accounts that sign
    delegate = council.delegates[0]
    assert "signing-certificates" not in (await client.get(f"/admin/users/{delegate.id}/edit")).text


def _personal_certificate(pki: TestPki) -> str:
    """A Vietnamese personal certificate's subject: the name, and the citizen's ID number as a
    UID and a serialNumber attribute (as the public CAs issue them)."""
    interm_key = serialization.load_pem_private_key(pki.key_path("interm").read_bytes(), None)
    interm = cx.load_der_x509_certificate(pki.cert_der("interm"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    cert = (
        cx.CertificateBuilder()
        .subject_name(
            cx.Name(
                [
                    cx.NameAttribute(NameOID.USER_ID, "CCCD:001085012345"),
                    cx.NameAttribute(NameOID.SERIAL_NUMBER, "CMND:012345678"),
                    cx.NameAttribute(NameOID.COMMON_NAME, "Trần Thị Chủ Tọa"),
                    cx.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                ]
            )
        )
        .issuer_name(interm.subject)
        .public_key(key.public_key())
        .serial_number(cx.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(interm_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


async def test_a_certificates_personal_subject_stays_out_of_the_audit_chain_and_the_page(
    client: httpx.AsyncClient, settings: Settings, pki: TestPki
) -> None:
    """The citizen's ID number in a personal certificate's subject is kept in the certificate's
    table only: the audit chain (kept for good) records its SHA-256, serial and issuer, and the
    admin page shows the holder's name and the expiry."""
    council = await kit.sitting()
    chair, admin = council.chair, await _admin()
    url = f"/api/v1/users/{chair.id}/signing-certificates"
    r = await client.post(
        url, json={"certificate": _personal_certificate(pki)}, headers=await bearer(admin)
    )
    assert r.status_code == 201, r.text
    row = r.json()
    assert "001085012345" in row["subject"] and row["common_name"] == "Trần Thị Chủ Tọa"
    await login(client, admin)
    page = (await client.get(f"/admin/users/{chair.id}/signing-certificates")).text
    assert "Trần Thị Chủ Tọa" in page and "Test Intermediate CA" in page
    assert "001085012345" not in page and "012345678" not in page
    await certificates.certificate_remove(admin, chair, row["id"])
    entries = await AuditEntry.filter(
        operation__in=["signing.certificate_register", "signing.certificate_remove"]
    )
    assert len(entries) == 2
    for entry in entries:
        assert entry.details["sha256"] == row["sha256"]
        assert entry.details["serial"] == row["serial"]
        assert "Test Intermediate CA" in entry.details["issuer"]
        text = str(entry.details)
        assert "CCCD" not in text and "001085012345" not in text and "012345678" not in text
