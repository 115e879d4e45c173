"""PostgreSQL's ballot batches: one statement per batch when it can, the careful transaction when
it cannot, and whatever the path, each caller's own answer, an exact count and a whole audit chain.

Another process's batch is played by a second connection that takes the poll's row lock, records a
receipt and commits while this process's batch waits for that lock: the case only PostgreSQL's
per-statement snapshots make possible.
"""

from __future__ import annotations

import asyncio
import json

import asyncpg
import httpx
import pytest

from council import audit, audit_verify
from council.models import User
from council.settings import Settings
from meetings.models import Ballot, BallotReceipt, Poll
from meetings.services import ballot_queue, ballot_sql, sqlprog
from tests.conftest import ENGINE
from tests.meetings.helpers import (
    cast_outcome,
    close_poll,
    open_poll_in_session,
)

pytestmark = pytest.mark.skipif(ENGINE != "postgres", reason="PostgreSQL's statement path")


def _counts() -> dict[str, int]:
    s = ballot_sql.STATS
    return {
        "tries": s.fast_tries,
        "writes": s.fast_writes,
        "careful": s.careful,
        "one_by_one": ballot_queue.STATS.one_by_one,
    }


def _sent() -> tuple[int, int]:
    """Statements sent on their own, and transactions begun, by the batch writer so far."""
    return sqlprog.SERIES.alone, sqlprog.SERIES.transactions


def _delta(before: dict[str, int]) -> dict[str, int]:
    return {key: value - before[key] for key, value in _counts().items()}


async def _whole_record(poll_id: int, voted: int) -> None:
    assert (await Poll.get(id=poll_id)).voted == voted
    assert await BallotReceipt.filter(poll_id=poll_id).count() == voted
    assert await Ballot.filter(poll_id=poll_id).count() == voted
    assert (await audit_verify.verify()).ok


async def test_a_burst_is_written_one_statement_per_batch(client: httpx.AsyncClient) -> None:
    s, poll = await open_poll_in_session(client, seats=40, present=30)
    audit.HINT.heads.clear()  # this process never wrote to the chain: nothing to know of it
    before, sent = _counts(), _sent()
    assert await cast_outcome(s.chair, poll["id"], "yes") == "recorded"
    assert _delta(before) == {"tries": 1, "writes": 1, "careful": 0, "one_by_one": 0}
    assert (_sent()[0] - sent[0], _sent()[1] - sent[1]) == (1, 0)  # no BEGIN/COMMIT

    before = _counts()
    outcomes = await asyncio.gather(*[cast_outcome(u, poll["id"], "no") for u in s.delegates[:29]])
    assert outcomes == ["recorded"] * 29
    delta = _delta(before)
    assert delta["careful"] == 0 and delta["one_by_one"] == 0
    assert delta["writes"] == delta["tries"] >= 1  # every statement wrote its batch
    await _whole_record(poll["id"], 30)
    result = (await close_poll(client, s, poll["id"]))["result"]
    assert (result["yes"], result["no"]) == (1, 29)


async def test_another_process_s_appends_to_the_chain_cost_no_retry_and_never_fork_it(
    client: httpx.AsyncClient,
) -> None:
    """The statement reads the chain's head under the chain's lock, as committed at that moment
    (``council_audit_append``): entries another process appended to the council's chain
    since this one last did (the other worker's batches of the same sitting) are simply followed."""
    s, poll = await open_poll_in_session(client, seats=30, present=22)
    assert await cast_outcome(s.delegates[0], poll["id"], "yes") == "recorded"
    for n in range(2):
        await audit.record("test.other_writer", council_id=s.council.id, details={"n": n})
        audit.HINT.put(s.council.id, (10_000, "f" * 64))  # a head that never was: not read
        before, sent = _counts(), _sent()
        assert await cast_outcome(s.delegates[1 + n], poll["id"], "yes") == "recorded"
        assert _delta(before) == {"tries": 1, "writes": 1, "careful": 0, "one_by_one": 0}
        assert (_sent()[0] - sent[0], _sent()[1] - sent[1]) == (1, 0)
    chain = await audit.AuditEntry.filter(chain=s.council.id).order_by("seq")
    assert [e.operation for e in chain[-4:]] == ["test.other_writer", "ballot.cast"] * 2
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    assert audit.HINT.get(s.council.id) == (chain[-1].seq, chain[-1].hash)
    await _whole_record(poll["id"], 3)


async def test_refused_callers_are_answered_and_the_rest_written_by_the_next_statement(
    client: httpx.AsyncClient,
) -> None:
    s, poll = await open_poll_in_session(client, seats=30, present=22)
    assert await cast_outcome(s.chair, poll["id"], "yes") == "recorded"  # the head is known
    # Each refusal alone among good casts, so that each rule of the statement is what refuses.
    moved = s.delegates[-2]  # this process still holds them as a delegate
    await User.filter(id=moved.id).update(role="secretariat")
    gone = s.delegates[-3]
    await User.filter(id=gone.id).update(is_active=False)
    refusals = [
        (s.chair, "already_voted"),
        (s.delegates[-1], "not_checked_in"),  # holds a seat, never checked in
        (moved, "forbidden"),
        (gone, "forbidden"),
    ]
    voters = iter(s.delegates[:16])
    for refused, code in refusals:
        good = [next(voters) for _ in range(4)]
        before = _counts()
        outcomes = await asyncio.gather(
            *[cast_outcome(u, poll["id"], "yes") for u in good],
            cast_outcome(refused, poll["id"], "no"),
        )
        assert outcomes == [*["recorded"] * 4, code]
        delta = _delta(before)
        assert delta["careful"] == 0 and delta["writes"] >= 1, (code, delta)
    await _whole_record(poll["id"], 17)


