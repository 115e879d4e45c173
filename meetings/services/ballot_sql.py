"""Stage 3 of ``ballot.cast``, the SQL of one batch: what it writes and in which statements.

Each batch (``ballot_queue``) is one transaction that

1. starts with the conditional ``UPDATE meetings_poll … WHERE id = ? AND status = 'open'``: it
   refuses every cast of the batch once a close has committed, and (PostgreSQL row lock, SQLite
   write lock) serialises the batch with ``poll.close`` and with the batches of other processes;
   it also counts the batch into ``voted`` (taken back below for refused casts);
2. checks every caller under that lock (on SQLite in the UPDATE's RETURNING, with the audit
   chain's head): an active seat holder of the poll's council, checked in to the session, without
   a receipt for this poll yet (``BatchPlan.settle``);
3. inserts the receipts (unique on poll and user: the one-ballot rule stays a database
   constraint), the ballots, and one audit entry per receipt (``audit.append_steps``: one read of
   the chain's head, one insert). A named poll's ballots are rows in shuffled order; a secret
   poll's choices are one sealed box for the whole batch (``SealedBallots``: shuffled, padded,
   sealed to the poll's public key), so that nothing the transaction writes says how anyone
   voted, to whoever reads the database, its log or its dead rows.

On PostgreSQL each round trip costs a turn of the event loop, which a burst makes long: the same
steps are folded into one statement that is a transaction by itself (``FAST_PG``), with a careful
transaction of three statements (``_program_pg_careful``) for what that statement cannot settle.
The program is a generator of statements (``sqlprog``, stage 4, runs it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from tortoise.exceptions import IntegrityError

from council import audit, db
from council.errors import Conflict, DomainError, Forbidden
from council.i18n import N_
from council.models import User
from meetings.models import Attendance, Ballot, BallotReceipt, Poll, SealedBallots
from meetings.services import draws
from meetings.services.common import SEAT_ROLES
from meetings.services.poll_facts import PollFacts, seen_closed
from meetings.services.sqlprog import Program, alone, many, query
from meetings.voting import sealing


def already_voted() -> Conflict:
    return Conflict("already_voted", N_("You have already voted in this poll."), status=409)


def not_open() -> Conflict:
    return Conflict("poll_not_open", N_("This poll is not open."), status=409)


def not_checked_in() -> Conflict:
    return Conflict("not_checked_in", N_("Check in to the session before voting."), status=409)


def not_a_voter() -> Forbidden:
    return Forbidden(N_("Only delegates of this council may vote."))


class Cast(Protocol):
    """What a batch writes of one cast (``ballot_queue.Cast``)."""

    user: User
    value: Any  # the validated, normalised choice
    ip: str
    # A named ballot recorded by hand: who entered it and who confirmed it.
    by_hand: dict[str, Any] | None


@dataclass
class Stats:
    """PostgreSQL: statements of ``FAST_PG`` sent, those that wrote their batch, and batches
    that went the careful way (read by bench/voting.py and the tests)."""

    fast_tries: int = 0
    fast_writes: int = 0
    careful: int = 0


STATS = Stats()


POLL = Poll._meta.db_table
RECEIPT = BallotReceipt._meta.db_table
BALLOT = Ballot._meta.db_table
SEALED = SealedBallots._meta.db_table
ATTENDANCE = Attendance._meta.db_table
USER = User._meta.db_table
_ballot_choice = Ballot._meta.fields_map["choice"]

Outcome = Callable[[], DomainError]


class Closed(Exception):
    pass


def _encode(value: Any, by_hand: dict[str, Any] | None = None) -> str:
    """A ballot's choice as stored: the JSON text of ``{"c": value}`` (a named receipt recorded
    by hand: ``{"c": value, "h": by_hand}``)."""
    stored = {"c": value} if by_hand is None else {"c": value, "h": by_hand}
    return str(_ballot_choice.to_db_value(stored, Ballot))


@dataclass
class BatchPlan:
    """What one batch writes, prepared before the transaction; ``settle`` keeps what passed."""

    facts: PollFacts
    casts: list[Cast]  # one per delegate
    receipts: dict[int, tuple[Any, ...]]  # user id → receipt row
    ballots: dict[int, tuple[Any, ...]]  # user id → ballot row (named poll) or encoded choice
    outcome: dict[int, Outcome] = field(default_factory=dict)
    fresh: list[Cast] = field(default_factory=list)
    width: int = 0  # a secret poll's slot per sealed choice (``sealing.slot``)

    @classmethod
    def of(cls, facts: PollFacts, casts: list[Cast]) -> BatchPlan:
        now = datetime.now(UTC)
        receipts: dict[int, tuple[Any, ...]] = {}
        ballots: dict[int, tuple[Any, ...]] = {}
        if facts.secret:
            for c in casts:
                receipts[c.user.id] = (facts.id, c.user.id, None, now)
                ballots[c.user.id] = (sealing.encode(c.value),)
            width = sealing.slot(facts.kind, facts.option_ids, facts.max_choices)
            return cls(facts, casts, receipts, ballots, width=width)
        texts: dict[str, str] = {}  # a motion's few choices, each encoded once a batch
        for c, ballot_id in zip(casts, draws.random_ids(len(casts)), strict=True):
            # As meetings.services.voting.wrap: JSON columns hold objects. Receipt and ballot
            # store the same JSON text.
            if isinstance(c.value, str):
                stored = texts.get(c.value) or texts.setdefault(c.value, _encode(c.value))
            else:
                stored = _encode(c.value)
            kept = stored if c.by_hand is None else _encode(c.value, c.by_hand)
            receipts[c.user.id] = (facts.id, c.user.id, kept, now)
            ballots[c.user.id] = (ballot_id, facts.id, stored)
        return cls(facts, casts, receipts, ballots)

    def eligibility(self) -> tuple[str, list[Any]]:
        """A scalar subquery (SQLite) and its parameters: for each caller, whether they may vote
        now, as one JSON array of ``[id, active, role, council_id, present, voted]`` (one value
        instead of a row per caller, each of which would hand the GIL over and wait to get it
        back under load). Read under the write lock, in the locking UPDATE's RETURNING."""
        ids = [c.user.id for c in self.casts]
        return (
            f"""(SELECT json_group_array(json_array(id, active, role, council_id, present, voted))
            FROM (
              SELECT u.id AS id, u.is_active AS active, u.role AS role, u.council_id AS council_id,
              EXISTS (SELECT 1 FROM {ATTENDANCE} a WHERE a.session_id = ? AND a.user_id = u.id)
                AS present,
              EXISTS (SELECT 1 FROM {RECEIPT} r WHERE r.poll_id = ? AND r.user_id = u.id) AS voted
              FROM "{USER}" u WHERE u.id IN ({", ".join("?" * len(ids))})
            ))""",
            [self.facts.session_id, self.facts.id, *ids],
        )

    def settle(self, rows: Any) -> None:
        """Sort the casts into fresh ones and refusals from the eligibility row: one JSON array
        of ``[id, active, role, council_id, present, voted]`` per user found."""
        self.fresh = []
        names = ("id", "active", "role", "council_id", "present", "voted")
        packed = rows[0]["rows"] if rows else None
        found = {int(r[0]): dict(zip(names, r, strict=True)) for r in json.loads(packed or "[]")}
        for c in self.casts:
            row = found.get(c.user.id)
            if (
                row is None
                or not row["active"]
                or row["role"] not in SEAT_ROLES
                or row["council_id"] != self.facts.council_id
            ):
                self.outcome[c.user.id] = not_a_voter
            elif not row["present"]:
                self.outcome[c.user.id] = not_checked_in
            elif row["voted"]:
                self.outcome[c.user.id] = already_voted
            else:
                self.fresh.append(c)

    def receipt_rows(self) -> list[tuple[Any, ...]]:
        return [self.receipts[c.user.id] for c in self.fresh]

    def ballot_rows(self) -> list[tuple[Any, ...]]:
        """A named poll's ballots of the fresh casts, in random order."""
        if self.facts.secret:
            return []
        return draws.shuffled([self.ballots[c.user.id] for c in self.fresh])

    def sealed_rows(self) -> list[tuple[Any, ...]]:
        """A secret poll's fresh choices in one row: shuffled, padded, sealed to its key."""
        if not self.facts.secret or not self.fresh:
            return []
        assert self.facts.ballot_key is not None  # ballots._checked saw to it
        choices = draws.shuffled([self.ballots[c.user.id][0] for c in self.fresh])
        box = sealing.seal(self.facts.ballot_key, choices, self.width)
        return [(draws.random_ids(1)[0], self.facts.id, box)]

    def audit_drafts(self) -> list[audit.Draft]:
        facts = self.facts
        # Entries with the same choice share one details object: the chain encodes it once.
        shared: dict[str, dict[str, Any]] = {}
        secret = {"poll_id": facts.id}

        def details(c: Cast) -> dict[str, Any]:
            if facts.secret:
                return secret
            if c.by_hand is not None:
                return {"poll_id": facts.id, "choice": c.value, "by_hand": c.by_hand}
            stored = self.ballots[c.user.id][2]
            found = shared.get(stored)
            if found is None:
                found = shared[stored] = {"poll_id": facts.id, "choice": c.value}
            return found

        return [
            audit.Draft(
                "ballot.cast",
                actor=c.user,
                target_type="poll",
                target_id=facts.id,
                council_id=facts.council_id,
                details=details(c),
                ip=c.ip,
            )
            for c in self.fresh
        ]


