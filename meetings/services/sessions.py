"""session.* and item.*: preparing a session, its agenda, and moving through it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from council import audit, realtime, signals, terms
from council.divisions import require_seats
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.mailer import MailConfig
from council.models import Council, User
from council.services import seat_guard
from meetings.models import ITEM_KINDS, AgendaItem, Poll, Session, SpeakerRequest
from meetings.services import notices
from meetings.services.common import (
    get_session,
    item_dict,
    lock_sitting,
    now,
    require_state,
    same_council,
    session_dict,
    staff_session,
)
from meetings.services.speakers import emit_queue


def _room(session_id: int) -> str:
    return realtime.session_room(session_id)


@seat_guard
async def _no_sitting_in_progress(council: Council) -> None:
    """A council's seats and quorum stay as they are while one of its sittings is in progress:
    its quorum and the thresholds of its votes count against them."""
    if await Session.exists(council_id=council.id, status="in_progress"):
        raise Conflict(
            "sitting_in_progress",
            N_(
                "The seats and quorum cannot change while a session of this council is in progress."
            ),
            status=409,
        )


async def _no_other_sitting(session: Session) -> None:
    """A council sits once at a time: its attendance, floor and votes belong to one sitting."""
    other = (
        await Session.filter(council_id=session.council_id, status="in_progress")
        .exclude(id=session.id)
        .first()
    )
    if other is not None:
        raise Conflict(
            "another_sitting_in_progress",
            N_(
                "The sitting “{title}” of this council is in progress: close it before starting "
                "another."
            ).format(title=other.title),
            status=409,
            session_id=other.id,
            title=other.title,
        )


def check_title(title: str | None, field: str = "title") -> str:
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise Invalid(fields={field: str(N_("A title of 1 to 300 characters is required."))})
    return title


async def session_create(
    user: User, *, council_code: str, title: str, starts_at: datetime, location: str = ""
) -> Session:
    """session.create: a draft session of the user's council."""
    council = await Council.get_or_none(code=council_code)
    if council is None:
        raise NotFound(N_("No council has this code."))
    if not (user.role == "admin" or (user.role == "secretariat" and user.council_id == council.id)):
        raise Forbidden(N_("Only the council's secretariat may do this."))
    require_seats(council)
    title = check_title(title)
    if len(location) > 200:
        raise Invalid(fields={"location": str(N_("This is too long."))})
    async with in_transaction():
        session = await Session.create(
            council_id=council.id,
            title=title,
            starts_at=starts_at,
            location=location.strip(),
            created_by_id=user.id,
        )
        await audit.record(
            "session.create",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=council.id,
            details={"title": title},
        )
    return session


async def sessions_for(user: User | None, *, include_closed: bool = True) -> list[Session]:
    """Sessions ``user`` may see: the council's staff see drafts, delegates published ones."""
    if user is None:
        return []
    qs = Session.all() if user.role == "admin" else Session.filter(council_id=user.council_id or 0)
    if not (user.role == "admin" or user.role in ("secretariat", "chair")):
        qs = qs.exclude(status="draft")
    if not include_closed:
        qs = qs.exclude(status="closed")
    return list(await qs.order_by("-starts_at", "id"))


async def session_publish(user: User, session_id: int, mail: MailConfig | None = None) -> Session:
    """session.publish: the session appears on every delegate's dashboard, each delegate gets a
    notice in the app and, with ``mail`` configured, an e-mail."""
    session = await staff_session(user, session_id)
    require_state(session, "draft")
    async with in_transaction():
        changed = await Session.filter(id=session.id, status="draft").update(
            status="published", published_at=now()
        )
        if not changed:
            raise Conflict("session_state", N_("The session is already published."), status=409)
        session.status = "published"
        told = await notices.record_published(session)
        await audit.record(
            "session.publish",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={"notified": len(told), "emails": sum(1 for n in told if n.email)},
        )
    session = await get_session(session.id)
    if mail is not None:
        await notices.mail_published(session, told, mail)
    await realtime.emit(
        "session:update", {"session": session_dict(session)}, room=_room(session.id)
    )
    return session


