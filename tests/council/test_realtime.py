"""The realtime core with real python-socketio clients against real uvicorn servers.

In-process (`live_server`): who may connect, per-event permissions, rooms. Across processes: two
`council serve` processes sharing one SQLite data directory and one Redis; a client connected to
one receives the event caused by a request to the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import socketio

from council import realtime
from council.auth import issue_token
from council.errors import Conflict
from council.i18n import N_
from council.models import AuditEntry
from council.permissions import allow
from council.realtime import DEFERRED, Deferred, EventCtx, event, handlers
from council.settings import Settings
from tests.conftest import free_port, serving
from tests.factories import PASSWORD, make_council, make_user
from tests.processes import cli_env, council_serve

REDIS_URL = os.environ.get("REDIS_URL")
WAIT = 20.0  # an upper bound for an event to arrive, not a measured expectation

# A test-only event, declared before any app (and so any Socket.IO server) is created.
STAFF_ONLY = allow("test.staff_only", "secretariat", "admin")

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@event("test:staff_only", perm=STAFF_ONLY)
async def _staff_only(ev: EventCtx) -> dict[str, Any]:
    await ev.enter_room("test:room")
    return {"username": ev.user.username}


# A test-only event answered after its handler has returned (EventCtx.reply_later).
_later_tasks: set[asyncio.Task[None]] = set()


@event("test:later", perm=STAFF_ONLY)
async def _later(ev: EventCtx) -> Deferred:
    reply = ev.reply_later()
    outcome = ev.raw.get("outcome")

    async def answer() -> None:
        await asyncio.sleep(0.05)  # well after the handler returned
        if outcome == "refused":
            reply(Conflict("poll_not_open", N_("This poll is not open."), status=409))
        elif outcome == "crash":
            reply(RuntimeError("boom"))
        else:
            reply({"n": ev.raw.get("n")})
        reply({"n": "a second answer is never sent"})

    task = asyncio.get_running_loop().create_task(answer())
    _later_tasks.add(task)
    task.add_done_callback(_later_tasks.discard)
    return DEFERRED


class Client:
    """A socketio.AsyncClient that keeps what it receives."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.closed = asyncio.Event()
        self.sio.on("*", self._any)
        self.sio.on("disconnect", self._gone)

    async def _any(self, name: str, data: Any = None) -> None:
        await self.received.put((name, data))

    async def _gone(self, *reason: Any) -> None:
        self.closed.set()

    async def connect(self, url: str, **kwargs: Any) -> None:
        await self.sio.connect(
            url, transports=["websocket"], socketio_path="/socket.io", wait_timeout=10, **kwargs
        )

    async def next(self, name: str, match: Any = None) -> Any:
        """The next event ``name`` (whose data satisfies ``match``, if given)."""
        async with asyncio.timeout(WAIT):
            while True:
                got, data = await self.received.get()
                if got == name and (match is None or match(data)):
                    return data


@pytest.fixture
async def clients() -> AsyncIterator[list[Client]]:
    made: list[Client] = []
    yield made
    for c in made:
        if c.sio.connected:
            await c.sio.disconnect()


def new(clients: list[Client]) -> Client:
    c = Client()
    clients.append(c)
    return c


# --- connecting ---------------------------------------------------------------------------------


async def test_connect_with_the_session_cookie(
    live_server: str, clients: list[Client], settings: Settings
) -> None:
    user = await make_user("delegate", await make_council("HN"))
    cookie = await issue_token(user, "session", 1)
    c = new(clients)
    await c.connect(live_server, headers={"Cookie": f"council_session={cookie}"})
    assert c.sio.connected


async def test_connect_with_an_api_token(
    live_server: str, clients: list[Client], settings: Settings, client: httpx.AsyncClient
) -> None:
    await make_user("secretariat", await make_council("HN"), username="vanphong.hn")
    r = await client.post(
        "/api/v1/auth/token", json={"username": "vanphong.hn", "password": PASSWORD}
    )
    c = new(clients)
    await c.connect(live_server, auth={"token": r.json()["access_token"]})
    assert c.sio.connected
    assert await c.sio.call("test:staff_only", {}, timeout=WAIT) == {
        "ok": True,
        "username": "vanphong.hn",
    }


