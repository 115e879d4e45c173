"""One person, several councils: the admin links the accounts; anyone sees the person's page."""

from __future__ import annotations

from starlette.responses import Response

from council.templating import render
from council.web import Ctx, api, page
from elections import operations as ops
from elections import people, photos
from elections.routes.photos import photo_url
from elections.schemas import PersonLinkIn, PersonOut, PersonSeatOut


def person_out(view: people.PersonView) -> PersonOut:
    return PersonOut(
        id=view.person.id,
        full_name=view.person.full_name,
        seats=[
            PersonSeatOut(
                user_id=s.user.id,
                council_code=s.council.code,
                council_name=s.council.name,
                activity=f"/delegates/{s.user.id}",
            )
            for s in view.seats
        ],
    )


@api(
    "POST",
    "/api/v1/people",
    perm=ops.PERSON_LINK,
    response=PersonOut,
    status=201,
    tags=["elections"],
    summary="Link delegates' accounts of different councils (one each) as one person",
)
async def person_link(ctx: Ctx) -> PersonOut:
    body: PersonLinkIn = ctx.body
    person = await people.person_link(ctx.require_user(), body.user_ids)
    return person_out(await people.person_view(person.id))


@api(
    "GET",
    "/api/v1/people/{person_id:int}",
    perm=ops.PERSON_VIEW,
    response=PersonOut,
    tags=["elections"],
    summary="A person with seats in several councils, and each council's record",
)
async def person_get(ctx: Ctx) -> PersonOut:
    return person_out(await people.person_view(ctx.params["person_id"]))


@page("/people/{person_id:int}", perm=ops.PERSON_VIEW)
async def person_page(ctx: Ctx) -> Response:
    """One person: the councils they sit on, each linked to that council's activity record."""
    view = await people.person_view(ctx.params["person_id"])
    found = await photos.photos_of([s.user.id for s in view.seats])
    photo = next((photo_url(found[s.user.id]) for s in view.seats if s.user.id in found), None)
    return render(ctx.request, "elections/person.html", {"p": person_out(view), "photo": photo})


routes = [person_link, person_get, person_page]
