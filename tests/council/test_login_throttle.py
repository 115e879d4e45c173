"""Login throttling that cannot be turned against the account holder (council.throttle).

A guesser rotating addresses spends the account's budget for unknown devices, never that of a
device the holder logged in from before; a new device of the holder is unlocked by the
secretariat (device.unlock; an account that signs, by an administrator); the holder is told, at most once an hour.
"""

from __future__ import annotations

import email
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from council import mailer
from council.models import AuditEntry, LoginDevice, User
from council.settings import Settings
from council.throttle import LoginPolicy
from tests.conftest import free_port
from tests.factories import PASSWORD, bearer, error_code, make_council, make_user

HALL = "203.0.113.7"


class Device:
    """One browser (its own cookie jar) at one address; ``at`` moves it to another address."""

    def __init__(self, app: Any, ip: str) -> None:
        self.transport = httpx.ASGITransport(app=app, client=(ip, 40000))
        self.http = httpx.AsyncClient(transport=self.transport, base_url="http://testserver")

    def at(self, ip: str) -> Device:
        self.transport.client = (ip, 40000)
        return self

    async def login(self, username: str, password: str) -> httpx.Response:
        """The login page as a browser uses it: the form, then its POST."""
        self.http.cookies.delete("council_session")
        form = await self.http.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf
        return await self.http.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf.group(1)},
        )

    async def token(self, username: str, password: str) -> httpx.Response:
        self.http.cookies.delete("council_session")
        return await self.http.post(
            "/api/v1/auth/token", json={"username": username, "password": password}
        )

    async def close(self) -> None:
        await self.http.aclose()


@pytest.fixture
async def devices(app: Any) -> AsyncIterator[Any]:
    made: list[Device] = []

    def device(ip: str = HALL) -> Device:
        made.append(Device(app, ip))
        return made[-1]

    yield device
    for d in made:
        await d.close()


def _code(page: str) -> str:
    found = re.search(r'class="device-code">([A-Z2-7]{4}-[A-Z2-7]{4})<', page)
    assert found, "the locked-out page shows the device's code"
    return found.group(1)


async def test_a_guesser_rotating_addresses_does_not_stop_the_known_tablet(devices) -> None:
    chair = await make_user("chair", await make_council())
    tablet = devices()
    assert (await tablet.login(chair.username, PASSWORD)).status_code == 303

    attacker = devices()
    codes = []
    for i in range(1000):
        r = await attacker.at(f"198.51.{i // 200}.{i % 200 + 1}").token(chair.username, f"x{i}")
        codes.append(r.status_code)
    assert set(codes) == {401, 429} and codes[-1] == 429
    assert codes.count(401) == 20  # COUNCIL_LOGIN_ACCOUNT_RATE: then only throttled, unchecked
    # 980 refusals, one audit entry: the budget was reached once in its window.
    assert await AuditEntry.filter(operation="auth.throttled").count() == 1
    assert await AuditEntry.filter(operation="auth.login_failed").count() == 20

    # The chair's tablet keeps its own budget: a typo, then the password, both heard.
    assert (await tablet.login(chair.username, "typo-typo")).status_code == 401
    r = await tablet.login(chair.username, PASSWORD)
    assert r.status_code == 303, r.text
    assert chair.full_name in (await tablet.http.get("/")).text
    # Through the API too, with the same device cookie.
    assert (await tablet.token(chair.username, PASSWORD)).status_code == 200


async def test_a_new_device_is_paused_and_an_admin_unlocks_a_signers_device(
    devices, client: httpx.AsyncClient
) -> None:
    """Letting a device into an account that signs (the chair's) is the administrator's alone:
    the council's secretariat is refused and audited (docs/signing.md, "Separation of
    duties")."""
    council = await make_council()
    chair = await make_user("chair", council)
    secretariat = await make_user("secretariat", council)
    admin = await make_user("admin")
    attacker = devices()
    for i in range(20):
        await attacker.at(f"198.51.100.{i + 1}").token(chair.username, "guess-guess")

    phone = devices("192.0.2.50")
    r = await phone.login(chair.username, PASSWORD)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    code = _code(r.text)
    assert code in (await phone.login(chair.username, PASSWORD)).text  # the same device, same code

    # Nobody but an admin unlocks the chair's: not even the secretariat of the chair's council.
    other = await make_user("secretariat", await make_council())
    delegate = await make_user("delegate", council)
    path = f"/api/v1/users/{chair.id}/devices/unlock"
    for who in (other, delegate, secretariat):
        denied = await client.post(path, json={"code": code}, headers=await bearer(who))
        assert denied.status_code == 403, who.role
    denial = await AuditEntry.get(operation="permission.denied", actor_id=secretariat.id)
    assert denial.details == {"signing_role": "chair"} and denial.target_id == str(chair.id)
    assert not await LoginDevice.filter(user_id=chair.id).exists()
    bad = await client.post(path, json={"code": "nope"}, headers=await bearer(admin))
    assert bad.status_code == 422 and error_code(bad) == "invalid"
    ok = await client.post(path, json={"code": code.lower()}, headers=await bearer(admin))
    assert ok.status_code == 200 and ok.json() == {"user_id": chair.id, "code": code}
    entry = await AuditEntry.get(operation="device.unlock")
    assert entry.actor_id == admin.id and entry.target_id == str(chair.id)

    assert (await phone.login(chair.username, PASSWORD)).status_code == 303
    # Only that device: another new one is still paused.
    laptop = devices("192.0.2.51")
    assert (await laptop.login(chair.username, PASSWORD)).status_code == 429
    # The unlocked phone is now a known device like any other (its code served once).
    assert await LoginDevice.filter(user_id=chair.id).count() == 1
    assert (await phone.login(chair.username, PASSWORD)).status_code == 303


