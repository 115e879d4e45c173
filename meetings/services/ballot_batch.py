"""Group commit for ``ballot.cast``: the casts that arrive together are written in one transaction.

One writer per poll and process. While a batch is being written the next casts queue up, and the
next batch takes them all: the busier the poll, the bigger the batches, and a lone cast waits for
nothing. Each batch is one transaction that

1. starts with the conditional ``UPDATE meetings_poll … WHERE id = ? AND status = 'open'``: it
   refuses every cast of the batch once a close has committed, and (PostgreSQL row lock, SQLite
   write lock) serialises the batch with ``poll.close`` and with the batches of other processes;
2. checks every caller with one SELECT, under that lock: an active seat holder of the poll's
   council, checked in to the session, without a receipt for this poll yet;
3. bulk-inserts the receipts (unique on poll and user: the one-ballot rule stays a database
   constraint), the ballots in shuffled order, and one audit entry per receipt
   (``audit.record_many``: one read of the chain's head, one insert);
4. adds the number of new ballots to ``voted`` and reads it back for ``poll:progress``.

Every caller is answered after the commit, each with its own outcome (recorded, ``already_voted``,
``not_checked_in``, forbidden, ``poll_not_open``). Two casts of one delegate in the same batch: the
first counts, the second is ``already_voted``. Should the unique constraint still fire (a writer
that does not take the poll lock first), the batch is rolled back and its casts are written one by
one, so no caller is failed by another's row.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, DomainError, Forbidden
from council.i18n import N_
from council.models import User
from meetings.models import Attendance, Ballot, BallotReceipt, Poll
from meetings.services.common import SEAT_ROLES
from meetings.services.poll_facts import PollFacts, seen_closed

# Bounded so the IN list and the bulk inserts stay reasonable; a burst bigger than this is
# simply written in several batches.
MAX_BATCH = 500


def already_voted() -> Conflict:
    return Conflict("already_voted", N_("You have already voted in this poll."), status=409)


def not_open() -> Conflict:
    return Conflict("poll_not_open", N_("This poll is not open."), status=409)


def not_checked_in() -> Conflict:
    return Conflict("not_checked_in", N_("Check in to the session before voting."), status=409)


def not_a_voter() -> Forbidden:
    return Forbidden(N_("Only delegates of this council may vote."))


def _wrap(choice: Any) -> dict[str, Any]:
    # As meetings.services.voting.wrap: JSON columns store objects.
    return {"c": choice}


@dataclass(slots=True)
class Cast:
    user: User
    value: Any  # the validated, normalised choice
    ip: str
    future: asyncio.Future[int]  # the poll's ``voted`` after the commit that recorded it


@dataclass
class _Writer:
    queue: list[Cast] = field(default_factory=list)
    task: asyncio.Task[None] | None = None


_writers: dict[int, _Writer] = {}


@dataclass
class Stats:
    """Counters of this process's group commit (read by bench/voting.py)."""

    batches: int = 0
    casts: int = 0
    seconds: float = 0.0  # wall time spent writing batches
    longest: float = 0.0
    sizes: list[int] = field(default_factory=list)  # the last batches' sizes, for a glance

    def add(self, size: int, took: float) -> None:
        self.batches += 1
        self.casts += size
        self.seconds += took
        self.longest = max(self.longest, took)
        self.sizes = [*self.sizes[-49:], size]


STATS = Stats()


async def submit(facts: PollFacts, user: User, value: Any) -> int:
    """Queue one cast; wait until its batch has committed. Returns ``voted`` after that commit."""
    loop = asyncio.get_running_loop()
    writer = _writers.setdefault(facts.id, _Writer())
    pending = Cast(user, value, audit.client_ip.get(), loop.create_future())
    writer.queue.append(pending)
    if writer.task is None or writer.task.done():
        writer.task = loop.create_task(_drain(facts, writer))
    return await pending.future


async def _drain(facts: PollFacts, writer: _Writer) -> None:
    try:
        while writer.queue:
            batch, writer.queue = writer.queue[:MAX_BATCH], writer.queue[MAX_BATCH:]
            started = time.perf_counter()
            try:
                await write(facts, batch)
            except Exception as exc:  # answer every waiting caller, whatever went wrong
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(exc)
            STATS.add(len(batch), time.perf_counter() - started)
    finally:
        # No await since the queue was seen empty: no cast can have been queued meanwhile.
        if _writers.get(facts.id) is writer:
            del _writers[facts.id]


