"""The realtime core: python-socketio in the same ASGI app, authenticated, with one room per session.

Domains declare events with ``@event(name, perm=…)``; each is checked against its permission on every
call and answered with an ack ``{ok: true, …}`` or ``{ok: false, error: {code, message}}``. Services
emit with ``await emit(…)`` after their transaction has committed. With REDIS_URL set, the Redis
manager carries emits between workers and machines.

The connection's user is loaded at connect and kept in its Socket.IO session, so an event costs no
database read for it, with the hash of what authenticated it (the session cookie or the API
token). It is loaded again through that token, which must still be live (not revoked, not
expired, its user active), when it is older than ``user_ttl`` seconds, and at once after the user
is saved in this process (deactivation, role change: Tortoise's post_save signal) or a token of
theirs ends (logout, revocation, password reset: ``user_changed``, which also closes at once the
connections whose token has ended). An event on a connection whose token has ended is answered
``unauthorized`` and the connection is closed. With REDIS_URL set, a worker that saves a user or
ends a token publishes the user's id (``USER_CHANNEL``) and every worker treats it as changed there
too, so a deactivation, a role change or a logout on one worker reaches the connections of the
others. Without Redis (one process) nothing else is needed; a change made where no hub runs (a
`council` command) reaches open connections within ``user_ttl`` seconds. Services that must be
exact about the user at the moment of a write check it in that write's transaction
(``ballot.cast`` does).

A handler may also answer after it has returned (``EventCtx.reply_later`` and ``DEFERRED``): the
ack then goes out from wherever the outcome becomes known, e.g. the ballots' group commit, which
answers a whole batch right after its commit instead of waking one task per cast (each wake-up a
turn of an event loop that a burst of 500 casts keeps busy).

A browser sends the session cookie with a WebSocket opened by any page of the same site (another
port, another subdomain), so a connection whose ``Origin`` is not the site's own is refused: the
origin the request was made to (its ``Host`` and the scheme uvicorn saw, which honours
``X-Forwarded-Proto`` from trusted proxies only) or the configured public address
(``COUNCIL_BASE_URL``). Programs send no ``Origin`` and are not concerned.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import socketio
from pydantic import BaseModel
from tortoise.signals import post_delete, post_save

from council import audit, faults, permissions, signals
from council.auth import SESSION_COOKIE, user_for_token, users_for_token_hashes
from council.compat import socketio as compat_socketio
from council.errors import DomainError, Forbidden, Invalid, Unauthorized
from council.i18n import LANGUAGES, N_, get_language, set_language
from council.models import User
from council.permissions import Permission
from council.registry import Operation, body_of, permission_of
from council.validation import parse

log = logging.getLogger("council.realtime")


def session_room(session_id: int) -> str:
    return f"session:{session_id}"


def user_room(user_id: int) -> str:
    """Every connection of one user (in this process): closed when their tokens end."""
    return f"user:{user_id}"


class Deferred:
    def __repr__(self) -> str:
        return "DEFERRED"


# Returned by an event handler that answers through ``EventCtx.reply_later()`` instead.
DEFERRED = Deferred()


def _internal_error() -> DomainError:
    return DomainError(
        "internal", N_("Something went wrong on our side. Please try again."), status=500
    )


class Reply:
    """The ack of one event, sent once, whenever the handler's outcome is known.

    Call it on the event loop with the handler's result (a dict, answered ``{ok: true, …}``) or
    with an exception (a DomainError is answered ``{ok: false, error}`` in the connection's
    language; anything else is logged and answered as an internal error). The packet is queued
    for the connection's writer at once, in the caller's turn of the loop.
    """

    __slots__ = ("_target", "_lang", "_sent")

    def __init__(self, target: compat_socketio.AckTarget | None, lang: str) -> None:
        self._target, self._lang, self._sent = target, lang, False

    def __call__(self, outcome: dict[str, Any] | Exception) -> None:
        if self._sent:
            return
        self._sent = True
        if isinstance(outcome, DomainError):
            payload: dict[str, Any] = {"ok": False, "error": outcome.to_dict(self._lang)}
        elif isinstance(outcome, Exception) and faults.is_unavailable(outcome):
            log.warning("event met a database fault: %s: %s", type(outcome).__name__, outcome)
            payload = {"ok": False, "error": faults.Unavailable().to_dict(self._lang)}
        elif isinstance(outcome, Exception):
            log.error("event failed after its handler returned", exc_info=outcome)
            payload = {"ok": False, "error": _internal_error().to_dict(self._lang)}
        else:
            payload = {"ok": True, **outcome}
        target = self._target
        if target is None:  # the client asked for no ack
            return
        _run_now(compat_socketio.send_ack(target, payload))


_finishing: set[asyncio.Task[None]] = set()


def _run_now(coro: Coroutine[Any, Any, Any]) -> None:
    """Run ``coro`` in the caller's turn of the loop as far as it goes without waiting, and let
    a task finish it should it have to wait. Sending a packet only queues it for the socket's
    writer task, so it does not wait; this keeps it correct should a transport ever do so."""
    try:
        waiting = coro.send(None)
    except StopIteration:
        return
    except Exception:  # noqa: BLE001 — the connection is gone: nobody to answer
        log.debug("ack not sent", exc_info=True)
        return
    task = asyncio.get_running_loop().create_task(_finish(coro, waiting))
    _finishing.add(task)
    task.add_done_callback(_finishing.discard)


async def _finish(coro: Coroutine[Any, Any, Any], waiting: Any) -> None:
    """Drive ``coro`` on from where ``_run_now`` left it, waiting for what it waits for."""
    try:
        while True:
            if isinstance(waiting, asyncio.Future):
                await asyncio.wait([waiting])  # its outcome is read by ``coro`` when resumed
            else:
                await asyncio.sleep(0)  # a bare yield: give the loop one turn
            try:
                waiting = coro.send(None)
            except StopIteration:
                return
    except asyncio.CancelledError:
        coro.close()
        raise
    except Exception:  # noqa: BLE001 — as in _run_now
        log.debug("ack not sent", exc_info=True)


class _Server(compat_socketio.DeferringServer):
    """python-socketio's server, where an event handler may answer after it has returned (by
    returning DEFERRED and calling the ``Reply`` from ``EventCtx.reply_later()``): the internals
    it takes are in ``council.compat.socketio``."""

    deferred = DEFERRED


@dataclass
class EventCtx:
    sid: str
    user: User
    data: Any
    raw: dict[str, Any]
    server: socketio.AsyncServer
    extra: dict[str, Any] = field(default_factory=dict)
    lang: str = "vi"

    def reply_later(self) -> Reply:
        """The ack of this event, to be sent by the caller once the outcome is known; the handler
        must then return DEFERRED (and ``Reply`` must be called, on every path)."""
        return Reply(compat_socketio.current_ack.get(), self.lang)

    async def enter_room(self, room: str) -> None:
        await self.server.enter_room(self.sid, room)

    async def leave_room(self, room: str) -> None:
        await self.server.leave_room(self.sid, room)

    def rooms(self) -> list[str]:
        return list(self.server.rooms(self.sid))


EventHandler = Callable[[EventCtx], Awaitable[dict[str, Any] | Deferred | None]]


@dataclass(frozen=True)
class EventSpec:
    name: str
    perm: Permission
    body: type[BaseModel] | None
    handler: EventHandler


EVENTS: dict[str, EventSpec] = {}


def event(
    name: str, *, perm: Permission | Operation, body: type[BaseModel] | None = None
) -> Callable[[EventHandler], EventHandler]:
    """Declare a client → server event with its operation (permission and payload schema: the
    operation's input plus its target's ids), or a bare permission and a schema."""
    payload = body_of(perm, body, event=True)
    permission = permission_of(perm)

    def decorate(handler: EventHandler) -> EventHandler:
        EVENTS[name] = EventSpec(name, permission, payload, handler)
        return handler

    return decorate


# user id → when it was last saved or deleted in this process (monotonic seconds).
_user_changed: dict[int, float] = {}


# Redis channel on which workers tell each other which user was saved.
USER_CHANNEL = "council:user-changed"


@post_save(User)
async def _user_saved(sender: type[User], instance: User, *args: Any) -> None:
    _note_user_change(instance.id)
    if _hub is not None and instance.id is not None:
        await _hub.publish_user_change(instance.id)


@post_delete(User)
async def _user_deleted(sender: type[User], instance: User, *args: Any) -> None:
    _note_user_change(instance.id)
    if _hub is not None and instance.id is not None:
        await _hub.publish_user_change(instance.id)


async def user_changed(user_id: int) -> None:
    """Tokens of ``user_id`` have ended (committed): every worker re-checks that user's
    connections now, closing those whose token ended, and at their next event."""
    _note_user_change(user_id)
    if _hub is not None:
        await _hub.publish_user_change(user_id)
        _hub.recheck(user_id)


signals.TOKENS_ENDED.connect(user_changed)


def _note_user_change(user_id: int | None) -> None:
    if user_id is None:
        return
    now = time.monotonic()
    if len(_user_changed) > 10_000:  # forget changes older than any TTL in use
        for uid, at in list(_user_changed.items()):
            if now - at > 3600:
                del _user_changed[uid]
    _user_changed[user_id] = now


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url`` as a browser writes its Origin (lower case, no default
    port), or None for anything else (``null``, another scheme, garbage)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def _own_origin(environ: dict[str, Any]) -> str | None:
    """The origin a request was made to. The scheme is the ASGI scope's, not engineio's reading
    of ``X-Forwarded-Proto`` (which it takes from anyone, as it does ``X-Forwarded-Host``)."""
    host = environ.get("HTTP_HOST")
    if not host:
        return None
    scope = environ.get("asgi.scope") or {}
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return origin_of(f"{scheme}://{host}")


class Hub:
    """Owns the Socket.IO server of one app instance."""

    def __init__(
        self,
        redis_url: str | None = None,
        default_lang: str = "vi",
        user_ttl: float = 30.0,
        origins: tuple[str, ...] = (),
    ) -> None:
        manager = socketio.AsyncRedisManager(redis_url) if redis_url else None
        self.redis_url = redis_url
        self._publisher: Any = None
        self._listener: asyncio.Task[None] | None = None
        self.default_lang = default_lang
        self.user_ttl = user_ttl
        self._user_loads: dict[str, asyncio.Future[User | None]] = {}
        self._user_loader: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.origins = frozenset(o for o in map(origin_of, origins) if o)
        self.sio = _Server(
            async_mode="asgi",
            client_manager=manager,
            # engineio calls this for every request that has an Origin header (an empty list
            # would turn its check off).
            cors_allowed_origins=self.origin_allowed,
            ping_interval=10,
            ping_timeout=10,
            max_http_buffer_size=1_000_000,
        )
        self.sio.on("connect", self._connect)
        for spec in EVENTS.values():
            self._register(spec)

    def origin_allowed(self, origin: str | None, environ: dict[str, Any]) -> bool:
        """Whether a browser page of ``origin`` may talk to this server: the site's own pages."""
        given = origin_of(origin) if origin else None
        return given is not None and (given in self.origins or given == _own_origin(environ))

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        cookies = cookie_dict(environ)
        token = auth.get("token") if isinstance(auth, dict) else None
        found = None
        if isinstance(token, str):
            found = await user_for_token(token, kind="api") or await user_for_token(
                token, kind="session"
            )
        if found is None and SESSION_COOKIE in cookies:
            found = await user_for_token(cookies[SESSION_COOKIE], kind="session")
        if found is None:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized")
        user, row = found
        lang = cookies.get("lang")
        if lang not in LANGUAGES:
            lang = user.lang or self.default_lang
        await self.sio.save_session(
            sid,
            {
                "user_id": user.id,
                "token": row.key_hash,
                "lang": lang,
                "user": user,
                "user_at": time.monotonic(),
            },
        )
        await self.sio.enter_room(sid, user_room(user.id))
        self._listen_for_user_changes()
        return True

    def recheck(self, user_id: int) -> None:
        """Close, soon, this process's connections of ``user_id`` whose token has ended."""
        sids = [sid for sid, _ in self.sio.manager.get_participants("/", user_room(user_id))]
        if not sids:
            return
        task = asyncio.get_running_loop().create_task(self._close_ended(sids))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _close_ended(self, sids: list[str]) -> None:
        for sid in sids:
            try:
                session = await self.sio.get_session(sid)
                if await self._user(sid, session) is None:
                    await self.sio.disconnect(sid)
            except Exception:  # noqa: BLE001 — gone meanwhile; its next event checks anyway
                log.debug("connection %s not re-checked", sid, exc_info=True)

    def _close_soon(self, sid: str) -> None:
        """Close a connection once the ack being answered has been queued before the close."""

        async def close() -> None:
            await asyncio.sleep(0)
            await self.sio.disconnect(sid)

        task = asyncio.get_running_loop().create_task(close())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def publish_user_change(self, user_id: int) -> None:
        """Tell the other workers (through Redis) that ``user_id`` was saved or deleted."""
        if not self.redis_url:
            return
        try:
            if self._publisher is None:
                import redis.asyncio as aioredis

                self._publisher = aioredis.from_url(self.redis_url)
            await self._publisher.publish(USER_CHANNEL, str(user_id))
        except Exception:  # noqa: BLE001 — the TTL still bounds how long a change takes
            log.warning("user change %s not published", user_id, exc_info=True)

    def _listen_for_user_changes(self) -> None:
        """Start, once there are connections to keep up to date, the listener of USER_CHANNEL."""
        if not self.redis_url:
            return
        loop = asyncio.get_running_loop()
        if self._listener is None or self._listener.done() or self._listener.get_loop() is not loop:
            self._listener = loop.create_task(self._listen())

    async def _listen(self) -> None:
        import redis.asyncio as aioredis

        url = self.redis_url
        assert url is not None
        while True:
            client = aioredis.from_url(url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(USER_CHANNEL)
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        try:
                            user_id = int(message["data"])
                        except (TypeError, ValueError):
                            continue
                        _note_user_change(user_id)
                        self.recheck(user_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 — Redis went away: listen again shortly
                log.warning("listening for user changes failed; retrying", exc_info=True)
                await asyncio.sleep(1.0)
            finally:
                await client.aclose()

    async def close(self) -> None:
        """Stop listening and publishing (the app's shutdown)."""
        if self._listener is not None and not self._listener.done():
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        if self._publisher is not None:
            with contextlib.suppress(Exception):
                await self._publisher.aclose()
            self._publisher = None

    async def _user(self, sid: str, session: dict[str, Any]) -> User | None:
        """The connection's active user: kept in its session, loaded again (through the token
        that authenticated the connection, which must still be live) when stale."""
        user, loaded_at = session.get("user"), session.get("user_at", 0.0)
        now = time.monotonic()
        changed_at = _user_changed.get(session.get("user_id", 0))
        # For a TTL after a change we always reload: the change may not have been committed yet
        # when the signal fired, and a load before its commit must not be kept.
        if (
            isinstance(user, User)
            and now - loaded_at < self.user_ttl
            and (changed_at is None or now - changed_at >= self.user_ttl)
        ):
            return user
        user = await self._load_user(session.get("token"))
        session["user"], session["user_at"] = user, now
        await self.sio.save_session(sid, session)
        return user

    async def _load_user(self, key_hash: Any) -> User | None:
        """Load the active user of a live token (by its hash); the loads asked for meanwhile
        share one query.

        After a quiet spell every connection's user is stale at once: a burst of events (a vote)
        then costs one query, not one per connection.
        """
        if not isinstance(key_hash, str):
            return None
        waiting = self._user_loads.get(key_hash)
        if waiting is None:
            waiting = asyncio.get_running_loop().create_future()
            self._user_loads[key_hash] = waiting
            if self._user_loader is None or self._user_loader.done():
                self._user_loader = asyncio.get_running_loop().create_task(self._load_users())
        return await asyncio.shield(waiting)

    async def _load_users(self) -> None:
        await asyncio.sleep(0)  # let the events already received ask too
        while self._user_loads:
            batch, self._user_loads = self._user_loads, {}
            try:
                found = await users_for_token_hashes(list(batch))
            except Exception as exc:  # noqa: BLE001 — each waiting event answers with it
                for waiting in batch.values():
                    waiting.set_exception(exc)
                    waiting.exception()  # retrieved here: a cancelled waiter must not warn
                continue
            for key_hash, waiting in batch.items():
                waiting.set_result(found.get(key_hash))

    def _register(self, spec: EventSpec) -> None:
        async def handler(sid: str, data: Any = None) -> dict[str, Any] | Deferred:
            session = await self.sio.get_session(sid)
            set_language(session.get("lang", self.default_lang))
            lang = get_language()
            try:
                user = await self._user(sid, session)
                if user is None:
                    self._close_soon(sid)
                    raise Unauthorized()
                raw = data if isinstance(data, dict) else {}
                if data is not None and not isinstance(data, dict):
                    raise Invalid()
                body = parse(spec.body, raw) if spec.body is not None else raw
                params = body.model_dump() if isinstance(body, BaseModel) else raw
                try:
                    # Joining a sitting's room only reads; every other event writes.
                    await permissions.check(
                        spec.perm, user, params, write=not spec.name.endswith(":join")
                    )
                except Forbidden:
                    await audit.record_denied(user, "event", spec.name, user.council_id)
                    raise
                result = await spec.handler(EventCtx(sid, user, body, raw, self.sio, lang=lang))
                if isinstance(result, Deferred):
                    return result
                return {"ok": True, **(result or {})}
            except DomainError as exc:
                return {"ok": False, "error": exc.to_dict()}
            except Exception as exc:
                if not faults.is_unavailable(exc):
                    raise
                log.warning("event %s met a database fault: %s", spec.name, exc)
                return {"ok": False, "error": faults.Unavailable().to_dict()}

        self.sio.on(spec.name, handler)

    async def emit(self, event_name: str, data: Any, room: str | None = None) -> None:
        await self.sio.emit(event_name, data, room=room)


def cookie_dict(environ: dict[str, Any]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(environ.get("HTTP_COOKIE", ""))
    except Exception:  # noqa: BLE001
        return {}
    return {k: m.value for k, m in jar.items()}


_hub: Hub | None = None


def install(hub: Hub) -> None:
    global _hub
    _hub = hub


def hub() -> Hub | None:
    return _hub


async def emit(event_name: str, data: Any, room: str | None = None) -> None:
    """Send an event to a room (or everyone). Call only after the change has committed."""
    if _hub is not None:
        await _hub.emit(event_name, data, room)
