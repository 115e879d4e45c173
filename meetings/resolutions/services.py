"""Issuing resolutions: the number in the council's series, the text from the draft, the vote
line; editing before signing; publishing; the staff's and the public's lists (``resolution.*``).
Signing lives in ``meetings.resolutions.signing``."""

from __future__ import annotations

import hashlib
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.localtime import local_date
from council.models import Council, User
from council.officialdoc.wording import number_text
from council.search.text import fold
from council.signing.models import SigningSession
from meetings.models import AgendaItem, Document, DocumentPage, Notice, Poll, Session
from meetings.resolutions.document import SYMBOL, title_from_item, vote_line
from meetings.resolutions.models import Resolution, ResolutionSeries
from meetings.services.common import is_staff_of, now
from meetings.voting.tally import MotionResult, result_from_dict

MAX_TEXT = 100_000
MAX_TITLE = 300
PUBLIC_PAGE = 50
SIGN_NOTICE = "resolution.sign"  # a Notice's kind (meetings.services.notices words it)


def number_label(resolution: Resolution) -> str:
    """ "12/NQ-HĐND" ("05/NQ-HĐND" below ten), as the number line prints it."""
    return f"{number_text(resolution.number)}/{resolution.symbol}"


def _search_text(resolution: Resolution) -> str:
    label = f"{number_label(resolution)} {resolution.number}/{resolution.symbol}"
    return fold(f"{label} {resolution.title} {resolution.text}")


async def get_resolution(resolution_id: int) -> Resolution:
    found = await Resolution.get_or_none(id=resolution_id)
    if found is None:
        raise NotFound(N_("This resolution does not exist."))
    return found


def _staff_only(user: User, council_id: int) -> None:
    if not is_staff_of(user, council_id):
        raise Forbidden(N_("This resolution belongs to another council."))


async def passed_motion(item: AgendaItem) -> tuple[Poll, MotionResult]:
    """The item's last closed motion: it must have passed."""
    poll = (
        await Poll.filter(item_id=item.id, kind="motion", status="closed")
        .order_by("-closed_at", "-id")
        .first()
    )
    if poll is None or not poll.result:
        raise Conflict(
            "resolution_not_voted", N_("The council has not voted on this draft resolution yet.")
        )
    result = result_from_dict(poll.result)
    if not isinstance(result, MotionResult) or not result.passed:
        raise Conflict(
            "resolution_not_passed", N_("The vote on this draft resolution did not pass.")
        )
    return poll, result


async def draft_text(item: AgendaItem) -> str:
    """The text of the item's draft document: its first public one, else its first internal one
    (never a confidential one); the secretariat edits it before the chair signs."""
    documents = Document.filter(item_id=item.id).exclude(confidentiality="confidential")
    document = await documents.filter(confidentiality="public").order_by("id").first()
    if document is None:
        document = await documents.order_by("id").first()
    if document is None:
        return ""
    pages = await DocumentPage.filter(
        version__document_id=document.id, version__number=document.current_version
    ).order_by("number")
    return "\n".join(p.text.strip() for p in pages if p.text.strip())[:MAX_TEXT]


async def _ensure_series(council_id: int, year: int) -> None:
    """The council's series for the year exists (a concurrent first issue may have made it)."""
    if await ResolutionSeries.exists(council_id=council_id, year=year):
        return
    try:
        await ResolutionSeries.create(council_id=council_id, year=year)
    except IntegrityError:
        pass


async def next_number(council_id: int, year: int) -> int:
    """Inside the issuing transaction: the series' next number. The row stays locked until the
    commit (PostgreSQL) or the database is (SQLite); a number is never given twice, even when
    the transaction that took it rolls back its resolution and a later one takes the next."""
    await ResolutionSeries.filter(council_id=council_id, year=year).update(
        last_number=F("last_number") + 1
    )
    series = await ResolutionSeries.get(council_id=council_id, year=year)
    return series.last_number


async def resolution_issue(user: User, item_id: int, title: str | None = None) -> Resolution:
    """resolution.issue: the secretariat issues the resolution of a passed draft-resolution item."""
    item = await AgendaItem.get_or_none(id=item_id)
    if item is None:
        raise NotFound(N_("This agenda item does not exist."))
    session = await Session.get(id=item.session_id)
    _staff_only(user, session.council_id)
    if item.kind != "draft_resolution":
        raise Conflict(
            "not_a_draft_resolution", N_("Only a draft-resolution item becomes a resolution.")
        )
    if await Resolution.exists(item_id=item.id):
        raise Conflict(
            "resolution_already_issued", N_("This draft resolution has already been issued.")
        )
    poll, result = await passed_motion(item)
    text = await draft_text(item)
    title = (title or "").strip() or title_from_item(item.title)
    at = now()
    year = local_date(at).year
    await _ensure_series(session.council_id, year)
    try:
        async with in_transaction():
            number = await next_number(session.council_id, year)
            resolution = Resolution(
                council_id=session.council_id,
                session_id=session.id,
                item_id=item.id,
                poll_id=poll.id,
                year=year,
                number=number,
                symbol=SYMBOL,
                title=title[:MAX_TITLE],
                text=text,
                vote_line=vote_line(result),
                passed_at=poll.closed_at or at,
                issued_at=at,
                issued_by_id=user.id,
            )
            resolution.search_text = _search_text(resolution)
            await resolution.save()
            await audit.record(
                "resolution.issue",
                actor=user,
                target_type="resolution",
                target_id=resolution.id,
                council_id=resolution.council_id,
                details={"number": number, "year": year, "item_id": item.id, "poll_id": poll.id},
            )
            await _tell_chairs(resolution)
    except IntegrityError:
        # the same item issued at the same moment by someone else (its number stays unused)
        raise Conflict(
            "resolution_already_issued", N_("This draft resolution has already been issued.")
        ) from None
    return resolution


