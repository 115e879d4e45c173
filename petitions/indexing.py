"""Petitions in the search engine: a staff index and a public one (published only).

Neither index holds personal data (name, phone, e-mail, address): not even staff search by it,
so no index file, backup or snippet can leak it. The staff index carries scope keys so a search
is filtered to what the user may see before ranking.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from council.errors import Invalid
from council.i18n import N_
from council.models import Agency, Council
from council.search.engine import configure, get_index, rebuild, register_index
from council.search.index import MAX_LIMIT, MAX_OFFSET
from council.search.outbox import enqueue
from council.search.schema import IndexSpec
from petitions.clusters import similarity, terms
from petitions.models import CycleEntry, Petition
from petitions.workflow import Status

if TYPE_CHECKING:
    from council.models import User
    from petitions.services.queries import Filters

STAFF_INDEX = IndexSpec(
    name="petitions_staff",
    text_fields={"title": 2.0, "body": 1.0, "answer": 1.0},
    keyword_fields=("scope", "status", "council", "category", "channel", "agency", "cycle"),
    date_fields=("created_at", "due_at"),
    stored_fields=("title", "body", "answer"),
)
PUBLIC_INDEX = IndexSpec(
    name="petitions_public",
    text_fields={"title": 2.0, "body": 1.0, "answer": 1.0},
    keyword_fields=("category", "council", "agency"),
    date_fields=("published_at",),
    stored_fields=("title", "body", "answer"),
)
PUBLIC_STATUSES = ("published", "closed")


@dataclass
class Hit:
    code: str
    highlight: str
    score: float = 0.0
    fields: dict[str, Any] | None = None


def staff_document(
    p: Any, council_code: str, handler_code: str, agency_code: str | None, cycles: list[int]
) -> dict[str, Any]:
    """The staff index document of a petition: no personal data."""
    scope = [f"c:{p.council_id}", f"c:{p.handler_id}"]
    if p.agency_id:
        scope.append(f"a:{p.agency_id}")
    return {
        "id": p.code,
        "title": p.title,
        "body": p.body,
        "answer": p.answer or None,
        "scope": scope,
        "status": p.status,
        "council": sorted({council_code, handler_code}),
        "category": p.category,
        "channel": p.channel,
        "agency": agency_code,
        "cycle": [str(c) for c in cycles],
        "created_at": p.created_at,
        "due_at": p.due_at,
    }


def public_document(p: Any, council_code: str, agency_code: str | None) -> dict[str, Any] | None:
    """The public index document, or None when the petition must not be public."""
    if p.status not in PUBLIC_STATUSES or p.published_at is None or p.merged_into_id:
        return None
    return {
        "id": p.code,
        "title": p.title,
        "body": p.body,
        "answer": p.answer,
        "category": p.category,
        "council": council_code,
        "agency": agency_code,
        "published_at": p.published_at,
    }


OPEN_STATUSES = ("received", "accepted", "escalated", "assigned", "answered")
OPEN_OR_PUBLISHED = (*OPEN_STATUSES, "published")
SIMILAR_MIN = 0.25


async def _codes(p: Any) -> tuple[str, str, str | None, list[int]]:

    council = await Council.get(id=p.council_id)
    handler = council if p.handler_id == p.council_id else await Council.get(id=p.handler_id)
    agency = await Agency.get_or_none(id=p.agency_id) if p.agency_id else None
    cycles = await CycleEntry.filter(petition_id=p.id).values_list("cycle_id", flat=True)
    return council.code, handler.code, agency.code if agency else None, [int(c) for c in cycles]  # type: ignore[call-overload]


async def documents(p: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Both index documents of ``p`` (the public one None when it is not published)."""
    council_code, handler_code, agency_code, cycles = await _codes(p)
    return (
        staff_document(p, council_code, handler_code, agency_code, cycles),
        public_document(p, council_code, agency_code),
    )


