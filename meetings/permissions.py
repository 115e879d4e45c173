"""Who may act on meetings: the role groups and the scope resolvers (the target's council) that
``meetings.operations`` declares each operation with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from council import terms
from council.errors import NotFound
from council.i18n import N_, LazyString
from council.models import Council
from council.permissions import Scope
from meetings.models import (
    AgendaItem,
    Document,
    HallDisplay,
    HandVote,
    Poll,
    Session,
    SpeakerRequest,
)
from meetings.resolutions.models import Resolution
from meetings.services.poll_facts import poll_facts

STAFF = ("admin", "secretariat", "chair")
SECRETARIAT = ("admin", "secretariat")
SEATS = ("delegate", "chair")
MEMBERS = ("admin", "secretariat", "chair", "delegate")
# A hall screen's account: named by the permissions that only show a sitting, and no other.
WATCHERS = (*MEMBERS, "display")


def _int(params: Mapping[str, Any], key: str) -> int | None:
    value = params.get(key)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


async def session_scope(params: Mapping[str, Any]) -> Scope:
    sid = _int(params, "session_id") or _int(params, "id")
    rows = await Session.filter(id=sid or 0).values_list("council_id", "starts_at")
    return _dated(rows, N_("This session does not exist."))


async def poll_scope(params: Mapping[str, Any]) -> Scope:
    pid = _int(params, "poll_id")
    rows = await Poll.filter(id=pid or 0).values_list("session__council_id", "session__starts_at")
    return _dated(rows, N_("This poll does not exist."))


async def cached_poll_scope(params: Mapping[str, Any]) -> Scope:
    """As ``poll_scope``, from the cached facts of the poll (a poll never changes council): no
    query for a poll this process knows (a burst of hundreds of casts must not read the poll once
    per cast); NotFound, with the same message, for one that does not exist."""
    facts = await poll_facts(int(params.get("poll_id") or 0))
    return Scope.council(facts.council_id)


async def item_scope(params: Mapping[str, Any]) -> Scope:
    iid = _int(params, "item_id")
    rows = await AgendaItem.filter(id=iid or 0).values_list(
        "session__council_id", "session__starts_at"
    )
    return _dated(rows, N_("This agenda item does not exist."))


async def document_scope(params: Mapping[str, Any]) -> Scope:
    did = _int(params, "document_id")
    rows = await Document.filter(id=did or 0).values_list(
        "session__council_id", "session__starts_at"
    )
    return _dated(rows, N_("This document does not exist."))


async def speaker_scope(params: Mapping[str, Any]) -> Scope:
    rid = _int(params, "request_id")
    rows = await SpeakerRequest.filter(id=rid or 0).values_list(
        "session__council_id", "session__starts_at"
    )
    return _dated(rows, N_("This request to speak does not exist."))


async def hand_vote_scope(params: Mapping[str, Any]) -> Scope:
    hid = _int(params, "hand_vote_id")
    rows = await HandVote.filter(id=hid or 0).values_list(
        "poll__session__council_id", "poll__session__starts_at"
    )
    return _dated(rows, N_("This vote by hand does not exist."))


async def display_scope(params: Mapping[str, Any]) -> Scope:
    did = _int(params, "display_id")
    rows = await HallDisplay.filter(id=did or 0).values_list("council_id", flat=True)
    return _council(rows, N_("This hall display does not exist."))


async def resolution_scope(params: Mapping[str, Any]) -> Scope:
    rid = _int(params, "resolution_id")
    rows = await Resolution.filter(id=rid or 0).values_list("council_id", "session__starts_at")
    return _dated(rows, N_("This resolution does not exist."))


async def council_code_scope(params: Mapping[str, Any]) -> Scope:
    rows = await Council.filter(code=str(params.get("council_code", ""))).values_list(
        "id", flat=True
    )
    return _council(rows, N_("No council has this code."))


def _dated(rows: Any, missing: LazyString) -> Scope:
    """A sitting's record: its council's scope, dated by the sitting's start so that a write to a
    closed term's sitting is refused (``council.terms``)."""
    if not rows:
        raise NotFound(missing)
    council_id, starts_at = rows[0]
    return Scope.council(council_id, on=starts_at)


def _council(rows: Any, missing: LazyString) -> Scope:
    """The scope of the council the target belongs to; NotFound when there is no target, so that
    every role hears what an admin hears (the admin skips the resolver and meets the service's)."""
    if not rows:
        raise NotFound(missing)
    return Scope.council(*cast(list[int], rows))


# Writes that change no record of the sitting they name, allowed on a closed term's sittings
# (council.terms): a new draft copied from an old agenda, a reader's own notes and notices read.
terms.allow_on_closed_term("session.copy", "note.save", "notice.read")