async def test_connection_is_refused_without_credentials(
    live_server: str, clients: list[Client], settings: Settings
) -> None:
    user = await make_user("delegate", await make_council("HN"))
    revoked = await issue_token(user, "api", 1)
    from council.auth import revoke_token

    await revoke_token(revoked)
    for kwargs in (
        {},
        {"auth": {"token": "not-a-token"}},
        {"auth": {"token": revoked}},
        {"headers": {"Cookie": "council_session=forged"}},
        {"auth": "token"},
    ):
        c = new(clients)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await c.connect(live_server, **kwargs)
        assert not c.sio.connected


async def test_a_page_of_another_origin_cannot_connect_with_the_cookie(
    live_server: str, clients: list[Client], settings: Settings
) -> None:
    """Cross-site WebSocket hijacking: a page elsewhere on the same site (another port, another
    host name) opens a socket that carries the delegate's cookie. Only the site's own pages may."""
    user = await make_user("delegate", await make_council("HN"))
    cookie = {"Cookie": f"council_session={await issue_token(user, 'session', 1)}"}
    port = live_server.rsplit(":", 1)[1]
    for origin, extra in (
        ("http://evil.example", {}),
        (f"http://127.0.0.1:{int(port) + 1}", {}),
        (f"http://localhost:{port}", {}),
        (f"https://127.0.0.1:{port}", {}),
        ("null", {}),
        # engineio on its own would believe these headers from anyone.
        ("http://evil.example", {"X-Forwarded-Host": "evil.example"}),
    ):
        c = new(clients)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await c.connect(live_server, headers={**cookie, "Origin": origin, **extra})
        assert not c.sio.connected, origin
    for origin, extra in (
        (live_server, {}),
        (live_server.upper(), {}),
        # Behind a trusted proxy (uvicorn trusts 127.0.0.1) that terminates HTTPS.
        (f"https://127.0.0.1:{port}", {"X-Forwarded-Proto": "https"}),
    ):
        c = new(clients)
        await c.connect(live_server, headers={**cookie, "Origin": origin, **extra})
        assert c.sio.connected, origin


async def test_the_configured_public_address_is_an_accepted_origin(
    settings: Settings, clients: list[Client]
) -> None:
    """A proxy that does not pass the Host on: the pages' origin is COUNCIL_BASE_URL's."""
    from council.app import create_app

    public = dataclasses.replace(settings, base_url="https://hdnd.example.gov.vn/")
    user = await make_user("delegate", await make_council("HN"))
    cookie = {"Cookie": f"council_session={await issue_token(user, 'session', 1)}"}
    async with serving(create_app(public, manage_db=False)) as url:
        c = new(clients)
        await c.connect(url, headers={**cookie, "Origin": "https://hdnd.example.gov.vn"})
        assert c.sio.connected
        c = new(clients)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await c.connect(url, headers={**cookie, "Origin": "https://evil.example.gov.vn"})


async def test_a_deactivated_user_is_refused(
    live_server: str, clients: list[Client], settings: Settings
) -> None:
    user = await make_user("delegate", await make_council("HN"))
    token = await issue_token(user, "api", 1)
    user.is_active = False
    await user.save()
    c = new(clients)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await c.connect(live_server, auth={"token": token})


async def _closed(c: Client) -> None:
    """Wait until the server has closed ``c``'s connection."""
    await asyncio.wait_for(c.closed.wait(), WAIT)
    assert not c.sio.connected