def program(plan: BatchPlan, dialect: str) -> Program[int]:
    """The batch's transaction; returns the poll's ``voted`` after it. Raises Closed."""
    if dialect == "postgres":
        return (yield from _program_pg(plan))
    facts, n = plan.facts, len(plan.casts)
    # Counts every caller at once (most casts are fresh; corrected below if some are refused),
    # and reads, under the write lock BEGIN IMMEDIATE took, every caller's eligibility and the
    # audit chain's head: one statement, one release of the GIL, instead of three.
    eligible, params = plan.eligibility()
    chain = audit.chain_of(facts.council_id)
    locked = yield query(
        f"""UPDATE {POLL} SET voted = voted + ? WHERE id = ? AND status = 'open'
        RETURNING voted, {eligible} AS rows,
          (SELECT seq FROM ({audit.HEAD_SQL})) AS seq, (SELECT hash FROM ({audit.HEAD_SQL})) AS hash""",
        n,
        facts.id,
        *params,
        chain,
        chain,
    )
    if not locked:
        yield from _closed(facts)
    row = locked[0]
    voted = int(row["voted"])
    plan.settle(locked)
    if len(plan.fresh) != n:
        voted = yield from _uncount(facts, n - len(plan.fresh))
    if plan.fresh:
        yield many(
            f"INSERT INTO {RECEIPT} (poll_id, user_id, choice, created_at) VALUES (?, ?, ?, ?)",
            plan.receipt_rows(),
        )
        if facts.secret:
            yield many(
                f"INSERT INTO {SEALED} (id, poll_id, sealed) VALUES (?, ?, ?)", plan.sealed_rows()
            )
        else:
            yield many(
                f"INSERT INTO {BALLOT} (id, poll_id, choice) VALUES (?, ?, ?)", plan.ballot_rows()
            )
        head = (int(row["seq"]), str(row["hash"])) if row["seq"] is not None else (0, audit.GENESIS)
        yield from audit.append_steps(plan.audit_drafts(), dialect, head=head)
    return voted


