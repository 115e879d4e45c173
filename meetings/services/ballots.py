"""ballot.cast: one ballot per checked-in delegate. The write path, stage by stage:

1. **check** (here, ``_checked``): the poll's fixed facts from ``poll_facts`` (no query for a
   poll this process knows), the caller holds a seat of its council, the choice fits the poll
   (``voting.tally.normalise_choice``). Nothing is read per cast: the caller is the user the
   event layer already holds.
2. **batch** (``ballot_queue``): one writer per poll queues the casts and takes up to 128 a
   transaction (group commit).
3. **SQL** (``ballot_sql``): one batch's transaction, as statements: lock and count the poll,
   check every caller where it cannot race (open, active seat, checked in, no receipt yet),
   write receipts, ballots (or one sealed box) and audit entries.
4. **run** (``sqlprog``): the statements in aiosqlite's thread in one hop, or on a pooled
   asyncpg connection (``council.compat`` holds the internals this takes).
5. **answer** (``ballot_queue`` → the caller's ``done``): each caller right after its batch's
   commit (the Socket.IO ack, ``council.realtime.Reply``), and ``poll:progress`` coalesced
   (here, ``_progress_soon``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from council import realtime
from council.errors import DomainError, Forbidden
from council.i18n import N_
from council.models import User
from meetings.services import ballot_queue, ballot_sql
from meetings.services import poll_facts as poll_facts_module
from meetings.services.common import holds_seat
from meetings.services.poll_facts import PollFacts, poll_facts
from meetings.services.voting import eligible_count
from meetings.voting import tally
from meetings.voting.tally import InvalidChoice

log = logging.getLogger(__name__)

# poll:progress is coalesced: with hundreds of delegates casting at once, one event per ballot to
# every tablet would be quadratic. The latest count goes out at most this often...
PROGRESS_INTERVAL = 0.15
# ...once commits pause, or at the latest this long after the first commit it reports.
PROGRESS_MAX_DELAY = 1.0


def _normalise_choice(facts: PollFacts, choice: Any) -> Any:
    try:
        return tally.normalise_choice(facts.kind, choice, facts.option_ids, facts.max_choices)
    except InvalidChoice as exc:
        raise DomainError(exc.code, N_("This choice does not fit the poll."), status=422) from None


async def ballot_cast(user: User, poll_id: int, choice: Any) -> dict[str, Any]:
    """ballot.cast: one ballot per checked-in delegate of the council, while the poll is open.

    A retried or duplicated cast answers ``already_voted`` and is never counted twice: the
    receipt's unique (poll, user) constraint is inserted in the same transaction as the ballot.
    No one votes for another: the ballot is always the caller's own. Answers after the commit.
    """
    facts, value = await _checked(user, poll_id, choice)
    voted = await ballot_queue.submit(facts, user, value)
    _progress_soon(facts, voted)
    return {"recorded": True}


async def ballot_cast_by_hand(
    voter: User, poll_id: int, choice: Any, by_hand: dict[str, Any]
) -> dict[str, Any]:
    """ballot.cast for ``voter``'s show of hands, recorded by the secretariat and confirmed by the
    chair (``hand_votes``): the same write, checks and guarantees as ``ballot_cast`` (one ballot
    per delegate, checked in, poll open until the close commits), with ``by_hand`` kept on the
    receipt and in the audit entry. Refused for a secret poll."""
    facts, value = await _checked(voter, poll_id, choice)
    voted = await ballot_queue.submit(facts, voter, value, by_hand=by_hand)
    _progress_soon(facts, voted)
    return {"recorded": True}


Answer = Callable[[dict[str, Any] | Exception], None]


async def ballot_cast_then(user: User, poll_id: int, choice: Any, answer: Answer) -> None:
    """ballot.cast as ``ballot_cast``, for a caller that answers later: what ``ballot_cast``
    would return (or raise) after the commit is passed to ``answer`` instead, on the event loop,
    from the group commit's writer. Refusals known before queueing (unknown or closed poll, not a
    seat of the council, a choice that does not fit) are raised here, as ``ballot_cast`` does.

    The Socket.IO event uses it so that a burst's acks go out as each batch commits, without a
    task to wake per cast (``council.realtime.Reply``).
    """
    facts, value = await _checked(user, poll_id, choice)

    def done(outcome: int | Exception) -> None:
        if isinstance(outcome, Exception):
            answer(outcome)
            return
        _progress_soon(facts, outcome)
        answer({"recorded": True})

    ballot_queue.enqueue(facts, user, value, done)


def normalise_choice(facts: PollFacts, choice: Any) -> Any:
    """The choice as stored, or the ``invalid_choice``-style refusal."""
    return _normalise_choice(facts, choice)


async def _checked(user: User, poll_id: int, choice: Any) -> tuple[PollFacts, Any]:
    """The poll's facts and the normalised choice, or the refusal that needs no transaction."""
    facts = await poll_facts(poll_id)
    if facts.status == "closed":
        raise ballot_sql.not_open()
    if not holds_seat(user, facts.council_id):
        raise Forbidden(N_("Only delegates of this council may vote."))
    value = _normalise_choice(facts, choice)
    if (
        facts.secret
        and facts.ballot_key is None
        and await poll_facts_module.ballot_key(facts) is None
    ):
        # No key to seal to: the poll was never opened (or was opened by a version that did not
        # seal ballots, and takes none now).
        raise ballot_sql.not_open()
    return facts, value


