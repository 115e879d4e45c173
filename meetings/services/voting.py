"""poll.*: creating and opening polls, and reading them (closing is ``closing``; ballot.cast is
``ballots``).

Secrecy: a secret poll gets its key pair as it opens (``meetings.voting.sealing``); its ballots
are stored sealed to it, and only the close opens them, to tally.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from council import audit, realtime, signals
from council.divisions import require_seats
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import Council, User
from meetings.models import (
    AgendaItem,
    Attendance,
    BallotReceipt,
    Poll,
    PollOption,
    Session,
)
from meetings.services import counting, sqlprog
from meetings.services.attendance import current_day
from meetings.services.common import (
    SITTING_LOCK_SQL,
    can_see_session,
    get_session,
    is_staff_of,
    iso,
    item_dict,
    local_day,
    now,
    require_state,
    same_council,
    seats_and_quorum,
    user_names,
)
from meetings.services.counting import unwrap
from meetings.services.poll_facts import PollFacts, poll_facts, remember
from meetings.services.sqlprog import Program, query
from meetings.voting import sealing
from meetings.voting.tally import (
    PollKind,
    Rule,
    TallyResult,
    result_from_dict,
)
from meetings.voting.wording import headline, result_lines

MAX_OPTIONS = 100
POLL = Poll._meta.db_table
ATTENDANCE = Attendance._meta.db_table
SESSION = Session._meta.db_table
COUNCIL = Council._meta.db_table
ITEM = AgendaItem._meta.db_table


def wrap(choice: Any) -> dict[str, Any]:
    """JSON columns store objects: a bare "yes" would be read back as JSON text."""
    return {"c": choice}


def hand_of(stored: Any) -> dict[str, Any] | None:
    """Who entered and who confirmed a named ballot recorded by hand (``ballot_queue.Cast``'s
    ``by_hand``, kept on the receipt beside the choice), or None for a ballot cast by its voter."""
    hand = stored.get("h") if isinstance(stored, dict) else None
    return hand if isinstance(hand, dict) else None


def _room(session_id: int) -> str:
    return realtime.session_room(session_id)


async def get_poll(poll_id: int) -> Poll:
    poll = await Poll.get_or_none(id=poll_id)
    if poll is None:
        raise NotFound(N_("This poll does not exist."))
    return poll


async def _options(poll: Poll) -> list[PollOption]:
    return list(await PollOption.filter(poll_id=poll.id).order_by("position", "id"))


async def eligible_count(session_id: int) -> int:
    """Delegates who may vote now: those checked in to the session."""
    return await Attendance.filter(session_id=session_id).count()


def countdown(opened_at: datetime | None, seconds: int | None) -> dict[str, Any]:
    """A poll's countdown as screens show it: its length and when it reaches zero. Zero only
    says "time is up": ballots count until the chair's close commits."""
    deadline = opened_at + timedelta(seconds=seconds) if opened_at and seconds else None
    return {"countdown_seconds": seconds, "deadline": iso(deadline)}


def result_text(result: TallyResult) -> dict[str, Any]:
    """The result worded for minutes and screens, in both interface languages."""
    return {
        lang: {"lines": result_lines(result, lang), "headline": headline(result, lang)}
        for lang in ("vi", "en")
    }


async def poll_dict(
    poll: Poll, *, user: User | None = None, with_ballots: bool = True
) -> dict[str, Any]:
    """A poll as the API and the events show it. Never contains a secret ballot's link to a voter."""
    options = await _options(poll)
    out: dict[str, Any] = {
        "id": poll.id,
        "session_id": poll.session_id,
        "item_id": poll.item_id,
        "title": poll.title,
        "kind": poll.kind,
        "secret": poll.secret,
        "rule": poll.rule,
        "max_choices": poll.max_choices,
        "status": poll.status,
        "seats": poll.seats,
        "options": [{"id": o.id, "label": o.label} for o in options],
        "voted": poll.voted,
        "eligible": await eligible_count(poll.session_id),
        "opened_at": iso(poll.opened_at),
        "closed_at": iso(poll.closed_at),
        **countdown(poll.opened_at, poll.countdown_seconds),
        "revote_of": poll.revote_of_id,
        "revote_reason": poll.revote_reason or None,
    }
    if user is not None:
        out["has_voted"] = await BallotReceipt.exists(poll_id=poll.id, user_id=user.id)
    if poll.status == "closed" and poll.result is not None:
        result = dict(poll.result)
        if with_ballots and not poll.secret:
            receipts = await BallotReceipt.filter(poll_id=poll.id).order_by("user_id")
            names = await user_names([r.user_id for r in receipts])
            result["ballots"] = [
                {
                    "user_id": r.user_id,
                    "name": names.get(r.user_id, ""),
                    "choice": unwrap(r.choice),
                    "by_hand": hand_of(r.choice) is not None,
                }
                for r in receipts
            ]
        out["result"] = result
        out["text"] = result_text(result_from_dict(poll.result))
    return out


