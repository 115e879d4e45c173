"""Each delegate's public activity record: a page linked from /delegates, and the same as JSON."""

from __future__ import annotations

from starlette.responses import Response

from council.templating import render
from council.web import Ctx, api, page
from elections import activity
from elections.contacts_routes import contact_out
from elections.models import Constituency
from elections.permissions import OPERATIONS
from elections.schemas import ActivityDayOut, ActivityOut, ActivitySpeechOut, ActivityVoteOut


def source(session_id: int) -> str:
    """The public record a figure comes from: the session's public page (agenda and results)."""
    return f"/public/sessions/{session_id}"


async def activity_out(r: activity.Record) -> ActivityOut:
    constituency = (
        await Constituency.get_or_none(id=r.seat.constituency_id)  # type: ignore[attr-defined]
        if r.seat and r.seat.constituency_id  # type: ignore[attr-defined]
        else None
    )
    return ActivityOut(
        user_id=r.user.id,
        full_name=r.user.full_name,
        council_code=r.council.code,
        term=r.term_label,
        constituency=constituency.number if constituency else None,
        since=r.since,
        until=r.until,
        present=r.count("present"),
        excused=r.count("excused"),
        absent=r.count("absent"),
        days=[
            ActivityDayOut(
                session_id=d.session_id,
                session=d.title,
                day=d.day,
                state=d.state,  # type: ignore[arg-type]
                reason=d.reason,
                source=source(d.session_id),
            )
            for d in r.days
        ],
        votes=[
            ActivityVoteOut(
                session_id=v.session_id,
                poll_id=v.poll_id,
                title=v.title,
                choice=v.choice,
                passed=v.passed,
                source=source(v.session_id),
            )
            for v in r.votes
        ],
        speeches=[
            ActivitySpeechOut(
                session_id=s.session_id,
                session=s.session_title,
                item=s.item,
                source=source(s.session_id),
            )
            for s in r.speeches
        ],
        contact_meetings=[contact_out(r.council, v) for v in r.meetings],
    )


@api(
    "GET",
    "/api/v1/delegates/{user_id:int}/activity",
    perm=OPERATIONS["delegate.activity"],
    response=ActivityOut,
    tags=["elections"],
    summary="A delegate's activity record for the term: attendance, named votes, speeches, "
    "voter-contact meetings (open data)",
)
async def activity_api(ctx: Ctx) -> ActivityOut:
    return await activity_out(await activity.record(ctx.params["user_id"]))


@page("/delegates/{user_id:int}", perm=OPERATIONS["delegate.activity"])
async def activity_page(ctx: Ctx) -> Response:
    """A delegate's activity record; every figure links to its source record."""
    data = await activity_out(await activity.record(ctx.params["user_id"]))
    by_item: dict[tuple[int, str], int] = {}
    for s in data.speeches:
        by_item[(s.session_id, s.item)] = by_item.get((s.session_id, s.item), 0) + 1
    return render(
        ctx.request,
        "elections/activity.html",
        {
            "a": data,
            "speeches": [
                {"session_id": sid, "item": item, "count": n, "source": source(sid)}
                for (sid, item), n in by_item.items()
            ],
            "sessions": {d.session_id: d.session for d in data.days},
        },
    )


routes = [activity_api, activity_page]