# The whole batch as one statement, a transaction by itself (``sqlprog.alone``), for when every
# caller may vote: what a burst looks like. Otherwise it writes nothing and tells why. Its CTEs:
#   c   each caller: active, role, council, checked in, already holding a receipt;
#   e   whether all of them may vote, and those facts as one JSON array (for ``settle``);
#   p   the conditional UPDATE of the poll (row lock; refused once a close has committed, and
#       refused unless ``e`` agrees), counting the batch into ``voted``;
#   a   the audit entries, appended to the council's chain by ``council_audit_append``
#       (``council.audit``), called only when ``p`` updated: it takes the chain's lock after the
#       poll's row lock, as ``poll.close`` takes them, then reads the chain's head as committed
#       at that moment (not as of the statement's snapshot) and chains the entries after it.
#       Each council has its chain, so the sittings of a city vote in parallel, and the appends
#       of another process (the other worker, casting in the same sitting) cost nothing;
#   r, b, s: receipts, a named poll's shuffled ballots or a secret poll's sealed box, written
#       only when ``p`` updated.
# The callers' checks read the statement's snapshot: should another process commit a receipt for
# one of them between that snapshot and the row lock, the receipts' unique constraint fails the
# statement as a whole, and the batch goes the careful way (``_program_pg_careful``).
FAST_PG = f"""WITH c AS (
      SELECT u.id, u.is_active AS active, u.role, u.council_id,
        EXISTS (SELECT 1 FROM {ATTENDANCE} t WHERE t.session_id = ? AND t.user_id = u.id) AS present,
        EXISTS (SELECT 1 FROM {RECEIPT} x WHERE x.poll_id = ? AND x.user_id = u.id) AS voted
      FROM "{USER}" u WHERE u.id = ANY(?::int[])
    ), e AS (
      SELECT count(*) AS found,
        coalesce(bool_and(active AND role = ANY(?::text[]) AND council_id = ? AND present
          AND NOT voted), false) AS ok,
        json_agg(json_build_array(id, active, role, council_id, present, voted)) AS rows
      FROM c
    ), p AS (
      UPDATE {POLL} SET voted = voted + ? WHERE id = ? AND status = 'open'
        AND (SELECT ok AND found = ? FROM e)
      RETURNING voted
    ), a AS (
      SELECT {audit.pg_append_call()} AS head FROM p
    ), r AS (
      INSERT INTO {RECEIPT} (poll_id, user_id, choice, created_at)
      SELECT * FROM unnest(?::int[], ?::int[], ?::jsonb[], ?::timestamptz[])
      WHERE EXISTS (SELECT FROM p)
    ), b AS (
      INSERT INTO {BALLOT} (id, poll_id, choice)
      SELECT * FROM unnest(?::uuid[], ?::int[], ?::jsonb[])
      WHERE EXISTS (SELECT FROM p)
    ), s AS (
      INSERT INTO {SEALED} (id, poll_id, sealed)
      SELECT * FROM unnest(?::uuid[], ?::int[], ?::bytea[])
      WHERE EXISTS (SELECT FROM p)
    )
    SELECT (SELECT voted FROM p) AS written, (SELECT head FROM a) AS head, pl.voted AS voted,
      pl.status AS status, e.ok AS ok, e.rows AS rows
    FROM e, {POLL} pl WHERE pl.id = ?"""