# --- poll.create ------------------------------------------------------------------------------


async def poll_create(
    user: User,
    session_id: int,
    *,
    title: str,
    kind: str = "motion",
    secret: bool = False,
    rule: str = "majority_of_seats",
    item_id: int | None = None,
    options: list[str] | None = None,
    max_choices: int | None = None,
    countdown_seconds: int | None = None,
    remember_facts: bool = True,
) -> Poll:
    """poll.create: a draft poll on a session (optionally tied to an agenda item), with an
    optional countdown shown on screens while it is open.

    ``remember_facts=False`` for a caller that creates the poll inside a transaction of its own
    (a re-vote): the facts are kept only once they are committed and final."""
    session = await get_session(session_id)
    if not is_staff_of(user, session.council_id):
        raise Forbidden(N_("Only the council's secretariat or chair may do this."))
    require_state(session, "draft", "published", "in_progress")
    require_seats(await Council.get(id=session.council_id))
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title or len(title) > 300:
        errors["title"] = str(N_("A title of 1 to 300 characters is required."))
    if kind not in {k.value for k in PollKind}:
        errors["kind"] = str(N_("The kind is motion, election or confidence."))
    if rule not in {r.value for r in Rule}:
        errors["rule"] = str(N_("The rule is majority_of_seats or two_thirds_of_seats."))
    labels = [o.strip() for o in (options or [])]
    if kind == "motion" and labels:
        errors["options"] = str(N_("A motion has no options: delegates answer yes, no or abstain."))
    if kind in ("election", "confidence"):
        if (
            not labels
            or any(not lbl or len(lbl) > 200 for lbl in labels)
            or len(labels) > MAX_OPTIONS
        ):
            errors["options"] = str(N_("List 1 to 100 candidates or persons, each with a label."))
        elif len(set(labels)) != len(labels):
            errors["options"] = str(N_("Each option must appear once."))
    if kind == "election":
        n = max_choices if max_choices is not None else 1
        if n < 1 or (labels and n > len(labels)):
            errors["max_choices"] = str(N_("Choose between 1 and the number of candidates."))
        max_choices = n
    else:
        max_choices = 1
    if countdown_seconds is not None and not 10 <= countdown_seconds <= 3600:
        errors["countdown_seconds"] = str(N_("Between 10 seconds and one hour."))
    if errors:
        raise Invalid(fields=errors)
    if item_id is not None and not await AgendaItem.exists(id=item_id, session_id=session.id):
        raise Invalid(fields={"item_id": str(N_("This item is not on the session's agenda."))})
    seats, _ = await seats_and_quorum(session)
    async with in_transaction():
        poll = await Poll.create(
            session_id=session.id,
            item_id=item_id,
            title=title,
            kind=kind,
            secret=secret,
            rule=rule,
            max_choices=max_choices,
            seats=seats,
            created_by_id=user.id,
            countdown_seconds=countdown_seconds,
        )
        created = [
            await PollOption.create(poll_id=poll.id, label=label, position=i)
            for i, label in enumerate(labels)
        ]
        await audit.record(
            "poll.create",
            actor=user,
            target_type="poll",
            target_id=poll.id,
            council_id=session.council_id,
            details={
                "session_id": session.id,
                "title": title,
                "kind": kind,
                "secret": secret,
                "rule": rule,
                "options": labels,
                "max_choices": max_choices,
                "countdown_seconds": countdown_seconds,
            },
        )
    # Committed: this process knows the new poll's fixed facts, so its opening (most often
    # asked of the same process, on the chair's kept-alive connection) reads none of them again.
    if remember_facts:
        remember(poll, session.council_id, created)
    return poll


# --- poll.open --------------------------------------------------------------------------------