async def _batches(
    **filters: Any,
) -> AsyncIterator[list[tuple[dict[str, Any], dict[str, Any] | None]]]:
    """Both documents of every petition matching ``filters``, a thousand at a time.

    Council and agency codes are read once and cycles once per batch, so a full rebuild makes a
    handful of queries per thousand petitions instead of four per petition.
    """

    councils = dict(await Council.all().values_list("id", "code"))
    agencies = dict(await Agency.all().values_list("id", "code"))
    last = 0
    while True:
        batch = await Petition.filter(id__gt=last, **filters).order_by("id").limit(1000)
        if not batch:
            return
        cycles: dict[int, list[int]] = {}
        for petition_id, cycle_id in await CycleEntry.filter(
            petition_id__in=[p.id for p in batch]
        ).values_list("petition_id", "cycle_id"):
            cycles.setdefault(petition_id, []).append(int(cycle_id))
        docs = []
        for p in batch:
            council_code, handler_code = councils[p.council_id], councils[p.handler_id]
            agency_code = agencies.get(p.agency_id) if p.agency_id else None
            docs.append(
                (
                    staff_document(
                        p, council_code, handler_code, agency_code, cycles.get(p.id, [])
                    ),
                    public_document(p, council_code, agency_code),
                )
            )
        yield docs
        last = batch[-1].id


async def _staff_source() -> AsyncIterator[dict[str, Any]]:
    async for docs in _batches():
        for staff, _public in docs:
            yield staff


async def _public_source() -> AsyncIterator[dict[str, Any]]:
    async for docs in _batches(status__in=PUBLIC_STATUSES):
        for _staff, public in docs:
            if public is not None:
                yield public


register_index(STAFF_INDEX, _staff_source)
register_index(PUBLIC_INDEX, _public_source)


def use_data_dir(index_dir: Any) -> None:
    """Point the search engine at this deployment's index directory (idempotent)."""
    configure(index_dir)


def scope_keys(user: User) -> list[str] | None:
    """The staff index's scope keys ``user`` may see; None for everything (admin)."""
    if user.role == "admin":
        return None
    if user.role == "agency":
        return [f"a:{user.agency_id}"] if user.agency_id else []
    return [f"c:{user.council_id}"] if user.council_id else []


def _page(limit: int, offset: int) -> tuple[int, int]:
    """A user's page request as the index serves it: the size clamped, an offset outside its
    window refused (a 422 naming it: narrow the search), never the engine's SearchError."""
    if not 0 <= offset <= MAX_OFFSET:
        message = N_("Search results can be paged only up to {max}: narrow the search.")
        raise Invalid(fields={"offset": str(message.format(max=MAX_OFFSET))})
    return max(1, min(limit, MAX_LIMIT)), offset


async def search_staff(
    user: User, f: Filters, *, limit: int, offset: int, now: datetime | None = None
) -> tuple[list[Hit], int, bool]:
    """Ranked staff search, filtered by scope and the filters the index knows: the page, the
    count and whether it is exact (past the index's ``TRACK_TOTAL``, "more than" the count).

    Overdue (an open status past its due date) is one search; not overdue is two the index can
    run, finished statuses and open ones not yet due, ranked together.
    """
    limit, offset = _page(limit, offset)
    now = now or datetime.now(UTC)
    filters: dict[str, Any] = {}
    keys = scope_keys(user)
    if keys is not None:
        filters["scope"] = keys
    for name in ("status", "category", "channel"):
        if getattr(f, name):
            filters[name] = getattr(f, name)
    if f.council_code:
        filters["council"] = f.council_code
    if f.agency_code:
        filters["agency"] = f.agency_code
    if f.cycle_id is not None:
        filters["cycle"] = str(f.cycle_id)
    ranges: dict[str, Any] = {}
    if f.date_from or f.date_to:
        ranges["created_at"] = (f.date_from, f.date_to)
    if f.overdue is None:
        return await _ranked(f.q, [(filters, ranges)], limit, offset)
    statuses = [f.status] if f.status else [s.value for s in Status]
    open_ = {**filters, "status": [s for s in statuses if s in OPEN_STATUSES]}
    if f.overdue:
        parts = [(open_, {**ranges, "due_at": (None, now)})]
    else:
        finished = {**filters, "status": [s for s in statuses if s not in OPEN_STATUSES]}
        # The index keeps whole seconds: overdue ends with now's second, on time starts after it.
        parts = [
            (finished, ranges),
            (open_, {**ranges, "due_at": (now + timedelta(seconds=1), None)}),
        ]
    return await _ranked(f.q, [(fs, rs) for fs, rs in parts if fs["status"]], limit, offset)