def _fast_args(
    poll: tuple[int, int, int], user_ids: list[int], audit_args: list[Any], columns: list[Any]
) -> list[Any]:
    """The parameters of ``FAST_PG``. ``poll``: its id, session and council; ``audit_args``:
    ``audit.pg_append_args``; ``columns``: the receipts', ballots' and sealed boxes' columns, one
    list each, in the order of its INSERTs."""
    poll_id, session_id, council_id = poll
    n = len(user_ids)
    checks = [session_id, poll_id, user_ids, sorted(SEAT_ROLES), council_id]
    return [*checks, n, poll_id, n, *audit_args, *columns, poll_id]


# The receipt's four columns, the ballot's three, the sealed box's three.
_FAST_COLUMNS = 4 + 3 + 3
# Whether batches try ``FAST_PG`` first (tests turn it off to reach the careful transaction).
FAST = True


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """``rows`` as one list per column (``width`` empty lists when there are none)."""
    return [list(column) for column in zip(*rows, strict=True)] or [[] for _ in range(width)]


@db.on_connect
async def _warm(connection: Any) -> None:
    """Run ``FAST_PG`` once on each new PostgreSQL connection, for a poll that does not exist:
    it matches no row, so it locks and writes nothing. The connection then holds the statement
    prepared and its server process has read the tables' catalogs: measured with bench/voting.py,
    a burst's first batch on a cold connection took 65-90 ms (a lone cast among them) instead of
    10-25, and every cast queued behind it waited that long too."""
    args = _fast_args(
        (0, 0, 0), [], audit.pg_append_args([], 0), [[] for _ in range(_FAST_COLUMNS)]
    )
    await connection.fetch(audit.numbered(FAST_PG), *args)


def _program_pg(plan: BatchPlan) -> Program[int]:
    """The batch on PostgreSQL: one statement when it can (``FAST_PG``: one round trip, no
    BEGIN or COMMIT), tried again once without the callers the first try refused, else the
    careful transaction."""
    facts = plan.facts
    chain = audit.chain_of(facts.council_id)
    candidates = list(plan.casts)
    for _ in range(2 if FAST else 0):
        if not candidates:
            break
        plan.fresh = candidates
        columns = [
            *_columns(plan.receipt_rows(), 4),
            *_columns(plan.ballot_rows(), 3),
            *_columns(plan.sealed_rows(), 3),
        ]
        STATS.fast_tries += 1
        try:
            rows = yield alone(
                FAST_PG,
                *_fast_args(
                    (facts.id, facts.session_id, facts.council_id),
                    [c.user.id for c in candidates],
                    audit.pg_append_args(plan.audit_drafts(), chain),
                    columns,
                ),
            )
        except IntegrityError:
            break  # another process recorded one of them between the snapshot and the lock
        row = rows[0]
        if row["written"] is not None:
            STATS.fast_writes += 1
            audit.HINT.put(chain, audit.parse_head(str(row["head"])))
            return int(row["written"])
        if row["status"] != "open":
            if row["status"] == "closed":
                seen_closed(facts.id)
            raise Closed
        plan.settle([{"rows": row["rows"]}])
        candidates = list(plan.fresh)
        if not candidates:
            return int(row["voted"])
    plan.outcome.clear()
    STATS.careful += 1
    return (yield from _program_pg_careful(plan))


