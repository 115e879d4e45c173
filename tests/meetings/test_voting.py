"""ballot.cast and poll.close: one ballot per delegate, atomic close, secret ballots, rules."""

import asyncio
import json

from tortoise import connections

from council.models import AuditEntry
from meetings import services
from meetings.models import Ballot, BallotReceipt, Poll, SealedBallots
from tests.factories import bearer, make_council, make_user
from tests.meetings.helpers import (
    cast,
    close_poll,
    create_poll,
    create_session,
    open_poll,
    pause_poll_openings,
    setup_council,
    setup_running_session,
)


async def test_retried_cast_is_already_voted_and_counted_once(client) -> None:
    s = await setup_running_session(client, seats=30, present=22)
    poll = await create_poll(client, s)
    await open_poll(client, s, poll["id"])
    voter = s.delegates[0]
    results = await asyncio.gather(*[cast(client, s, voter, poll["id"], "yes") for _ in range(5)])
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 409, 409, 409, 409]
    assert {r.json()["error"]["code"] for r in results if r.status_code == 409} == {"already_voted"}
    assert await BallotReceipt.filter(poll_id=poll["id"]).count() == 1
    assert await Ballot.filter(poll_id=poll["id"]).count() == 1
    result = (await close_poll(client, s, poll["id"]))["result"]
    assert result["yes"] == 1


async def test_cast_rules_not_open_not_checked_in_other_council_invalid(client) -> None:
    s = await setup_running_session(client, seats=30, present=21)
    poll = await create_poll(client, s)
    r = await cast(client, s, s.delegates[0], poll["id"], "yes")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "poll_not_open")
    await open_poll(client, s, poll["id"])
    absent = s.delegates[-1]
    r = await cast(client, s, absent, poll["id"], "yes")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_checked_in")
    r = await cast(client, s, s.delegates[0], poll["id"], "maybe")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_choice")
    r = await cast(client, s, s.secretariat, poll["id"], "yes")
    assert r.status_code == 403
    other = await make_user("delegate", await make_council())
    r = await client.post(
        f"/api/v1/polls/{poll['id']}/ballots", headers=await bearer(other), json={"choice": "yes"}
    )
    assert r.status_code == 403
    # No proxy voting: the ballot is always the caller's own; there is no field to vote for another.
    r = await client.post(
        f"/api/v1/polls/{poll['id']}/ballots",
        headers=s.h(s.delegates[0]),
        json={"choice": "yes", "user_id": s.delegates[1].id},
    )
    assert r.status_code == 422
    await close_poll(client, s, poll["id"])
    r = await cast(client, s, s.delegates[1], poll["id"], "yes")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "poll_not_open")


async def test_two_thirds_rule_counts_over_seats(client) -> None:
    s = await setup_running_session(client, seats=30, present=22)
    poll = await create_poll(
        client, s, title="Bãi nhiệm đại biểu", rule="two_thirds_of_seats", secret=True
    )
    await open_poll(client, s, poll["id"])
    voters = [s.chair, *s.delegates[:21]]
    for user, choice in zip(voters, ["yes"] * 19 + ["no"] * 3, strict=True):
        assert (await cast(client, s, user, poll["id"], choice)).status_code == 201
    result = (await close_poll(client, s, poll["id"]))["result"]
    assert (result["yes"], result["required"], result["passed"]) == (19, 20, False)


async def test_election_and_confidence_through_the_api(client) -> None:
    s = await setup_running_session(client, seats=30, present=22)
    voters = [s.chair, *s.delegates[:21]]
    election = await create_poll(
        client,
        s,
        title="Bầu Phó Chủ tịch",
        kind="election",
        secret=True,
        options=[{"label": "Nguyễn Văn An"}, {"label": "Trần Thị Bình"}, {"label": "Lê Văn Cường"}],
        max_choices=1,
    )
    a, b, c = (o["id"] for o in election["options"])
    await open_poll(client, s, election["id"])
    r = await cast(client, s, voters[0], election["id"], [a, b])
    assert (r.status_code, r.json()["error"]["code"]) == (422, "too_many_choices")
    for user, choice in zip(voters, [[a]] * 17 + [[b]] * 3 + [[c]] + [[]], strict=True):
        assert (await cast(client, s, user, election["id"], choice)).status_code == 201
    result = (await close_poll(client, s, election["id"]))["result"]
    by_id = {o["option_id"]: o for o in result["options"]}
    assert by_id[a]["votes"] == 17 and by_id[a]["elected"] and not by_id[b]["elected"]

    conf = await create_poll(
        client,
        s,
        title="Lấy phiếu tín nhiệm",
        kind="confidence",
        secret=True,
        options=[{"label": "Chủ tịch UBND"}, {"label": "Phó Chủ tịch UBND"}],
    )
    p1, p2 = (o["id"] for o in conf["options"])
    await open_poll(client, s, conf["id"])
    r = await cast(client, s, voters[0], conf["id"], {str(p1): "high"})
    assert r.status_code == 422
    for i, user in enumerate(voters):
        choice = {str(p1): "low" if i < 20 else "high", str(p2): "low" if i < 16 else "medium"}
        assert (await cast(client, s, user, conf["id"], choice)).status_code == 201
    result = (await close_poll(client, s, conf["id"]))["result"]
    first, second = result["options"]
    assert (first["low"], first["low_over_half"], first["low_two_thirds"]) == (20, True, True)
    assert (second["low"], second["low_over_half"], second["low_two_thirds"]) == (16, True, False)


