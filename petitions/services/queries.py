"""Staff lists with filters and search (petition.list), the staff detail view, exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise.expressions import Q

from council.errors import Invalid
from council.i18n import N_
from council.models import Agency, Council, User
from council.search.index import MAX_LIMIT, MAX_OFFSET
from council.validation import int_param
from petitions import indexing, labels
from petitions.categories import CODES
from petitions.codes import PREFIX, code_query
from petitions.models import Attachment, Extension, Hop, Notification, Petition, PetitionEvent
from petitions.services.scope import sees_personal_data, visible_query
from petitions.workflow import LOCAL_TZ, Channel, Status, is_overdue, was_on_time

OPEN_STATUSES = ("received", "accepted", "escalated", "assigned", "answered")
MAX_PAGE = 200
# A date filter is shifted by a day and a time zone: one held a day inside datetime's range
# (0001-01-01 → 0001-01-02) selects the same petitions and never overflows.
FIRST_DAY = date.min + timedelta(days=1)
LAST_DAY = date.max - timedelta(days=1)


@dataclass
class Filters:
    q: str = ""
    status: str | None = None
    council_code: str | None = None
    category: str | None = None
    channel: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool | None = None
    agency_code: str | None = None
    cycle_id: int | None = None

    @classmethod
    def parse(cls, params: Any) -> Filters:
        """From query parameters; a bad value is a 422 naming the field."""

        def get(name: str) -> str | None:
            value = params.get(name)
            return value.strip() if isinstance(value, str) and value.strip() else None

        f = cls(q=(get("q") or "")[:200])
        errors: dict[str, str] = {}
        if (s := get("status")) is not None:
            if s not in {x.value for x in Status}:
                errors["status"] = str(N_("This value is not one of the allowed choices."))
            f.status = s
        if (c := get("category")) is not None:
            if c not in CODES:
                errors["category"] = str(N_("This value is not one of the allowed choices."))
            f.category = c
        if (ch := get("channel")) is not None:
            if ch not in {x.value for x in Channel}:
                errors["channel"] = str(N_("This value is not one of the allowed choices."))
            f.channel = ch
        f.council_code = get("council_code")
        f.agency_code = get("agency_code")
        for name in ("date_from", "date_to"):
            if (d := get(name)) is not None:
                try:
                    setattr(f, name, min(max(date.fromisoformat(d), FIRST_DAY), LAST_DAY))
                except ValueError:
                    errors[name] = str(N_("A date is expected here (e.g. 2026-12-01)."))
        if (o := get("overdue")) is not None:
            if o.lower() in ("1", "true", "yes", "on"):
                f.overdue = True
            elif o.lower() in ("0", "false", "no", "off"):
                f.overdue = False
            else:
                errors["overdue"] = str(N_("Yes or no is expected here."))
        try:
            f.cycle_id = int_param(params, "cycle_id", minimum=0)
        except Invalid as exc:
            errors.update(exc.details["fields"])
        if errors:
            raise Invalid(fields=errors)
        return f


@dataclass
class ListItem:
    code: str
    title: str
    status: str
    status_label: str
    council_code: str
    council_name: str
    handler_code: str
    category: str
    channel: str
    due_at: datetime | None
    overdue: bool
    weight: int
    agency_code: str | None
    agency_name: str | None
    created_at: datetime
    highlight: str | None = None


def _local_start(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=LOCAL_TZ).astimezone(UTC)


async def filtered(user: User, f: Filters, now: datetime | None = None) -> Any:
    """The scoped queryset with every filter except the text query applied."""
    now = now or datetime.now(UTC)
    qs = visible_query(user)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.council_code:
        council = await Council.get_or_none(code=f.council_code)
        cid = council.id if council else -1
        qs = qs.filter(Q(council_id=cid) | Q(handler_id=cid))
    if f.agency_code:
        agency = await Agency.get_or_none(code=f.agency_code)
        qs = qs.filter(agency_id=agency.id if agency else -1)
    if f.date_from:
        qs = qs.filter(created_at__gte=_local_start(f.date_from))
    if f.date_to:
        qs = qs.filter(created_at__lt=_local_start(f.date_to + timedelta(days=1)))
    if f.overdue is True:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    elif f.overdue is False:
        # Not exclude(status__in=…, due_at__lt=…): Tortoise negates each condition on its own,
        # and a finished petition's NULL due date then matches neither.
        qs = qs.filter(
            Q(status__not_in=OPEN_STATUSES) | Q(due_at__isnull=True) | Q(due_at__gte=now)
        )
    if f.cycle_id is not None:
        qs = qs.filter(cycle_entries__cycle_id=f.cycle_id)
    return qs


@dataclass
class Selection:
    """One page of the list as the user filtered it: the petitions, how many in all, and the
    search's highlights."""

    petitions: list[Petition]
    total: int
    highlights: dict[str, str] = field(default_factory=dict)
    # False: more than ``total`` match (a search counts up to the index's TRACK_TOTAL).
    total_exact: bool = True


