"""The hub: python-socketio's server of one app instance; connections authenticated (cookie or
token, the site's own ``Origin``), their user reloaded when stale, events checked and dispatched."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import socketio
from pydantic import BaseModel

from council import audit, faults, permissions
from council.auth import SESSION_COOKIE, user_for_token, users_for_token_hashes
from council.compat import socketio as compat_socketio
from council.errors import DomainError, Forbidden, Invalid, Unauthorized
from council.i18n import LANGUAGES, get_language, set_language
from council.models import User
from council.realtime.handlers import EVENTS, Deferred, EventCtx, EventSpec, _Server
from council.realtime.rooms import user_room
from council.realtime.users import _note_user_change, _user_changed, user_channel
from council.validation import parse

log = logging.getLogger("council.realtime")


_DEFAULT_PORTS = {"http": 80, "https": 443}
# Token hashes per query of the background reload of the connections' users.
_REFRESH_CHUNK = 500


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
        channel: str = "socketio",
    ) -> None:
        manager = socketio.AsyncRedisManager(redis_url, channel=channel) if redis_url else None
        self.redis_url = redis_url
        self.user_channel = user_channel(channel)
        self._publisher: Any = None
        self._listener: asyncio.Task[None] | None = None
        self.default_lang = default_lang
        self.user_ttl = user_ttl
        self._user_loads: dict[str, asyncio.Future[User | None]] = {}
        self._user_loader: asyncio.Task[None] | None = None
        self._refresher: asyncio.Task[None] | None = None
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
        self._keep_users_fresh()
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
            await self._publisher.publish(self.user_channel, str(user_id))
        except Exception:  # noqa: BLE001 — the TTL still bounds how long a change takes
            log.warning("user change %s not published", user_id, exc_info=True)

    def _listen_for_user_changes(self) -> None:
        """Start, once there are connections to keep up to date, the listener of the users' channel."""
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
                    await pubsub.subscribe(self.user_channel)
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

    def _keep_users_fresh(self) -> None:
        """Start, once there are connections, the task that reloads their users in the
        background (``_refresh_users``)."""
        loop = asyncio.get_running_loop()
        task = self._refresher
        if task is None or task.done() or task.get_loop() is not loop:
            self._refresher = loop.create_task(self._refresh_users())

    async def _refresh_users(self) -> None:
        """Every third of ``user_ttl``, reload the users of this process's connections loaded
        more than half a ``user_ttl`` ago, through their tokens, a few hundred a query.

        An event then finds its connection's user fresh and waits for no load: without this,
        after a quiet spell longer than ``user_ttl`` (a sitting between two votes) every
        connection was stale at once, and the first event of each (the burst of a vote) waited
        for its user to be loaded before it was even checked. What an event sees is never older
        than ``user_ttl``, as before: ``_user`` still loads a stale one itself."""
        while True:
            await asyncio.sleep(self.user_ttl / 3)
            try:
                await self.refresh_users_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 — events load their users themselves meanwhile
                log.warning("reloading the connections' users failed", exc_info=True)

    async def refresh_users_once(self) -> int:
        """One pass of ``_refresh_users``; how many sessions it reloaded."""
        now = time.monotonic()
        due = [
            session
            for session in compat_socketio.local_sessions(self.sio)
            if isinstance(session.get("token"), str)
            and now - session.get("user_at", 0.0) >= self.user_ttl / 2
        ]
        reloaded = 0
        for start in range(0, len(due), _REFRESH_CHUNK):
            chunk = [(s, s.get("user_at", 0.0)) for s in due[start : start + _REFRESH_CHUNK]]
            asked = time.monotonic()  # a change committed after this is seen by the next load
            found = await users_for_token_hashes(list({s["token"] for s, _ in chunk}))
            for session, seen in chunk:
                # An event's own load while this query ran is newer (it may have seen a token
                # revoked after this query's snapshot): it stands.
                if session.get("user_at", 0.0) == seen:
                    session["user"], session["user_at"] = found.get(session["token"]), asked
                    reloaded += 1
        return reloaded

    async def close(self) -> None:
        """Stop listening and publishing (the app's shutdown)."""
        if self._refresher is not None and not self._refresher.done():
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._refresher
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