async def test_logout_revocation_and_password_reset_close_the_connections_they_authenticated(
    live_server: str, clients: list[Client], client: httpx.AsyncClient, settings: Settings
) -> None:
    council = await make_council("HN")
    user = await make_user("secretariat", council)
    cookie = await issue_token(user, "session", 1)
    by_cookie, by_token, other = new(clients), new(clients), new(clients)
    await by_cookie.connect(live_server, headers={"Cookie": f"council_session={cookie}"})
    api_token = await issue_token(user, "api", 1)
    await by_token.connect(live_server, auth={"token": api_token})
    await other.connect(live_server, auth={"token": await issue_token(user, "api", 1)})

    # Logging out of the browser closes that browser's socket, not the others.
    client.cookies.set("council_session", cookie)
    client.cookies.set("csrftoken", "t")
    assert (await client.post("/logout", data={"csrf_token": "t"})).status_code == 303
    await _closed(by_cookie)
    assert (await by_token.sio.call("test:staff_only", {}, timeout=WAIT))["ok"] is True

    # Revoking a token closes the socket it opened.
    r = await client.post("/api/v1/auth/revoke", headers={"Authorization": f"Bearer {api_token}"})
    assert r.status_code == 200
    await _closed(by_token)
    assert (await other.sio.call("test:staff_only", {}, timeout=WAIT))["ok"] is True

    # A password reset ends every token of the user, and so every socket.
    from council.services import user_reset_password

    await user_reset_password(await make_user("admin"), user)
    await _closed(other)


async def test_an_event_on_a_connection_whose_token_ended_is_refused_and_closes_it(
    live_server: str, clients: list[Client], settings: Settings
) -> None:
    """Ended where no hub hears of it (a `council` command, another process without Redis): the
    token is checked again when the connection's user is reloaded (here after 50 ms)."""
    from datetime import UTC, datetime

    from council.models import AuthToken

    hub = realtime.hub()
    assert hub is not None
    hub.user_ttl = 0.05
    user = await make_user("secretariat", await make_council("HN"))
    token = await issue_token(user, "api", 1)
    c = new(clients)
    await c.connect(live_server, auth={"token": token})
    assert (await c.sio.call("test:staff_only", {}, timeout=WAIT))["ok"] is True
    await AuthToken.filter(user_id=user.id).update(revoked_at=datetime.now(UTC))
    await asyncio.sleep(0.1)
    ack = await c.sio.call("test:staff_only", {}, timeout=WAIT)
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"
    await _closed(c)