async def select(
    user: User, f: Filters, *, limit: int, offset: int, now: datetime | None = None
) -> Selection:
    """The petitions the list shows for ``f``: a tracking code typed in ``q`` (in any form, or
    its bare suffix) finds its petitions; other text is searched; no text reads the database."""
    now = now or datetime.now(UTC)
    qs = await filtered(user, f, now)
    lookup = code_query(f.q) if f.q else None
    if lookup is not None:
        year, tail = lookup
        by_code = qs.filter(code=f"{PREFIX}-{year:04d}-{tail}") if year else None
        if by_code is None:
            by_code = qs.filter(code__endswith=f"-{tail}")
        total = await by_code.count()
        if total:
            page = await by_code.order_by("-created_at", "-id").offset(offset).limit(limit)
            return Selection(page, total)
    if f.q:
        hits, total, exact = await indexing.search_staff(
            user, f, limit=limit, offset=offset, now=now
        )
        order = {h.code: i for i, h in enumerate(hits)}
        # The database has the last word on scope and filters the index cannot know.
        petitions = await qs.filter(code__in=list(order))
        petitions.sort(key=lambda p: order[p.code])
        return Selection(petitions, total, {h.code: h.highlight for h in hits}, exact)
    total = await qs.count()
    petitions = await qs.order_by("-created_at", "-id").offset(offset).limit(limit)
    return Selection(petitions, total)


async def select_all(user: User, f: Filters, cap: int) -> list[Petition]:
    """Every petition of the filtered list, in its order, for an export (at most ``cap``; a
    search reaches as deep as the index's window)."""
    now = datetime.now(UTC)
    if not f.q:
        return (await select(user, f, limit=cap, offset=0, now=now)).petitions
    out: list[Petition] = []
    offset = 0
    while len(out) < cap and offset <= MAX_OFFSET:
        page = await select(user, f, limit=MAX_LIMIT, offset=offset, now=now)
        out.extend(page.petitions)
        offset += MAX_LIMIT
        if offset >= page.total and page.total_exact:
            break
    return out[:cap]


async def staff_list(
    user: User, f: Filters, *, limit: int = 50, offset: int = 0
) -> tuple[list[ListItem], int, bool]:
    """petition.list: what ``user`` may see, filtered, searched and paginated; the page, the
    count and whether it is exact (a search counts up to the index's TRACK_TOTAL)."""
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    now = datetime.now(UTC)
    found = await select(user, f, limit=limit, offset=offset, now=now)
    items = [await _item(p, now, found.highlights.get(p.code)) for p in found.petitions]
    return items, found.total, found.total_exact


