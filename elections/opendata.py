"""Open data of a council's current term: its constituencies and its delegates, as JSON and CSV.
Nothing beyond the published candidate profiles and the seats (no account details)."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.responses import Response

from council.errors import NotFound
from council.i18n import N_
from council.models import Council
from council.web import Ctx, api
from elections import services
from elections.models import Candidate, Constituency, Election, TermSeat
from elections.permissions import OPERATIONS
from elections.schemas import (
    OpenConstituencies,
    OpenConstituencyOut,
    OpenDelegateOut,
    OpenDelegates,
)

PROFILE = (
    "birth_date",
    "gender",
    "ethnicity",
    "religion",
    "hometown",
    "education",
    "political_theory",
    "occupation",
    "workplace",
    "party_joined",
    "nominated_by",
)


async def _council(code: str) -> Council:
    council = await Council.get_or_none(code=code[:32])
    if council is None:
        raise NotFound(N_("No council has this code."))
    return council


async def constituencies(council: Council) -> OpenConstituencies:
    term = await services.current_term(council.id)
    items: list[OpenConstituencyOut] = []
    if term is not None:
        election = (
            await Election.filter(term_id=term.id, kind="regular").order_by("-day", "-id").first()
        )
        seats = await TermSeat.filter(term_id=term.id).prefetch_related("constituency")
        if election is not None:
            for c in await Constituency.filter(election_id=election.id).order_by("number"):
                mine = [s for s in seats if s.constituency and s.constituency.number == c.number]
                items.append(
                    OpenConstituencyOut(
                        council_code=council.code,
                        election_id=election.slug,
                        number=c.number,
                        area=c.area,
                        division_codes=list(c.division_codes),
                        seats=c.seats,
                        registered=c.registered,
                        in_office=sum(1 for s in mine if s.until is None),
                        vacant=sum(1 for s in mine if s.until is not None),
                    )
                )
    return OpenConstituencies(
        council_code=council.code, term=services.term_label(term) if term else None, items=items
    )


async def delegates(council: Council) -> OpenDelegates:
    term = await services.current_term(council.id)
    items: list[OpenDelegateOut] = []
    if term is not None:
        seats = await TermSeat.filter(term_id=term.id).prefetch_related("user", "constituency")
        for s in sorted(
            seats, key=lambda s: (s.constituency.number if s.constituency else 0, s.user.full_name)
        ):
            candidate = await Candidate.get_or_none(id=s.candidate_id) if s.candidate_id else None  # type: ignore[attr-defined]
            profile: dict[str, Any] = (
                {k: getattr(candidate, k) for k in PROFILE} if candidate else {}
            )
            items.append(
                OpenDelegateOut(
                    user_id=s.user.id,
                    full_name=s.user.full_name,
                    council_code=council.code,
                    constituency=s.constituency.number if s.constituency else None,
                    since=s.since,
                    until=s.until,
                    end_reason=s.end_reason,
                    activity=f"/delegates/{s.user.id}",
                    **profile,
                )
            )
    return OpenDelegates(
        council_code=council.code, term=services.term_label(term) if term else None, items=items
    )


def _csv(rows: list[dict[str, Any]], columns: list[str], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                ";".join(row[c]) if isinstance(row[c], list) else ("" if row[c] is None else row[c])
                for c in columns
            ]
        )
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@api(
    "GET",
    "/api/v1/councils/{code}/constituencies",
    perm=OPERATIONS["election.view"],
    response=OpenConstituencies,
    tags=["elections"],
    summary="The current term's constituencies with their seats in office and vacant (open data)",
)
async def constituencies_json(ctx: Ctx) -> OpenConstituencies:
    return await constituencies(await _council(ctx.params["code"]))


@api(
    "GET",
    "/api/v1/councils/{code}/constituencies.csv",
    perm=OPERATIONS["election.view"],
    tags=["elections"],
    summary="The current term's constituencies as CSV (open data)",
    raw_response="text/csv",
)
async def constituencies_csv(ctx: Ctx) -> Response:
    council = await _council(ctx.params["code"])
    data = await constituencies(council)
    rows = [i.model_dump(mode="json") for i in data.items]
    return _csv(rows, list(OpenConstituencyOut.model_fields), f"{council.code}.constituencies.csv")


@api(
    "GET",
    "/api/v1/councils/{code}/delegates",
    perm=OPERATIONS["election.view"],
    response=OpenDelegates,
    tags=["elections"],
    summary="The current term's delegates with their published profiles and seats (open data)",
)
async def delegates_json(ctx: Ctx) -> OpenDelegates:
    return await delegates(await _council(ctx.params["code"]))


@api(
    "GET",
    "/api/v1/councils/{code}/delegates.csv",
    perm=OPERATIONS["election.view"],
    tags=["elections"],
    summary="The current term's delegates as CSV (open data)",
    raw_response="text/csv",
)
async def delegates_csv(ctx: Ctx) -> Response:
    council = await _council(ctx.params["code"])
    data = await delegates(council)
    rows = [i.model_dump(mode="json") for i in data.items]
    return _csv(rows, list(OpenDelegateOut.model_fields), f"{council.code}.delegates.csv")


routes = [constituencies_json, constituencies_csv, delegates_json, delegates_csv]
