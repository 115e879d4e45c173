"""Staff pages: the list with filters and search, a petition with its action forms, files."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from council import storage
from council.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from council.i18n import N_, _
from council.models import Agency, Council, User
from council.permissions import check
from council.templating import render
from council.validation import field_errors, int_param
from council.web import Ctx, html_error, page
from petitions import indexing, labels
from petitions import operations as ops
from petitions.models import Attachment, Petition
from petitions.routes.public_pages import helpers
from petitions.schemas import ActionIn, ExtensionDecisionIn, ExtensionIn, LetterRemoveIn
from petitions.services import Filters, act, petition_for_staff, staff_list, staff_view
from petitions.services.extensions import (
    decide_extension,
    may_decide,
    may_request,
    request_extension,
)
from petitions.services.letters import may_remove, remove_letter
from petitions.services.queries import merge_candidates
from petitions.services.routing import current_hop
from petitions.services.scope import (
    PERSONAL_DATA_ROLES,
    can_see,
    check_action,
    sees_personal_data,
)
from petitions.workflow import (
    ALLOWED_FROM,
    Action,
    Channel,
    DiversionKind,
    Position,
    Status,
    expected_action,
    is_overdue,
    next_status,
)

ACTION_FIELDS = (
    "action",
    "to_council_code",
    "central_body",
    "agency_code",
    "text",
    "reason",
    "into_code",
    "category",
    "diversion",
    "resolution",
    "roadmap_date",
    "note",
)


def hop_is_overdue(hop: Any) -> bool:
    return is_overdue(hop.due_at, hop.ended_at, datetime.now(UTC))


def staff_helpers() -> dict[str, Any]:
    return {
        **helpers(),
        "statuses": [s.value for s in Status],
        "channels": [c.value for c in Channel],
        "diversions": [d.value for d in DiversionKind],
        "diversion_label": lambda d: labels.text(labels.DIVERSION, d),
        "confirm_text": lambda a: labels.text(labels.CONFIRM, a) if a in labels.CONFIRM else "",
        "from_iso": datetime.fromisoformat,
    }


# The page form asks why for these (the API keeps the reason optional where the contract does).
REASON_REQUIRED = frozenset({"escalate", "reject", "merge", "divert", "return", "reopen"})
PAGE_SIZE = 100


def available_actions(user: User, p: Petition) -> list[str]:
    """What ``user`` may do now, the step the petition waits for first."""
    out = []
    pos = Position(
        status=Status(p.status),
        level=p.level,
        has_parent=p.level == "commune",
        has_agency=p.agency_id is not None,
        escalated=p.handler_id != p.council_id,
    )
    for action in Action:
        if Status(p.status) not in ALLOWED_FROM[action]:
            continue
        try:
            check_action(user, p, action)
            next_status(pos, action)  # e.g. no answer before an escalated one is assigned
        except DomainError:
            continue
        out.append(action.value)
    expected = expected_action(Status(p.status), p.level)
    if expected is not None and expected.value in out:
        out.remove(expected.value)
        out.insert(0, expected.value)
    return out


@page("/petitions/staff", perm=ops.PETITION_LIST)
async def staff_index(ctx: Ctx) -> Response:
    user = ctx.require_user()
    f = Filters.parse(ctx.query)
    offset = int_param(ctx.query, "offset", 0, minimum=0) or 0
    if f.q:
        indexing.use_data_dir(ctx.settings.index_dir)
    items, total, total_exact = await staff_list(user, f, limit=PAGE_SIZE, offset=offset)
    kept = [(k, v) for k, v in ctx.query.multi_items() if k not in ("lang", "offset") and v]
    councils = await Council.filter(is_active=True).order_by("level", "name")
    return render(
        ctx.request,
        "petitions/staff_list.html",
        {
            **staff_helpers(),
            "f": f,
            "items": items,
            "total": total,
            "total_exact": total_exact,
            "offset": offset,
            # Past the count ("more than"), pages go on as far as the index serves them.
            "has_next": offset + len(items) < total
            or (not total_exact and offset + PAGE_SIZE <= indexing.MAX_OFFSET),
            "page_size": PAGE_SIZE,
            "filters": kept,
            "page_url": lambda at: "/petitions/staff?" + urlencode([*kept, ("offset", at)]),
            "may_export_personal": user.role in PERSONAL_DATA_ROLES,
            "councils": councils,
        },
        fragment="petitions/_staff_listing.html",
    )


async def _detail_context(user: User, p: Petition, notice: str | None = None) -> dict[str, Any]:
    v = await staff_view(user, p)
    agencies = await Agency.filter(council_id=p.handler_id, is_active=True).order_by("name")
    suggested = next((a.code for a in agencies if p.category in (a.categories or [])), None)
    hop = await current_hop(p)
    pending = next((e for e in v.extensions if e.state == "pending"), None)
    actions = available_actions(user, p)
    expected = expected_action(Status(p.status), p.level)
    # The step is someone else's (the agency after its answer waits for the council's review):
    # say whose, rather than offer what is left as if it were the next step.
    theirs = expected is not None and expected.value not in actions
    return {
        **staff_helpers(),
        "v": v,
        "actions": actions,
        "next_action": None if theirs or not actions else actions[0],
        "waiting_hop": next((h for h in v.hops if h.ended_at is None), None) if theirs else None,
        "agencies": agencies,
        "suggested": suggested,
        "notice": notice,
        "reason_required": REASON_REQUIRED,
        "can_request_extension": (
            may_request(user, p)
            and pending is None
            and hop is not None
            and hop.stage == "answer"
            and p.status == "assigned"
            and not hop_is_overdue(hop)
        ),
        "pending_extension": pending,
        "can_decide_extension": pending is not None and may_decide(user, p),
        "extension_state": lambda s: labels.text(labels.EXTENSION_STATE, s),
        "may_open": lambda other: can_see(user, other),
        "may_remove_letter": lambda a: may_remove(user, p, a),
    }


@page("/petitions/staff/{code}", perm=ops.PETITION_VIEW)
async def staff_detail(ctx: Ctx) -> Response:
    user = ctx.require_user()
    p = await petition_for_staff(user, ctx.params["code"])
    return render(
        ctx.request,
        "petitions/staff_detail.html",
        await _detail_context(user, p),
        fragment="petitions/_staff_detail.html",
    )


@page("/petitions/staff/{code}/act", methods=("POST",), perm=ops.PETITION_ACT)
async def staff_act(ctx: Ctx) -> Response:
    user = ctx.require_user()
    form = await ctx.form()
    values = {k: v for k in ACTION_FIELDS if isinstance(v := form.get(k), str) and v.strip()}
    try:
        data = ActionIn.model_validate(values)
    except ValidationError as exc:
        raise Invalid(fields=field_errors(exc)) from None
    await check(ops.ACTIONS[Action(data.action)].permission, user, ctx.params)
    if data.action in REASON_REQUIRED and not data.reason:
        raise Invalid(fields={"reason": str(N_("Say why: the reason is kept in the history."))})
    if data.action == "answer" and not data.resolution:
        raise Invalid(fields={"resolution": str(N_("Choose what became of the issue."))})
    letter = form.get("letter")
    before_level = (await petition_for_staff(user, ctx.params["code"])).level
    try:
        p = await act(
            user,
            ctx.params["code"],
            data,
            ctx.settings,
            letter=letter if isinstance(letter, UploadFile) else None,
        )
    except (Conflict, Forbidden) as exc:
        if not ctx.is_htmx:
            raise
        return await _refused(ctx, user, exc)
    notice = _("Done: {action}.").format(action=labels.action_verb(data.action, before_level))
    if not can_see(user, p):
        # A returned petition leaves the agency's hands: back to the list, saying so.
        if not ctx.is_htmx:
            return RedirectResponse("/petitions/staff", status_code=303)
        return render(ctx.request, "petitions/_gone.html", {"notice": notice, "code": p.code})
    if not ctx.is_htmx:
        return RedirectResponse(f"/petitions/staff/{p.code}", status_code=303)
    return render(
        ctx.request, "petitions/_staff_detail.html", await _detail_context(user, p, notice)
    )


async def _refused(ctx: Ctx, user: User, exc: DomainError) -> Response:
    """Someone else moved the petition meanwhile: the refusal says why, and the petition under it
    is shown as it is now (status, facts, the actions left), swapped out of band."""
    try:
        p = await petition_for_staff(user, ctx.params["code"])
    except DomainError:
        return html_error(ctx.request, exc)  # out of this user's sight now: the refusal alone
    return html_error(
        ctx.request,
        exc,
        fragment="petitions/_refused.html",
        context=await _detail_context(user, p),
    )


@page(
    "/petitions/staff/{code}/attachments/{attachment_id:int}",
    perm=ops.PETITION_ATTACHMENT,
)
async def attachment(ctx: Ctx) -> Response:
    user = ctx.require_user()
    p = await petition_for_staff(user, ctx.params["code"])
    a = await Attachment.get_or_none(id=ctx.params["attachment_id"], petition_id=p.id)
    if a is None:
        raise NotFound()
    if a.kind == "consent" and not sees_personal_data(user, p):
        raise Forbidden(N_("Only staff handling this petition see the signed consent."))
    return await storage.file_response(
        ctx.request,
        a.path,
        mime=a.mime,
        disposition="attachment",
        headers={"Cache-Control": "private, no-store"},
    )


async def _after(ctx: Ctx, user: User, code: str, notice: str) -> Response:
    if not ctx.is_htmx:
        return RedirectResponse(f"/petitions/staff/{code}", status_code=303)
    p = await petition_for_staff(user, code)
    return render(
        ctx.request, "petitions/_staff_detail.html", await _detail_context(user, p, notice)
    )


@page("/petitions/staff/{code}/extensions", methods=("POST",), perm=ops.PETITION_EXTENSION_REQUEST)
async def staff_extension_request(ctx: Ctx) -> Response:
    user = ctx.require_user()
    form = await ctx.form()
    values = {k: v for k in ("until", "reason") if isinstance(v := form.get(k), str) and v.strip()}
    try:
        data = ExtensionIn.model_validate(values)
    except ValidationError as exc:
        raise Invalid(fields=field_errors(exc)) from None
    await request_extension(user, ctx.params["code"], data.until, data.reason, ctx.settings)
    return await _after(ctx, user, ctx.params["code"], _("Extension requested."))


@page(
    "/petitions/staff/{code}/extensions/{extension_id:int}/decision",
    methods=("POST",),
    perm=ops.PETITION_EXTENSION_DECIDE,
)
async def staff_extension_decide(ctx: Ctx) -> Response:
    user = ctx.require_user()
    form = await ctx.form()
    approve = form.get("decision") == "approve"
    reason = form.get("reason")
    reason = reason.strip() if isinstance(reason, str) and reason.strip() else None
    try:
        data = ExtensionDecisionIn.model_validate({"approve": approve, "reason": reason})
    except ValidationError as exc:
        raise Invalid(fields=field_errors(exc)) from None
    await check(ops.EXTENSION_DECISIONS[data.approve].permission, user, ctx.params)
    await decide_extension(
        user,
        ctx.params["code"],
        ctx.params["extension_id"],
        data.approve,
        data.reason,
        ctx.settings,
    )
    done = _("Extension approved.") if approve else _("Extension refused.")
    return await _after(ctx, user, ctx.params["code"], done)


@page(
    "/petitions/staff/{code}/letters/{letter_id:int}/remove",
    methods=("POST",),
    perm=ops.PETITION_LETTER_REMOVE,
)
async def staff_letter_remove(ctx: Ctx) -> Response:
    user = ctx.require_user()
    form = await ctx.form()
    reason = form.get("reason")
    try:
        data = LetterRemoveIn.model_validate({"reason": reason if isinstance(reason, str) else ""})
    except ValidationError as exc:
        raise Invalid(fields=field_errors(exc)) from None
    await remove_letter(user, ctx.params["code"], ctx.params["letter_id"], data.reason)
    return await _after(ctx, user, ctx.params["code"], _("Reply letter removed."))


@page("/petitions/staff/{code}/merge-candidates", perm=ops.PETITION_MERGE_CANDIDATES)
async def staff_merge_candidates(ctx: Ctx) -> Response:
    """The merge picker's choices as the user types (an htmx fragment)."""
    user = ctx.require_user()
    p = await petition_for_staff(user, ctx.params["code"])
    indexing.use_data_dir(ctx.settings.index_dir)
    q = (ctx.query.get("merge_q") or "")[:200]
    items = await merge_candidates(user, p, q)
    return render(
        ctx.request,
        "petitions/_merge_candidates.html",
        {**staff_helpers(), "candidates": items, "merge_q": q},
    )


routes = [
    staff_index,
    staff_detail,
    staff_act,
    staff_extension_request,
    staff_extension_decide,
    staff_letter_remove,
    staff_merge_candidates,
    attachment,
]