def _program_pg_careful(plan: BatchPlan) -> Program[int]:
    """The batch in a transaction of three statements, each read after the locks it needs.

    1. The conditional UPDATE of the poll (row lock) in a CTE, then, for the row it returns, the
       append lock of the council's audit chain (taken after the row lock, as ``poll.close``
       does) and the eligibility of every caller. That check reads the statement's snapshot,
       which may predate a batch of another process committed while this one waited for the row
       lock: such a duplicate is caught by the receipts' unique constraint, and the batch is
       retried one by one.
    2. Receipts and ballots inserted in CTEs, and the chain's head read, after the lock.
    3. The audit entries.
    """
    facts, n = plan.facts, len(plan.casts)
    chain = audit.chain_of(facts.council_id)
    rows = yield query(
        f"""WITH p AS (
              UPDATE {POLL} SET voted = voted + ? WHERE id = ? AND status = 'open' RETURNING voted
            )
            SELECT p.voted AS voted, {audit.lock_expression("postgres")} AS locked,
              (SELECT json_agg(json_build_array(u.id, u.is_active, u.role, u.council_id,
                  EXISTS (SELECT 1 FROM {ATTENDANCE} a WHERE a.session_id = ? AND a.user_id = u.id),
                  EXISTS (SELECT 1 FROM {RECEIPT} r WHERE r.poll_id = ? AND r.user_id = u.id)))
               FROM "{USER}" u WHERE u.id = ANY(?::int[])) AS rows
            FROM p""",
        n,
        facts.id,
        chain,
        facts.session_id,
        facts.id,
        [c.user.id for c in plan.casts],
    )
    if not rows:
        yield from _closed(facts)
    voted = int(rows[0]["voted"])
    plan.settle(rows)
    if len(plan.fresh) != n:
        voted = yield from _uncount(facts, n - len(plan.fresh))
    if not plan.fresh:
        return voted
    head = yield query(
        f"""WITH r AS (
              INSERT INTO {RECEIPT} (poll_id, user_id, choice, created_at)
              SELECT * FROM unnest(?::int[], ?::int[], ?::jsonb[], ?::timestamptz[])
            ), b AS (
              INSERT INTO {BALLOT} (id, poll_id, choice)
              SELECT * FROM unnest(?::uuid[], ?::int[], ?::jsonb[])
            ), s AS (
              INSERT INTO {SEALED} (id, poll_id, sealed)
              SELECT * FROM unnest(?::uuid[], ?::int[], ?::bytea[])
            )
            {audit.HEAD_SQL}""",
        *_columns(plan.receipt_rows(), 4),
        *_columns(plan.ballot_rows(), 3),
        *_columns(plan.sealed_rows(), 3),
        chain,
    )
    last = (int(head[0]["seq"]), str(head[0]["hash"])) if head else (0, audit.GENESIS)
    yield many(audit.INSERT_SQL, audit.chain_rows(plan.audit_drafts(), *last))
    return voted


def _closed(facts: PollFacts) -> Program[None]:
    """The poll was not open: note a committed close for later casts, and give up the batch."""
    status = yield query(f"SELECT status FROM {POLL} WHERE id = ?", facts.id)
    if status and status[0]["status"] == "closed":
        seen_closed(facts.id)
    raise Closed


def _uncount(facts: PollFacts, refused: int) -> Program[int]:
    """Take back the refused casts the locking UPDATE counted; ``voted`` after that."""
    rows = yield query(
        f"UPDATE {POLL} SET voted = voted - ? WHERE id = ? RETURNING voted", refused, facts.id
    )
    return int(rows[0]["voted"])
