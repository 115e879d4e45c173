"""python-socketio internals: an event handler that answers after it has returned.

``AsyncServer`` sends an event's ack when its handler returns. The group commit of ballots
answers a whole batch right after its commit instead (one task woken per cast would be a turn of
a loop a burst keeps busy), so the server here records each event's ack address while its handler
runs (``current_ack``) and sends no ack for a handler that returned ``deferred``; the ack goes out
later through ``send_ack``. Private: ``AsyncServer._handle_event_internal`` (one task per event,
where the ack's address is known), ``AsyncServer._trigger_event`` (a result of ``not_handled``
sends no ack) and ``AsyncServer._send_packet``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import socketio
from socketio import packet

SUPPORTED = ("5.11", "6")  # >= first, < second


@dataclass(frozen=True, slots=True)
class AckTarget:
    """Where one event's ack goes."""

    server: socketio.AsyncServer
    eio_sid: str
    namespace: str
    id: int


# The ack awaited by the event being handled (set for the duration of its handler's task).
current_ack: contextvars.ContextVar[AckTarget | None] = contextvars.ContextVar(
    "council_ack_target", default=None
)


class DeferringServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server, where a handler returning ``deferred`` sends no ack (yet)."""

    deferred: object = object()

    async def _handle_event_internal(
        self, server: Any, sid: str, eio_sid: str, data: Any, namespace: str, id: Any
    ) -> None:
        target = AckTarget(server, eio_sid, namespace or "/", id) if id is not None else None
        token = current_ack.set(target)
        try:
            await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)
        finally:
            current_ack.reset(token)

    async def _trigger_event(self, event: str, namespace: str, *args: Any) -> Any:
        result = await super()._trigger_event(event, namespace, *args)
        return self.not_handled if result is self.deferred else result


def send_ack(target: AckTarget, payload: Any) -> Coroutine[Any, Any, Any]:
    """The coroutine that sends ``payload`` as the ack of ``target``'s event."""
    ack = target.server.packet_class(
        packet.ACK, namespace=target.namespace, id=target.id, data=[payload]
    )
    coro: Coroutine[Any, Any, Any] = target.server._send_packet(target.eio_sid, ack)
    return coro


def local_sessions(server: socketio.AsyncServer, namespace: str = "/") -> list[dict[str, Any]]:
    """The Socket.IO sessions (``get_session``'s dicts, the same objects) of this process's
    connections in ``namespace``. Private: engine.io's ``sockets`` and where python-socketio
    keeps a namespace's session in the engine.io session."""
    found = []
    for socket in list(server.eio.sockets.values()):
        session = getattr(socket, "session", None)
        if isinstance(session, dict) and isinstance(session.get(namespace), dict):
            found.append(session[namespace])
    return found
