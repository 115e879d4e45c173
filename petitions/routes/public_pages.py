"""The citizens' pages: portal, filing (works without JavaScript), support, guide, tracking,
published petitions and the on-time table. Thin: each calls the same services as the API."""

from __future__ import annotations

import hmac
import html
import re
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from council.errors import DomainError, Forbidden, Invalid, NotFound, RateLimited
from council.i18n import N_, _
from council.models import Council
from council.templating import render
from council.validation import field_errors
from council.web import Ctx, page
from petitions import indexing, labels, signed
from petitions import operations as ops
from petitions.categories import CATEGORIES
from petitions.categories import label as category_label
from petitions.codes import hash_token
from petitions.models import Notification, Petition
from petitions.routes import convert
from petitions.routes.downloads import reply_letter_download
from petitions.schemas import PetitionIn, SupportIn
from petitions.services import (
    add_support,
    authenticate,
    file_petition,
    give_feedback,
    notify,
    track_view,
)
from petitions.services.dashboards import agency_ranking
from petitions.services.filing import Filed, add_support_contact
from petitions.services.scope import get_by_code

FIELD_LABELS = {
    "council_code": N_("Commune or ward"),
    "category": N_("Field"),
    "title": N_("Title"),
    "body": N_("Content"),
    "name": N_("Full name"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "address": N_("Address"),
    "files": N_("Photos or PDF"),
    "consent": N_("Signed consent"),
}


def helpers() -> dict[str, Any]:
    """Template helpers shared by the petitions pages."""
    return {
        "status_label": lambda s: labels.text(labels.STATUS, s),
        "category_label": category_label,
        "resolution_label": lambda s: labels.text(labels.RESOLUTION, s),
        "channel_label": lambda s: labels.text(labels.CHANNEL, s),
        "stage_label": lambda s: labels.text(labels.STAGE, s),
        "action_label": lambda s: labels.text(labels.ACTION, s),
        "action_verb": labels.action_verb,
        "notification_state": lambda s: labels.text(labels.NOTIFICATION_STATE, s),
        "notice_line": lambda n: notify.staff_line(n, _notice_to(n)),
        "attachment_kind": labels.attachment_kind,
        "light_text": labels.light_text,
        "thresholds_text": labels.thresholds_text(),
        "labels": {k: str(v) for k, v in FIELD_LABELS.items()},
        "categories": [{"code": c.code, "label": str(c.label)} for c in CATEGORIES],
    }


def _notice_to(n: Notification) -> str:
    user = n.user if n.user_id else None
    return labels.recipient(
        n.recipient, n.email, (user.full_name or user.username) if user else None
    )


def form_values(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k in names if isinstance(v := form.get(k), str)}


async def filing_communes() -> list[dict[str, Any]]:
    """The communes and wards a citizen files at (a petition is received at the commune), by
    city, named as people say them: "Phường Ba Đình", not "Hội đồng nhân dân phường Ba Đình"."""
    communes = await Council.filter(is_active=True, level="commune").prefetch_related("parent")
    groups: dict[int | None, dict[str, Any]] = {}
    for c in sorted(communes, key=lambda c: labels.place_sort_key(c.name)):
        parent = c.parent
        group = groups.setdefault(
            c.parent_id,  # type: ignore[attr-defined]
            {"label": labels.place_name(parent.name) if parent else "", "communes": []},
        )
        group["communes"].append({"code": c.code, "name": labels.place_name(c.name)})
    return sorted(groups.values(), key=lambda g: labels.place_sort_key(g["label"]))


@page("/petitions", perm=ops.PETITION_PORTAL)
async def portal(ctx: Ctx) -> Response:
    q = (ctx.query.get("q") or "")[:200]
    indexing.use_data_dir(ctx.settings.index_dir)
    hits, total, total_exact = await indexing.search_public(
        q, category=None, council_code=None, limit=30, offset=0
    )
    rows = {p.code: p for p in await Petition.filter(code__in=[h.code for h in hits])}
    items = []
    for h in hits:
        if h.code in rows:
            p = rows[h.code]
            snippet = None if _repeats(h.highlight, p.title) else h.highlight or None
            items.append(await convert.public(p, snippet))
    return render(
        ctx.request,
        "petitions/portal.html",
        {
            **helpers(),
            "q": q,
            "items": items,
            "total": total,
            "total_exact": total_exact,
            "place_name": labels.place_name,
            "excerpt": _excerpt,
        },
    )


def _repeats(snippet: str, title: str) -> bool:
    """Whether a highlighted snippet says nothing but (part of) the title."""
    plain = " ".join(html.unescape(re.sub(r"</?mark>", "", snippet)).strip(" …").split())
    return plain.casefold() in " ".join(title.split()).casefold()


def _excerpt(body: str, limit: int = 160) -> str:
    """The start of a petition's content, cut at a word."""
    flat = " ".join(body.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + " …"


async def _new_context(
    ctx: Ctx,
    values: dict[str, str],
    errors: Any = None,
    message: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    similar = indexing.Similar()
    council = await Council.get_or_none(code=values.get("council_code") or "")
    title = values.get("title") or ""
    if council is not None and len(title.strip()) >= 3:
        indexing.use_data_dir(ctx.settings.index_dir)
        similar = await indexing.similar(title, council)
    return {
        **helpers(),
        "commune_groups": await filing_communes(),
        "values": values,
        "similar": similar,
        "errors": errors,
        "error_message": message,
        "error_code": code,
    }


FILING_FIELDS = (
    "council_code",
    "category",
    "title",
    "body",
    "name",
    "phone",
    "email",
    "address",
    "website",
)


@page("/petitions/new", perm=ops.PETITION_FILE, methods=("GET", "POST"))
async def new(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        values = {k: v for k in ("council_code", "title", "category") if (v := ctx.query.get(k))}
        if ctx.user is not None and ctx.user.role == "citizen":
            # A citizen's own account fills the contact fields; they may still change or clear them.
            account = {"name": ctx.user.full_name, "phone": ctx.user.phone, "email": ctx.user.email}
            values |= {k: v for k, v in account.items() if v}
        return render(ctx.request, "petitions/new.html", await _new_context(ctx, values))
    form = await ctx.form()
    values = form_values(form, FILING_FIELDS)
    if form.get("check"):  # "look for similar petitions" without JavaScript: nothing is filed
        return render(ctx.request, "petitions/new.html", await _new_context(ctx, values))
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    try:
        data = PetitionIn.model_validate({k: v for k, v in values.items() if v != ""})
    except ValidationError as exc:
        context = await _new_context(ctx, values, field_errors(exc))
        return render(ctx.request, "petitions/new.html", context, status=422)
    try:
        filed = await file_petition(data, actor=None, ip=ctx.ip, settings=ctx.settings, files=files)
    except DomainError as exc:
        fields = exc.details.get("fields") if exc.details else None
        # The message once, at the top; the fields it names (if any) listed below it.
        context = await _new_context(ctx, values, fields, str(exc.message), exc.code)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return render(
            ctx.request, "petitions/new.html", context, status=exc.status, headers=headers
        )
    return receipt_redirect(ctx, [filed], "/petitions/new")


RECEIPT_COOKIE = "petition_receipt"
RECEIPT_PATH = "/petitions/receipt"
RECEIPT_MAX_AGE = 3600
AGAIN_URLS = frozenset({"/petitions/new", "/petitions/staff/file", "/petitions/meetings/new"})


def receipt_redirect(ctx: Ctx, filed: list[Filed], again_url: str) -> Response:
    """Post/Redirect/Get: the codes and tokens go to this browser in a signed, short-lived cookie
    for the receipt page, never into the URL, so a refresh or the language switch keeps them."""
    value = signed.seal(
        {"r": [[f.petition.code, f.token] for f in filed], "again": again_url},
        ctx.settings.secret_key,
        "receipt",
        RECEIPT_MAX_AGE,
    )
    response = RedirectResponse(RECEIPT_PATH, status_code=303)
    signed.set_cookie(
        response, ctx.request, RECEIPT_COOKIE, value, path=RECEIPT_PATH, max_age=RECEIPT_MAX_AGE
    )
    return response


@page(RECEIPT_PATH, perm=ops.PETITION_RECEIPT)
async def receipt(ctx: Ctx) -> Response:
    """The receipt of what this browser just filed; nothing for anyone else."""
    kept = signed.unseal(
        ctx.request.cookies.get(RECEIPT_COOKIE), ctx.settings.secret_key, "receipt"
    )
    pairs = kept.get("r") if kept else None
    receipts = []
    for code, token in pairs if isinstance(pairs, list) else []:
        p = await Petition.get_or_none(code=str(code))
        if p is None or not hmac.compare_digest(p.token_hash, hash_token(str(token))):
            continue
        council = await Council.get(id=p.council_id)
        receipts.append(
            {
                "code": p.code,
                "token": token,
                "title": p.title,
                "council": council.name,
                "due_at": p.due_at,
            }
        )
    again = kept.get("again") if kept else None
    return render(
        ctx.request,
        "petitions/receipt.html",
        {
            "receipts": receipts,
            "again_url": again if again in AGAIN_URLS else "/petitions/new",
            "base_url": ctx.settings.base_url,
            "minutes": RECEIPT_MAX_AGE // 60,
        },
        headers={"Cache-Control": "no-store"},
    )


@page("/petitions/similar", perm=ops.PETITION_SIMILAR)
async def similar_fragment(ctx: Ctx) -> Response:
    values = {
        "council_code": ctx.query.get("council_code") or "",
        "title": (ctx.query.get("title") or "")[:300],
    }
    context = await _new_context(ctx, values)
    return render(ctx.request, "petitions/_similar.html", context)


SUPPORT_COOKIE = "petition_support"
SUPPORT_MAX_AGE = 3600


def _supported_path(code: str) -> str:
    return f"/petitions/{code}/supported"


def _supported_redirect(ctx: Ctx, code: str, supporter_id: int, has_email: bool) -> Response:
    """To the supported petition's page, remembering for this browser alone (a signed cookie for
    that page) which supporter it is, so it can thank them and take an e-mail for updates."""
    value = signed.seal(
        {"code": code, "sid": supporter_id, "email": has_email},
        ctx.settings.secret_key,
        "support",
        SUPPORT_MAX_AGE,
    )
    response = RedirectResponse(_supported_path(code), status_code=303)
    path = _supported_path(code)
    signed.set_cookie(
        response, ctx.request, SUPPORT_COOKIE, value, path=path, max_age=SUPPORT_MAX_AGE
    )
    return response


@page("/petitions/{code}/support", perm=ops.PETITION_SUPPORT, methods=("POST",))
async def support(ctx: Ctx) -> Response:
    form = await ctx.form()
    try:
        data = SupportIn.model_validate(form_values(form, ("name", "email", "website")))
    except ValidationError as exc:
        raise Invalid(fields=field_errors(exc)) from None
    done = await add_support(ctx.params["code"], data, ip=ctx.ip, settings=ctx.settings)
    return _supported_redirect(
        ctx, done.petition.code, done.supporter.id, bool(done.supporter.email)
    )


@page(
    "/petitions/{code}/supported",
    perm=ops.PETITION_SUPPORT_CONTACT,
    methods=("GET", "POST"),
)
async def supported(ctx: Ctx) -> Response:
    """The petition just supported, as the similar list shows it (title, commune, status,
    voters), the thanks, and an optional e-mail for its updates, for the supporter alone."""
    p = await get_by_code(ctx.params["code"])
    mine = signed.unseal(
        ctx.request.cookies.get(SUPPORT_COOKIE), ctx.settings.secret_key, "support"
    )
    if mine is not None and mine.get("code") != p.code:
        mine = None
    errors = None
    if ctx.request.method == "POST":
        if mine is None or not isinstance(mine.get("sid"), int):
            raise Forbidden(N_("Only the person who has just added their support can do this."))
        form = await ctx.form()
        try:
            data = SupportIn.model_validate(form_values(form, ("email",)))
            await add_support_contact(p.code, mine["sid"], data.email)
        except ValidationError as exc:
            errors = field_errors(exc)
        except Invalid as exc:
            errors = (exc.details or {}).get("fields") or {"email": str(exc.message)}
        else:
            return _supported_redirect(ctx, p.code, mine["sid"], True)
    council = await Council.get(id=p.council_id)
    return render(
        ctx.request,
        "petitions/supported.html",
        {
            **helpers(),
            "p": p,
            "place": labels.place_name(council.name),
            "published": p.status in ("published", "closed") and p.published_at is not None,
            "mine": mine is not None,
            "has_email": bool(mine and mine.get("email")),
            "errors": errors,
        },
        status=422 if errors else 200,
        headers={"Cache-Control": "no-store"},
    )


@page("/petitions/guide", perm=ops.PETITION_GUIDE)
async def guide(ctx: Ctx) -> Response:
    return render(ctx.request, "petitions/guide.html", {})


@page("/petitions/track", perm=ops.PETITION_TRACK, methods=("GET", "POST"))
async def track(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        return render(
            ctx.request,
            "petitions/track.html",
            {**helpers(), "code": (ctx.query.get("code") or "")[:40]},
        )
    form = await ctx.form()
    code, token = str(form.get("code") or "")[:40], str(form.get("token") or "")[:64]
    try:
        p = await authenticate(code, token, ctx.ip)
    except NotFound as exc:
        return render(
            ctx.request,
            "petitions/track.html",
            {**helpers(), "code": code, "error": exc.message, "error_code": exc.code},
            status=404,
        )
    return render(
        ctx.request,
        "petitions/track.html",
        {
            **helpers(),
            "view": await track_view(p, smtp_configured=bool(ctx.settings.smtp_url)),
            "token": token,
        },
        headers={"Cache-Control": "no-store"},
    )


@page("/petitions/track/letters/{letter_id:int}", perm=ops.PETITION_TRACK_LETTER, methods=("POST",))
async def track_letter(ctx: Ctx) -> Response:
    """The reply letter, for the petitioner: code and token travel in the form's body (as on the
    tracking page), never in the URL, and wrong tokens count against the same limit."""
    form = await ctx.form()
    code, token = str(form.get("code") or "")[:40], str(form.get("token") or "")[:64]
    return await reply_letter_download(ctx.request, code, token, ctx.ip, ctx.params["letter_id"])


@page("/petitions/track/feedback", perm=ops.PETITION_FEEDBACK, methods=("POST",))
async def feedback(ctx: Ctx) -> Response:
    form = await ctx.form()
    code, token = str(form.get("code") or "")[:40], str(form.get("token") or "")[:64]
    p = await authenticate(code, token, ctx.ip)
    satisfied = str(form.get("satisfied") or "") == "yes"
    comment = str(form.get("comment") or "").strip()[:2000] or None
    p = await give_feedback(p, satisfied, comment, base_url=ctx.settings.base_url)
    return render(
        ctx.request,
        "petitions/track.html",
        {
            **helpers(),
            "view": await track_view(p, smtp_configured=bool(ctx.settings.smtp_url)),
            "token": token,
            "notice": _("Thank you for your feedback."),
        },
        headers={"Cache-Control": "no-store"},
    )


@page("/petitions/p/{code}", perm=ops.PETITION_PUBLIC_VIEW)
async def public_petition(ctx: Ctx) -> Response:
    p = await get_by_code(ctx.params["code"])
    if p.status not in ("published", "closed") or p.published_at is None:
        raise NotFound(N_("No petition has this code."))
    return render(
        ctx.request, "petitions/public_petition.html", {**helpers(), "p": await convert.public(p)}
    )


@page("/petitions/on-time", perm=ops.PETITION_ON_TIME)
async def on_time(ctx: Ctx) -> Response:
    return render(
        ctx.request,
        "petitions/on_time.html",
        {**helpers(), "ranks": await agency_ranking(), "place_name": labels.place_name},
    )


routes = [
    portal,
    new,
    receipt,
    similar_fragment,
    guide,
    track,
    track_letter,
    feedback,
    on_time,
    public_petition,
    support,
    supported,
]