async def test_the_connections_users_are_reloaded_in_the_background_before_they_go_stale(
    live_server: str, clients: list[Client], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a quiet spell longer than ``user_ttl`` (a sitting between two votes), the first event
    of each connection (a vote's burst) finds its user already reloaded: it waits for no load.
    A token ended meanwhile is still refused at the next event."""
    from datetime import UTC, datetime

    from council.models import AuthToken

    hub = realtime.hub()
    assert hub is not None
    hub.user_ttl = 0.3
    user = await make_user("secretariat", await make_council("HN"))
    c = new(clients)
    await c.connect(live_server, auth={"token": await issue_token(user, "api", 1)})
    loads: list[object] = []
    real_load = hub._load_user

    async def counted(key_hash: object) -> object:
        loads.append(key_hash)
        return await real_load(key_hash)

    monkeypatch.setattr(hub, "_load_user", counted)
    for _ in range(3):  # three times the TTL: each event finds its user fresh
        await asyncio.sleep(0.35)
        assert (await c.sio.call("test:staff_only", {}, timeout=WAIT))["ok"] is True
    assert loads == []

    await AuthToken.filter(user_id=user.id).update(revoked_at=datetime.now(UTC))
    await asyncio.sleep(0.35)
    ack = await c.sio.call("test:staff_only", {}, timeout=WAIT)
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"
    await _closed(c)


async def test_a_background_reload_never_overwrites_a_newer_load_of_an_event(
    live_server: str, clients: list[Client], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the background reload's query runs, an event loads its connection's user itself (and
    finds the token revoked after that query's snapshot): the older answer must not put the
    user back."""
    import importlib

    from council.compat import socketio as compat_socketio

    hub_module = importlib.import_module("council.realtime.hub")  # the package's hub() hides it
    hub = realtime.hub()
    assert hub is not None
    user = await make_user("secretariat", await make_council("HN"))
    c = new(clients)
    await c.connect(live_server, auth={"token": await issue_token(user, "api", 1)})
    sessions = compat_socketio.local_sessions(hub.sio)
    assert len(sessions) == 1
    session = sessions[0]
    session["user_at"] = 0.0  # due for a reload
    real = hub_module.users_for_token_hashes

    async def meanwhile(hashes: list[str]) -> dict[str, object]:
        found = await real(hashes)  # the user, as of this query
        session["user"], session["user_at"] = None, time.monotonic()  # an event's newer load
        return found

    monkeypatch.setattr(hub_module, "users_for_token_hashes", meanwhile)
    assert await hub.refresh_users_once() == 0
    assert session["user"] is None


# --- events and rooms ---------------------------------------------------------------------------


async def test_an_event_is_refused_for_the_wrong_role(
    live_server: str, clients: list[Client], settings: Settings
) -> None:
    delegate = await make_user("delegate", await make_council("HN"))
    c = new(clients)
    await c.connect(live_server, auth={"token": await issue_token(delegate, "api", 1)})
    before = await AuditEntry.filter(operation="permission.denied").count()

    ack = await c.sio.call("test:staff_only", {}, timeout=WAIT)
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden" and ack["error"]["message"]
    denied = await AuditEntry.filter(operation="permission.denied").order_by("-id").first()
    assert await AuditEntry.filter(operation="permission.denied").count() == before + 1
    assert denied is not None and denied.actor_id == delegate.id
    assert (denied.target_type, denied.target_id) == ("event", "test:staff_only")
    # Refused means not let into the room either: of these two events, in this order, only the
    # broadcast arrives.
    await realtime.emit("test:ping", {"n": 1}, room="test:room")
    await realtime.emit("test:ping", {"n": 2})
    assert await asyncio.wait_for(c.received.get(), WAIT) == ("test:ping", {"n": 2})


async def test_an_event_answers_invalid_payloads(
    live_server: str, clients: list[Client], settings: Settings
) -> None:
    secretariat = await make_user("secretariat", await make_council("HN"))
    c = new(clients)
    await c.connect(live_server, auth={"token": await issue_token(secretariat, "api", 1)})
    ack = await c.sio.call("test:staff_only", "not an object", timeout=WAIT)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"


async def test_a_handler_answers_after_it_returned_in_the_connection_language(
    live_server: str, clients: list[Client], settings: Settings
) -> None:
    secretariat = await make_user("secretariat", await make_council("HN"))
    token = await issue_token(secretariat, "api", 1)
    vi, en = new(clients), new(clients)
    await vi.connect(live_server, auth={"token": token})
    await en.connect(live_server, auth={"token": token}, headers={"Cookie": "lang=en"})

    # Several at once, each answered with its own outcome, once.
    acks = await asyncio.gather(
        *(vi.sio.call("test:later", {"n": n}, timeout=WAIT) for n in range(5))
    )
    assert acks == [{"ok": True, "n": n} for n in range(5)]
    # A refusal comes in the connection's language; anything else is an internal error.
    refused_vi = await vi.sio.call("test:later", {"outcome": "refused"}, timeout=WAIT)
    refused_en = await en.sio.call("test:later", {"outcome": "refused"}, timeout=WAIT)
    assert refused_vi["ok"] is False and refused_vi["error"] == {
        "code": "poll_not_open",
        "message": "Cuộc biểu quyết không đang mở.",
    }
    assert refused_en["error"] == {"code": "poll_not_open", "message": "This poll is not open."}
    crash = await en.sio.call("test:later", {"outcome": "crash"}, timeout=WAIT)
    assert crash["ok"] is False and crash["error"]["code"] == "internal"
    # Sent without asking for an ack: nothing is sent back, and the connection goes on.
    await vi.sio.emit("test:later", {"n": 99})
    await asyncio.sleep(0.2)
    assert await vi.sio.call("test:later", {"n": 6}, timeout=WAIT) == {"ok": True, "n": 6}
    assert vi.received.empty()


async def test_an_answer_that_has_to_wait_is_finished_by_a_task() -> None:
    """``Reply`` sends in the caller's turn when sending does not wait (queueing a packet); were
    a transport ever to wait, the rest of the send is carried on by a task."""
    steps: list[str] = []
    finished = asyncio.Event()

    async def send() -> None:
        steps.append("queued")
        await asyncio.sleep(0.01)
        steps.append("waited")
        await asyncio.sleep(0)
        steps.append("sent")
        finished.set()

    handlers._run_now(send())
    assert steps == ["queued"]
    await asyncio.wait_for(finished.wait(), WAIT)
    assert steps == ["queued", "waited", "sent"]

    async def at_once() -> None:
        steps.append("at once")

    handlers._run_now(at_once())
    assert steps[-1] == "at once"


async def test_emit_reaches_the_room_only(
    live_server: str, clients: list[Client], settings: Settings
) -> None:
    city = await make_council("HN")
    inside, outside = new(clients), new(clients)
    await inside.connect(
        live_server,
        auth={"token": await issue_token(await make_user("secretariat", city), "api", 1)},
    )
    await outside.connect(
        live_server, auth={"token": await issue_token(await make_user("delegate", city), "api", 1)}
    )
    assert (await inside.sio.call("test:staff_only", {}, timeout=WAIT))["ok"] is True

    await realtime.emit("test:ping", {"n": 1}, room="test:room")
    assert await inside.next("test:ping") == {"n": 1}
    await realtime.emit("test:ping", {"n": 2})  # no room: everyone
    assert await outside.next("test:ping") == {"n": 2}
    assert await inside.next("test:ping") == {"n": 2}


# --- two processes, one Redis -------------------------------------------------------------------


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "council.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"council {' '.join(args)}: {result.stdout}\n{result.stderr}"
    return result.stdout


# The workers' pub/sub channel: this run's own (channels are shared by every database of the
# Redis server, and so by any other test run or deployment on it).
CHANNEL = f"test-realtime-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two `council serve` processes on one SQLite data directory and one Redis."""
    if not REDIS_URL:
        pytest.skip("needs REDIS_URL")
    env = cli_env(tmp_path / "data", REDIS_URL=REDIS_URL, REDIS_CHANNEL=CHANNEL)
    _cli(env, "migrate")
    _cli(
        env,
        "create-council",
        "--code",
        "HN",
        "--name",
        "Hội đồng nhân dân thành phố Hà Nội",
        "--level",
        "city",
        "--seats",
        "30",
    )
    for username, role in (
        ("vanphong.hn", "secretariat"),
        ("hn.db001", "delegate"),
        ("hn.db002", "delegate"),
    ):
        _cli(
            env,
            "create-user",
            "--username",
            username,
            "--password",
            PASSWORD,
            "--role",
            role,
            "--council",
            "HN",
        )
    with contextlib.ExitStack() as stack:
        urls = []
        for _ in range(2):
            port = free_port()
            stack.enter_context(council_serve(env, port))
            urls.append(f"http://127.0.0.1:{port}")
        yield urls[0], urls[1]


async def _token(url: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=30) as c:
        r = await c.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])