async def session_start(user: User, session_id: int) -> Session:
    """session.start: the sitting begins (from a draft or published session)."""
    session = await staff_session(user, session_id)
    require_state(session, "draft", "published")
    async with in_transaction():
        # Seats and quorum are read in the transaction that starts the sitting, and cannot change
        # while it lasts (``_no_sitting_in_progress``): its attendance and votes count on them.
        # The seats are "tổng số đại biểu" as the council reads it (council.terms): the legal
        # seats, or the delegates in office after vacancies.
        # The council's row is locked first: two starts of its sittings take turns, so the second
        # sees the first in progress (one sitting of a council at a time).
        council = await Council.select_for_update().get(id=session.council_id)
        await _no_other_sitting(session)
        seats = await terms.delegates_total(council)
        quorum = terms.quorum_of(council, seats)
        changed = await Session.filter(id=session.id, status__in=["draft", "published"]).update(
            status="in_progress",
            started_at=now(),
            published_at=session.published_at or now(),
            seats=seats,
            quorum_count=quorum,
        )
        if not changed:
            raise Conflict("session_state", N_("The session has already started."), status=409)
        await audit.record(
            "session.start",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={"seats": seats, "quorum": quorum},
        )
    session = await get_session(session.id)
    await realtime.emit(
        "session:update", {"session": session_dict(session)}, room=_room(session.id)
    )
    return session


async def session_close(user: User, session_id: int) -> Session:
    """session.close: refused while a poll is open; ends whoever has the floor."""
    session = await staff_session(user, session_id)
    require_state(session, "in_progress")
    async with in_transaction():
        # The sitting's turn first, as a poll's opening takes it: a vote opening at this moment
        # is seen below once it commits, or waits for the close (and finds the sitting closed).
        await lock_sitting(session.id)
        if await Poll.filter(session_id=session.id, status="open").exists():
            raise Conflict(
                "poll_open", N_("Close the open poll before closing the session."), status=409
            )
        changed = await Session.filter(id=session.id, status="in_progress").update(
            status="closed", closed_at=now()
        )
        if not changed:
            raise Conflict("session_state", N_("The session is not in progress."), status=409)
        await SpeakerRequest.filter(session_id=session.id, status="speaking").update(
            status="done", ended_at=now()
        )
        await SpeakerRequest.filter(session_id=session.id, status="waiting").update(
            status="withdrawn", ended_at=now()
        )
        await audit.record(
            "session.close",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
        )
    session = await get_session(session.id)
    await realtime.emit(
        "session:update", {"session": session_dict(session)}, room=_room(session.id)
    )

    await emit_queue(session.id)
    return session


# --- agenda -----------------------------------------------------------------------------------


async def items_of(session_id: int) -> list[AgendaItem]:
    return list(await AgendaItem.filter(session_id=session_id).order_by("position", "id"))


MIN_SPEAKING, MAX_SPEAKING = 10, 7200


def check_speaking_seconds(value: int | None, field: str = "speaking_seconds") -> int | None:
    if value is not None and not MIN_SPEAKING <= value <= MAX_SPEAKING:
        raise Invalid(fields={field: str(N_("Between 10 seconds and 2 hours."))})
    return value


async def item_create(
    user: User,
    session_id: int,
    *,
    title: str,
    kind: str | None = None,
    description: str = "",
    speaking_seconds: int | None = None,
) -> AgendaItem:
    """item.create: appended at the end of the agenda."""
    session = await staff_session(user, session_id)
    require_state(session, "draft", "published", "in_progress")
    title = check_title(title)
    kind = kind or "other"
    if kind not in ITEM_KINDS:
        raise Invalid(fields={"kind": str(N_("This value is not one of the allowed choices."))})
    if len(description) > 20_000:
        raise Invalid(fields={"description": str(N_("This is too long."))})
    check_speaking_seconds(speaking_seconds)
    async with in_transaction():
        last = await AgendaItem.filter(session_id=session.id).order_by("-position").first()
        item = await AgendaItem.create(
            session_id=session.id,
            title=title,
            kind=kind,
            description=description.strip(),
            position=(last.position + 1) if last else 1,
            speaking_seconds=speaking_seconds,
        )
        await audit.record(
            "item.create",
            actor=user,
            target_type="agenda_item",
            target_id=item.id,
            council_id=session.council_id,
            details={"session_id": session.id, "title": title, "kind": kind},
        )
        change = await notices.record_change(
            session, user, "item.create", {"item_id": item.id, "title": title}
        )
    await notices.announce(change)
    return item


