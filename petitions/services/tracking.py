"""What the petitioner sees with code + token (petition.track), and their verdict (petition.feedback)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, NotFound
from council.i18n import N_
from council.models import Agency, Council, User
from council.ratelimit import Rate, limiter
from petitions import labels
from petitions.codes import token_matches
from petitions.models import Attachment, Notification, Petition, PetitionEvent
from petitions.services import notify
from petitions.services.merging import survivor_of
from petitions.services.scope import get_by_code
from petitions.workflow import STAFF_ONLY_EVENTS, is_overdue

TRACK_RATE = Rate(30, 600)  # wrong tokens per IP: slows guessing down


@dataclass(frozen=True)
class LetterLine:
    """An official reply letter (PDF) of the published answer, offered to its petitioner."""

    id: int
    name: str
    size: int
    sha256: str


@dataclass
class HistoryLine:
    at: datetime
    action: str
    label: str
    status: str
    status_label: str
    note: str = ""


@dataclass
class TrackView:
    """The petitioner's view: no other person's data, no staff-only notes."""

    code: str
    title: str
    body: str | None
    category: str
    status: str
    status_label: str
    council: str
    handler: str
    agency: str | None
    central_body: str | None
    filed_at: datetime
    due_at: datetime | None
    overdue: bool
    weight: int
    history: list[HistoryLine] = field(default_factory=list)
    answer: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None
    resolution: str | None = None
    resolution_label: str | None = None
    roadmap_date: date | None = None
    satisfied: bool | None = None
    can_give_feedback: bool = False
    merged_into: str | None = None
    # A merged petition: the one it was finally merged into, as the public may see it.
    survivor: TrackView | None = None
    messages: list[notify.NoticeLine] = field(default_factory=list)
    # The reply letters of the published answer: the petitioner's own petition only, never a
    # survivor's (a letter is addressed to its petitioner and may name them).
    letters: list[LetterLine] = field(default_factory=list)


async def authenticate(code: str, token: str, ip: str) -> Petition:
    """The petition if ``token`` is its secret; a uniform 404 otherwise (no hint which was wrong)."""
    key = f"petition:track:{ip}"
    await limiter().check(key, TRACK_RATE)
    try:
        p = await get_by_code(code)
    except NotFound:
        p = None
    if p is None or not token_matches(token, p.token_hash):
        await limiter().add(key, TRACK_RATE)
        raise NotFound(N_("No petition matches this code and token."))
    return p


def answer_is_public(p: Petition) -> bool:
    return p.status in ("published", "closed") and p.published_at is not None and bool(p.answer)


async def track_view(p: Petition, *, smtp_configured: bool) -> TrackView:
    """Build the petitioner's view of ``p``. A merged petitioner also sees the surviving petition
    (:func:`public_view`) and rates its published answer. ``messages`` says what was really done
    with each notification (``smtp_configured``: whether this server sends e-mail at all)."""
    view = await _view(p, public=False)
    view.letters = [
        LetterLine(a.id, a.original_name, a.size, a.sha256) for a in await published_letters(p)
    ]
    if p.merged_into_id:
        survivor = await survivor_of(p)
        view.merged_into = (await Petition.get(id=p.merged_into_id)).code
        view.survivor = await _view(survivor, public=True)
        view.can_give_feedback = answer_is_public(survivor) and p.satisfied is None
    notes = (
        await Notification.filter(petition_id=p.id, recipient__in=("petitioner",))
        .order_by("-created_at")
        .limit(20)
    )
    view.messages = [notify.describe(n, smtp_configured=smtp_configured) for n in notes]
    return view


async def published_letters(p: Petition) -> list[Attachment]:
    """The reply letters the secretariat published with ``p``'s answer as it stands: none before
    the publication, none attached after it (they wait for the next one), none published with an
    answer since reopened (a letter goes with the publication it was published in)."""
    if not answer_is_public(p):
        return []
    return await Attachment.filter(
        petition_id=p.id, kind="reply", published_at__gte=p.published_at
    ).order_by("id")


async def reply_letter(p: Petition, letter_id: int) -> Attachment:
    """petition.track_letter: a reply letter of ``p``'s answer, for its petitioner (``p`` comes
    from :func:`authenticate`). Only a letter the secretariat published with the answer, as the
    answer itself (:func:`published_letters`): before its review a letter is not the council's
    final word. Never a photo the petitioner sent nor an assisted filing's consent, never a
    survivor's letter, never a removed one; anything else is the uniform 404."""
    a = next((x for x in await published_letters(p) if x.id == letter_id), None)
    if a is None:
        raise NotFound(N_("No reply letter here."))
    return a


