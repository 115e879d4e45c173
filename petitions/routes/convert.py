"""Turning domain objects into the API's response models."""

from __future__ import annotations

from datetime import UTC, datetime

from council.models import Agency, Council
from petitions.models import Extension, Petition
from petitions.schemas import (
    ExtensionOut,
    HistoryOut,
    HopOut,
    LetterOut,
    NoticeOut,
    PersonalOut,
    PetitionListItemOut,
    PetitionStateOut,
    PublicPetitionOut,
    SurvivorOut,
    TrackOut,
)
from petitions.services.queries import ListItem, StaffView
from petitions.services.tracking import TrackView, answer_is_public


def list_item(i: ListItem) -> PetitionListItemOut:
    return PetitionListItemOut(
        code=i.code,
        title=i.title,
        status=i.status,
        council_code=i.council_code,
        due_at=i.due_at,
        highlight=i.highlight,
        category=i.category,
        channel=i.channel,
        handler_code=i.handler_code,
        agency_code=i.agency_code,
        overdue=i.overdue,
        weight=i.weight,
        created_at=i.created_at,
    )


def _history(v: TrackView) -> list[HistoryOut]:
    return [
        HistoryOut(at=h.at, action=h.action, label=h.label, status=h.status, note=h.note)
        for h in v.history
    ]


def survivor(v: TrackView) -> SurvivorOut:
    """What anyone following a petition sees of it (``SurvivorOut``'s fields)."""
    return SurvivorOut(
        **{name: getattr(v, name) for name in SurvivorOut.model_fields if name != "history"},
        history=_history(v),
    )


def track(v: TrackView) -> TrackOut:
    return TrackOut(
        **{**survivor(v).model_dump(), "body": v.body or ""},
        satisfied=v.satisfied,
        merged_into=v.merged_into,
        survivor=survivor(v.survivor) if v.survivor else None,
        can_give_feedback=v.can_give_feedback,
        notifications=[
            NoticeOut(at=n.at, subject=n.subject, to=n.to, state=n.state, outcome=n.outcome)
            for n in v.messages
        ],
        letters=[LetterOut(id=a.id, name=a.name, size=a.size, sha256=a.sha256) for a in v.letters],
    )


def state(v: StaffView) -> PetitionStateOut:
    p, i = v.petition, v.item
    return PetitionStateOut(
        code=p.code,
        title=p.title,
        body=p.body,
        status=p.status,
        level=p.level,
        council_code=i.council_code,
        handler_code=i.handler_code,
        agency_code=i.agency_code,
        central_body=p.central_body,
        category=p.category,
        channel=p.channel,
        due_at=p.due_at,
        overdue=i.overdue,
        weight=p.weight,
        answer=p.answer,
        resolution=p.resolution,
        roadmap_date=p.roadmap_date,
        satisfied=p.satisfied,
        merged_into=v.merged_into,
        personal=PersonalOut(**v.personal) if v.personal is not None else None,
        hops=[
            HopOut(
                stage=h.stage,
                owner=h.owner,
                started_at=h.started_at,
                due_at=h.due_at,
                ended_at=h.ended_at,
                overdue=h.overdue,
                on_time=h.on_time,
                original_due_at=h.original_due_at,
            )
            for h in v.hops
        ],
        extensions=[extension(e) for e in v.extensions],
        letters=[
            LetterOut(
                id=a.id,
                name=a.original_name,
                size=a.size,
                sha256=a.sha256,
                published_at=a.published_at,
            )
            for a in v.attachments
            if a.kind == "reply"
        ],
    )


def extension(e: Extension) -> ExtensionOut:
    return ExtensionOut(
        id=e.id,
        state=e.state,
        reason=e.reason,
        due_from=e.due_from,
        due_to=e.due_to,
        requested_by=e.requested_by_label,
        decided_by=e.decided_by_label,
        decision_note=e.decision_note,
        created_at=e.created_at,
        decided_at=e.decided_at,
    )


async def public(p: Petition, highlight: str | None = None) -> PublicPetitionOut:
    """A published petition for anyone: never the petitioner's name, phone, e-mail or address."""
    council = await Council.get(id=p.council_id)
    agency = await Agency.get_or_none(id=p.agency_id) if p.agency_id else None
    shown = answer_is_public(p)
    return PublicPetitionOut(
        code=p.code,
        title=p.title,
        body=p.body,
        category=p.category,
        council_code=council.code,
        council_name=council.name,
        agency=agency.name if agency else None,
        status=p.status,
        answer=p.answer if shown else None,
        answered_by=p.answered_by if shown else None,
        published_at=p.published_at,
        resolution=p.resolution if shown else None,
        roadmap_date=p.roadmap_date if shown else None,
        weight=p.weight,
        highlight=highlight,
    )


def now() -> datetime:
    return datetime.now(UTC)
