"""The events the domains declare (``@event``), the context a handler gets, and its ack: sent
when the handler returns, or later through ``EventCtx.reply_later()`` and ``DEFERRED``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import socketio
from pydantic import BaseModel

from council import faults
from council.compat import socketio as compat_socketio
from council.errors import DomainError
from council.i18n import N_
from council.models import User
from council.permissions import Permission
from council.registry import Operation, body_of, permission_of

log = logging.getLogger("council.realtime")


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