async def test_only_one_poll_open_and_reopen_refused(client) -> None:
    s = await setup_running_session(client, seats=30, present=22)
    first = await create_poll(client, s)
    second = await create_poll(client, s, title="Khác")
    assert (await open_poll(client, s, first["id"])).status_code == 200
    r = await open_poll(client, s, second["id"])
    assert (r.status_code, r.json()["error"]["code"]) == (409, "poll_already_open")
    await close_poll(client, s, first["id"])
    r = await open_poll(client, s, first["id"])
    assert (r.status_code, r.json()["error"]["code"]) == (409, "poll_not_draft")
    r = await client.post(f"/api/v1/polls/{first['id']}/close", headers=s.h(s.chair))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "poll_not_open")


async def test_two_polls_opened_at_once_one_wins(client, monkeypatch) -> None:
    """Two opens of two polls of one sitting at the same moment: the sitting's opens take turns,
    so exactly one opens and the other is told another poll is open (409)."""
    s = await setup_running_session(client, seats=30, present=22)
    pause_poll_openings(monkeypatch, 0.3)  # two opens sent together both read, unless in turn
    for round_ in range(2):
        first = await create_poll(client, s, title=f"Một {round_}")
        second = await create_poll(client, s, title=f"Hai {round_}")
        replies = await asyncio.gather(
            open_poll(client, s, first["id"]), open_poll(client, s, second["id"])
        )
        codes = sorted(
            (r.status_code, r.json()["error"]["code"] if r.status_code != 200 else "")
            for r in replies
        )
        assert codes == [(200, ""), (409, "poll_already_open")], codes
        opened = await Poll.filter(session_id=s.session_id, status="open")
        assert len(opened) == 1
        await close_poll(client, s, opened[0].id)
        assert await AuditEntry.filter(operation="poll.open", target_id=opened[0].id).count() == 1


async def test_race_ballots_cast_concurrently_with_the_close(client) -> None:
    """Every accepted ballot is in the result; every ballot after the close is refused."""
    s = await setup_running_session(client, seats=60, present=50)
    voters = [s.chair, *s.delegates[:49]]
    for round_ in range(3):
        poll = await create_poll(client, s, title=f"Vòng {round_}", secret=True)
        await open_poll(client, s, poll["id"])

        async def close_midway(pid: int = poll["id"]) -> object:
            await asyncio.sleep(0)
            return await client.post(f"/api/v1/polls/{pid}/close", headers=s.h(s.chair))

        casts = [cast(client, s, u, poll["id"], "yes") for u in voters]
        middle = len(casts) // 2 + round_ * 7
        responses = await asyncio.gather(*casts[:middle], close_midway(), *casts[middle:])
        close_response = responses[middle]
        ballots = responses[:middle] + responses[middle + 1 :]
        assert close_response.status_code == 200
        accepted = sum(1 for r in ballots if r.status_code == 201)
        refused = [r for r in ballots if r.status_code != 201]
        assert all(
            r.status_code == 409 and r.json()["error"]["code"] == "poll_not_open" for r in refused
        )
        stored = await Poll.get(id=poll["id"])
        assert stored.result["yes"] == accepted == stored.voted
        assert len(await services.stored_choices(poll["id"])) == accepted
        assert await BallotReceipt.filter(poll_id=poll["id"]).count() == accepted
        # After the close is committed nothing more gets in.
        late = await cast(client, s, voters[-1], poll["id"], "yes")
        assert late.status_code == 409


async def test_a_secret_poll_stores_who_voted_apart_from_sealed_choices(client) -> None:
    """Receipts and audit entries know who voted, never what; the choices exist only sealed,
    and after the close as one box of all of them, written by the close's own transaction.
    (The attacker's view of the files, dumps and dead rows: test_ballot_secrecy.py.)"""
    s = await setup_running_session(client, seats=30, present=24)
    voters = [s.chair, *s.delegates[:23]]
    poll = await create_poll(client, s, title="Bỏ phiếu kín", secret=True)
    await open_poll(client, s, poll["id"])
    for i, user in enumerate(voters):
        choice = "yes" if i < 12 else "no"
        assert (await cast(client, s, user, poll["id"], choice)).status_code == 201
    assert await SealedBallots.filter(poll_id=poll["id"]).count() == 24  # one per lone cast
    result = (await close_poll(client, s, poll["id"]))["result"]
    assert (result["yes"], result["no"]) == (12, 12)
    assert "ballots" not in result
    conn = connections.get("default")

    receipts = await BallotReceipt.filter(poll_id=poll["id"])
    assert len(receipts) == 24 and all(r.choice is None for r in receipts)
    entries = await AuditEntry.filter(operation="ballot.cast", target_id=str(poll["id"]))
    assert len(entries) == 24
    assert all("choice" not in json.dumps(e.details) for e in entries)
    assert await Ballot.filter(poll_id=poll["id"]).count() == 0
    urn = await SealedBallots.filter(poll_id=poll["id"])
    assert len(urn) == 1
    if conn.capabilities.dialect == "postgres":
        # Written by the close: no receipt's transaction id is on it.
        xmins = await conn.execute_query_dict(
            "SELECT (SELECT xmin::text FROM meetings_sealed_ballots WHERE poll_id = $1) AS urn, "
            "(SELECT array_agg(xmin::text) FROM meetings_ballot_receipt WHERE poll_id = $1) AS r",
            [poll["id"]],
        )
        assert xmins[0]["urn"] not in xmins[0]["r"]
    assert sorted(await services.stored_choices(poll["id"])) == ["no"] * 12 + ["yes"] * 12