async def _published_session(http: httpx.AsyncClient, staff: dict[str, str], title: str) -> int:
    """A published session of the HN council, created through the worker ``http`` talks to."""
    r = await http.post(
        "/api/v1/sessions",
        headers=staff,
        # Today in Vietnam: delegates check in on the sitting's day.
        json={
            "council_code": "HN",
            "title": title,
            "starts_at": f"{datetime.now(VIETNAM).date()}T08:00:00+07:00",
        },
    )
    assert r.status_code == 201, r.text
    session_id = int(r.json()["id"])
    r = await http.post(f"/api/v1/sessions/{session_id}/publish", headers=staff)
    assert r.status_code == 200, r.text
    return session_id


async def _follower(clients: list[Client], url: str, username: str, session_id: int) -> Client:
    """A client of ``username`` connected to the worker at ``url``, in the session's room."""
    watcher = new(clients)
    await watcher.connect(url, auth={"token": await _token(url, username)})
    ack = await watcher.sio.call("session:join", {"session_id": session_id}, timeout=WAIT)
    assert ack["ok"] is True, ack
    return watcher


@pytest.mark.redis
async def test_an_event_crosses_workers_through_redis(
    two_workers: tuple[str, str], clients: list[Client]
) -> None:
    a, b = two_workers
    staff = {"Authorization": f"Bearer {await _token(a, 'vanphong.hn')}"}
    async with httpx.AsyncClient(base_url=a, timeout=30) as http:
        session_id = await _published_session(http, staff, "Kỳ họp thứ nhất")

        # A delegate follows the session on worker B...
        watcher = await _follower(clients, b, "hn.db001", session_id)

        # ...another checks in on worker A: B's client is told.
        delegate = {"Authorization": f"Bearer {await _token(a, 'hn.db002')}"}
        r = await http.post(f"/api/v1/sessions/{session_id}/attendance", headers=delegate)
        assert r.status_code == 200, r.text
    update = await watcher.next("attendance:update", lambda d: d.get("session_id") == session_id)
    assert update["present"] == 1 and update["seats"] == 30 and update["quorum_met"] is False

    # An emit from any process that writes to the same Redis channel reaches the room as well;
    # one on another channel (another deployment on the same Redis server) does not.
    room = realtime.session_room(session_id)
    other = socketio.AsyncRedisManager(REDIS_URL, channel="socketio", write_only=True)
    await other.emit("test:ping", {"from": "another deployment"}, room=room)
    manager = socketio.AsyncRedisManager(REDIS_URL, channel=CHANNEL, write_only=True)
    await manager.emit("test:ping", {"from": "outside"}, room=room)
    assert await watcher.next("test:ping") == {"from": "outside"}


