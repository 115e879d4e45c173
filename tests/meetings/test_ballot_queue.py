"""Group commit of ballot.cast: each caller of a batch gets its own answer, the chain stays whole,
and what is cached on the hot path (the connection's user, the poll's facts) never lets a vote in
that the database would refuse."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import socketio

from council import audit, audit_verify
from council.auth import issue_token
from council.models import AuditEntry, User
from meetings import services
from meetings.models import Ballot, BallotReceipt, Poll, SealedBallots
from meetings.services import ballot_queue
from meetings.services.poll_facts import poll_facts
from tests.factories import make_council, make_user
from tests.meetings.helpers import (
    cast_outcome,
    close_poll,
    create_poll,
    open_poll,
    open_poll_in_session,
    setup_running_session,
)


async def test_a_burst_is_answered_cast_by_cast_and_chained_in_the_audit_log(
    client: httpx.AsyncClient,
) -> None:
    s, poll = await open_poll_in_session(client, seats=40, present=30, title="Biểu quyết theo lô")
    voters = [s.chair, *s.delegates[:29]]
    absent = s.delegates[-1]  # holds a seat, not checked in
    outsider = await make_user("delegate", await make_council())
    before = ballot_queue.STATS.batches

    twice = voters[:5]  # each of these casts twice in the same burst
    calls = [cast_outcome(u, poll["id"], "yes" if i % 3 else "no") for i, u in enumerate(voters)]
    calls += [cast_outcome(u, poll["id"], "abstain") for u in twice]
    calls += [cast_outcome(absent, poll["id"], "yes"), cast_outcome(outsider, poll["id"], "yes")]
    outcomes = await asyncio.gather(*calls)

    assert outcomes[: len(voters)] == ["recorded"] * len(voters)
    assert outcomes[len(voters) : len(voters) + len(twice)] == ["already_voted"] * len(twice)
    assert outcomes[-2:] == ["not_checked_in", "forbidden"]
    # Written together: far fewer transactions than casts.
    assert ballot_queue.STATS.batches - before < len(voters)

    stored = await Poll.get(id=poll["id"])
    assert stored.voted == len(voters)
    assert await BallotReceipt.filter(poll_id=poll["id"]).count() == len(voters)
    assert await Ballot.filter(poll_id=poll["id"]).count() == len(voters)
    entries = await AuditEntry.filter(operation="ballot.cast", target_id=str(poll["id"]))
    assert sorted(e.actor_id for e in entries) == sorted(u.id for u in voters)
    assert (await audit_verify.verify()).ok

    result = (await close_poll(client, s, poll["id"]))["result"]
    no = sum(1 for i in range(len(voters)) if i % 3 == 0)
    assert (result["yes"], result["no"], result["abstain"]) == (len(voters) - no, no, 0)
    assert (await audit_verify.verify()).ok


async def test_the_write_checks_the_voter_in_the_database_not_the_cached_user(
    client: httpx.AsyncClient,
) -> None:
    s, poll = await open_poll_in_session(client, seats=30, present=22)
    voter = s.delegates[0]
    cached = await User.get(id=voter.id)  # what a connection opened earlier still holds
    await User.filter(id=voter.id).update(is_active=False)  # e.g. by another process
    assert await cast_outcome(cached, poll["id"], "yes") == "forbidden"
    moved = await User.get(id=s.delegates[1].id)
    await User.filter(id=moved.id).update(role="secretariat")
    assert await cast_outcome(moved, poll["id"], "yes") == "forbidden"
    assert await BallotReceipt.filter(poll_id=poll["id"]).count() == 0


async def test_a_cast_after_the_close_is_refused_in_every_process(
    client: httpx.AsyncClient,
) -> None:
    s, poll = await open_poll_in_session(client, seats=30, present=22)
    assert await cast_outcome(s.delegates[0], poll["id"], "yes") == "recorded"
    # Closed behind this process's back (another worker): the cached facts still say "open",
    # the conditional UPDATE in the write refuses.
    await Poll.filter(id=poll["id"]).update(status="closed")
    assert await cast_outcome(s.delegates[1], poll["id"], "yes") == "poll_not_open"
    assert await cast_outcome(s.delegates[2], poll["id"], "yes") == "poll_not_open"
    assert await BallotReceipt.filter(poll_id=poll["id"]).count() == 1
    assert (await Poll.get(id=poll["id"])).voted == 1


@pytest.fixture
async def http(live_server: str) -> Any:
    async with httpx.AsyncClient(base_url=live_server) as c:
        yield c


async def test_a_user_deactivated_in_this_process_is_refused_at_the_next_event(
    live_server: str, http: httpx.AsyncClient
) -> None:
    s = await setup_running_session(http, seats=30, present=22)
    voter = s.delegates[0]
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(
        live_server, auth={"token": await issue_token(voter, "api", 1)}, transports=["websocket"]
    )
    try:
        ack = await sio.call("session:join", {"session_id": s.session_id}, timeout=15)
        assert ack["ok"] is True
        user = await User.get(id=voter.id)
        user.is_active = False
        await user.save()
        ack = await sio.call("session:join", {"session_id": s.session_id}, timeout=15)
        assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"
    finally:
        await sio.disconnect()


async def test_the_opened_event_is_the_poll_as_read_back(
    live_server: str, http: httpx.AsyncClient
) -> None:
    """poll:opened is built from what the opening transaction knew; it must match the stored poll."""
    s = await setup_running_session(http, seats=30, present=22)
    poll = await create_poll(
        http,
        s,
        title="Bầu Trưởng ban",
        kind="election",
        options=[{"label": "An"}, {"label": "Bình"}],
    )
    sio = socketio.AsyncClient(reconnection=False)
    opened: asyncio.Queue[Any] = asyncio.Queue()
    sio.on("poll:opened", opened.put)
    await sio.connect(
        live_server, auth={"token": await issue_token(s.chair, "api", 1)}, transports=["websocket"]
    )
    try:
        assert (await sio.call("session:join", {"session_id": s.session_id}, timeout=15))["ok"]
        assert (await open_poll(http, s, poll["id"])).status_code == 200
        event = await asyncio.wait_for(opened.get(), 15)
        stored = await services.poll_dict(await Poll.get(id=poll["id"]))
        assert event["poll"] == stored
        assert event["poll"]["eligible"] == 22 and event["poll"]["status"] == "open"
    finally:
        await sio.disconnect()


def test_batch_audit_rows_hash_as_verify_recomputes_them() -> None:
    """The batch writes each entry's canonical text directly; it must be the bytes verify hashes."""
    actor = User(id=7, username='d\u1ea1i "bi\u1ec3u"\\\n\t\x01', role="delegate")
    drafts = [
        audit.Draft(
            "ballot.cast",
            actor=actor,
            target_type="poll",
            target_id=12,
            council_id=3,
            details={"poll_id": 12, "choice": {"9": "low", "10": "high"}},
            ip="10.0.0.1",
        ),
        audit.Draft(
            "poll.close",
            actor=None,
            target_type="",
            target_id=None,
            council_id=None,
            details={"result": {"yes": 1, "passed": False, "ratio": 0.5, "list": [1, None]}},
        ),
        audit.Draft(
            "ballot.cast",
            actor=actor,
            target_type="poll",
            target_id="x\u2028y",
            council_id=3,
            details=None,
            ip="",
        ),
    ]
    # One chain at a time: the council's entries, then the deployment's (no council).
    for chained, chain, seqs in (([drafts[0], drafts[2]], 3, [42, 43]), ([drafts[1]], 0, [42])):
        rows = audit._chain_rows(chained, 41, "a" * 64)
        prev = "a" * 64
        for row in rows:
            entry = AuditEntry(**dict(zip(audit._COLUMNS, row, strict=True)))
            entry.details = json.loads(row[audit._COLUMNS.index("details")])  # as read back
            assert entry.prev_hash == prev and audit.compute_hash(entry) == entry.hash
            assert entry.chain == chain
            prev = entry.hash
        assert [r[0] for r in rows] == seqs
        assert audit.HINT.get(chain) == (seqs[-1], prev)
    with pytest.raises(ValueError, match="several chains"):
        audit._chain_rows(drafts, 41, "a" * 64)


