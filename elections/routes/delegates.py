""" "Your delegates": a voter picks their commune or ward and sees its delegates and its city's."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from council.errors import NotFound
from council.i18n import N_
from council.models import Council
from council.templating import render
from council.web import Ctx, page
from elections import (
    contacts,
    people,
    photos,
    seats,
    services,
)
from elections import operations as ops
from elections.models import Candidate, Constituency
from elections.routes.photos import photo_url

# --- your delegates -----------------------------------------------------------------------------


async def _seated(council: Council) -> list[dict[str, Any]]:
    """The current term's constituencies of a council, each with its delegates and vacancies."""
    view = await services.term_view(council)
    if view is None:
        return []
    by_constituency: dict[int, dict[str, Any]] = {}
    pictures = await photos.photos_of([s.user.id for s in view.held])
    for seat in [*view.held, *view.vacant]:
        c = seat.constituency
        key = c.number if c else 0
        entry = by_constituency.setdefault(
            key, {"number": key, "area": c.area if c else "", "delegates": [], "vacant": []}
        )
        candidate = await Candidate.get_or_none(id=seat.candidate_id) if seat.candidate_id else None  # type: ignore[attr-defined]
        if seat.until is None:
            person = await people.person_of(seat.user.id)
            picture = pictures.get(seat.user.id)
            entry["delegates"].append(
                {
                    "name": seat.user.full_name,
                    "candidate": candidate,
                    "user_id": seat.user.id,
                    "photo": photo_url(picture) if picture else None,
                    # Also seated in another council: one person, linked.
                    "person_id": person.person.id if person else None,
                    "elsewhere": [s.council.name for s in person.seats if s.user.id != seat.user.id]
                    if person
                    else [],
                }
            )
        else:
            entry["vacant"].append(
                {
                    "name": seat.user.full_name,
                    "until": seat.until,
                    "reason": services.END_REASON_LABELS.get(seat.end_reason or "other"),
                }
            )
    for v in await contacts.of_council(council):
        key = v.constituency or 0
        if key not in by_constituency:
            continue
        if v.coming:
            by_constituency[key].setdefault("meetings", []).append(v)
        # Past meetings: the published answers to the petitions raised there.
        for p in v.raised:
            if p.source:
                by_constituency[key].setdefault("answers", []).append((v.meeting.day, p))
    return [by_constituency[k] for k in sorted(by_constituency)]


@page("/delegates", perm=ops.DELEGATES_VIEW)
async def your_delegates(ctx: Ctx) -> Response:
    """A voter picks their commune or ward and sees its delegates and those of its city, by
    constituency; no JavaScript needed."""
    communes = await Council.filter(level="commune", is_active=True).prefetch_related("parent")
    chosen = None
    sections: list[dict[str, Any]] = []
    if code := ctx.query.get("council"):
        chosen = await Council.get_or_none(code=code[:32], level="commune")
        if chosen is None:
            raise NotFound(N_("No council has this code."))
        term = await services.current_term(chosen.id)
        sections.append(
            {
                "council": chosen,
                "term": services.term_label(term) if term else None,
                "constituencies": await _seated(chosen),
                "total": await seats.total(chosen),
            }
        )
        if chosen.parent_id:  # type: ignore[attr-defined]
            city = await Council.get(id=chosen.parent_id)  # type: ignore[attr-defined]
            city_term = await services.current_term(city.id)
            rows = await _seated(city)
            # The city's constituencies that take in this commune, when their areas say so.
            mine = [
                r
                for r in rows
                if chosen.division_code
                and chosen.division_code in (await _codes(city, r["number"]))
            ]
            sections.append(
                {
                    "council": city,
                    "term": services.term_label(city_term) if city_term else None,
                    "constituencies": mine or rows,
                    "total": await seats.total(city),
                }
            )
    return render(
        ctx.request,
        "elections/delegates.html",
        {
            "communes": sorted(communes, key=lambda c: (c.parent.name if c.parent else "", c.name)),
            "chosen": chosen,
            "sections": sections,
        },
    )


async def _codes(city: Council, number: int) -> list[str]:
    term = await services.current_term(city.id)
    if term is None:
        return []
    constituency = await Constituency.filter(
        election__term_id=term.id, election__kind="regular", number=number
    ).first()
    return list(constituency.division_codes) if constituency else []


routes = [your_delegates]
