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
from petitions.metrics import Figures, Light, Reason, Thresholds, figures, median_days
from petitions.models import Hop, Petition
from petitions.services.queries import OPEN_STATUSES, ListItem, _item
from petitions.services.scope import visible_filter
from petitions.workflow import Status

COUNCIL_STAFF_ROLES = frozenset({"secretariat", "chair", "delegate"})
OVERSIGHT_ROLES = frozenset({"secretariat", "chair"})  # a city's, over its communes


# Statuses in the order a petition goes through them, then the ways it leaves the path.
STATUS_ORDER = tuple(s.value for s in Status)


@dataclass
class Dashboard:
    title: str
    counts: list[tuple[str, int]]  # (status, petitions), in workflow order, zeros left out
    total: int
    open: int
    overdue_count: int  # petitions received or handled here whose current step is overdue
    overdue: list[ListItem]  # the first of those the viewer may open
    overdue_listed: int  # how many of ``overdue_count`` the viewer may open
    figures: Figures  # over the steps (hops) this council and its agencies, or this agency, own
    scope: str  # what ``figures`` counts, in words
    median_days_to_answer: float | None
    extended: int = 0  # hops whose due date an approved extension moved (on time counts by it)

    @property
    def light(self) -> Light:
        return self.figures.light

    @property
    def reasons(self) -> list[Reason]:
        return self.figures.reasons


async def hop_figures(hop_filter: Q, now: datetime) -> Figures:
    """:func:`petitions.metrics.figures` over the hops matching ``hop_filter``."""
    return figures(await Hop.filter(hop_filter).values_list("due_at", "ended_at"), now)


async def owned_hops(council: Council) -> Q:
    """The hops a council answers for: its own and its agencies' (the city screen's and the
    council dashboard's figures are the same)."""
    agency_ids = list(await Agency.filter(council_id=council.id).values_list("id", flat=True))
    owned = Q(owner_council_id=council.id)
    return owned | Q(owner_agency_id__in=agency_ids) if agency_ids else owned


async def _dashboard(
    user: User, title: str, petitions: Q, hops: Q, counts_what: str, limit: int = 50
) -> Dashboard:
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
    answered = await Petition.filter(petitions, answered_at__isnull=False).values_list(
        "created_at", "answered_at"
    )
    return Dashboard(
        title=title,
        counts=[(s, counts[s]) for s in STATUS_ORDER if counts.get(s)],
        total=sum(counts.values()),
        open=sum(counts.get(s, 0) for s in OPEN_STATUSES),
        overdue_count=await overdue_qs.count(),
        overdue=[await _item(p, now, None) for p in overdue_rows],
        overdue_listed=await listed_qs.count(),
        figures=await hop_figures(hops, now),
        scope=counts_what,
        median_days_to_answer=median_days(
            (a - c).total_seconds() / 86400 for c, a in answered if a and c
        ),
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
        await owned_hops(council),
        str(
            N_(
                "Counted over the steps {name} and its agencies own: classifying, assigning, "
                "answering and reviewing, each with its own due date."
            ).format(name=council.name)
        ),
    )


async def agency_dashboard(user: User, agency: Agency) -> Dashboard:
    """petition.dashboard for an agency: what is assigned to it and its answer hops."""
    if not (
        user.role == "admin"
        or user.agency_id == agency.id
        or (user.role in ("secretariat", "chair") and user.council_id == agency.council_id)  # type: ignore[attr-defined]
    ):
        raise Forbidden(N_("This belongs to another council or agency."))
    return await _dashboard(
        user,
        agency.name,
        Q(agency_id=agency.id),
        Q(owner_agency_id=agency.id),
        str(
            N_(
                "Counted over the answers {name} owes: one step per petition assigned to it, "
                "as on the public on-time table."
            ).format(name=agency.name)
        ),
    )


@dataclass
class CouncilLight:
    council: Council
    figures: Figures  # over the hops its council and its agencies own


async def city_overview(user: User, city: Council) -> list[CouncilLight]:
    """Every commune of the city (and the city itself) as green / yellow / red."""
    if user.role != "admin" and user.council_id != city.id:
        raise Forbidden(N_("Only the city's staff see this screen."))
    now = datetime.now(UTC)
    councils = [city, *await Council.filter(parent_id=city.id, is_active=True).order_by("name")]
    out = []
    for c in councils:
        out.append(CouncilLight(c, await hop_figures(await owned_hops(c), now)))
    return out


@dataclass
class AgencyRank:
    agency: Agency
    council: Council
    figures: Figures  # over its answer hops: the same as its own dashboard's
    median_days: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Answer hops whose due date an approved extension moved: ``figures`` counts each against
    # its extended date, and the table says how many there were.
    extended: int = 0


async def agency_ranking() -> list[AgencyRank]:
    """The public on-time table: agencies ranked by the share of answers given on time."""
    now = datetime.now(UTC)
    ranks = []
    for agency in await Agency.filter(is_active=True).prefetch_related("council"):
        rows = await Hop.filter(owner_agency_id=agency.id).values_list(
            "started_at", "due_at", "ended_at", "original_due_at"
        )
        ranks.append(
            AgencyRank(
                agency,
                agency.council,
                # ``due_at`` is the date in force: an extended hop's extended date.
                figures([(d, e) for _, d, e, _ in rows], now),
                median_days(
                    (e - s).total_seconds() / 86400 for s, _, e, _ in rows if e is not None
                ),
                extended=sum(1 for *_, first in rows if first is not None),
            )
        )
    return sorted(
        ranks,
        key=lambda r: (
            r.figures.on_time_rate is None,
            -(r.figures.on_time_rate or 0.0),
            r.figures.overdue,
            -r.figures.finished,
            r.agency.name,
        ),
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
