"""Hops: each step's owner and deadline, from the owner council's working-day calendar."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from council.calendar import CalendarConfig, WorkingCalendar, due_at
from council.models import Agency, Council
from petitions.models import Extension, Hop, Petition, PetitionSettings
from petitions.workflow import Stage, Status, sla_from_dict, stage_for


@lru_cache(maxsize=256)
def _calendar(config_json: str) -> WorkingCalendar:
    return WorkingCalendar(CalendarConfig.from_dict(json.loads(config_json)))


async def council_rules(council_id: int) -> tuple[WorkingCalendar, dict[Stage, int]]:
    """The council's calendar and per-stage working days (defaults when not configured)."""
    settings = await PetitionSettings.get_or_none(council_id=council_id)
    calendar_cfg = settings.calendar if settings else {}
    sla = sla_from_dict(settings.sla if settings else None)
    return _calendar(json.dumps(calendar_cfg, sort_keys=True)), sla


async def council_calendar(council_id: int) -> WorkingCalendar:
    """The council's working-day calendar as its petitions' settings configure it: the core's
    ``council.calendar.council_calendar`` for every package (registered in petitions/hooks.py)."""
    calendar, _sla = await council_rules(council_id)
    return calendar


async def open_hop(p: Petition, now: datetime) -> Hop | None:
    """Start the hop ``p``'s status waits on, set its due date and mirror it on the petition."""
    stage = stage_for(Status(p.status), p.level)
    if stage is None:
        p.due_at = None
        return None
    owner_council_id: int | None = p.handler_id
    owner_agency_id: int | None = None
    label = ""
    if stage == Stage.ANSWER and p.agency_id:
        agency = await Agency.get(id=p.agency_id)
        owner_agency_id, owner_council_id, label = agency.id, None, agency.name
        calendar_council = agency.council_id  # type: ignore[attr-defined]
    else:
        council = await Council.get(id=p.handler_id)
        label = council.name
        if stage == Stage.CENTRAL and p.central_body:
            label = p.central_body
        calendar_council = council.id
    calendar, sla = await council_rules(calendar_council)
    due = due_at(now, sla[stage], calendar)
    hop = await Hop.create(
        petition_id=p.id,
        stage=stage.value,
        owner_council_id=owner_council_id,
        owner_agency_id=owner_agency_id,
        owner_label=label,
        started_at=now,
        due_at=due,
    )
    p.due_at = due
    return hop


async def current_hop(p: Petition) -> Hop | None:
    return await Hop.filter(petition_id=p.id, ended_at__isnull=True).order_by("-id").first()


async def close_hop(p: Petition, now: datetime, action: str) -> Hop | None:
    """End the open hop (if any) with the action that ended it; an extension still awaiting a
    decision lapses with it."""
    hop = await current_hop(p)
    if hop is not None:
        hop.ended_at = now
        hop.ended_by = action
        await hop.save(update_fields=["ended_at", "ended_by"])
        await Extension.filter(hop_id=hop.id, state="pending").update(state="lapsed")
    return hop
