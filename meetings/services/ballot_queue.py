"""Stage 2 of ``ballot.cast``, batching (group commit): the casts that arrive together are
written in one transaction.

One writer per poll and process. Casts queue up; the writer takes up to MAX_BATCH of them per
transaction and, as soon as one commits, takes the next: the busier the poll, the fuller the
batches, and a lone cast waits for nothing. On SQLite the writer runs in the database thread
(``sqlprog.run_each``), going from one commit to the next transaction without a turn of the event
loop. What a batch writes, and how, is ``ballot_sql``'s (stage 3); this module only queues, takes
batches and answers.

Every caller is answered on the event loop right after the commit, each with its own outcome
(recorded, ``already_voted``, ``not_checked_in``, forbidden, ``poll_not_open``). Two casts of one
delegate in the same batch: the first counts, the second is ``already_voted``. Should the unique
constraint still fire (on PostgreSQL, another process's batch committed between this one's
snapshot and its locks), the batch is rolled back and its casts are written one by one, so no
caller is failed by another's row.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tortoise.exceptions import IntegrityError

from council import audit
from council.errors import Forbidden
from council.i18n import N_
from council.models import User
from meetings.services import sqlprog
from meetings.services.ballot_sql import BatchPlan, Closed, already_voted, not_open, program
from meetings.services.poll_facts import PollFacts
from meetings.services.sqlprog import Program

log = logging.getLogger(__name__)

# A batch takes at most this many casts, so that acks flow while a burst is still arriving
# instead of all waiting for one big commit (measured with bench/voting.py: 128 beats 64 and 500).
MAX_BATCH = 128


# What a cast's caller is told, once: the poll's ``voted`` after the commit that recorded the
# ballot, or why it was not recorded. Called on the event loop, synchronously, as soon as the
# outcome is known: the Socket.IO layer sends the ack from here, without waking a task per cast.
Done = Callable[[int | Exception], None]


@dataclass(slots=True)
class Cast:
    user: User
    value: Any  # the validated, normalised choice
    ip: str
    done: Done
    answered: bool = False
    # A named ballot recorded by hand (show of hands, the device failed): who entered it and
    # who confirmed it, kept on the receipt and in the audit entry. Never in a secret poll.
    by_hand: dict[str, Any] | None = None

    def answer(self, outcome: int | Exception) -> None:
        if self.answered:
            return
        self.answered = True
        try:
            self.done(outcome)
        except Exception:  # noqa: BLE001 — one caller's broken answer must not stop the others
            log.exception("answering a ballot cast failed")


@dataclass
class _Writer:
    """The queue of one poll's casts in this process, drained by one task at a time.

    On SQLite the draining runs in the database thread (``sqlprog.run_each``), which takes each
    next batch itself as soon as the previous one has committed: hence the thread lock.
    """

    facts: PollFacts
    loop: asyncio.AbstractEventLoop
    queue: deque[Cast] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    draining: bool = False


_writers: dict[int, _Writer] = {}


def forget(poll_id: int) -> None:
    """Drop the writer of a closed poll once it has nothing left to write."""
    writer = _writers.get(poll_id)
    if writer is not None:
        with writer.lock:
            if not writer.draining and not writer.queue:
                del _writers[poll_id]


@dataclass
class Stats:
    """Counters of this process's group commit (read by bench/voting.py and the tests)."""

    batches: int = 0
    casts: int = 0
    recent: list[tuple[int, float]] = field(default_factory=list)  # last (size, seconds taken)
    one_by_one: int = 0  # batches rolled back on a unique constraint and written cast by cast

    def add(self, size: int, took: float) -> None:
        self.batches += 1
        self.casts += size
        self.recent = [*self.recent[-49:], (size, took)]


STATS = Stats()


async def submit(
    facts: PollFacts, user: User, value: Any, by_hand: dict[str, Any] | None = None
) -> int:
    """Queue one cast; wait until its batch has committed. Returns ``voted`` after that commit."""
    waiting: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def done(outcome: int | Exception) -> None:
        if waiting.done():  # the caller gave up (cancelled): the outcome stands all the same
            return
        if isinstance(outcome, Exception):
            waiting.set_exception(outcome)
        else:
            waiting.set_result(outcome)

    enqueue(facts, user, value, done, by_hand)
    return await waiting


