"""poll.close: the tally, stored in the transaction that stops the ballots.

Atomicity: casting and closing both start their transaction with a *conditional UPDATE* of the
poll row (``WHERE status = 'open'``). On PostgreSQL that takes the row lock, so a close waits for
casts in flight and a cast that comes after a committed close finds the poll closed; on SQLite the
write lock serialises the same statements. No ballot is accepted once a close has committed.

Secrecy: a secret poll's sealed boxes are opened only here, with its private key, to tally; they
are then replaced by one box of every choice in random order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from council import audit, realtime
from council.errors import Conflict, Forbidden
from council.i18n import N_
from council.models import User
from meetings.models import Ballot, Poll, SealedBallots
from meetings.services import ballot_queue, counting, sqlprog
from meetings.services.common import is_staff_of, now
from meetings.services.poll_facts import PollFacts, poll_facts, seen_closed
from meetings.services.sqlprog import Program, query
from meetings.services.voting import get_poll
from meetings.voting.tally import (
    PollKind,
    TallyResult,
    tally_confidence,
    tally_election,
    tally_motion,
)
from meetings.voting.wording import headline

_poll_result = Poll._meta.fields_map["result"]
POLL = Poll._meta.db_table
BALLOT = Ballot._meta.db_table
SEALED = SealedBallots._meta.db_table


# --- poll.close -------------------------------------------------------------------------------


def _tally(facts: PollFacts, choices: list[Any], seats: int) -> TallyResult:
    pairs = list(facts.options)
    if facts.kind == PollKind.MOTION:
        return tally_motion(choices, seats, facts.rule)
    if facts.kind == PollKind.ELECTION:
        return tally_election(choices, pairs, seats, facts.max_choices, facts.rule)
    return tally_confidence(choices, pairs, seats)


async def poll_close(user: User, poll_id: int) -> Poll:
    """poll.close: atomically stops accepting ballots and stores the tally.

    One transaction (one hop on SQLite): the conditional UPDATE that refuses every later ballot,
    the tally, the result and the audit entry. A named poll is tallied from each distinct choice
    and its count (``GROUP BY``). A secret poll's sealed boxes are opened with its private key
    (unsealed under SECRET_KEY), every choice checked again, and they are replaced by one box of
    all the choices in random order: a dump or backup taken after the close cannot line any box
    up with a receipt, even with the key. ``poll:closed`` goes out right after the commit, from
    what the transaction computed.
    """
    facts = await poll_facts(poll_id)
    if not is_staff_of(user, facts.council_id):
        raise Forbidden(N_("Only the council's secretariat or chair may do this."))
    closed_at, ip = now(), audit.client_ip.get()
    result = await sqlprog.run(lambda dialect: _close_program(facts, user, closed_at, ip, dialect))
    seen_closed(facts.id)
    ballot_queue.forget(facts.id)
    # One small event to all: the counts and the one-line headline in each language. The named
    # list of who voted what and the full minutes wording (``text.*.lines``) are in
    # GET /polls/{id}, which screens fetch anyway; sending them to every tablet made this
    # broadcast three times the size.
    await realtime.emit(
        "poll:closed",
        {
            "poll_id": facts.id,
            "result": result.as_dict(),
            "text": {lang: {"headline": headline(result, lang)} for lang in ("vi", "en")},
        },
        room=realtime.session_room(facts.session_id),
    )
    return await get_poll(facts.id)


def _close_program(
    facts: PollFacts, user: User, closed_at: datetime, ip: str, dialect: str
) -> Program[TallyResult]:
    if dialect == "postgres":
        return (yield from _close_program_pg(facts, user, closed_at, ip))
    changed = yield query(
        f"UPDATE {POLL} SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open' "
        "RETURNING seats, voted, ballot_key, sealed_key",
        closed_at,
        facts.id,
    )
    if not changed:
        raise Conflict("poll_not_open", N_("This poll is not open."), status=409)
    groups = yield query(
        f"SELECT choice, COUNT(*) AS n FROM {BALLOT} WHERE poll_id = ? GROUP BY choice", facts.id
    )
    boxes = []
    if facts.secret:
        rows = yield query(f"SELECT sealed FROM {SEALED} WHERE poll_id = ?", facts.id)
        boxes = [r["sealed"] for r in rows]
    stored = [g["choice"] for g in groups for _ in range(int(g["n"]))]
    stored_ballots = counting.counted(facts, changed[0], stored, boxes)
    result = _tally(facts, stored_ballots.choices, int(changed[0]["seats"]))
    if stored_ballots.urn is not None:
        if dialect == "sqlite":
            yield query("PRAGMA secure_delete = ON")
        yield query(f"DELETE FROM {SEALED} WHERE poll_id = ?", facts.id)
        yield query(
            f"INSERT INTO {SEALED} (id, poll_id, sealed) VALUES (?, ?, ?)", *stored_ballots.urn
        )
    summary = result.as_dict()
    yield query(
        f"UPDATE {POLL} SET result = ? WHERE id = ?",
        _poll_result.to_db_value(summary, Poll),
        facts.id,
    )
    yield from audit.append_steps(
        [_close_entry(facts, user, summary, ip)],
        dialect,
    )
    return result


def _close_entry(facts: PollFacts, user: User, summary: dict[str, Any], ip: str) -> audit.Draft:
    """The audit entry of a close, with its result."""
    return audit.Draft(
        "poll.close",
        actor=user,
        target_type="poll",
        target_id=facts.id,
        council_id=facts.council_id,
        details={"session_id": facts.session_id, "result": summary},
        ip=ip,
    )


def _close_program_pg(
    facts: PollFacts, user: User, closed_at: datetime, ip: str
) -> Program[TallyResult]:
    """The close on PostgreSQL in three statements (each a round trip and a turn of the event
    loop) instead of eight, the same steps as on SQLite:

    1. the conditional UPDATE (its row lock waits for a ballot batch in flight) and the audit
       append lock, taken after it as the batches take them;
    2. in a snapshot taken after both locks, so that it sees every batch committed before the
       close: each distinct choice of a named poll with its count, a secret poll's sealed boxes,
       and the chain's head;
    3. the result, the audit entry and, for a secret poll, its boxes replaced by one, in one
       statement.
    """
    chain = audit.chain_of(facts.council_id)
    changed = yield query(
        f"""WITH p AS (
              UPDATE {POLL} SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'
              RETURNING id, seats, voted, ballot_key, sealed_key
            )
            SELECT id, seats, voted, ballot_key, sealed_key,
              {audit.lock_expression("postgres")} AS locked FROM p""",
        closed_at,
        facts.id,
        chain,
    )
    if not changed:
        raise Conflict("poll_not_open", N_("This poll is not open."), status=409)
    rows = yield query(
        f"""SELECT g.choice AS choice, g.n AS n, h.seq AS seq, h.hash AS hash, s.boxes AS boxes
            FROM (
              SELECT seq, hash FROM (
                ({audit.HEAD_SQL}) UNION ALL SELECT 0, '{audit.GENESIS}'
              ) heads ORDER BY seq DESC LIMIT 1
            ) h LEFT JOIN (
              SELECT choice::text AS choice, COUNT(*) AS n FROM {BALLOT} WHERE poll_id = ?
              GROUP BY choice
            ) g ON true CROSS JOIN (
              SELECT array_agg(sealed) AS boxes FROM {SEALED} WHERE poll_id = ?
            ) s""",
        chain,
        facts.id,
        facts.id,
    )
    stored = [r["choice"] for r in rows if r["choice"] is not None for _ in range(int(r["n"]))]
    stored_ballots = counting.counted(facts, changed[0], stored, list(rows[0]["boxes"] or []))
    result = _tally(facts, stored_ballots.choices, int(changed[0]["seats"]))
    summary = result.as_dict()
    entries = audit.chain_rows(
        [_close_entry(facts, user, summary, ip)],
        int(rows[0]["seq"]),
        str(rows[0]["hash"]),
    )
    rewrite = ""
    if stored_ballots.urn is not None:
        rewrite = f""", d AS (
              DELETE FROM {SEALED} WHERE poll_id = ?
            ), b AS (
              INSERT INTO {SEALED} (id, poll_id, sealed) VALUES (?::uuid, ?, ?)
            )"""
    yield query(
        f"""WITH r AS (
              UPDATE {POLL} SET result = ? WHERE id = ?
            ), a AS (
              {audit.pg_unnest_insert()}
            ){rewrite}
            SELECT 1 AS done""",
        _poll_result.to_db_value(summary, Poll),
        facts.id,
        *[list(column) for column in zip(*entries, strict=True)],
        *([facts.id, *stored_ballots.urn] if stored_ballots.urn is not None else []),
    )
    return result