async def _view(p: Petition, *, public: bool) -> TrackView:
    """``p`` as its petitioner sees it, or (``public``) as anyone may: no notes written to its
    petitioner, no verdict of theirs, the text only once the answer is published."""
    council = await Council.get(id=p.council_id)
    handler = council if p.handler_id == p.council_id else await Council.get(id=p.handler_id)
    agency = await Agency.get_or_none(id=p.agency_id) if p.agency_id else None
    events = await PetitionEvent.filter(petition_id=p.id).order_by("created_at", "id")
    events = [e for e in events if e.action not in STAFF_ONLY_EVENTS]
    if public:
        events = [e for e in events if e.action != "feedback"]
    shown = answer_is_public(p)
    return TrackView(
        code=p.code,
        title=p.title,
        body=p.body if shown or not public else None,
        category=p.category,
        status=p.status,
        status_label=labels.text(labels.STATUS, p.status),
        council=council.name,
        handler=handler.name,
        agency=agency.name if agency else None,
        central_body=p.central_body,
        filed_at=p.created_at,
        due_at=p.due_at,
        overdue=is_overdue(p.due_at, None, datetime.now(UTC)),
        weight=p.weight,
        history=[
            HistoryLine(
                at=e.created_at,
                action=e.action,
                label=labels.text(labels.ACTION, e.action),
                status=e.to_status,
                status_label=labels.text(labels.STATUS, e.to_status),
                note="" if public else e.public_note,
            )
            for e in events
        ],
        answer=p.answer if shown else None,
        answered_by=p.answered_by if shown else None,
        answered_at=p.answered_at if shown else None,
        resolution=p.resolution if shown else None,
        resolution_label=labels.text(labels.RESOLUTION, p.resolution) if shown else None,
        roadmap_date=p.roadmap_date if shown else None,
        satisfied=None if public else p.satisfied,
        can_give_feedback=shown and p.satisfied is None and not public,
    )


async def give_feedback(
    p: Petition, satisfied: bool, comment: str | None, *, base_url: str = ""
) -> Petition:
    """petition.feedback: satisfied or not with the published answer (once per answer). A merged
    petitioner rates the surviving petition's answer; the verdict is kept on their own petition."""
    rated = await survivor_of(p)
    if not answer_is_public(rated):
        raise Conflict("no_answer", N_("There is no published answer to give feedback on yet."))
    if p.satisfied is not None:
        raise Conflict("feedback_given", N_("Feedback on this answer was already given."))
    details: dict[str, object] = {"satisfied": satisfied}
    if rated.id != p.id:
        details["answer_of"] = rated.code
    async with in_transaction():
        p.satisfied = satisfied
        p.feedback = comment  # type: ignore[assignment]
        p.feedback_at = datetime.now(UTC)
        await p.save(update_fields=["satisfied", "feedback", "feedback_at", "updated_at"])
        await PetitionEvent.create(
            petition_id=p.id,
            action="feedback",
            from_status=p.status,
            to_status=p.status,
            public_note=str(N_("Satisfied") if satisfied else N_("Not satisfied")),
            internal_note=comment or "",
            details=details,
        )
        await audit.record(
            "petition.feedback",
            target_type="petition",
            target_id=p.code,
            council_id=rated.handler_id,
            details=details,
        )
        owners = {
            u.id
            for u in await User.filter(
                council_id=rated.handler_id, role="secretariat", is_active=True
            )
        }
        await notify.record_change(p, "feedback", actor=None, owners=owners, base_url=base_url)
    return p