async def _ranked(
    q: str, parts: list[tuple[dict[str, Any], dict[str, Any]]], limit: int, offset: int
) -> tuple[list[Hit], int, bool]:
    """One page of the union of disjoint staff searches, ranked together by score."""
    index = get_index(STAFF_INDEX.name)
    if len(parts) == 1:
        filters, ranges = parts[0]
        result = await index.asearch(
            q, filters=filters, date_ranges=ranges, limit=limit, offset=offset
        )
        hits = [Hit(h.id, h.highlight, h.score) for h in result.hits]
        return hits, result.total, result.total_exact
    wanted, total, exact = offset + limit, 0, True
    pool: list[tuple[float, int, int, Hit]] = []
    for n, (filters, ranges) in enumerate(parts):
        got = 0
        while True:
            result = await index.asearch(
                q,
                filters=filters,
                date_ranges=ranges,
                limit=min(MAX_LIMIT, wanted - got),
                offset=got,
            )
            pool += [
                (-h.score, n, got + i, Hit(h.id, h.highlight, h.score))
                for i, h in enumerate(result.hits)
            ]
            got += len(result.hits)
            if not result.hits or got >= wanted or got > MAX_OFFSET:
                break
            if result.total_exact and got >= result.total:
                break
        total += result.total
        exact = exact and result.total_exact
    pool.sort(key=lambda entry: entry[:3])
    return [hit for *_, hit in pool[offset:wanted]], total, exact


async def search_public(
    q: str, *, category: str | None, council_code: str | None, limit: int, offset: int
) -> tuple[list[Hit], int, bool]:
    """Published petitions only, from the index that holds nothing else: the page, the count
    and whether it is exact (see ``search_staff``)."""
    limit, offset = _page(limit, offset)
    filters: dict[str, Any] = {}
    if category:
        filters["category"] = category
    if council_code:
        filters["council"] = council_code
    result = await get_index(PUBLIC_INDEX.name).asearch(
        q, filters=filters, limit=limit, offset=offset, sort=None if q else "-published_at"
    )
    # The card shows the title already: the snippet comes from the content or answer when they
    # match too, the title's only when nothing else does.
    hits = [
        Hit(h.id, next((v for k, v in h.highlights.items() if k != "title"), h.highlight), h.score)
        for h in result.hits
    ]
    return hits, result.total, result.total_exact


AWAITING_MODERATION = ("received",)  # the secretariat has not accepted it yet


@dataclass
class Similar:
    """What a citizen about to file sees of others' petitions like theirs: those the
    secretariat has accepted, by title; those still awaiting it, only as a count (a title is
    public only once moderated, as UK e-petitions does)."""

    shown: list[dict[str, Any]] = field(default_factory=list)
    pending: int = 0


async def similar(text: str, council: Council, limit: int = 5) -> Similar:
    """Open or published petitions of the same commune or its city that look like ``text``.

    Only what a citizen may see of another's petition: code, title, status, weight, and only
    once accepted; a petition still ``received`` is counted in ``pending``.
    """

    codes = [council.code]
    if council.parent_id:  # type: ignore[attr-defined]
        parent = await Council.get(id=council.parent_id)  # type: ignore[attr-defined]
        codes.append(parent.code)
    result = await get_index(STAFF_INDEX.name).asearch(
        text, filters={"council": codes, "status": list(OPEN_OR_PUBLISHED)}, limit=20, match="any"
    )
    wanted = terms(text)
    ranked = [
        h.id
        for h in result.hits
        if similarity(wanted, terms(str(h.fields.get("title", "")))) >= SIMILAR_MIN
    ]
    rows = {p.code: p for p in await Petition.filter(code__in=ranked)}
    out = Similar()
    for code in ranked:
        p = rows.get(code)
        if p is None or p.merged_into_id:
            continue
        if p.status in AWAITING_MODERATION:
            out.pending += 1
            continue
        if len(out.shown) >= limit:
            continue
        c = await Council.get(id=p.council_id)
        out.shown.append(
            {
                "code": p.code,
                "title": p.title,
                "status": p.status,
                "council_code": c.code,
                "weight": p.weight,
            }
        )
    return out


async def petition_changed(p: Any) -> None:
    """Queue the index updates of ``p`` inside the caller's transaction (the search outbox):
    the staff document always, the public one only while it is published."""

    staff_doc, public_doc = await documents(p)
    await enqueue(STAFF_INDEX.name, p.code, "upsert", staff_doc)
    if public_doc is None:
        await enqueue(PUBLIC_INDEX.name, p.code, "delete")
    else:
        await enqueue(PUBLIC_INDEX.name, p.code, "upsert", public_doc)


async def reindex() -> dict[str, int]:
    """Rebuild both petitions indexes from the database (``council reindex``)."""

    return {
        STAFF_INDEX.name: await rebuild(STAFF_INDEX.name),
        PUBLIC_INDEX.name: await rebuild(PUBLIC_INDEX.name),
    }