async def test_the_secretariat_unlocks_a_delegates_device(
    devices, client: httpx.AsyncClient
) -> None:
    council = await make_council()
    delegate = await make_user("delegate", council)
    secretariat = await make_user("secretariat", council)
    attacker = devices()
    for i in range(20):
        await attacker.at(f"198.51.100.{i + 1}").token(delegate.username, "guess-guess")
    phone = devices("192.0.2.52")
    code = _code((await phone.login(delegate.username, PASSWORD)).text)
    path = f"/api/v1/users/{delegate.id}/devices/unlock"
    ok = await client.post(path, json={"code": code}, headers=await bearer(secretariat))
    assert ok.status_code == 200, ok.text
    assert (await phone.login(delegate.username, PASSWORD)).status_code == 303


async def test_unlock_from_the_admin_page(devices, client: httpx.AsyncClient) -> None:
    from tests.factories import login

    council = await make_council()
    chair = await make_user("chair", council)
    attacker = devices()
    for i in range(20):
        await attacker.at(f"198.51.100.{i + 1}").token(chair.username, "guess-guess")
    phone = devices("192.0.2.60")
    code = _code((await phone.login(chair.username, PASSWORD)).text)

    await login(client, await make_user("admin"))  # the chair signs: an admin's act
    page = await client.get(f"/admin/users/{chair.id}/edit")
    assert f'action="/admin/users/{chair.id}/unlock-device"' in page.text
    r = await client.post(f"/admin/users/{chair.id}/unlock-device", data={"code": code})
    assert r.status_code == 303 and r.headers["location"].endswith("?unlocked=1")
    assert (await phone.login(chair.username, PASSWORD)).status_code == 303


async def test_failures_count_per_account_and_address(devices) -> None:
    council = await make_council()
    chair, delegate = await make_user("chair", council), await make_user("delegate", council)
    guesser = devices("198.51.100.9")
    codes = [(await guesser.token(chair.username, "guess-guess")).status_code for _ in range(11)]
    assert codes == [401] * 10 + [429]
    # That address may still log in to another account, and the account from another address.
    assert (await guesser.token(delegate.username, PASSWORD)).status_code == 200
    elsewhere = devices("192.0.2.77")
    assert (await elsewhere.token(chair.username, PASSWORD)).status_code == 200


async def test_the_address_budget_is_shared_by_unknown_devices_only(
    settings: Settings, devices
) -> None:
    """Past the address's budget, unknown devices there wait; known ones do not."""
    settings.login_ip_rate = "4/300"
    council = await make_council()
    chair = await make_user("chair", council)
    tablet = devices()
    assert (await tablet.login(chair.username, PASSWORD)).status_code == 303
    others = [await make_user("delegate", council) for _ in range(2)]
    typist = devices()
    codes = [
        (await typist.token(u.username, "typo-typo")).status_code for u in others for _ in range(3)
    ]
    assert codes == [401] * 4 + [429] * 2
    assert (await typist.token(chair.username, PASSWORD)).status_code == 429
    assert (await tablet.login(chair.username, PASSWORD)).status_code == 303


def test_the_default_address_budget_fits_a_hall_of_100_tablets(tmp_path) -> None:
    """About 100 tablets behind one public address, each with a few typos in the window, do not
    lock the hall out; and one address cannot spend more than the pair budget on one account."""
    policy = LoginPolicy.of(Settings.from_env({}, data_dir=str(tmp_path)))
    assert policy.ip.count >= 100 * 3 and policy.ip.seconds <= 300
    assert policy.pair.count <= 10 and policy.account.count < policy.ip.count


async def test_a_forged_device_cookie_is_an_unknown_device(devices) -> None:
    chair = await make_user("chair", await make_council())
    tablet = devices()
    assert (await tablet.login(chair.username, PASSWORD)).status_code == 303
    value = tablet.http.cookies["council_device"]
    forged = devices("192.0.2.99")
    device, _, sig = value.partition(".")
    forged.http.cookies.set("council_device", f"{device}x.{sig}")
    attacker = devices()
    for i in range(20):
        await attacker.at(f"198.51.100.{i + 1}").token(chair.username, "guess-guess")
    assert (await forged.login(chair.username, PASSWORD)).status_code == 429
    assert (await tablet.login(chair.username, PASSWORD)).status_code == 303


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email_policy.default)
        )
        return "250 OK"


async def test_the_holder_is_told_at_most_once_an_hour(settings: Settings, devices) -> None:
    inbox = _Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    settings.smtp_url = f"smtp://127.0.0.1:{smtp.port}"
    try:
        chair = await make_user("chair", await make_council())
        await User.filter(id=chair.id).update(email="chu.toa@example.vn", lang="vi")
        attacker = devices()
        for i in range(25):
            await attacker.at(f"198.51.100.{i + 1}").token(chair.username, "guess-guess")
        await mailer.flush()
        assert len(inbox.messages) == 1
        mail = inbox.messages[0]
        assert mail["To"] == "chu.toa@example.vn"
        assert chair.username in mail.get_content() and "mật khẩu" in mail.get_content()
        assert await AuditEntry.filter(operation="auth.guess_alert").count() == 1

        # An hour later, still under attack: told again, once.
        await User.filter(id=chair.id).update(guess_alert_at=datetime.now(UTC) - timedelta(hours=2))
        from council.ratelimit import limiter

        await limiter().reset(f"login:user:{chair.username}")
        for i in range(22):
            await attacker.at(f"198.51.101.{i + 1}").token(chair.username, "guess-guess")
        await mailer.flush()
        assert len(inbox.messages) == 2
    finally:
        smtp.stop()