async def poll_open(user: User, poll_id: int) -> Poll:
    """poll.open: refused without quorum, or while another poll of the session is open.

    A poll of another agenda item than the current one moves the sitting to that item in the
    same transaction (audited as ``session.set_current``), so that the hall and the tablets never
    show one item's heading over another item's vote; ``agenda:current`` goes out before
    ``poll:opened``. Never into the questioning, which the chair enters on its own.

    One transaction (one hop on SQLite) checks the session, the quorum and the other polls and
    opens the poll; ``poll:opened`` goes out from what it read, before anything is read again.
    A sitting of several days counts today's attendance: should that read find the attendance
    held for an earlier day, the transaction gives up, the day is rolled over
    (``current_day``) and the opening is tried again, so the quorum is today's. For a poll this
    process knows (it created it, say) nothing is read before that transaction.
    """
    facts = await poll_facts(poll_id)
    if not is_staff_of(user, facts.council_id):
        raise Forbidden(N_("Only the council's secretariat or chair may do this."))
    opened_at, ip = now(), audit.client_ip.get()
    pair = sealing.new_keys(counting.wrap_key(facts.id)) if facts.secret else (None, None)
    try:
        present, seats, moved = await sqlprog.run(
            lambda dialect: _open_program(facts, user, opened_at, ip, dialect, pair)
        )
    except _EarlierDay:
        await current_day(await get_session(facts.session_id))
        present, seats, moved = await sqlprog.run(
            lambda dialect: _open_program(facts, user, opened_at, ip, dialect, pair, rolled=True)
        )
    if pair[0] is not None:
        facts.ballot_key = pair[0]
    if moved:
        item = await AgendaItem.get_or_none(id=facts.item_id)
        await realtime.emit(
            "agenda:current",
            {"session_id": facts.session_id, "item": item_dict(item)},
            room=_room(facts.session_id),
        )
        await signals.ITEM_CHANGED.send(
            session_id=facts.session_id, item_id=facts.item_id, at=opened_at
        )
    await realtime.emit(
        "poll:opened",
        {"poll": _opened_view(facts, opened_at, present, seats)},
        room=_room(facts.session_id),
    )
    return await get_poll(facts.id)


def _open_program(
    facts: PollFacts,
    user: User,
    opened_at: datetime,
    ip: str,
    dialect: str,
    pair: tuple[bytes | None, bytes | None],
    rolled: bool = False,
) -> Program[tuple[int, int, bool]]:
    """Opens the poll (with ``pair``, a secret poll's public key and sealed private key);
    returns how many are present (the eligible voters), the seats its thresholds count
    against (the sitting's, fixed on the poll as it opens) and whether the sitting moved to the
    poll's item. Raises ``_EarlierDay`` (unless
    ``rolled``: the caller has just rolled the day over) when the attendance is an earlier
    day's."""
    if dialect == "postgres":
        # The opens of a sitting's polls take turns on its row, as does whatever else is refused
        # while a vote is open (the questioning's turns): under READ COMMITTED the read below
        # would otherwise not see another poll opened at the same moment, and both would open.
        # A statement of its own: the read after it takes a snapshot once the lock is held (the
        # lock in the read itself would leave its subqueries reading from before the wait).
        # On SQLite ``BEGIN IMMEDIATE`` already serializes the whole program.
        yield query(SITTING_LOCK_SQL, facts.session_id)
    # The session, its quorum, who is present and any other open poll of it, in one read.
    rows = yield query(
        f"SELECT s.status AS status, COALESCE(s.seats, c.seats) AS seats, "
        f"s.quorum_count AS quorum_count, c.quorum AS quorum, "
        f"s.attendance_day AS attendance_day, s.starts_at AS starts_at, "
        f"(SELECT COUNT(*) FROM {ATTENDANCE} a WHERE a.session_id = s.id) AS present, "
        f"EXISTS (SELECT 1 FROM {POLL} o WHERE o.session_id = s.id AND o.status = 'open' "
        f"AND o.id <> ?) AS other, s.current_item_id AS current_item_id, "
        f"(SELECT i.kind FROM {ITEM} i WHERE i.id = ? AND i.session_id = s.id) AS item_kind, "
        f"(SELECT i.title FROM {ITEM} i WHERE i.id = ? AND i.session_id = s.id) AS item_title "
        f"FROM {SESSION} s JOIN {COUNCIL} c ON c.id = s.council_id WHERE s.id = ?",
        facts.id,
        facts.item_id,
        facts.item_id,
        facts.session_id,
    )
    info = rows[0]
    if info["status"] != "in_progress":
        raise Conflict(
            "session_state",
            N_("This cannot be done in the session's current state."),
            status=409,
            state=info["status"],
        )
    if not rolled and _earlier_day(info["attendance_day"], info["starts_at"]):
        raise _EarlierDay
    seats, present = int(info["seats"]), int(info["present"])
    quorum = (
        int(info["quorum_count"])
        if info["quorum_count"] is not None
        else Council(seats=seats, quorum=info["quorum"]).quorum_count
    )
    if present < quorum:
        raise Conflict(
            "no_quorum",
            N_(
                "Quorum is not met: {present} of {seats} delegates present, {quorum} needed."
            ).format(present=present, seats=seats, quorum=quorum),
            status=409,
        )
    if info["other"]:
        raise Conflict("poll_already_open", N_("Another poll of this session is open."), status=409)
    move = (
        facts.item_id is not None
        and info["item_kind"] is not None
        and info["current_item_id"] != facts.item_id
    )
    if move and info["item_kind"] == "questioning":
        raise Conflict(
            "poll_item_not_current",
            N_(
                "This vote belongs to “{title}”, the questioning: move the sitting to it before "
                "opening the vote."
            ).format(title=info["item_title"]),
            status=409,
            item_id=facts.item_id,
        )
    update = (
        f"UPDATE {POLL} SET status = 'open', opened_at = ?, seats = ?, ballot_key = ?, "
        "sealed_key = ? WHERE id = ? AND status = 'draft' RETURNING id"
    )
    entry = audit.Draft(
        "poll.open",
        actor=user,
        target_type="poll",
        target_id=facts.id,
        council_id=facts.council_id,
        details={"session_id": facts.session_id, "present": present, "seats": seats},
        ip=ip,
    )
    if dialect == "postgres":
        # The update and its audit entry in one statement: the entry is appended (under the
        # chain's lock) only when the update changed the row.
        chain = audit.chain_of(facts.council_id)
        changed = yield query(
            f"WITH u AS ({update}) SELECT {audit.pg_append_call()} AS head FROM u",
            opened_at,
            seats,
            *pair,
            facts.id,
            *audit.pg_append_args([entry], chain),
        )
        if changed:
            audit.HINT.put(chain, audit.parse_head(str(changed[0]["head"])))
    else:
        changed = yield query(update, opened_at, seats, *pair, facts.id)
    if not changed:
        raise Conflict(
            "poll_not_draft", N_("Only a poll that was never opened can be opened."), status=409
        )
    if dialect != "postgres":
        yield from audit.append_steps([entry], dialect)
    if move:
        yield query(
            f"UPDATE {SESSION} SET current_item_id = ?, current_item_at = ? WHERE id = ?",
            facts.item_id,
            opened_at,
            facts.session_id,
        )
        moved = audit.Draft(
            "session.set_current",
            actor=user,
            target_type="session",
            target_id=facts.session_id,
            council_id=facts.council_id,
            details={"item_id": facts.item_id, "by": "poll.open", "poll_id": facts.id},
            ip=ip,
        )
        yield from audit.append_steps([moved], dialect)
    return present, seats, move


