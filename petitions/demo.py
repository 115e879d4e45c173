"""Demo data: about 300 varied petitions across the demo communes, in every state, some overdue.

Histories are built step by step with real deadlines from each council's working-day calendar,
backdated over the last five months, so dashboards, on-time tables, traffic lights and reports
show realistic figures. Safe to run twice: it does nothing when the demo petitions exist.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from council.calendar import due_at
from council.models import Agency, Council
from council.settings import Settings
from petitions import indexing
from petitions.codes import hash_token, new_token, new_tracking_code
from petitions.demo_text import make
from petitions.models import CycleEntry, Hop, Petition, PetitionEvent, VoterMeeting
from petitions.services.cycles import current_cycle
from petitions.services.routing import council_rules
from petitions.workflow import Stage

COUNT = 300
COMMUNES = ("HN-BADINH", "HN-HOANKIEM", "HN-SOCSON")
CITY = "HN"
# Target states and their shares.
STATES = (
    ("received", 10),
    ("accepted", 6),
    ("escalated", 10),
    ("assigned", 24),
    ("answered", 10),
    ("published", 20),
    ("closed", 10),
    ("rejected", 4),
    ("merged", 3),
    ("diverted", 3),
)
OPEN = ("received", "accepted", "escalated", "assigned", "answered")
LOCAL_FIELDS = {"administration", "social", "agriculture", "urban", "culture"}


async def load(settings: Settings) -> list[tuple[str, str, str]]:
    """Load the demo petitions (no new logins: staff come from the core demo)."""
    councils = {c.code: c for c in await Council.filter(code__in=(*COMMUNES, CITY))}
    if len(councils) < len(COMMUNES) + 1:
        return []
    if (
        await Petition.filter(council_id__in=[c.id for c in councils.values()]).count()
        >= COUNT // 2
    ):
        return []
    indexing.use_data_dir(settings.index_dir)
    rng = random.Random(2026)
    agencies = await Agency.filter(is_active=True).order_by("code")
    now = datetime.now(UTC)
    meetings = await _meetings(councils, rng, now)
    weights = [w for _, w in STATES]
    made: list[Petition] = []
    for i in range(COUNT):
        commune = councils[COMMUNES[i % len(COMMUNES)]]
        target = rng.choices([s for s, _ in STATES], weights)[0]
        async with in_transaction():
            made.append(
                await _one(rng, commune, councils[CITY], agencies, target, now, meetings, made)
            )
    return []


async def _meetings(
    councils: dict[str, Council], rng: random.Random, now: datetime
) -> dict[int, VoterMeeting]:
    out = {}
    places = ("Nhà văn hóa tổ dân phố số 5", "Hội trường UBND phường", "Nhà văn hóa thôn Đông")
    for code, place in zip(COMMUNES, places, strict=True):
        c = councils[code]
        cycle = await current_cycle(c.id)
        out[c.id] = await VoterMeeting.create(
            council_id=c.id,
            cycle_id=cycle.id,
            held_on=(now - timedelta(days=rng.randint(60, 120))).date(),
            place=place,
            delegates="Đại biểu Nguyễn Văn An, đại biểu Trần Thị Bình",
            attendees=rng.randint(80, 220),
        )
    return out


# Fields no demo agency covers go, misrouted, to this one: the demo's theft reports reach the
# Department of Construction, which returns them to the secretariat (issue 16: "returning it must
# work"; tests/petitions/test_petition_browser_staff.py walks it).
MISROUTED_TO = "SO-XD"


def _pick_agency(
    agencies: list[Agency], council_id: int, category: str, rng: random.Random
) -> Agency | None:
    own = [a for a in agencies if a.council_id == council_id]  # type: ignore[attr-defined]
    matching = [a for a in own if category in (a.categories or [])]
    if matching:
        return rng.choice(matching)
    misrouted = [a for a in own if a.code == MISROUTED_TO]
    return misrouted[0] if misrouted else (rng.choice(own) if own else None)


async def _one(
    rng: random.Random,
    commune: Council,
    city: Council,
    agencies: list[Agency],
    target: str,
    now: datetime,
    meetings: dict[int, VoterMeeting],
    made: list[Petition],
) -> Petition:
    text = make(rng)
    open_target = target in ("received", "accepted", "escalated", "assigned", "answered")
    days = rng.randint(2, 45) if open_target else rng.randint(20, 150)
    filed = now - timedelta(days=days, hours=rng.randint(0, 23))
    meeting = meetings[commune.id] if text.channel == "voter_meeting" else None
    cycle = await current_cycle(commune.id)
    p = await Petition.create(
        code=new_tracking_code(filed.year),
        token_hash=hash_token(new_token()),
        council_id=commune.id,
        handler_id=commune.id,
        level="commune",
        cycle_id=cycle.id,
        meeting_id=meeting.id if meeting else None,
        status="received",
        category=text.category,
        channel=text.channel,
        title=text.title,
        body=text.body,
        name=text.name,
        phone=text.phone,
        email=text.email,
        address=text.address,
        weight=1 + (rng.random() < 0.2) * rng.randint(1, 12),
    )
    await CycleEntry.create(cycle_id=cycle.id, petition_id=p.id)
    clock = filed
    await _event(p, "file", None, "received", clock)
    stage: Stage | None = Stage.CLASSIFY
    owner: Council = commune
    owner_agency: Agency | None = None
    local = text.category in LOCAL_FIELDS or target == "accepted"

    async def step(action: str, to_status: str, next_stage: Stage | None) -> bool:
        """End the current hop (if any) and start the next; False when "now" comes first."""
        nonlocal clock, stage
        if stage is None:  # after publication nobody owes a step: a pause, then closing
            ended = clock + timedelta(days=rng.uniform(1, 15))
            if ended >= now:
                return False
        else:
            calendar_council = owner_agency.council_id if owner_agency else owner.id  # type: ignore[attr-defined]
            calendar, sla = await council_rules(calendar_council)
            due = due_at(clock, sla[stage], calendar)
            span = (due - clock).total_seconds()
            late = rng.random() < 0.15
            ended = clock + timedelta(
                seconds=span * (rng.uniform(1.05, 1.8) if late else rng.uniform(0.2, 0.95))
            )
            done = ended < now
            await Hop.create(
                petition_id=p.id,
                stage=stage.value,
                owner_council_id=None if owner_agency else owner.id,
                owner_agency_id=owner_agency.id if owner_agency else None,
                owner_label=owner_agency.name if owner_agency else owner.name,
                started_at=clock,
                due_at=due,
                ended_at=ended if done else None,
                ended_by=action if done else None,
            )
            if not done:
                p.due_at = due
                return False
        clock = ended
        await _event(p, action, p.status, to_status, clock)
        p.status = to_status
        stage = next_stage
        p.due_at = None
        return True

    async def open_hop() -> None:
        assert stage is not None
        calendar_council = owner_agency.council_id if owner_agency else owner.id  # type: ignore[attr-defined]
        calendar, sla = await council_rules(calendar_council)
        due = due_at(clock, sla[stage], calendar)
        await Hop.create(
            petition_id=p.id,
            stage=stage.value,
            owner_council_id=None if owner_agency else owner.id,
            owner_agency_id=owner_agency.id if owner_agency else None,
            owner_label=owner_agency.name if owner_agency else owner.name,
            started_at=clock,
            due_at=due,
        )
        p.due_at = due

    path = await _path(p, target, local, commune, city, agencies, rng, made)
    for action, to_status, next_stage, change in path:
        if p.status == target or not await step(action, to_status, next_stage):
            break
        for key, value in change.items():
            if key == "owner":
                owner = value
            elif key == "owner_agency":
                owner_agency = value
            else:
                setattr(p, key, value(clock) if callable(value) else value)
    if p.resolution == "roadmap":
        p.roadmap_date = (clock + timedelta(days=rng.randint(60, 240))).date()
    if stage is not None and p.due_at is None and p.status in OPEN:
        await open_hop()
    await p.save()
    await Petition.filter(id=p.id).update(created_at=filed)
    await indexing.petition_changed(p)
    return p


async def _path(
    p: Petition,
    target: str,
    local: bool,
    commune: Council,
    city: Council,
    agencies: list[Agency],
    rng: random.Random,
    made: list[Petition],
) -> list:
    """The actions leading to ``target``: (action, status, next stage, field changes)."""
    if target == "rejected":
        return [
            ("reject", "rejected", None, {"reason": "Nội dung đã được trả lời tại kỳ họp trước."})
        ]
    if target == "diverted":
        return [
            (
                "divert",
                "diverted",
                None,
                {
                    "diversion": "complaint",
                    "reason": "Đây là khiếu nại quyết định hành chính; đề nghị gửi theo Luật Khiếu nại.",
                },
            )
        ]
    if target == "merged":
        same = [
            m for m in made if m.council_id == p.council_id and m.status in ("received", "accepted")
        ]
        if same:
            into = rng.choice(same)
            await Petition.filter(id=into.id).update(weight=into.weight + p.weight)
            return [("merge", "merged", None, {"merged_into_id": into.id})]
        target = "received"
    if target == "received":
        return []
    handler = commune if local else city
    agency = _pick_agency(agencies, handler.id, p.category, rng)
    if agency is None:
        return []
    steps: list = []
    if local:
        steps.append(("accept", "accepted", Stage.ASSIGN, {}))
    else:
        steps.append(
            (
                "escalate",
                "escalated",
                Stage.ASSIGN,
                {"handler_id": city.id, "level": "city", "owner": city},
            )
        )
    answer = make(random.Random(p.title)).answer
    steps += [
        ("assign", "assigned", Stage.ANSWER, {"agency_id": agency.id, "owner_agency": agency}),
        (
            "answer",
            "answered",
            Stage.REVIEW,
            {
                "answer": answer,
                "answered_by": agency.name,
                "answered_at": lambda t: t,
                "owner_agency": None,
            },
        ),
        (
            "publish",
            "published",
            None,
            {
                "published_at": lambda t: t,
                "resolution": rng.choice(["resolved", "roadmap", "not_resolved", "resolved"]),
            },
        ),
        ("close", "closed", None, {"closed_at": lambda t: t}),
    ]
    return steps


async def _event(
    p: Petition, action: str, from_status: str | None, to_status: str, at: datetime, note: str = ""
) -> None:
    e = await PetitionEvent.create(
        petition_id=p.id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        public_note=note,
        actor_label="Demo",
    )
    await PetitionEvent.filter(id=e.id).update(created_at=at)