async def test_a_secret_poll_opened_elsewhere_takes_casts_sealed_to_its_key(
    client: httpx.AsyncClient,
) -> None:
    """Facts cached while the poll was a draft hold no key: the cast reads it once it exists."""
    s = await setup_running_session(client, seats=30, present=22)
    poll = await create_poll(client, s, secret=True)
    assert await cast_outcome(s.delegates[0], poll["id"], "yes") == "poll_not_open"
    assert (await open_poll(client, s, poll["id"])).status_code == 200
    facts = await poll_facts(poll["id"])
    facts.ballot_key = None  # as another process, which cached the draft, still holds it
    assert await cast_outcome(s.delegates[0], poll["id"], "yes") == "recorded"
    assert facts.ballot_key == (await Poll.get(id=poll["id"])).ballot_key
    assert await SealedBallots.filter(poll_id=poll["id"]).count() == 1
    assert await Ballot.filter(poll_id=poll["id"]).count() == 0
    result = (await close_poll(client, s, poll["id"]))["result"]
    assert result["yes"] == 1


async def test_a_new_polls_facts_are_known_from_its_creation_as_a_load_reads_them(client) -> None:
    # The opening of a poll this process created reads none of its facts again: what the
    # creation remembered must be what a load would give.
    from meetings.services import poll_facts as facts_module

    s = await setup_running_session(client, seats=5, present=4)
    poll = await create_poll(
        client,
        s,
        kind="election",
        options=[{"label": "Nguyễn Văn An"}, {"label": "Trần Thị Bình"}, {"label": "Lê Văn Cường"}],
        max_choices=2,
        countdown_seconds=60,
        secret=True,
    )
    remembered = facts_module._cache[poll["id"]]
    del facts_module._cache[poll["id"]]
    loaded = await poll_facts(poll["id"])
    assert loaded is not remembered and loaded == remembered
    assert [label for _, label in remembered.options] == [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Cường",
    ]
    assert (await open_poll(client, s, poll["id"])).status_code == 200
