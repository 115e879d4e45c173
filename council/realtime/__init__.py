"""The realtime core: python-socketio in the same ASGI app, authenticated, with one room per session.

Domains declare events with ``@event(name, perm=…)``; each is checked against its permission on every
call and answered with an ack ``{ok: true, …}`` or ``{ok: false, error: {code, message}}``. Services
emit with ``await emit(…)`` after their transaction has committed. With REDIS_URL set, the Redis
manager carries emits between workers and machines.

The connection's user is loaded at connect and kept in its Socket.IO session, so an event costs no
database read for it, with the hash of what authenticated it (the session cookie or the API
token). It is loaded again through that token, which must still be live (not revoked, not
expired, its user active), when it is older than ``user_ttl`` seconds (a background task reloads
the users of the process's connections before that, a few hundred a query, so that the burst of a
vote after a quiet spell waits for no load), and at once after the user
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

Modules: ``handlers`` (``@event``, ``EventCtx``, acks now or later), ``hub`` (the server, its
connections and their users), ``users`` (which users changed, across workers), ``rooms``
(rooms' names, the installed hub, ``emit``).
"""

from council.realtime.handlers import DEFERRED, EVENTS, Deferred, EventCtx, EventSpec, Reply, event
from council.realtime.hub import Hub, origin_of
from council.realtime.rooms import emit, hub, install, session_room, user_room
from council.realtime.users import USER_CHANNEL, user_changed

__all__ = [
    "DEFERRED",
    "EVENTS",
    "USER_CHANNEL",
    "Deferred",
    "EventCtx",
    "EventSpec",
    "Hub",
    "Reply",
    "emit",
    "event",
    "hub",
    "install",
    "origin_of",
    "session_room",
    "user_changed",
    "user_room",
]
