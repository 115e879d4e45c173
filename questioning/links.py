"""Where questioning meets the other domains: sittings (meetings) and petitions' tracking codes
(the working-day calendar is the core's: ``council.calendar``). Each is one small function, so
that a move on the other side is a one-line change here."""

from __future__ import annotations

from datetime import datetime

from council.errors import NotFound
from council.i18n import N_
from meetings.models import Poll, Session
from meetings.services.common import get_session, lock_sitting
from petitions.codes import normalize_code
from petitions.models import Petition


async def sitting(session_id: int) -> tuple[int, str, datetime, str]:
    """(council id, title, start, status) of a sitting, through meetings' own service."""

    try:
        session = await get_session(session_id)
    except NotFound:
        raise NotFound(N_("This sitting does not exist.")) from None
    return session.council_id, session.title, session.starts_at, session.status


async def current_item(session_id: int) -> tuple[int, str, str] | None:
    """(id, kind, title) of the sitting's current agenda item, or None."""
    # Imported here, as every link is: questioning loads without meetings' tables.
    from meetings.models import AgendaItem
    from meetings.services.common import get_session

    session = await get_session(session_id)
    if session.current_item_id is None:
        return None
    item = await AgendaItem.get_or_none(id=session.current_item_id)
    return (item.id, item.kind, item.title) if item is not None else None


async def item_kind(session_id: int, item_id: int) -> str | None:
    """The kind of an agenda item of the sitting, or None."""
    # Imported here, as every link is: questioning loads without meetings' tables.
    from meetings.models import AgendaItem

    item = await AgendaItem.get_or_none(id=item_id, session_id=session_id)
    return item.kind if item is not None else None


async def hold_sitting(session_id: int) -> None:
    """In a transaction: take the sitting's turn (its row's lock), which a poll opening holds
    until its commit, so that ``open_poll`` read after it sees a vote opened at the same moment.
    (Nothing to do on SQLite, whose writers take turns already.)"""
    await lock_sitting(session_id)


async def open_poll(session_id: int) -> tuple[int, str] | None:
    """(id, title) of the sitting's vote in progress, or None."""
    poll = await Poll.filter(session_id=session_id, status="open").only("id", "title").first()
    return (poll.id, poll.title) if poll is not None else None


async def last_result_at(session_id: int) -> datetime | None:
    """When the sitting's latest vote closed (the hall shows its result after), or None."""
    poll = (
        await Poll.filter(session_id=session_id, status="closed", closed_at__isnull=False)
        .order_by("-closed_at")
        .only("id", "closed_at")
        .first()
    )
    return poll.closed_at if poll is not None else None


async def current_item_since(session_id: int) -> datetime | None:
    """When the sitting moved to its current item, or None."""
    session = await get_session(session_id)
    return session.current_item_at


async def items_of_kind(session_id: int, kind: str) -> list[int]:
    """The ids of a sitting's agenda items of ``kind``."""
    # Imported here, as every link is: questioning loads without meetings' tables.
    from meetings.models import AgendaItem

    rows = await AgendaItem.filter(session_id=session_id, kind=kind).values_list("id", flat=True)
    return [int(r) for r in rows]  # type: ignore[call-overload]


async def sittings_of(council_id: int) -> list[tuple[int, str, datetime, str]]:
    """A council's sittings, newest first, as ``sitting`` gives each."""

    rows = await Session.filter(council_id=council_id).order_by("-starts_at").limit(50)
    return [(s.id, s.title, s.starts_at, s.status) for s in rows]


def petition_code(text: str) -> str | None:
    """A petition's tracking code in its one spelling, or None when ``text`` is not one."""

    return normalize_code(text)


async def missing_petitions(codes: list[str]) -> list[str]:
    """Which of ``codes`` name no petition."""

    found = set(
        await Petition.filter(code__in=codes).values_list("code", flat=True)  # type: ignore[call-overload]
    )
    return [c for c in codes if c not in found]
