"""Each delegate's public activity record: a page linked from /delegates, and the same as JSON."""

from __future__ import annotations

from starlette.responses import Response

from council.templating import render
from council.web import Ctx, api, page
from elections import activity, people, photos, services
from elections import operations as ops
from elections.models import Constituency
from elections.routes.contacts import contact_out
from elections.routes.people import person_out
from elections.routes.photos import photo_url
from elections.schemas import (
    ActivityDayOut,
    ActivityOut,
    ActivityQuestionOut,
    ActivitySpeechOut,
    ActivityVoteOut,
)


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
        questions=[
            ActivityQuestionOut(
                day=q.day,
                addressee=q.title,
                text=q.text,
                outcome=q.outcome,  # type: ignore[arg-type]
                answer=q.answer,
                verdict=q.verdict,
                source=q.source,
            )
            for q in r.questions
        ],
        contact_meetings=[contact_out(r.council, v) for v in r.meetings],
    )


@api(
    "GET",
    "/api/v1/delegates/{user_id:int}/activity",
    perm=ops.DELEGATE_ACTIVITY,
    response=ActivityOut,
    tags=["elections"],
    summary="A delegate's activity record for the term: attendance, named votes, questions and "
    "their answers, speeches, voter-contact meetings and the petitions raised there (open data)",
)
async def activity_api(ctx: Ctx) -> ActivityOut:
    return await activity_out(await activity.record(ctx.params["user_id"]))


@page("/delegates/{user_id:int}", perm=ops.DELEGATE_ACTIVITY)
async def activity_page(ctx: Ctx) -> Response:
    """A delegate's activity record; every figure links to its source record."""
    record = await activity.record(ctx.params["user_id"])
    data = await activity_out(record)
    council_id = record.council.id
    picture = (await photos.photos_of([record.user.id])).get(record.user.id)
    person = await people.person_of(record.user.id)
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
            "photo": photo_url(picture) if picture else None,
            "person": person_out(person) if person else None,
            "may_manage": services.may_manage(ctx.user, council_id),
            "photo_error": ctx.query.get("photo_error"),
        },
    )


routes = [activity_api, activity_page]
