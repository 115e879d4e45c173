"""Staff pages: the list with filters and search, a petition with its action forms, files."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from council import storage
from council.errors import DomainError, Forbidden, Invalid, NotFound
from council.i18n import N_, _
from council.models import Agency, Council, User
from council.permissions import allow
from council.templating import render
from council.validation import field_errors
from council.web import Ctx, page
from petitions import indexing, labels
from petitions.models import Attachment, Petition
from petitions.routes.public_pages import helpers
from petitions.schemas import ActionIn
from petitions.services import Filters, act, petition_for_staff, staff_list, staff_view
from petitions.services.scope import STAFF_ROLES, check_action, petition_scope, sees_personal_data
from petitions.workflow import ALLOWED_FROM, Action, Channel, DiversionKind, Status

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


def staff_helpers() -> dict[str, Any]:
    return {
        **helpers(),
        "statuses": [s.value for s in Status],
        "channels": [c.value for c in Channel],
        "diversions": [d.value for d in DiversionKind],
        "diversion_label": lambda d: labels.text(labels.DIVERSION, d),
    }


def available_actions(user: User, p: Petition) -> list[str]:
    out = []
    for action in Action:
        if Status(p.status) not in ALLOWED_FROM[action]:
            continue
        try:
            check_action(user, p, action)
        except DomainError:
            continue
        out.append(action.value)
    return out


@page("/petitions/staff", perm=allow("petition.list", *STAFF_ROLES))
async def staff_index(ctx: Ctx) -> Response:
    user = ctx.require_user()
    f = Filters.parse(ctx.query)
    if f.q:
        indexing.use_data_dir(ctx.settings.index_dir)
    items, total = await staff_list(user, f, limit=100)
    query = urlencode({k: v for k, v in ctx.query.items() if k != "lang"})
    councils = await Council.filter(is_active=True).order_by("level", "name")
    return render(
        ctx.request,
        "petitions/staff_list.html",
        {
            **staff_helpers(),
            "f": f,
            "items": items,
            "total": total,
            "query": query,
            "councils": councils,
        },
        fragment="petitions/_staff_results.html",
    )


async def _detail_context(user: User, p: Petition, notice: str | None = None) -> dict[str, Any]:
    v = await staff_view(user, p)
    agencies = await Agency.filter(council_id=p.handler_id, is_active=True).order_by("name")
    suggested = next((a.code for a in agencies if p.category in (a.categories or [])), None)
    return {
        **staff_helpers(),
        "v": v,
        "actions": available_actions(user, p),
        "agencies": agencies,
        "suggested": suggested,
        "notice": notice,
    }


@page(
    "/petitions/staff/{code}",
    perm=allow("petition.view", *STAFF_ROLES, scope="council", resolve=petition_scope),
)
async def staff_detail(ctx: Ctx) -> Response:
    user = ctx.require_user()
    p = await petition_for_staff(user, ctx.params["code"])
    return render(
        ctx.request,
        "petitions/staff_detail.html",
        await _detail_context(user, p),
        fragment="petitions/_staff_detail.html",
    )


@page(
    "/petitions/staff/{code}/act",
    methods=("POST",),
    perm=allow(
        "petition.act", "admin", "secretariat", "agency", scope="council", resolve=petition_scope
    ),
)
async def staff_act(ctx: Ctx) -> Response:
    user = ctx.require_user()
    form = await ctx.form()
    values = {k: v for k in ACTION_FIELDS if isinstance(v := form.get(k), str) and v.strip()}
    try:
        data = ActionIn.model_validate(values)
    except ValidationError as exc:
        raise Invalid(fields=field_errors(exc)) from None
    before_level = (await petition_for_staff(user, ctx.params["code"])).level
    p = await act(user, ctx.params["code"], data, ctx.settings)
    if not ctx.is_htmx:
        return RedirectResponse(f"/petitions/staff/{p.code}", status_code=303)
    notice = _("Done: {action}.").format(action=labels.action_verb(data.action, before_level))
    return render(
        ctx.request, "petitions/_staff_detail.html", await _detail_context(user, p, notice)
    )


@page(
    "/petitions/staff/{code}/attachments/{attachment_id:int}",
    perm=allow("petition.attachment", *STAFF_ROLES, scope="council", resolve=petition_scope),
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


routes = [staff_index, staff_detail, staff_act, attachment]
