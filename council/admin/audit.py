"""audit.view: the audit log page (filters, links to targets, the chain's verification) and its
JSON twin."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import QueryParams
from starlette.responses import Response

from council import operations as ops
from council.admin.agencies import council_options
from council.admin.common import ROLE_LABELS, filters, page_number
from council.audit_log import AuditFilters, audit_log, operations, register_values, verification
from council.audit_verify import anchor_text
from council.errors import DomainError, Invalid
from council.i18n import N_
from council.templating import render
from council.validation import Out
from council.web import Ctx, api, page

# verify()'s reasons, in words (the CLI prints them as they are).
REASONS = {
    "missing entry before it": N_("an entry before it was removed"),
    "out of order": N_("entries are out of order"),
    "does not follow the previous entry": N_("it does not follow the previous entry"),
    "content was changed": N_("its content was changed"),
    "does not match its recorded anchor": N_("it does not match its recorded anchor"),
    "anchored entry missing: the chain was cut": N_("the newest entries were cut off"),
    "not in its council's chain": N_("it was moved out of its council's chain"),
}
# Roles in the details (a person made, a role changed) read as the users' pages word them.
register_values(("role", "was", "signing_role"), ROLE_LABELS)

PATH = "/admin/audit"
QUERY = {
    "operation": "An operation name, e.g. petition.accept",
    "user": "A username or part of a person's name",
    "council": "A council's code",
    "date_from": "First day (YYYY-MM-DD, Vietnam time)",
    "date_to": "Last day (YYYY-MM-DD, Vietnam time)",
    "page": "Page number, from 1",
}


def _day(query: QueryParams, name: str) -> date | None:
    text = (query.get(name) or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    # Bounded so that the first instant of the day in Vietnam, in UTC, is a datetime at all.
    if day is None or not date(1900, 1, 2) <= day <= date(9999, 12, 30):
        raise Invalid(fields={name: str(N_("A date is expected here (e.g. 2026-12-01)."))})
    return day


def read_filters(query: QueryParams) -> AuditFilters:
    """The filters from the query string; a date that is not one is a 422 naming its field."""
    return AuditFilters(
        operation=(query.get("operation") or "")[:64],
        user=(query.get("user") or "").strip()[:100],
        council_code=(query.get("council") or "")[:32],
        date_from=_day(query, "date_from"),
        date_to=_day(query, "date_to"),
    )


@page(PATH, perm=ops.AUDIT_VIEW)
async def audit_page(ctx: Ctx) -> Response:
    """The log, newest first, filtered by operation, user, council and dates."""
    actor = ctx.require_user()
    context: dict[str, Any] = {
        "params": filters(ctx.query, "operation", "user", "council", "date_from", "date_to"),
        "operations": await operations(),
        "councils": await council_options(),
        "base": PATH,
        "errors": {},
        "log": None,
    }
    status = 200
    try:
        context["log"] = await audit_log(actor, read_filters(ctx.query), page_number(ctx.query))
    except DomainError as exc:
        context["errors"] = (exc.details or {}).get("fields") or {"": str(exc.message)}
        status = exc.status
    return render(
        ctx.request,
        "council/admin/audit.html",
        context,
        fragment="council/admin/_audit_list.html",
        status=status,
    )


@page(f"{PATH}/verify", perm=ops.AUDIT_VIEW)
async def audit_verify_page(ctx: Ctx) -> Response:
    """The chain walked now: intact with its head hash, or the first broken entry."""
    result = await verification(ctx.require_user())
    return render(
        ctx.request,
        "council/admin/audit_verify.html",
        {"result": result, "reason": REASONS.get(result.reason, result.reason)},
        fragment="council/admin/_audit_verify.html",
    )


class AuditEntryOut(Out):
    chain: int  # the council's id, or 0: the deployment's chain
    seq: int
    created_at: str
    operation: str
    actor_id: int | None
    actor_name: str
    council_id: int | None
    council: str
    target_type: str
    target_id: str
    target: str
    link: str | None
    details: dict[str, Any]
    hash: str


class AuditPageOut(Out):
    items: list[AuditEntryOut]
    total: int
    page: int
    pages: int


class AuditChainHeadOut(Out):
    chain: int  # 0: the deployment's own chain; else the council's id
    seq: int
    hash: str
    anchor: str  # as `council verify-audit --anchor` takes it


class AuditVerifyOut(Out):
    ok: bool
    count: int
    head: str
    broken_seq: int | None
    broken_chain: int | None
    reason: str
    heads: list[AuditChainHeadOut]  # each chain's last entry: keep them outside the database


@api(
    "GET",
    "/api/v1/audit",
    perm=ops.AUDIT_VIEW,
    response=AuditPageOut,
    tags=["administration"],
    summary="The audit log, newest first, filtered (administrators)",
    query=QUERY,
)
async def audit_list(ctx: Ctx) -> AuditPageOut:
    log = await audit_log(ctx.require_user(), read_filters(ctx.query), page_number(ctx.query))
    return AuditPageOut(
        items=[
            AuditEntryOut(
                chain=line.entry.chain,
                seq=line.entry.seq,
                created_at=line.entry.created_at.isoformat(),
                operation=line.entry.operation,
                actor_id=line.entry.actor_id,
                actor_name=line.entry.actor_name,
                council_id=line.entry.council_id,
                council=line.council,
                target_type=line.entry.target_type,
                target_id=line.entry.target_id,
                target=line.target,
                link=line.link,
                details=line.entry.details or {},
                hash=line.entry.hash,
            )
            for line in log.lines
        ],
        total=log.total,
        page=log.page,
        pages=log.pages,
    )


@api(
    "GET",
    "/api/v1/audit/verify",
    perm=ops.AUDIT_VIEW,
    response=AuditVerifyOut,
    tags=["administration"],
    summary="Verify the audit hash chain now, as `council verify-audit` does (administrators)",
)
async def audit_verify(ctx: Ctx) -> AuditVerifyOut:
    r = await verification(ctx.require_user())
    return AuditVerifyOut(
        ok=r.ok,
        count=r.count,
        head=r.head,
        broken_seq=r.broken_seq,
        broken_chain=r.broken_chain,
        reason=r.reason,
        heads=[
            AuditChainHeadOut(
                chain=chain,
                seq=seq,
                hash=digest,
                anchor=anchor_text(chain, seq, digest),
            )
            for chain, (seq, digest) in sorted(r.heads.items())
        ],
    )


routes = [audit_page, audit_verify_page, audit_list, audit_verify]
