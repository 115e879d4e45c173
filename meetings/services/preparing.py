"""Editing what the secretariat prepared: session details, agenda items, and a new session copied
from an earlier one. Once published, every change is kept in the session's history and announced
to delegates (``notices``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Invalid, NotFound
from council.i18n import N_
from council.models import Council, User
from meetings.models import ITEM_KINDS, AgendaItem, Document, Poll, Session, SpeakerRequest
from meetings.services import notices
from meetings.services.common import get_session, require_state, staff_session
from meetings.services.sessions import (
    check_speaking_seconds,
    check_title,
    items_of,
    session_create,
)

UNSET: Any = object()  # a field left out of an update: it keeps its value


async def _item_and_session(user: User, item_id: int) -> tuple[AgendaItem, Session]:
    item = await AgendaItem.get_or_none(id=item_id)
    if item is None:
        raise NotFound(N_("This agenda item does not exist."))
    return item, await staff_session(user, item.session_id)


async def item_update(
    user: User,
    item_id: int,
    *,
    title: str | None = None,
    kind: str | None = None,
    description: str | None = None,
    speaking_seconds: int | None = UNSET,
) -> AgendaItem:
    """item.update: change an item's title, kind, description or speaking time (``None``: the
    session's)."""
    item, session = await _item_and_session(user, item_id)
    require_state(session, "draft", "published", "in_progress")
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = check_title(title)
    if kind is not None:
        if kind not in ITEM_KINDS:
            raise Invalid(fields={"kind": str(N_("This value is not one of the allowed choices."))})
        changes["kind"] = kind
    if description is not None:
        if len(description) > 20_000:
            raise Invalid(fields={"description": str(N_("This is too long."))})
        changes["description"] = description.strip()
    if speaking_seconds is not UNSET:
        changes["speaking_seconds"] = check_speaking_seconds(speaking_seconds)
    if not changes:
        return item
    async with in_transaction():
        await AgendaItem.filter(id=item.id).update(**changes)
        await audit.record(
            "item.update",
            actor=user,
            target_type="agenda_item",
            target_id=item.id,
            council_id=session.council_id,
            details={"session_id": session.id, **changes},
        )
        change = await notices.record_change(
            session,
            user,
            "item.update",
            {
                "item_id": item.id,
                "title": changes.get("title", item.title),
                "fields": list(changes),
            },
        )
    await notices.announce(change)
    return await AgendaItem.get(id=item.id)


async def item_delete(user: User, item_id: int) -> Session:
    """item.delete: the item leaves the agenda, which is numbered again; its documents stay, for
    the whole session. Refused for the current item and for an item with votes or speakers."""
    item, session = await _item_and_session(user, item_id)
    require_state(session, "draft", "published", "in_progress")
    if session.current_item_id == item.id:
        raise Conflict(
            "item_in_use", N_("The sitting is on this item: move to another one first."), status=409
        )
    if await Poll.exists(item_id=item.id) or await SpeakerRequest.exists(
        item_id=item.id, status__in=["speaking", "done"]
    ):
        raise Conflict(
            "item_in_use",
            N_("This item has votes or speeches on record: it cannot be removed."),
            status=409,
        )
    async with in_transaction():
        moved = await Document.filter(item_id=item.id).update(item_id=None)
        await SpeakerRequest.filter(item_id=item.id).update(item_id=None)
        await AgendaItem.filter(id=item.id).delete()
        for number, other in enumerate(await items_of(session.id), start=1):
            if other.position != number:
                await AgendaItem.filter(id=other.id).update(position=number)
        await audit.record(
            "item.delete",
            actor=user,
            target_type="agenda_item",
            target_id=item.id,
            council_id=session.council_id,
            details={"session_id": session.id, "title": item.title, "documents_moved": moved},
        )
        change = await notices.record_change(
            session, user, "item.delete", {"item_id": item.id, "title": item.title}
        )
    await notices.announce(change)
    return session


async def session_update(
    user: User,
    session_id: int,
    *,
    title: str | None = None,
    starts_at: datetime | None = None,
    location: str | None = None,
    speaking_seconds: int | None = None,
) -> Session:
    """session.update: title, start, place and the default speaking time. The start is fixed once
    the sitting has begun; nothing changes once it is closed."""
    session = await staff_session(user, session_id)
    require_state(session, "draft", "published", "in_progress")
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = check_title(title)
    if location is not None:
        if len(location) > 200:
            raise Invalid(fields={"location": str(N_("This is too long."))})
        changes["location"] = location.strip()
    if starts_at is not None:
        if session.status == "in_progress":
            raise Invalid(fields={"starts_at": str(N_("The sitting has already started."))})
        if starts_at.tzinfo is None:
            raise Invalid(fields={"starts_at": str(N_("Give the time zone."))})
        changes["starts_at"] = starts_at
    if speaking_seconds is not None:
        changes["speaking_seconds"] = check_speaking_seconds(speaking_seconds)
    if not changes:
        return session
    async with in_transaction():
        await Session.filter(id=session.id).update(**changes)
        await audit.record(
            "session.update",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={k: str(v) for k, v in changes.items()},
        )
        change = await notices.record_change(
            session,
            user,
            "session.update",
            {"title": changes.get("title", session.title), "fields": list(changes)},
        )
    await notices.announce(change)
    return await get_session(session.id)


async def session_copy(
    user: User, source_id: int, *, title: str, starts_at: datetime, location: str | None = None
) -> Session:
    """session.copy: a new draft of the same council with the agenda of an earlier session
    (titles, kinds, descriptions, speaking times), without its documents or votes."""
    source = await staff_session(user, source_id)
    items = await items_of(source.id)

    council = await Council.get(id=source.council_id)
    async with in_transaction():
        session = await session_create(
            user,
            council_code=council.code,
            title=title,
            starts_at=starts_at,
            location=source.location if location is None else location,
        )
        await Session.filter(id=session.id).update(
            copied_from_id=source.id, speaking_seconds=source.speaking_seconds
        )
        await AgendaItem.bulk_create(
            [
                AgendaItem(
                    session_id=session.id,
                    position=i.position,
                    title=i.title,
                    kind=i.kind,
                    description=i.description,
                    speaking_seconds=i.speaking_seconds,
                )
                for i in items
            ]
        )
        await audit.record(
            "session.copy",
            actor=user,
            target_type="session",
            target_id=session.id,
            council_id=session.council_id,
            details={"from": source.id, "items": len(items)},
        )
    return await get_session(session.id)