def enqueue(
    facts: PollFacts, user: User, value: Any, done: Done, by_hand: dict[str, Any] | None = None
) -> None:
    """Queue one cast without waiting: ``done`` is called with its outcome after the commit.

    For callers that answer many casts at once (the Socket.IO acks of a burst): each is answered
    from the writer, as soon as its batch commits, rather than by a task woken per cast.
    """
    loop = asyncio.get_running_loop()
    writer = _writers.get(facts.id)
    if writer is None or writer.loop is not loop or writer.facts is not facts:
        # First cast, or state left by another event loop or database (tests): start afresh.
        writer = _writers[facts.id] = _Writer(facts, loop)
    if by_hand is not None and facts.secret:
        raise Forbidden(N_("A secret ballot is cast by the delegate alone."))
    pending = Cast(user, value, audit.client_ip.get(), done, by_hand=by_hand)
    with writer.lock:
        writer.queue.append(pending)
        start, writer.draining = not writer.draining, True
    if start:
        _tasks.add(task := loop.create_task(_drain(writer)))
        task.add_done_callback(_tasks.discard)


_tasks: set[asyncio.Task[None]] = set()


@dataclass
class _Batch:
    casts: list[Cast]
    by_user: dict[int, list[Cast]]
    plan: BatchPlan
    started: float


def _take(writer: _Writer, dialect: str) -> tuple[_Batch, Program[int]] | None:
    """The next batch and its program, or None (and the writer stops) when the queue is empty.
    Called in the database thread on SQLite."""
    with writer.lock:
        if not writer.queue:
            writer.draining = False
            return None
        casts = [writer.queue.popleft() for _ in range(min(MAX_BATCH, len(writer.queue)))]
    started = time.perf_counter()
    by_user: dict[int, list[Cast]] = {}
    for item in casts:
        by_user.setdefault(item.user.id, []).append(item)
    plan = BatchPlan.of(writer.facts, [group[0] for group in by_user.values()])
    return _Batch(casts, by_user, plan, started), program(plan, dialect)


def _answer(by_user: dict[int, list[Cast]], plan: BatchPlan, voted: int) -> None:
    for group in by_user.values():
        first, *again = group
        error = plan.outcome.get(first.user.id)
        first.answer(voted if error is None else error())
        for item in again:
            # Another cast of the same delegate in this batch: answered as a retry would be.
            item.answer((error or already_voted)())


async def _drain(writer: _Writer) -> None:
    def committed(batch: _Batch, voted: int) -> None:
        _answer(batch.by_user, batch.plan, voted)
        STATS.add(len(batch.casts), time.perf_counter() - batch.started)

    def failed(batch: _Batch, exc: Exception) -> None:
        if isinstance(exc, Closed):
            for item in batch.casts:
                item.answer(not_open())
        elif isinstance(exc, IntegrityError):
            # Another process's batch committed between this one's snapshot and its locks:
            # each delegate alone, each checked again.
            STATS.one_by_one += 1
            _tasks.add(task := writer.loop.create_task(_one_by_one(writer.facts, batch.by_user)))
            task.add_done_callback(_tasks.discard)
        else:
            for item in batch.casts:
                item.answer(exc)

    try:
        await sqlprog.run_each(lambda dialect: _take(writer, dialect), committed, failed)
    except Exception as exc:  # the drain itself failed: answer whoever is still waiting
        with writer.lock:
            left, writer.queue, writer.draining = list(writer.queue), deque(), False
        for item in left:
            item.answer(exc)
        log.warning("ballot writer of poll %s stopped", writer.facts.id, exc_info=True)


async def _one_by_one(facts: PollFacts, by_user: dict[int, list[Cast]]) -> None:
    for group in by_user.values():
        try:
            await write(facts, group)
        except Exception as exc:  # noqa: BLE001 — each caller gets the error
            for item in group:
                item.answer(exc)


async def write(facts: PollFacts, batch: list[Cast]) -> None:
    """Write ``batch`` alone in one transaction and answer each cast."""
    by_user: dict[int, list[Cast]] = {}
    for item in batch:
        by_user.setdefault(item.user.id, []).append(item)
    plan = BatchPlan.of(facts, [group[0] for group in by_user.values()])
    try:
        voted = await sqlprog.run(lambda dialect: program(plan, dialect))
    except Closed:
        for item in batch:
            item.answer(not_open())
        return
    except IntegrityError:
        if len(by_user) > 1:
            await _one_by_one(facts, by_user)
            return
        voted, plan.outcome = -1, {plan.casts[0].user.id: already_voted}
    _answer(by_user, plan, voted)
