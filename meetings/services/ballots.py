"""ballot.cast: one ballot per checked-in delegate, written with group commit.

Casts that arrive together are written in one transaction per batch: its first statement is the
conditional UPDATE of the poll row (``WHERE status = 'open'``) that also serialises it with
``poll.close`` and with batches of other processes; then the receipts (unique on poll and user:
the one-ballot rule), the ballots (in shuffled order) and one audit entry per receipt. Each ballot is
therefore still in the same transaction as its receipt, and no ballot is accepted once a close has
committed. A batch that hits the unique constraint (a duplicate cast racing in another process) is
rolled back and its casts are written one by one, so each caller gets its own answer.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from council import audit, realtime
from council.errors import Conflict, DomainError, Forbidden, NotFound
from council.i18n import N_
from council.models import User
from meetings.models import Attendance, Ballot, BallotReceipt, Poll, PollOption, Session
from meetings.services.common import holds_seat
from meetings.services.voting import eligible_count, wrap
from meetings.voting.tally import (
    InvalidChoice,
    PollKind,
    validate_confidence_choice,
    validate_election_choice,
    validate_motion_choice,
)

log = logging.getLogger(__name__)

MAX_BATCH = 250
# poll:progress is coalesced: with hundreds of delegates casting at once, one event per ballot to
# every tablet would be quadratic. The latest count goes out at most this often.
PROGRESS_INTERVAL = 0.15


def _already_voted() -> Conflict:
    return Conflict("already_voted", N_("You have already voted in this poll."), status=409)


def _not_open() -> Conflict:
    return Conflict("poll_not_open", N_("This poll is not open."), status=409)


def _normalise_choice(poll: Poll, option_ids: list[int], choice: Any) -> Any:
    try:
        if poll.kind == PollKind.MOTION:
            return validate_motion_choice(choice)
        if poll.kind == PollKind.ELECTION:
            return validate_election_choice(choice, option_ids, poll.max_choices)
        levels = validate_confidence_choice(choice, option_ids)
        return {str(k): v for k, v in sorted(levels.items())}
    except InvalidChoice as exc:
        raise DomainError(exc.code, N_("This choice does not fit the poll."), status=422) from None


async def ballot_cast(user: User, poll_id: int, choice: Any) -> dict[str, Any]:
    """ballot.cast: one ballot per checked-in delegate of the council, while the poll is open.

    A retried or duplicated cast answers ``already_voted`` and is never counted twice: the
    receipt's unique (poll, user) constraint is inserted in the same transaction as the ballot.
    No one votes for another: the ballot is always the caller's own.
    """
    poll, session, option_ids = await _open_poll(poll_id)
    if not holds_seat(user, session.council_id):
        raise Forbidden(N_("Only delegates of this council may vote."))
    value = _normalise_choice(poll, option_ids, choice)
    await _submit(poll, session, user, value)
    _progress_soon(poll.id, session.id)
    return {"recorded": True}


async def _open_poll(poll_id: int) -> tuple[Poll, Session, list[int]]:
    poll = await Poll.filter(id=poll_id).select_related("session").first()
    if poll is None:
        raise NotFound(N_("This poll does not exist."))
    if poll.status != "open":
        raise _not_open()
    option_ids: list[int] = []
    if poll.kind != PollKind.MOTION:
        option_ids = cast(
            list[int], await PollOption.filter(poll_id=poll.id).values_list("id", flat=True)
        )
    return poll, poll.session, option_ids


# --- group commit ------------------------------------------------------------------------------


@dataclass
class _Cast:
    user: User
    value: Any
    future: asyncio.Future[None]


@dataclass
class _Writer:
    queue: list[_Cast] = field(default_factory=list)
    task: asyncio.Task[None] | None = None


_writers: dict[int, _Writer] = {}


async def _submit(poll: Poll, session: Session, user: User, value: Any) -> None:
    loop = asyncio.get_running_loop()
    writer = _writers.setdefault(poll.id, _Writer())
    pending = _Cast(user, value, loop.create_future())
    writer.queue.append(pending)
    if writer.task is None or writer.task.done():
        writer.task = loop.create_task(_drain(poll, session, writer))
    await pending.future


async def _drain(poll: Poll, session: Session, writer: _Writer) -> None:
    try:
        while writer.queue:
            batch, writer.queue = writer.queue[:MAX_BATCH], writer.queue[MAX_BATCH:]
            try:
                await _write_batch(poll, session, batch)
            except Exception as exc:  # answer every waiting caller, whatever went wrong
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(exc)
    finally:
        # No await since the queue was seen empty: no cast can have been queued meanwhile.
        if _writers.get(poll.id) is writer:
            del _writers[poll.id]


class _Closed(Exception):
    pass


async def _write_batch(poll: Poll, session: Session, batch: list[_Cast]) -> None:
    present = set(
        await Attendance.filter(
            session_id=session.id, user_id__in=[c.user.id for c in batch]
        ).values_list("user_id", flat=True)
    )
    seen: set[int] = set()
    unique: list[_Cast] = []
    for item in batch:
        if item.user.id not in present:
            item.future.set_exception(
                Conflict("not_checked_in", N_("Check in to the session before voting."), status=409)
            )
        elif item.user.id in seen:
            item.future.set_exception(_already_voted())
        else:
            seen.add(item.user.id)
            unique.append(item)
    try:
        async with in_transaction():
            if not await Poll.filter(id=poll.id, status="open").update(voted=F("voted")):
                raise _Closed
            voted_before = set(
                await BallotReceipt.filter(
                    poll_id=poll.id, user_id__in=[c.user.id for c in unique]
                ).values_list("user_id", flat=True)
            )
            fresh = [c for c in unique if c.user.id not in voted_before]
            if fresh:
                await Poll.filter(id=poll.id).update(voted=F("voted") + len(fresh))
                await BallotReceipt.bulk_create(
                    [
                        BallotReceipt(
                            poll_id=poll.id,
                            user_id=c.user.id,
                            choice=None if poll.secret else wrap(c.value),
                        )
                        for c in fresh
                    ]
                )
                ballots = [
                    Ballot(id=uuid.uuid4(), poll_id=poll.id, choice=wrap(c.value)) for c in fresh
                ]
                random.SystemRandom().shuffle(ballots)
                await Ballot.bulk_create(ballots)
                for c in fresh:
                    await audit.record(
                        "ballot.cast",
                        actor=c.user,
                        target_type="poll",
                        target_id=poll.id,
                        council_id=session.council_id,
                        details={"poll_id": poll.id}
                        if poll.secret
                        else {"poll_id": poll.id, "choice": c.value},
                    )
    except _Closed:
        for c in unique:
            c.future.set_exception(_not_open())
        return
    except IntegrityError:
        for c in unique:
            try:
                await _write_one(poll, session, c.user, c.value)
            except DomainError as exc:
                c.future.set_exception(exc)
            else:
                c.future.set_result(None)
        return
    for c in unique:
        c.future.set_exception(
            _already_voted()
        ) if c.user.id in voted_before else c.future.set_result(None)


async def _write_one(poll: Poll, session: Session, user: User, value: Any) -> None:
    try:
        async with in_transaction():
            if not await Poll.filter(id=poll.id, status="open").update(voted=F("voted") + 1):
                raise _not_open()
            await BallotReceipt.create(
                poll_id=poll.id, user_id=user.id, choice=None if poll.secret else wrap(value)
            )
            await Ballot.create(id=uuid.uuid4(), poll_id=poll.id, choice=wrap(value))
            await audit.record(
                "ballot.cast",
                actor=user,
                target_type="poll",
                target_id=poll.id,
                council_id=session.council_id,
                details={"poll_id": poll.id}
                if poll.secret
                else {"poll_id": poll.id, "choice": value},
            )
    except IntegrityError:
        raise _already_voted() from None


# --- poll:progress -----------------------------------------------------------------------------

_progress_pending: set[int] = set()
_progress_tasks: set[asyncio.Task[None]] = set()


def _progress_soon(poll_id: int, session_id: int) -> None:
    """Schedule one ``poll:progress`` with the count as it stands a moment after this commit."""
    if poll_id in _progress_pending:
        return
    _progress_pending.add(poll_id)

    async def send() -> None:
        try:
            await asyncio.sleep(PROGRESS_INTERVAL)
        finally:
            # Cleared before reading: a ballot committed after the read schedules the next event.
            _progress_pending.discard(poll_id)
        try:
            voted = await Poll.filter(id=poll_id).values_list("voted", flat=True)
            if voted:
                await realtime.emit(
                    "poll:progress",
                    {
                        "poll_id": poll_id,
                        "voted": voted[0],
                        "eligible": await eligible_count(session_id),
                    },
                    room=realtime.session_room(session_id),
                )
        except Exception:  # the database may be gone at shutdown: progress is only informative
            log.debug("poll:progress for poll %s not sent", poll_id, exc_info=True)

    task = asyncio.get_running_loop().create_task(send())
    _progress_tasks.add(task)
    task.add_done_callback(_progress_tasks.discard)