async def _item(p: Petition, now: datetime, highlight: str | None) -> ListItem:
    council = await Council.get(id=p.council_id)
    handler = council if p.handler_id == p.council_id else await Council.get(id=p.handler_id)
    agency = await Agency.get_or_none(id=p.agency_id) if p.agency_id else None
    return ListItem(
        code=p.code,
        title=p.title,
        status=p.status,
        status_label=labels.text(labels.STATUS, p.status),
        council_code=council.code,
        council_name=council.name,
        handler_code=handler.code,
        category=p.category,
        channel=p.channel,
        due_at=p.due_at,
        overdue=p.status in OPEN_STATUSES and is_overdue(p.due_at, None, now),
        weight=p.weight,
        agency_code=agency.code if agency else None,
        agency_name=agency.name if agency else None,
        created_at=p.created_at,
        highlight=highlight,
    )


@dataclass
class HopView:
    stage: str
    stage_label: str
    owner: str
    started_at: datetime
    due_at: datetime
    ended_at: datetime | None
    ended_by: str | None
    overdue: bool
    on_time: bool | None
    original_due_at: datetime | None = None  # set when an approved extension moved the due date


@dataclass
class StaffView:
    petition: Petition
    item: ListItem
    personal: dict[str, str | None] | None
    hops: list[HopView] = field(default_factory=list)
    events: list[PetitionEvent] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    merged: list[Petition] = field(default_factory=list)
    merged_into: str | None = None
    extensions: list[Extension] = field(default_factory=list)


async def staff_view(user: User, p: Petition) -> StaffView:
    """Everything staff see about one petition; personal data only for those allowed."""
    now = datetime.now(UTC)
    personal = None
    if sees_personal_data(user, p):
        personal = {"name": p.name, "phone": p.phone, "email": p.email, "address": p.address}
    hops = await Hop.filter(petition_id=p.id).order_by("started_at", "id")
    attachments = await Attachment.filter(petition_id=p.id)
    if personal is None:
        attachments = [a for a in attachments if a.kind != "consent"]
    notes = (
        await Notification.filter(petition_id=p.id)
        .prefetch_related("user")
        .order_by("-created_at")
        .limit(50)
    )
    if personal is None:
        for n in notes:
            n.email = None
    into = await Petition.get_or_none(id=p.merged_into_id) if p.merged_into_id else None
    return StaffView(
        petition=p,
        item=await _item(p, now, None),
        personal=personal,
        hops=[
            HopView(
                stage=h.stage,
                stage_label=labels.text(labels.STAGE, h.stage),
                owner=h.owner_label,
                started_at=h.started_at,
                due_at=h.due_at,
                ended_at=h.ended_at,
                ended_by=h.ended_by,
                overdue=is_overdue(h.due_at, h.ended_at, now),
                on_time=was_on_time(h.due_at, h.ended_at),
                original_due_at=h.original_due_at,
            )
            for h in hops
        ],
        events=await PetitionEvent.filter(petition_id=p.id).order_by("created_at", "id"),
        attachments=attachments,
        notifications=notes,
        merged=await Petition.filter(merged_into_id=p.id),
        merged_into=into.code if into else None,
        extensions=await Extension.filter(petition_id=p.id).order_by("created_at", "id"),
    )


MERGEABLE = ("received", "accepted", "escalated", "assigned")


async def merge_candidates(user: User, p: Petition, q: str, limit: int = 10) -> list[ListItem]:
    """Open petitions ``p`` could be merged into, for the picker: handled by the same council,
    found by words or a tracking code; without text, the newest of the same field."""
    f = Filters(q=q.strip()[:200])
    if f.q:
        found = (await select(user, f, limit=MAX_LIMIT, offset=0)).petitions
    else:
        found = await visible_query(user).filter(category=p.category).order_by("-id").limit(100)
    now = datetime.now(UTC)
    out = []
    for c in found:
        if c.id != p.id and c.handler_id == p.handler_id and c.status in MERGEABLE:
            out.append(await _item(c, now, None))
            if len(out) >= limit:
                break
    return out
