"""Oversight: dashboards per council and agency, the city's traffic lights, the public on-time
table and clusters of the same issue across communes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q

from council.errors import Forbidden
from council.i18n import N_
from council.models import Agency, Council, User
from petitions.clusters import Cluster, Item, cluster
from petitions.metrics import Light, Reason, Thresholds, assess, median_days, on_time_rate
from petitions.models import Hop, Petition
from petitions.services.queries import OPEN_STATUSES, ListItem, _item
from petitions.services.scope import visible_filter

COUNCIL_STAFF_ROLES = frozenset({"secretariat", "chair", "delegate"})
OVERSIGHT_ROLES = frozenset({"secretariat", "chair"})  # a city's, over its communes


@dataclass
class Dashboard:
    title: str
    counts: dict[str, int]
    total: int
    open: int
    overdue_count: int
    overdue: list[ListItem]  # the first of those the viewer may open
    overdue_listed: int  # how many of ``overdue_count`` the viewer may open
    finished: int
    on_time: int
    on_time_rate: float | None
    median_days_to_answer: float | None
    light: Light
    reasons: list[Reason]
    extended: int = 0  # hops whose due date an approved extension moved (on time counts by it)


async def _hop_stats(hop_filter: Q, now: datetime) -> tuple[int, int, int, int]:
    """(finished, on time, open, overdue) over the hops matching ``hop_filter``."""
    finished = on_time = open_ = overdue = 0
    rows = await Hop.filter(hop_filter).values_list("due_at", "ended_at")
    for due, ended in rows:
        if ended is None:
            open_ += 1
            overdue += int(now > due)
        else:
            finished += 1
            on_time += int(ended <= due)
    return finished, on_time, open_, overdue


async def _dashboard(user: User, title: str, petitions: Q, hops: Q, limit: int = 50) -> Dashboard:
    """Figures over every petition and hop matched; the overdue list only names petitions
    ``user`` may open (a city overseeing a commune sees the commune's own ones as counts)."""
    now = datetime.now(UTC)
    counts: Counter[str] = Counter(
        await Petition.filter(petitions).values_list("status", flat=True)  # type: ignore[arg-type]
    )
    overdue_qs = Petition.filter(petitions, status__in=OPEN_STATUSES, due_at__lt=now)
    scope = visible_filter(user)
    listed_qs = overdue_qs if scope is None else overdue_qs.filter(scope)
    overdue_rows = await listed_qs.order_by("due_at").limit(limit)
    finished, on_time, open_hops, overdue_hops = await _hop_stats(hops, now)
    answered = await Petition.filter(petitions, answered_at__isnull=False).values_list(
        "created_at", "answered_at"
    )
    rate = on_time_rate(on_time, finished)
    colour, reasons = assess(rate, overdue_hops, open_hops)
    return Dashboard(
        title=title,
        counts=dict(counts),
        total=sum(counts.values()),
        open=sum(counts.get(s, 0) for s in OPEN_STATUSES),
        overdue_count=await overdue_qs.count(),
        overdue=[await _item(p, now, None) for p in overdue_rows],
        overdue_listed=await listed_qs.count(),
        finished=finished,
        on_time=on_time,
        on_time_rate=rate,
        median_days_to_answer=median_days(
            (a - c).total_seconds() / 86400 for c, a in answered if a and c
        ),
        light=colour,
        reasons=reasons,
        extended=await Hop.filter(hops, original_due_at__isnull=False).count(),
    )


def _may_view_council(user: User, council: Council) -> bool:
    """Its own staff, and the city's secretariat and chair for its communes (as on the city
    screen): a city delegate oversees no commune."""
    if user.role == "admin":
        return True
    if user.role not in COUNCIL_STAFF_ROLES or user.council_id is None:
        return False
    if user.council_id == council.id:
        return True
    return user.role in OVERSIGHT_ROLES and council.parent_id == user.council_id  # type: ignore[attr-defined]


async def council_dashboard(user: User, council: Council) -> Dashboard:
    """petition.dashboard for a council: what it received or handles, and the hops it owns."""
    if not _may_view_council(user, council):
        raise Forbidden(N_("This belongs to another council or agency."))
    return await _dashboard(
        user,
        council.name,
        Q(council_id=council.id) | Q(handler_id=council.id),
        Q(owner_council_id=council.id),
    )


async def agency_dashboard(user: User, agency: Agency) -> Dashboard:
    """petition.dashboard for an agency: what is assigned to it and its answer hops."""
    if not (
        user.role == "admin"
        or user.agency_id == agency.id
        or (user.role in ("secretariat", "chair") and user.council_id == agency.council_id)  # type: ignore[attr-defined]
    ):
        raise Forbidden(N_("This belongs to another council or agency."))
    return await _dashboard(user, agency.name, Q(agency_id=agency.id), Q(owner_agency_id=agency.id))


@dataclass
class CouncilLight:
    council: Council
    open: int
    overdue: int
    finished: int
    on_time: int
    rate: float | None
    light: Light
    reasons: list[Reason]


async def city_overview(user: User, city: Council) -> list[CouncilLight]:
    """Every commune of the city (and the city itself) as green / yellow / red."""
    if user.role != "admin" and user.council_id != city.id:
        raise Forbidden(N_("Only the city's staff see this screen."))
    now = datetime.now(UTC)
    councils = [city, *await Council.filter(parent_id=city.id, is_active=True).order_by("name")]
    out = []
    for c in councils:
        finished, on_time, open_hops, overdue = await _hop_stats(Q(owner_council_id=c.id), now)
        agency_ids = await Agency.filter(council_id=c.id).values_list("id", flat=True)
        if agency_ids:
            f2, t2, o2, d2 = await _hop_stats(Q(owner_agency_id__in=list(agency_ids)), now)
            finished, on_time, open_hops, overdue = (
                finished + f2,
                on_time + t2,
                open_hops + o2,
                overdue + d2,
            )
        rate = on_time_rate(on_time, finished)
        colour, reasons = assess(rate, overdue, open_hops)
        out.append(CouncilLight(c, open_hops, overdue, finished, on_time, rate, colour, reasons))
    return out


@dataclass
class AgencyRank:
    agency: Agency
    council: Council
    finished: int
    on_time: int
    rate: float | None
    open: int
    overdue: int
    median_days: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


async def agency_ranking() -> list[AgencyRank]:
    """The public on-time table: agencies ranked by the share of answers given on time."""
    now = datetime.now(UTC)
    ranks = []
    for agency in await Agency.filter(is_active=True).prefetch_related("council"):
        rows = await Hop.filter(owner_agency_id=agency.id, stage="answer").values_list(
            "started_at", "due_at", "ended_at"
        )
        finished = sum(1 for _, _, e in rows if e is not None)
        on_time = sum(1 for _, d, e in rows if e is not None and e <= d)
        open_ = sum(1 for _, _, e in rows if e is None)
        overdue = sum(1 for _, d, e in rows if e is None and now > d)
        ranks.append(
            AgencyRank(
                agency,
                agency.council,
                finished,
                on_time,
                on_time_rate(on_time, finished),
                open_,
                overdue,
                median_days((e - s).total_seconds() / 86400 for s, _, e in rows if e is not None),
            )
        )
    return sorted(
        ranks,
        key=lambda r: (r.rate is None, -(r.rate or 0.0), r.overdue, -r.finished, r.agency.name),
    )


async def city_clusters(user: User, city: Council, limit: int = 50) -> list[Cluster]:
    """Open petitions of the city and its communes that raise the same issue."""
    if user.role != "admin" and user.council_id != city.id:
        raise Forbidden(N_("Only the city's staff see this screen."))
    commune_ids = await Council.filter(parent_id=city.id).values_list("id", flat=True)
    ids = [city.id, *commune_ids]
    scope = visible_filter(user)
    qs = Petition.filter(Q(council_id__in=ids) | Q(handler_id__in=ids)).filter(
        status__in=OPEN_STATUSES
    )
    if scope is not None:
        qs = qs.filter(scope)
    rows = (
        await qs.order_by("id")
        .limit(5000)
        .values_list("code", "title", "category", "council_id", "weight")
    )
    names = {c.id: c.name for c in await Council.filter(id__in=ids)}
    items = [Item(code, title, cat, names.get(cid, ""), w) for code, title, cat, cid, w in rows]
    return cluster(items)[:limit]


THRESHOLDS = Thresholds()
