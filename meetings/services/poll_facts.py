"""What never changes about a poll once created, cached in-process for the voting hot path.

A poll's session, council, kind, secrecy, rule and options are fixed when it is created (no
service edits them), so they can be kept without asking the database again. Its seats are not
among them: they are fixed as it opens (the sitting's), and read from its row where they count. The cache is only
an optimisation: every authoritative check of a ballot (the poll is open, the voter holds a seat
and is checked in, one ballot per delegate) runs in the ballot's write transaction.

``status`` is a hint, used in one direction only: a poll never leaves ``closed`` (reopening is
refused), so a poll seen closed by this process is closed for good and a late cast is refused
without a query. Any other status proves nothing and the write transaction decides.

The cache belongs to one database client: when the ORM is initialised again (another database, a
test's fresh one) ids may be reused, so the cache empties itself.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.backends.base.client import TransactionalDBClient

from council.compat import tortoise as compat_tortoise
from council.errors import NotFound
from council.i18n import N_
from meetings.models import Poll, PollOption

MAX_CACHED = 2048
A = TypeVar("A")
B = TypeVar("B")


@dataclass
class PollFacts:
    id: int
    session_id: int
    council_id: int
    item_id: int | None
    title: str
    kind: str
    secret: bool
    rule: str
    max_choices: int
    options: tuple[tuple[int, str], ...]  # (id, label) in ballot order
    status: str  # a hint: trust only "closed"
    # A secret poll's public key, set as it opens and never changed after: None until this
    # process has seen it open (``ballot_key``).
    ballot_key: bytes | None = None
    countdown_seconds: int | None = None  # shown on screens; never ends the vote
    revote_of: int | None = None  # the poll a re-vote repeats, and why
    revote_reason: str = ""

    @property
    def option_ids(self) -> list[int]:
        return [oid for oid, _ in self.options]


_cache: dict[int, PollFacts] = {}
_owner: weakref.ref[Any] | None = None


def _check_owner() -> None:
    """Empty the cache when the database client is not the one it was filled from."""
    global _owner
    client = compat_tortoise.root_client(Poll._meta.db)
    if _owner is None or _owner() is not client:
        _cache.clear()
        _loading.clear()
        _owner = weakref.ref(client)
        _generation[0] += 1


_generation = [0]


def generation() -> int:
    """Changes whenever the cache empties itself for another database client: work scheduled
    for one database (a delayed event) can tell it no longer applies."""
    _check_owner()
    return _generation[0]


_loading: dict[int, asyncio.Future[PollFacts | None]] = {}


async def poll_facts(poll_id: int) -> PollFacts:
    """The poll's fixed facts (NotFound when there is no such poll).

    A burst of casts on a poll this process has not seen yet loads it once: the others wait for
    that one load instead of each asking the database.
    """
    _check_owner()
    while True:
        facts = _cache.get(poll_id)
        if facts is not None:
            return facts
        pending = _loading.get(poll_id)
        if pending is None or pending.get_loop() is not asyncio.get_running_loop():
            break
        try:
            found = await asyncio.shield(pending)
        except asyncio.CancelledError:
            if pending.cancelled():  # the loading task failed or was cancelled, not this one
                continue
            raise
        if found is None:
            raise NotFound(N_("This poll does not exist."))
        return found
    loading: asyncio.Future[PollFacts | None] = asyncio.get_running_loop().create_future()
    _loading[poll_id] = loading
    try:
        poll, options = await both(
            Poll.filter(id=poll_id).select_related("session").first(), _options(poll_id)
        )
        facts = remember(poll, poll.session.council_id, options) if poll is not None else None
    except BaseException:
        loading.cancel()
        raise
    else:
        loading.set_result(facts)
    finally:
        if _loading.get(poll_id) is loading:
            del _loading[poll_id]
    if facts is None:
        raise NotFound(N_("This poll does not exist."))
    return facts


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Two independent reads at once (on two pooled connections, on PostgreSQL): one round
    trip's wait instead of two. One after the other inside a transaction (one connection)."""
    if isinstance(Poll._meta.db, TransactionalDBClient):
        return await first, await second
    a, b = await asyncio.gather(first, second)
    return a, b


async def _options(poll_id: int) -> list[PollOption]:
    return list(await PollOption.filter(poll_id=poll_id).order_by("position", "id"))


def remember(poll: Poll, council_id: int, options: list[PollOption]) -> PollFacts:
    """Cache the facts of ``poll`` with its ``options`` (loaded by the caller) and return them."""
    _check_owner()
    facts = PollFacts(
        id=poll.id,
        session_id=poll.session_id,
        council_id=council_id,
        item_id=poll.item_id,
        title=poll.title,
        kind=poll.kind,
        secret=poll.secret,
        rule=poll.rule,
        max_choices=poll.max_choices,
        options=tuple((o.id, o.label) for o in options),
        status=poll.status,
        ballot_key=bytes(poll.ballot_key) if poll.ballot_key is not None else None,
        countdown_seconds=poll.countdown_seconds,
        revote_of=poll.revote_of_id,
        revote_reason=poll.revote_reason,
    )
    if len(_cache) >= MAX_CACHED:
        # Oldest first: dicts keep insertion order, and recent polls are the ones voted on.
        for key in list(_cache)[: MAX_CACHED // 4]:
            del _cache[key]
    _cache[poll.id] = facts
    return facts


async def ballot_key(facts: PollFacts) -> bytes | None:
    """The public key ballots of the secret poll ``facts`` are sealed to, read once it exists
    (facts cached before the poll opened do not hold it). None while the poll has none: never
    opened, or opened by a version that did not seal ballots."""
    if facts.ballot_key is None:
        row = await Poll.filter(id=facts.id).values_list("ballot_key", flat=True)
        if row and row[0] is not None:
            facts.ballot_key = bytes(row[0])
    return facts.ballot_key


def seen_closed(poll_id: int) -> None:
    """Record that ``poll_id`` is closed (terminal), e.g. after a committed close."""
    facts = _cache.get(poll_id)
    if facts is not None:
        facts.status = "closed"


def is_known_closed(poll_id: int) -> bool:
    facts = _cache.get(poll_id)
    return facts is not None and facts.status == "closed"