class _EarlierDay(Exception):
    """The sitting's attendance is an earlier day's: roll it over, then open."""


_attendance_day = Session._meta.fields_map["attendance_day"]
_starts_at = Session._meta.fields_map["starts_at"]


def _earlier_day(held: Any, starts_at: Any) -> bool:
    """Whether ``current_day`` would roll this sitting's attendance over (the columns as the
    driver returns them: text on SQLite)."""
    if held is None:
        return False
    day = max(local_day(), local_day(_starts_at.to_python_value(starts_at)))
    return bool(_attendance_day.to_python_value(held) < day)


def _opened_view(
    facts: PollFacts, opened_at: datetime, eligible: int, seats: int
) -> dict[str, Any]:
    """``poll_dict`` of the poll just opened, from what the opening knew (nothing re-read)."""
    return {
        "id": facts.id,
        "session_id": facts.session_id,
        "item_id": facts.item_id,
        "title": facts.title,
        "kind": facts.kind,
        "secret": facts.secret,
        "rule": facts.rule,
        "max_choices": facts.max_choices,
        "status": "open",
        "seats": seats,
        "options": [{"id": oid, "label": label} for oid, label in facts.options],
        "voted": 0,
        "eligible": eligible,
        "opened_at": iso(opened_at),
        "closed_at": None,
        **countdown(opened_at, facts.countdown_seconds),
        "revote_of": facts.revote_of,
        "revote_reason": facts.revote_reason or None,
    }


async def poll_for_reader(user: User | None, poll_id: int) -> dict[str, Any]:
    """GET /polls/{id}: status, voted, eligible, and the result once closed. Seen by whoever
    sees its session: a draft session's polls by the council's staff only."""
    poll = await get_poll(poll_id)
    session = await get_session(poll.session_id)
    if not same_council(user, session.council_id):
        raise Forbidden(N_("This poll belongs to another council."))
    if not can_see_session(user, session):
        raise NotFound(N_("This poll does not exist."))
    return await poll_dict(poll, user=user)


async def open_poll_of(session_id: int) -> Poll | None:
    return await Poll.filter(session_id=session_id, status="open").first()
