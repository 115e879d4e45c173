"""Building the session reports' plain records from the database."""

from __future__ import annotations

from datetime import UTC, datetime

from council.models import Agency, Council, User
from petitions.models import Cycle, CycleEntry, Hop, Petition, VoterMeeting
from petitions.report_records import ReportInput, ReportPetition
from petitions.services.cycles import cycle_label

EXCLUDED = ("merged", "rejected", "diverted")


async def report_input(cycle: Cycle, council: Council) -> ReportInput:
    """The records of a cycle's reports: its petitions (weights include merged ones and
    supporters), meetings and attendees. Never personal data."""
    entries = await CycleEntry.filter(cycle_id=cycle.id).values_list("petition_id", "carried_over")
    carried = {pid for pid, c in entries if c}
    petitions = (
        await Petition.filter(id__in=[pid for pid, _ in entries])
        .exclude(status__in=EXCLUDED)
        .order_by("id")
    )
    councils = {c.id: c for c in await Council.all()}
    agencies = {a.id: a for a in await Agency.all()}
    items = []
    for p in petitions:
        answer_hop = (
            await Hop.filter(petition_id=p.id, stage="answer", ended_at__isnull=False)
            .order_by("-id")
            .first()
        )
        on_time = None
        if answer_hop is not None and answer_hop.ended_at is not None:
            on_time = answer_hop.ended_at <= answer_hop.due_at
        items.append(
            ReportPetition(
                code=p.code,
                title=p.title,
                body=p.body,
                category=p.category,
                commune=councils[p.council_id].name,
                channel=p.channel,
                status=p.status,
                weight=p.weight,
                agency=agencies[p.agency_id].name if p.agency_id else None,
                central_body=p.central_body,
                answer=p.answer,
                answered_at=p.answered_at,
                on_time=on_time,
                resolution=p.resolution,
                roadmap_date=p.roadmap_date,
                carried_over=p.id in carried,
            )
        )
    meetings = await VoterMeeting.filter(cycle_id=cycle.id)
    next_number, next_phase = (
        (cycle.session_number, "after")
        if cycle.phase == "before"
        else (cycle.session_number + 1, "before")
    )
    next_cycle = Cycle(council_id=cycle.council_id, session_number=next_number, phase=next_phase)
    chair = (
        await User.filter(council_id=council.id, role="chair", is_active=True)
        .order_by("id")
        .first()
    )
    return ReportInput(
        council_name=council.name,
        cycle_label=cycle_label(cycle, "vi"),
        petitions=items,
        generated_at=datetime.now(UTC),
        meetings=len(meetings),
        attendees=sum(m.attendees for m in meetings),
        next_cycle_label=cycle_label(next_cycle, "vi"),
        chair_name=(chair.full_name or "") if chair else "",
    )