async def test_named_poll_lists_who_voted_what(client) -> None:
    s = await setup_running_session(client, seats=30, present=22)
    poll = await create_poll(client, s, secret=False)
    await open_poll(client, s, poll["id"])
    await cast(client, s, s.delegates[0], poll["id"], "no")
    await cast(client, s, s.delegates[1], poll["id"], "yes")
    result = (await close_poll(client, s, poll["id"]))["result"]
    assert {(b["user_id"], b["choice"]) for b in result["ballots"]} == {
        (s.delegates[0].id, "no"),
        (s.delegates[1].id, "yes"),
    }


async def test_a_poll_of_a_draft_session_is_seen_by_the_councils_staff_only(client) -> None:
    """As its session: a delegate gets 404 for both until the session is published."""
    s = await setup_council(seats=5, delegates=3)
    await create_session(client, s)
    poll = await create_poll(client, s)
    delegate = s.h(s.delegates[0])
    assert (
        await client.get(f"/api/v1/sessions/{s.session_id}", headers=delegate)
    ).status_code == 404
    r = await client.get(f"/api/v1/polls/{poll['id']}", headers=delegate)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    for staff in (s.secretariat, s.chair):
        assert (
            await client.get(f"/api/v1/polls/{poll['id']}", headers=s.h(staff))
        ).status_code == 200
    r = await client.post(f"/api/v1/sessions/{s.session_id}/publish", headers=s.h(s.secretariat))
    assert r.status_code == 200
    r = await client.get(f"/api/v1/polls/{poll['id']}", headers=delegate)
    assert r.status_code == 200 and r.json()["status"] == "draft"


async def test_opening_and_closing_answer_who_may_not_before_what_does_not_exist(client) -> None:
    # The target's scope is read while the caller is authenticated: what it finds (no such
    # poll, another council's) is still told only to a caller who may act, in the same order.
    s = await setup_running_session(client, seats=5, present=4)
    poll = await create_poll(client, s)
    other = await make_council()
    stranger = await make_user("chair", other)
    missing = poll["id"] + 10_000
    for verb in ("open", "close"):
        r = await client.post(f"/api/v1/polls/{missing}/{verb}")
        assert r.status_code == 401
        r = await client.post(
            f"/api/v1/polls/{missing}/{verb}", headers={"Authorization": "Bearer nope"}
        )
        assert r.status_code == 401
        r = await client.post(f"/api/v1/polls/{missing}/{verb}", headers=s.h(s.delegates[0]))
        assert r.status_code == 403  # a delegate's role may not, whatever the poll
        r = await client.post(f"/api/v1/polls/{missing}/{verb}", headers=s.h(s.chair))
        assert r.status_code == 404
        r = await client.post(f"/api/v1/polls/{poll['id']}/{verb}", headers=await bearer(stranger))
        assert r.status_code == 403
    assert (await open_poll(client, s, poll["id"])).status_code == 200
    assert (await close_poll(client, s, poll["id"]))["status"] == "closed"


async def test_an_anonymous_flood_starts_no_scope_read(client) -> None:
    # Refused callers must not queue database reads: the target's scope is read early only for
    # a caller who names themselves (a token or a session cookie), and never past a bound.
    from council import web
    from meetings import operations as ops

    s = await setup_running_session(client, seats=5, present=4)
    poll = await create_poll(client, s)
    reads: list[object] = []
    resolve = ops.POLL_OPEN.permission.resolve
    assert resolve is not None

    async def counted(params):  # type: ignore[no-untyped-def]
        reads.append(params)
        return await resolve(params)

    perm = ops.POLL_OPEN.permission
    object.__setattr__(perm, "resolve", counted)  # a frozen dataclass: put back below
    try:
        for _ in range(20):
            r = await client.post(f"/api/v1/polls/{poll['id']}/open")
            assert r.status_code == 401
        assert reads == []
        r = await client.post(f"/api/v1/polls/{poll['id']}/open", headers=s.h(s.chair))
        assert r.status_code == 200 and len(reads) == 1
        assert not web._unawaited
    finally:
        object.__setattr__(perm, "resolve", resolve)