async def _refused_soon(watcher: Client, session_id: int) -> None:
    """``watcher``'s next events are refused as unauthorized, or its connection is closed, well
    within the 30 s a cached user is kept."""
    started = time.monotonic()
    while not watcher.closed.is_set():
        assert time.monotonic() - started < 10, "B still acts for that user"
        try:
            ack = await watcher.sio.call("session:join", {"session_id": session_id}, timeout=1)
        except socketio.exceptions.SocketIOError:  # closed meanwhile, or while answering
            continue
        if not ack["ok"]:
            assert ack["error"]["code"] == "unauthorized"
            break
        await asyncio.sleep(0.1)
    await _closed(watcher)


@pytest.mark.redis
async def test_a_user_deactivated_on_one_worker_is_refused_on_another_at_the_next_event(
    two_workers: tuple[str, str], clients: list[Client]
) -> None:
    """Without Redis telling B, B's connection would keep its cached user for ``user_ttl`` (30 s)."""
    a, b = two_workers
    staff = {"Authorization": f"Bearer {await _token(a, 'vanphong.hn')}"}
    async with httpx.AsyncClient(base_url=a, timeout=30) as http:
        session_id = await _published_session(http, staff, "Kỳ họp thứ hai")
        watcher = await _follower(clients, b, "hn.db002", session_id)

        # The secretariat deactivates that delegate through worker A's admin page.
        users = (await http.get("/api/v1/users", headers=staff)).json()
        target = next(u for u in users["items"] if u["username"] == "hn.db002")
        r = await http.post(f"/admin/users/{target['id']}/deactivate", headers=staff)
        assert r.status_code in (200, 303), r.text

    # B closes the connection, or refuses its next event, well within its cache's 30 s.
    await _refused_soon(watcher, session_id)


@pytest.mark.redis
async def test_a_token_revoked_on_one_worker_closes_its_connection_on_another(
    two_workers: tuple[str, str], clients: list[Client]
) -> None:
    a, b = two_workers
    staff = {"Authorization": f"Bearer {await _token(a, 'vanphong.hn')}"}
    async with httpx.AsyncClient(base_url=a, timeout=30) as http:
        session_id = await _published_session(http, staff, "Kỳ họp thứ ba")
        token = await _token(a, "hn.db001")
        watcher = new(clients)
        await watcher.connect(b, auth={"token": token})
        ack = await watcher.sio.call("session:join", {"session_id": session_id}, timeout=WAIT)
        assert ack["ok"] is True, ack
        r = await http.post("/api/v1/auth/revoke", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
    await _refused_soon(watcher, session_id)
