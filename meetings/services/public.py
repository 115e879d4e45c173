"""What the public sees of a session: agenda, public documents and results; never a secret choice."""

from __future__ import annotations

from typing import Any

from council.errors import NotFound
from council.i18n import N_
from council.models import Council
from meetings.models import Document, Poll, Session
from meetings.services.common import iso, item_dict, session_dict
from meetings.services.minutes_flow import public_minutes
from meetings.services.sessions import items_of
from meetings.services.voting import poll_dict


async def public_sessions(limit: int = 50) -> list[Session]:
    return list(await Session.exclude(status="draft").order_by("-starts_at").limit(limit))


async def public_session(session_id: int) -> dict[str, Any]:
    """A published session for anyone: drafts do not exist for the public."""
    session = await Session.get_or_none(id=session_id)
    if session is None or session.status == "draft":
        raise NotFound(N_("This session does not exist."))
    council = await Council.get(id=session.council_id)
    if session.closed_sitting:
        # A closed sitting (họp kín): the public learns that it sat, not its agenda, papers or
        # votes (named votes would say who voted what); its resolutions are published apart.
        return {
            "session": session_dict(session, council),
            "items": [],
            "documents": [],
            "polls": [],
            "minutes": None,
        }
    polls = await Poll.filter(session_id=session.id, status__in=["open", "closed"]).order_by("id")
    docs = await Document.filter(session_id=session.id, confidentiality="public").order_by("id")
    minutes = await public_minutes(session)
    return {
        "session": session_dict(session, council),
        "items": [item_dict(i) for i in await items_of(session.id)],
        "documents": [{"id": d.id, "title": d.title, "item_id": d.item_id} for d in docs],
        # poll_dict only lists who voted what for named polls; secret polls carry counts only.
        "polls": [await poll_dict(p) for p in polls],
        # the published signed minutes of an open sitting; a closed sitting's (họp kín) stay internal
        "minutes": None
        if minutes is None
        else {
            "version": minutes.number,
            "published_at": iso(minutes.published_at),
            "url": f"/public/sessions/{session.id}/minutes.pdf",
        },
    }