# --- poll:progress -----------------------------------------------------------------------------


@dataclass
class _Progress:
    facts: PollFacts  # whose count: facts are replaced when the ORM moves to another database
    voted: int  # the highest ``voted`` committed in this window
    opened: float  # loop time of the window's first commit
    last: float  # loop time of its latest commit
    task: asyncio.Task[None] | None = None


_progress: dict[int, _Progress] = {}


def _progress_soon(facts: PollFacts, voted: int) -> None:
    """Announce ``voted`` (as committed by a batch) in the next coalesced ``poll:progress``.

    The event goes out once commits have paused for PROGRESS_INTERVAL (so a burst's acks are not
    slowed by broadcasts to every tablet while it lasts), and at the latest PROGRESS_MAX_DELAY
    after the first commit it reports: a hall screen still moves during a long, steady flow.
    Windows follow each other, so there is at most one event every PROGRESS_INTERVAL.
    """
    loop = asyncio.get_running_loop()
    now = loop.time()
    pending = _progress.get(facts.id)
    if (
        pending is not None
        and pending.facts is facts
        and pending.task is not None
        and pending.task.get_loop() is loop
        and not pending.task.done()
    ):
        pending.voted = max(pending.voted, voted)
        pending.last = now
        return
    window = _progress[facts.id] = _Progress(facts, voted, now, now)
    database = poll_facts_module.generation()

    async def send() -> None:
        try:
            while True:  # the deadline moves while commits keep coming
                due = min(window.last + PROGRESS_INTERVAL, window.opened + PROGRESS_MAX_DELAY)
                if due <= loop.time():
                    break
                await asyncio.sleep(due - loop.time())
        finally:
            # Closed before sending: a batch committed after this point opens the next window.
            if _progress.get(facts.id) is window:
                del _progress[facts.id]
        try:
            if poll_facts_module.generation() != database:
                return  # the ORM now talks to another database, where this poll id means another
            await realtime.emit(
                "poll:progress",
                {
                    "poll_id": facts.id,
                    "voted": window.voted,
                    "eligible": await eligible_count(facts.session_id),
                },
                room=realtime.session_room(facts.session_id),
            )
        except Exception:  # the database may be gone (shutdown): progress is only informative
            log.debug("poll:progress for poll %s not sent", facts.id, exc_info=True)

    window.task = loop.create_task(send())