async def item_move(user: User, item_id: int, *, position: int) -> list[AgendaItem]:
    """item.move: put an item at ``position`` (1-based) and renumber the agenda 1..n."""
    item = await AgendaItem.get_or_none(id=item_id)
    if item is None:
        raise NotFound(N_("This agenda item does not exist."))
    session = await staff_session(user, item.session_id)
    require_state(session, "draft", "published", "in_progress")
    async with in_transaction():
        items = [i for i in await items_of(session.id) if i.id != item.id]
        position = max(1, min(position, len(items) + 1))
        items.insert(position - 1, item)
        for number, it in enumerate(items, start=1):
            if it.position != number:
                await AgendaItem.filter(id=it.id).update(position=number)
        await audit.record(
            "item.move",
            actor=user,
            target_type="agenda_item",
            target_id=item.id,
            council_id=session.council_id,
            details={"position": position},
        )
        change = await notices.record_change(
            session, user, "item.move", {"item_id": item.id, "title": item.title}
        )
    await notices.announce(change)
    return await items_of(session.id)


async def item_reorder(user: User, session_id: int, ordered_ids: list[int]) -> list[AgendaItem]:
    """item.reorder: the agenda takes the order of ``ordered_ids`` (all of its items, once each)."""
    session = await staff_session(user, session_id)
    require_state(session, "draft", "published", "in_progress")
    items = await items_of(session.id)
    if sorted(ordered_ids) != sorted(i.id for i in items):
        raise Invalid(fields={"order": str(N_("List every item of the agenda exactly once."))})
    async with in_transaction():
        for number, item_id in enumerate(ordered_ids, start=1):
            await AgendaItem.filter(id=item_id).update(position=number)
        await audit.record(
            "item.reorder",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={"order": ordered_ids},
        )
        change = await notices.record_change(session, user, "item.reorder", {"order": ordered_ids})
    await notices.announce(change)
    return await items_of(session.id)


async def session_set_current(user: User, session_id: int, item_id: int) -> dict[str, Any]:
    """session.set_current: the chair moves the sitting to an agenda item."""
    session = await staff_session(user, session_id)
    require_state(session, "in_progress")
    item = await AgendaItem.get_or_none(id=item_id, session_id=session.id)
    if item is None:
        raise Invalid(fields={"item_id": str(N_("This item is not on the session's agenda."))})
    async with in_transaction():
        if item.kind == "questioning":
            # The questioning gives the floor turn by turn; a vote in progress keeps the hall,
            # the tablets and the delegates until its close. The sitting's row is locked first,
            # as a poll's opening locks it: a vote opening at this moment is seen, or waits.
            await lock_sitting(session.id)
            open_poll = await Poll.filter(session_id=session.id, status="open").first()
            if open_poll is not None:
                raise Conflict(
                    "poll_open",
                    N_(
                        "The vote “{title}” is open: close it before moving to the questioning."
                    ).format(title=open_poll.title),
                    status=409,
                    poll_id=open_poll.id,
                )
        moved_at = now()
        await Session.filter(id=session.id).update(
            current_item_id=item.id, current_item_at=moved_at
        )
        await audit.record(
            "session.set_current",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={"item_id": item.id},
        )
    payload = {"session_id": session.id, "item": item_dict(item)}
    await realtime.emit("agenda:current", payload, room=_room(session.id))
    await signals.ITEM_CHANGED.send(session_id=session.id, item_id=item.id, at=moved_at)
    return payload


async def current_item(session: Session) -> AgendaItem | None:
    if session.current_item_id is None:
        return None
    return await AgendaItem.get_or_none(id=session.current_item_id)


async def agenda_for(user: User | None, session_id: int) -> tuple[Session, list[AgendaItem]]:
    session = await get_session(session_id)
    if not same_council(user, session.council_id):
        raise Forbidden(N_("This session belongs to another council."))
    return session, await items_of(session.id)