class Sql:
    """The few raw statements of a batch, in the connection's dialect."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self.pg = conn.capabilities.dialect == "postgres"

    def ph(self, n: int) -> str:
        return f"${n}" if self.pg else "?"

    async def rows(self, sql: str, values: list[Any]) -> list[dict[str, Any]]:
        return list(await self.conn.execute_query_dict(sql, values))

    async def insert_many(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        marks = ", ".join(self.ph(i + 1) for i in range(len(columns)))
        await self.conn.execute_many(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", [list(r) for r in rows]
        )


POLL = Poll._meta.db_table
RECEIPT = BallotReceipt._meta.db_table
BALLOT = Ballot._meta.db_table
ATTENDANCE = Attendance._meta.db_table
USER = User._meta.db_table
_receipt_choice = BallotReceipt._meta.fields_map["choice"]
_ballot_choice = Ballot._meta.fields_map["choice"]


class _Closed(Exception):
    pass


async def write(facts: PollFacts, batch: list[Cast]) -> None:
    """Write ``batch`` in one transaction and answer each cast's future."""
    by_user: dict[int, list[Cast]] = {}
    for item in batch:
        by_user.setdefault(item.user.id, []).append(item)
    unique = [casts[0] for casts in by_user.values()]
    outcome: dict[int, Callable[[], DomainError]] = {}
    try:
        async with in_transaction() as conn:
            voted = await _write(Sql(conn), facts, unique, outcome)
    except _Closed:
        for item in batch:
            item.future.set_exception(not_open())
        return
    except IntegrityError:
        if len(by_user) > 1:
            for casts in by_user.values():  # each delegate alone: each gets its own answer
                await write(facts, casts)
            return
        voted, outcome = -1, {unique[0].user.id: already_voted}
    for casts in by_user.values():
        first, *again = casts
        error = outcome.get(first.user.id)
        if error is None:
            first.future.set_result(voted)
        else:
            first.future.set_exception(error())
        for item in again:
            # Another cast of the same delegate in this batch: answered as a retry would be.
            item.future.set_exception((error or already_voted)())


async def _write(
    sql: Sql, facts: PollFacts, unique: list[Cast], outcome: dict[int, Callable[[], DomainError]]
) -> int:
    p = sql.ph
    locked = await sql.rows(
        f"UPDATE {POLL} SET voted = voted WHERE id = {p(1)} AND status = 'open' RETURNING voted",
        [facts.id],
    )
    if not locked:
        status = await sql.rows(f"SELECT status FROM {POLL} WHERE id = {p(1)}", [facts.id])
        if status and status[0]["status"] == "closed":
            seen_closed(facts.id)
        raise _Closed
    ids = [c.user.id for c in unique]
    if sql.pg:
        who, args = f"u.id = ANY({p(3)}::int[])", [facts.session_id, facts.id, ids]
    else:
        who, args = f"u.id IN ({', '.join('?' * len(ids))})", [facts.session_id, facts.id, *ids]
    rows = await sql.rows(
        f"""SELECT u.id AS id, u.is_active AS active, u.role AS role, u.council_id AS council_id,
        EXISTS (SELECT 1 FROM {ATTENDANCE} a WHERE a.session_id = {p(1)} AND a.user_id = u.id)
          AS present,
        EXISTS (SELECT 1 FROM {RECEIPT} r WHERE r.poll_id = {p(2)} AND r.user_id = u.id) AS voted
        FROM "{USER}" u WHERE {who}""",
        args,
    )
    facts_of = {r["id"]: r for r in rows}
    fresh: list[Cast] = []
    for item in unique:
        row = facts_of.get(item.user.id)
        if (
            row is None
            or not row["active"]
            or row["role"] not in SEAT_ROLES
            or row["council_id"] != facts.council_id
        ):
            outcome[item.user.id] = not_a_voter
        elif not row["present"]:
            outcome[item.user.id] = not_checked_in
        elif row["voted"]:
            outcome[item.user.id] = already_voted
        else:
            fresh.append(item)
    if not fresh:
        return int(locked[0]["voted"])
    now = datetime.now(UTC)
    await sql.insert_many(
        RECEIPT,
        ("poll_id", "user_id", "choice", "created_at"),
        [
            (
                facts.id,
                c.user.id,
                None
                if facts.secret
                else _receipt_choice.to_db_value(_wrap(c.value), BallotReceipt),
                now,
            )
            for c in fresh
        ],
    )
    ballots = [
        (str(uuid.uuid4()), facts.id, _ballot_choice.to_db_value(_wrap(c.value), Ballot))
        for c in fresh
    ]
    random.SystemRandom().shuffle(ballots)
    await sql.insert_many(BALLOT, ("id", "poll_id", "choice"), ballots)
    await audit.record_many(
        [
            audit.Draft(
                "ballot.cast",
                actor=c.user,
                target_type="poll",
                target_id=facts.id,
                council_id=facts.council_id,
                details={"poll_id": facts.id}
                if facts.secret
                else {"poll_id": facts.id, "choice": c.value},
                ip=c.ip,
            )
            for c in fresh
        ]
    )
    counted = await sql.rows(
        f"UPDATE {POLL} SET voted = voted + {p(1)} WHERE id = {p(2)} RETURNING voted",
        [len(fresh), facts.id],
    )
    return int(counted[0]["voted"])