async def _tell_chairs(resolution: Resolution) -> None:
    """In the issuing transaction: each chair of the council has a notice that a resolution
    awaits their signature (their notices list and dashboard show it)."""
    at = now()
    chairs = await User.filter(council_id=resolution.council_id, role="chair", is_active=True)
    await Notice.bulk_create(
        [
            Notice(
                user_id=chair.id,
                session_id=resolution.session_id,
                kind=SIGN_NOTICE,
                email=chair.email or None,
                created_at=at,
                updated_at=at,
            )
            for chair in chairs
        ]
    )


def fingerprint(resolution: Resolution) -> str:
    """What the chair's signature covers of the row: a signed PDF must show the row's words."""
    parts = (resolution.title, resolution.text, resolution.vote_line, str(resolution.number))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


async def resolution_update(
    user: User, resolution_id: int, title: str | None = None, text: str | None = None
) -> Resolution:
    """resolution.update: the title and text may change until the chair signs."""
    resolution = await get_resolution(resolution_id)
    _staff_only(user, resolution.council_id)
    if title is not None and not title.strip():
        raise Invalid(fields={"title": str(N_("The resolution needs a title."))})
    async with in_transaction():
        resolution = await Resolution.select_for_update().get(id=resolution.id)
        if resolution.status != "draft":
            raise Conflict(
                "resolution_signed", N_("A signed resolution cannot be changed any more.")
            )
        if await SigningSession.filter(
            target_type="resolution",
            target_id=resolution.id,
            completed_at=None,
            expires_at__gt=now(),
        ).exists():
            raise Conflict(
                "resolution_being_signed",
                N_("The chair is signing this resolution; it cannot be changed meanwhile."),
            )
        changed = []
        if title is not None and title.strip() != resolution.title:
            resolution.title = title.strip()[:MAX_TITLE]
            changed.append("title")
        if text is not None and text != resolution.text:
            resolution.text = text[:MAX_TEXT]
            changed.append("text")
        if changed:
            resolution.search_text = _search_text(resolution)
            await resolution.save(update_fields=[*changed, "search_text"])
            await audit.record(
                "resolution.update",
                actor=user,
                target_type="resolution",
                target_id=resolution.id,
                council_id=resolution.council_id,
                details={"changed": changed},
            )
    return resolution


async def resolution_publish(user: User, resolution_id: int) -> Resolution:
    """resolution.publish: a signed resolution goes on the public portal."""
    resolution = await get_resolution(resolution_id)
    _staff_only(user, resolution.council_id)
    async with in_transaction():
        resolution = await Resolution.select_for_update().get(id=resolution.id)
        if resolution.status == "published":
            raise Conflict("resolution_published", N_("This resolution is already published."))
        if resolution.status != "signed":
            raise Conflict(
                "resolution_unsigned", N_("The chair must sign the resolution before publishing.")
            )
        resolution.status = "published"
        resolution.published_at = now()
        resolution.published_by_id = user.id
        await resolution.save(update_fields=["status", "published_at", "published_by_id"])
        await audit.record(
            "resolution.publish",
            actor=user,
            target_type="resolution",
            target_id=resolution.id,
            council_id=resolution.council_id,
            details={"number": number_label(resolution), "year": resolution.year},
        )
    return resolution


async def resolution_for_staff(user: User, resolution_id: int) -> Resolution:
    """resolution.view: the council's staff read a resolution at any stage."""
    resolution = await get_resolution(resolution_id)
    _staff_only(user, resolution.council_id)
    return resolution


async def resolutions_of_session(user: User, session_id: int) -> dict[str, Any]:
    """resolution.list: a session's draft-resolution items and the resolutions issued from them."""
    session = await Session.get_or_none(id=session_id)
    if session is None:
        raise NotFound(N_("This session does not exist."))
    _staff_only(user, session.council_id)
    items = await AgendaItem.filter(session_id=session.id, kind="draft_resolution").order_by(
        "position"
    )
    issued = {r.item_id: r for r in await Resolution.filter(session_id=session.id)}
    rows = []
    for item in items:
        try:
            poll, result = await passed_motion(item)
            state, poll_id = "passed", poll.id
        except Conflict as exc:
            state, poll_id = exc.code, None
        rows.append(
            {"item": item, "state": state, "poll_id": poll_id, "resolution": issued.get(item.id)}
        )
    return {"session": session, "rows": rows}


# --- the public portal --------------------------------------------------------------------------


def _words(q: str) -> list[str]:
    return [w for w in fold(q).replace(",", " ").split() if w][:8]


async def public_resolutions(
    council_code: str | None, q: str = "", limit: int = PUBLIC_PAGE, offset: int = 0
) -> tuple[list[Resolution], int]:
    """resolution.public: published resolutions, newest first; ``q`` finds every word in the
    number, title or text whatever the accents ("ngan sach" finds "ngân sách")."""
    qs = Resolution.filter(status="published")
    if council_code:
        council = await Council.get_or_none(code=council_code)
        if council is None:
            raise NotFound(N_("This council does not exist."))
        qs = qs.filter(council_id=council.id)
    for word in _words(q):
        qs = qs.filter(search_text__contains=word)
    total = await qs.count()
    rows = await qs.order_by("-published_at", "-id").offset(offset).limit(limit)
    return list(rows), total


async def public_resolution(resolution_id: int) -> Resolution:
    resolution = await Resolution.get_or_none(id=resolution_id, status="published")
    if resolution is None:
        raise NotFound(N_("This resolution does not exist or is not published."))
    return resolution