@pytest.mark.parametrize("path", ["one statement", "careful"])
async def test_a_batch_of_another_process_committed_while_this_one_waits(
    client: httpx.AsyncClient, settings: Settings, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, poll = await open_poll_in_session(client, seats=30, present=22)
    assert await cast_outcome(s.delegates[0], poll["id"], "yes") == "recorded"
    if path == "careful":
        monkeypatch.setattr(ballot_sql, "FAST", False)
    raced, other = s.delegates[1], s.delegates[2]

    rival = await asyncpg.connect(settings.database_url)
    watcher = await asyncpg.connect(settings.database_url)
    try:
        transaction = rival.transaction()
        await transaction.start()
        # What another process's batch writes for `raced`, holding the poll's row lock.
        await rival.execute(
            "UPDATE meetings_poll SET voted = voted + 1 WHERE id = $1 AND status = 'open'",
            poll["id"],
        )
        await rival.execute(
            "INSERT INTO meetings_ballot_receipt (poll_id, user_id, choice, created_at) "
            "VALUES ($1, $2, $3::jsonb, now())",
            poll["id"],
            raced.id,
            json.dumps({"c": "no"}),
        )
        await rival.execute(
            "INSERT INTO meetings_ballot (id, poll_id, choice) "
            "VALUES (gen_random_uuid(), $1, $2::jsonb)",
            poll["id"],
            json.dumps({"c": "no"}),
        )
        before = _counts()
        casts = asyncio.gather(
            cast_outcome(raced, poll["id"], "yes"), cast_outcome(other, poll["id"], "yes")
        )
        for _ in range(200):  # until this process's batch waits for the row lock
            waiting = await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if waiting:
                break
            await asyncio.sleep(0.02)
        assert waiting, "the batch never waited for the poll's row lock"
        await transaction.commit()
        assert await asyncio.wait_for(casts, 15) == ["already_voted", "recorded"]
    finally:
        await rival.close()
        await watcher.close()

    delta = _delta(before)
    if path == "one statement":
        # The statement read a snapshot taken before the rival's commit: the receipts'
        # unique constraint fails it as a whole, and the careful transaction settles it.
        assert delta["tries"] >= 1 and delta["careful"] >= 1
    else:
        # The careful transaction's check read the same stale snapshot: rolled back on the
        # constraint, then cast by cast.
        assert delta["one_by_one"] >= 1
    await _whole_record(poll["id"], 3)
    result = (await close_poll(client, s, poll["id"]))["result"]
    assert (result["yes"], result["no"]) == (2, 1)


async def test_a_council_s_ballots_never_wait_for_another_council_s_audit_chain(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Two sittings vote at once: each batch appends to its own council's chain, under that
    chain's lock only. While another process holds the append lock of council A's chain, a ballot
    of council B is recorded at once (with the single chain of before, it waited), and one of
    council A waits for that lock, then is recorded."""
    a, poll_a = await open_poll_in_session(client, seats=8, present=6)
    b, poll_b = await open_poll_in_session(client, seats=8, present=6)
    rival = await asyncpg.connect(settings.database_url)
    try:
        transaction = rival.transaction()
        await transaction.start()
        await rival.execute(
            "SELECT pg_advisory_xact_lock($1, $2)", audit._ADVISORY_KEY, a.council.id
        )
        waiting_a = asyncio.ensure_future(cast_outcome(a.delegates[0], poll_a["id"], "yes"))
        assert await asyncio.wait_for(cast_outcome(b.delegates[0], poll_b["id"], "no"), 10) == (
            "recorded"
        )
        await asyncio.sleep(0.3)
        assert not waiting_a.done()  # council A's ballot waits for its own chain's lock
        await transaction.commit()
        assert await asyncio.wait_for(waiting_a, 15) == "recorded"
    finally:
        await rival.close()
    for sitting, poll in ((a, poll_a), (b, poll_b)):
        entries = await audit.AuditEntry.filter(
            operation="ballot.cast", target_id=str(poll["id"])
        ).all()
        assert [(e.chain, e.council_id) for e in entries] == [(sitting.council.id,) * 2]
    await _whole_record(poll_a["id"], 1)
    await _whole_record(poll_b["id"], 1)


async def test_every_new_connection_has_the_batch_statement_prepared_and_nothing_written(
    settings: Settings,
) -> None:
    """``db.on_connect``: a fresh pool connection ran the batch statement once, as a no-op, so a
    burst's first batch on it neither prepares the statement nor meets a cold server process."""
    await _whole_record_empty()
    client = Poll._meta.db
    async with client.acquire_connection() as a, client.acquire_connection() as b:
        for connection in (a, b):  # the pool's floor and one opened on demand
            prepared = await connection.fetch("SELECT statement FROM pg_prepared_statements")
            fast = audit.numbered(ballot_sql.FAST_PG)
            assert fast in [row["statement"] for row in prepared]
            # The chain's append function, of the database (the migration created it).
            assert await connection.fetchval(
                "SELECT count(*) FROM pg_proc WHERE proname = 'council_audit_append' "
                "AND pronamespace = current_schema()::regnamespace"
            )
    await _whole_record_empty()


async def _whole_record_empty() -> None:
    assert await Poll.all().count() == 0
    assert await BallotReceipt.all().count() == 0
    assert await Ballot.all().count() == 0
    assert await audit.AuditEntry.all().count() == 0
